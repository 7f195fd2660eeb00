import Foundation

/// Everything that determines a trained model: asking for the same request again gives the same model, so it is
/// trained once and then loaded.
public struct ModelRequest: Codable, Hashable, Sendable {
    /// The dataset.
    public var dataset: DatasetName
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
/// A file is a `SealedFile` with the magic word `UNKDMODEL`, a `SavedModelHeader` and the parameters. A file that
/// fails the checksum, cannot be parsed, or answers a different request is reported and treated as absent, so the
/// caller retrains and overwrites it; it is never used.
public struct ModelStore: Sendable {
    /// Where model files live.
    public let folder: URL
    /// Receives one line when a file is damaged or mismatched.
    public var report: @Sendable (String) -> Void = { _ in }

    static let magic = "UNKDMODEL"

    /// A store in `folder` (created on first save).
    public init(folder: URL) { self.folder = folder }

    /// The file that holds the model of `request`.
    public func file(for request: ModelRequest) -> URL {
        folder.appendingPathComponent(request.dataset.rawValue)
            .appendingPathComponent("\(request.distillation.map { $0.method.row.rawValue.lowercased() + "-" } ?? "")\(request.model.label)-seed\(request.seed)-\(request.key).unkdmodel")
    }

    /// Saves a trained model.
    public func save(_ model: Recommender, history: TrainingHistory, for request: ModelRequest) throws {
        let header = SavedModelHeader(request: request, userCount: model.userCount, itemCount: model.itemCount,
                                      stride: model.parameters.stride, history: history)
        try AtomicFile.write(SealedFile.encode(magic: Self.magic, header: header, blocks: [model.parameters.values]),
                             to: file(for: request))
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

    /// The lock file of `request`'s model: the model's file name with `.lock` for `.unkdmodel`.
    public func lockFile(for request: ModelRequest) -> URL {
        file(for: request).deletingPathExtension().appendingPathExtension("lock")
    }

    /// Runs `body` (a fit of `request` and the saving of its model) while no other process of this store works on the
    /// same request: a second caller waits (after `onWait`) until the first is done, and then finds its model saved.
    /// Storage without locks is reported and `body` runs unlocked. See `FileLock`.
    public func exclusively<T>(for request: ModelRequest, onWait: () -> Void, _ body: () throws -> T) rethrows -> T {
        try FileLock.exclusively(lockFile(for: request), onWait: onWait,
                                 onUnavailable: { report("\($0); training without the lock") }, body)
    }

    // MARK: Checkpoints

    /// The header of a checkpoint file: the request of the fit, the loop's state, the length of each of the four
    /// table-sized float blocks, and a distillation term's generators and network step (its network floats are the
    /// fifth block).
    struct CheckpointHeader: Codable {
        var format = 1
        var request: ModelRequest
        var loop: TrainingCheckpoint.Loop
        var blockLength: Int
        var termGenerators: [[UInt64]]?
        var termNetworkStep: Int?
    }

    static let checkpointMagic = "UNKDCKPT"

    /// The file holding an unfinished fit of `request`: the model's file name with `.checkpoint` for `.unkdmodel`.
    public func checkpointFile(for request: ModelRequest) -> URL {
        file(for: request).deletingPathExtension().appendingPathExtension("checkpoint")
    }

    /// Writes (atomically, replacing the previous one) a checkpoint of the fit of `request`.
    public func saveCheckpoint(_ checkpoint: TrainingCheckpoint, for request: ModelRequest) throws {
        let header = CheckpointHeader(request: request, loop: checkpoint.loop, blockLength: checkpoint.parameters.count,
                                      termGenerators: checkpoint.term?.generators, termNetworkStep: checkpoint.term?.networkStep)
        let blocks = [checkpoint.parameters, checkpoint.best, checkpoint.firstMoment, checkpoint.secondMoment,
                      checkpoint.term?.networks ?? []]
        try AtomicFile.write(SealedFile.encode(magic: Self.checkpointMagic, header: header, blocks: blocks),
                             to: checkpointFile(for: request))
    }

    /// The checkpoint of an unfinished fit of `request`, or nil if there is none or it cannot be trusted (which is
    /// reported; the fit then starts over and the file is replaced by its own checkpoints).
    public func loadCheckpoint(for request: ModelRequest) -> TrainingCheckpoint? {
        let url = checkpointFile(for: request)
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        do {
            let (header, floats) = try SealedFile.decode(Data(contentsOf: url), magic: Self.checkpointMagic, url: url,
                                                         as: CheckpointHeader.self)
            func damaged(_ reason: String) -> UnKDError { .damagedArtefact(file: url.path, reason: reason) }
            guard header.request == request else { throw damaged("it belongs to a different configuration or data") }
            let n = header.blockLength
            guard floats.count >= 4 * n, header.loop.negatives.count == 4,
                  header.termGenerators != nil || floats.count == 4 * n else { throw damaged("wrong parameter count") }
            let term = header.termGenerators.map {
                DistillationState(generators: $0, networkStep: header.termNetworkStep ?? 0, networks: Array(floats[(4 * n)...]))
            }
            return TrainingCheckpoint(loop: header.loop, parameters: Array(floats[0..<n]), best: Array(floats[n..<(2 * n)]),
                                      firstMoment: Array(floats[(2 * n)..<(3 * n)]), secondMoment: Array(floats[(3 * n)..<(4 * n)]),
                                      term: term)
        } catch {
            report("\(url.path): \(error); the fit starts over")
            return nil
        }
    }

    /// Deletes the checkpoint of `request`, once its model is saved.
    public func removeCheckpoint(for request: ModelRequest) {
        try? FileManager.default.removeItem(at: checkpointFile(for: request))
    }

    static func read(_ url: URL, expecting request: ModelRequest) throws -> (Recommender, TrainingHistory) {
        let (header, floats) = try SealedFile.decode(Data(contentsOf: url), magic: magic, url: url, as: SavedModelHeader.self)
        func damaged(_ reason: String) -> UnKDError { .damagedArtefact(file: url.path, reason: reason) }
        guard header.request == request else { throw damaged("it was trained for a different configuration or data") }
        guard floats.count == (header.userCount + header.itemCount) * header.stride,
              header.stride == EmbeddingTable.stride(for: request.model.dimension) else { throw damaged("wrong parameter count") }
        var table = EmbeddingTable(rows: header.userCount + header.itemCount, dimension: request.model.dimension)
        table.values = floats
        let model = Recommender(configuration: request.model, userCount: header.userCount, itemCount: header.itemCount, parameters: table)
        return (model, header.history)
    }
}
