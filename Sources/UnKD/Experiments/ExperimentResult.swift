import Crypto
import Foundation

/// Everything one run produced, saved as a small JSON file: the exact experiment, the data it ran on, how training
/// went, and every test measure of the engine. Tables and figures are made from these files.
public struct ExperimentResult: Codable, Sendable {
    /// File format version. Version 2 ranks the test lists without the validation items as well as the training
    /// items (`Evaluator.excluded`); the official protocol gives test users no validation items, so version 1 files
    /// of that protocol hold the same numbers, while version 1 files of the `paper-text` protocol are stale.
    public var format = ExperimentResult.currentFormat
    /// The row of the tables.
    public var method: PaperMethod
    /// The experiment: dataset, protocol, model, training, seed, and for a student the method and teacher.
    public var spec: ModelSpec
    /// SHA-256 of the data split.
    public var splitFingerprint: String
    /// Validation curve, best epoch, times.
    public var history: TrainingHistory
    /// Metrics on the test users at the best epoch.
    public var test: EvaluationReport
    /// When the run finished (ISO 8601).
    public var finished: String
    /// The OpenBLAS kernel set of the process that wrote the file (`OpenBLASCore.name`), since kernel sets round
    /// matrix products differently; nil in files written before it was recorded (those of the Intel VM used
    /// "Prescott", those of the AMD VM "Zen").
    public var matrixKernels: String?
}

extension ExperimentResult {
    /// The format this version of the package writes.
    public static let currentFormat = 2

    /// Whether the file's test measures were computed by the rules the package applies now (see `format`).
    public var isCurrent: Bool { format >= 2 || spec.splitProtocol == .unkdCode }
}

/// Results on disk, one JSON file per experiment, named by the experiment's hash; written atomically, so an
/// interrupted grid resumes where it stopped and a table reads whatever is present.
public struct ResultStore: Sendable {
    /// The folder (committed to the repository for the paper's grid: the files are small aggregates).
    public let folder: URL

    /// Whether an unreadable or stale result file is an error (`stored` throws) rather than a reported gap.
    public var strict: Bool

    /// A store in `folder`.
    public init(folder: URL, strict: Bool = false) {
        self.folder = folder
        self.strict = strict
    }

    /// A stable hash of a spec.
    public static func key(_ spec: ModelSpec) -> String { ConfigurationKey.of(spec) }

    /// The file of an experiment.
    public func file(method: PaperMethod, spec: ModelSpec) -> URL {
        let safe = method.rawValue.lowercased().replacingOccurrences(of: " ", with: "-")
        return folder.appendingPathComponent(spec.dataset.rawValue)
            .appendingPathComponent("\(safe)-\(spec.model.label)-seed\(spec.seed)-\(Self.key(spec)).json")
    }

    /// The stored result, if present, readable and current. An unreadable or stale file is an error naming it when
    /// the store is `strict`; otherwise it is reported with its path, treated as absent and rewritten when the run is
    /// trained again.
    public func stored(method: PaperMethod, spec: ModelSpec) throws -> ExperimentResult? {
        let url = file(method: method, spec: spec)
        guard let data = try? Data(contentsOf: url) else { return nil }
        let problem: String
        if let result = try? JSONDecoder().decode(ExperimentResult.self, from: data), result.spec == spec {
            if result.isCurrent { return result }
            problem = "evaluated with validation items in the test ranking (format \(result.format))"
        } else {
            problem = "not a readable result of this experiment (damaged?)"
        }
        if strict { throw UnKDError.damagedArtefact(file: url.path, reason: problem) }
        Progress.say("\(url.path): \(problem); treated as missing")
        return nil
    }

    /// `stored`, with an unusable file always reported and treated as absent (never an error).
    public func load(method: PaperMethod, spec: ModelSpec) -> ExperimentResult? {
        var lenient = self
        lenient.strict = false
        return try? lenient.stored(method: method, spec: spec)
    }

    /// Saves a result.
    public func save(_ result: ExperimentResult) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(try encoder.encode(result), to: file(method: result.method, spec: result.spec))
    }
}

extension Workspace {
    /// The result of one experiment: read from `results` when present, else trained (or loaded from the model
    /// store), evaluated on the test users, saved and returned. With `rerun`, the stored result and model are ignored:
    /// the model is trained again (its teacher is reused) and the result rewritten.
    public func result(method: PaperMethod, spec: ModelSpec, results: ResultStore, rerun: Bool = false) throws -> ExperimentResult {
        if !rerun, let stored = results.load(method: method, spec: spec) { return stored }
        let trained = try trainedModel(spec, retrain: rerun)
        let split = try self.split(spec.dataset, protocol: spec.splitProtocol, seed: spec.splitSeed)
        let result = ExperimentResult(
            method: method, spec: spec, splitFingerprint: split.fingerprint, history: trained.history,
            test: try evaluate(trained), finished: ISO8601DateFormatter().string(from: Date()),
            matrixKernels: OpenBLASCore.name)
        try results.save(result)
        return result
    }
}
