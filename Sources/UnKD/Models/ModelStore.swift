import Crypto
import Foundation

/// Everything that determines a trained model: asking for the same request again gives the same model, so it is
/// trained once and then loaded.
public struct ModelRequest: Codable, Hashable, Sendable {
    /// Dataset name.
    public var dataset: String
    /// Split protocol.
    public var splitProtocol: SplitProtocol
    /// Seed of the split.
    public var splitSeed: UInt64
    /// SHA-256 of the split the model was trained on (guards against changed data under the same name).
    public var splitFingerprint: String
    /// Architecture and objective.
    public var model: ModelConfiguration
    /// Optimisation settings.
    public var training: TrainingConfiguration
    /// Seed of initialisation and sampling.
    public var seed: UInt64
    /// For a distilled student, the method and its teacher.
    public var distillation: DistillationSpec? = nil

    /// A short stable hash of the request, for file names.
    public var key: String { ConfigurationKey.of(self) }
}

/// The header of a saved model: the request it answers, the table's shape, and how training went.
public struct SavedModelHeader: Codable, Sendable {
    /// File format version.
    public var format = 1
    /// The request this model answers.
    public var request: ModelRequest
    /// Users of the table.
    public var userCount: Int
    /// Items of the table.
    public var itemCount: Int
    /// Floats per stored row.
    public var stride: Int
    /// The training history.
    public var history: TrainingHistory
}

/// Trained models on disk, one file per request, written atomically and verified on reading.
///
/// A file is `UNKDMODEL` + header length + JSON header + little-endian Float32 parameters + SHA-256 of all that
/// precedes it. A file that fails the checksum, cannot be parsed, or answers a different request is reported and
/// treated as absent, so the caller retrains and overwrites it; it is never used.
public struct ModelStore: Sendable {
    /// Where model files live.
    public let folder: URL
    /// Receives one line when a file is damaged or mismatched.
    public var report: @Sendable (String) -> Void = { _ in }

    static let magic = Array("UNKDMODEL".utf8)

    /// A store in `folder` (created on first save).
    public init(folder: URL) { self.folder = folder }

    /// The file that holds the model of `request`.
    public func file(for request: ModelRequest) -> URL {
        folder.appendingPathComponent(request.dataset)
            .appendingPathComponent("\(request.distillation.map { $0.method.name.lowercased() + "-" } ?? "")\(request.model.label)-seed\(request.seed)-\(request.key).unkdmodel")
    }

    /// Saves a trained model.
    public func save(_ model: Recommender, history: TrainingHistory, for request: ModelRequest) throws {
        let header = SavedModelHeader(request: request, userCount: model.userCount, itemCount: model.itemCount,
                                      stride: model.parameters.stride, history: history)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = try encoder.encode(header)
        var data = Data(Self.magic)
        withUnsafeBytes(of: UInt32(json.count).littleEndian) { data.append(contentsOf: $0) }
        data.append(json)
        model.parameters.values.map { $0.bitPattern.littleEndian }.withUnsafeBytes { data.append(contentsOf: $0) }
        data.append(contentsOf: SHA256.hash(data: data))
        try AtomicFile.write(data, to: file(for: request))
    }

    /// The saved model for `request`, or nil if there is none or it cannot be trusted (which is reported).
    public func load(_ request: ModelRequest) -> (Recommender, TrainingHistory)? {
        let url = file(for: request)
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        do {
            return try Self.read(url, expecting: request)
        } catch {
            report("\(url.path): \(error); it will be rebuilt")
            return nil
        }
    }

    static func read(_ url: URL, expecting request: ModelRequest) throws -> (Recommender, TrainingHistory) {
        let data = try Data(contentsOf: url)
        func damaged(_ reason: String) -> UnKDError { .damagedArtefact(file: url.path, reason: reason) }
        guard data.count > magic.count + 4 + 32, Array(data.prefix(magic.count)) == magic else { throw damaged("not a model file") }
        let body = data.prefix(data.count - 32)
        guard Array(SHA256.hash(data: body)) == Array(data.suffix(32)) else { throw damaged("checksum mismatch (truncated or altered)") }
        let lengthBytes = Array(data[magic.count..<(magic.count + 4)])
        let length = Int(UInt32(lengthBytes[0]) | UInt32(lengthBytes[1]) << 8 | UInt32(lengthBytes[2]) << 16 | UInt32(lengthBytes[3]) << 24)
        let headerStart = magic.count + 4
        guard headerStart + length <= body.count else { throw damaged("header runs past the end") }
        let header = try JSONDecoder().decode(SavedModelHeader.self, from: data[headerStart..<(headerStart + length)])
        guard header.request == request else { throw damaged("it was trained for a different configuration or data") }
        let floats = (body.count - headerStart - length) / 4
        guard floats == (header.userCount + header.itemCount) * header.stride,
              header.stride == EmbeddingTable.stride(for: request.model.dimension) else { throw damaged("wrong parameter count") }
        var table = EmbeddingTable(rows: header.userCount + header.itemCount, dimension: request.model.dimension)
        body.dropFirst(headerStart + length).withUnsafeBytes { raw in
            for k in 0..<floats { table.values[k] = Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * k, as: UInt32.self))) }
        }
        let model = Recommender(configuration: request.model, userCount: header.userCount, itemCount: header.itemCount, parameters: table)
        return (model, header.history)
    }
}
