import Foundation

/// One cell-and-seed of a paper table or figure: the row's name (Teacher, Student, UnKD, ...), its backbone and the
/// exact experiment.
public struct GridRun: Sendable {
    /// The row (it also names the result file).
    public var method: PaperMethod
    /// The cell the run belongs to in `GridResults`: the row's, or a finer one such as UnKD at K = 3.
    public var cell: GridCell
    /// The backbone the row belongs to.
    public var backbone: Backbone
    /// The experiment.
    public var spec: ModelSpec

    /// A run of `method` on `backbone`, collected under `cell` (default: the method).
    public init(method: PaperMethod, cell: GridCell? = nil, backbone: Backbone, spec: ModelSpec) {
        self.method = method
        self.cell = cell ?? .row(method)
        self.backbone = backbone
        self.spec = spec
    }

    /// The shell command that runs this experiment alone (for a cluster's scheduler), with the same data options.
    /// Every argument a POSIX shell would split or expand is quoted ("PD teacher", a path with a space, the JSON).
    public func command(data: [String], resultsDirectory: String) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = String(decoding: try encoder.encode(spec), as: UTF8.self)
        let dataFlags = data.map { "--data \(Self.shellWord($0)) " }.joined()
        return "swift run -c release experiment \(dataFlags)--results-dir \(Self.shellWord(resultsDirectory)) "
            + "--method \(Self.shellWord(method.rawValue)) --spec \(Self.shellWord(json, always: true))"
    }

    /// The characters no POSIX shell splits on or expands.
    private static let plainShellCharacters =
        CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:,+@%")

    /// `text` as one shell word: as it is when it holds only characters no shell treats specially, else in single
    /// quotes (a single quote inside written as '\'').
    static func shellWord(_ text: String, always: Bool = false) -> String {
        if !always && !text.isEmpty && text.unicodeScalars.allSatisfy(plainShellCharacters.contains) { return text }
        return "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}

/// One number of two cells on the seeds both finished, aligned by seed (`GridResults.paired`): what a paired test needs,
/// and what a relative change between two cells is taken on, so that it never compares different seeds while a grid
/// fills in.
public struct SeedPairs: Sendable, Equatable {
    /// The first cell's values, in seed order.
    public var method: [Double]
    /// The second cell's values on the same seeds.
    public var other: [Double]

    /// The two means, nil when no seed pairs up.
    public var means: (method: Double, other: Double)? {
        guard let a = Statistics.mean(method), let b = Statistics.mean(other) else { return nil }
        return (a, b)
    }
}

/// The results of a grid, by dataset, backbone and method, each a list over the seeds that finished.
public struct GridResults: Sendable {
    /// "dataset/backbone/cell" -> results, in seed order.
    public private(set) var cells: [String: [ExperimentResult]] = [:]
    /// Datasets that could not be obtained (their missing runs were skipped).
    public private(set) var unavailable = Set<DatasetName>()
    /// Runs that were neither stored nor trained.
    public private(set) var missing = 0

    /// An empty grid.
    public init() {}

    /// Whether any run of `dataset` has a result.
    public func hasResults(_ dataset: DatasetName) -> Bool {
        cells.keys.contains { $0.hasPrefix(dataset.rawValue + "/") }
    }

    /// The results of one cell (empty when none finished).
    public func results(_ dataset: DatasetName, _ backbone: Backbone, _ cell: GridCell) -> [ExperimentResult] {
        cells[Self.key(dataset, backbone, cell)] ?? []
    }

    /// Recall@10 of a cell over its seeds (overall, or of one evaluation group).
    public func recallAt10(_ dataset: DatasetName, _ backbone: Backbone, _ cell: GridCell, group: EvaluationGroup? = nil) -> [Double] {
        results(dataset, backbone, cell).compactMap { Self.recallAt10(of: $0, group: group) }
    }

    /// A value of two cells on the seeds both finished, aligned by seed.
    ///
    /// - Parameters:
    ///   - dataset: the cells' dataset.
    ///   - backbone: the cells' backbone.
    ///   - method: the first cell.
    ///   - other: the second cell.
    ///   - value: the number read from one result (nil when the result lacks it).
    public func paired(_ dataset: DatasetName, _ backbone: Backbone, _ method: GridCell, _ other: GridCell,
                       value: (ExperimentResult) -> Double?) -> SeedPairs {
        func bySeed(_ cell: GridCell) -> [UInt64: Double] {
            var values: [UInt64: Double] = [:]
            for result in results(dataset, backbone, cell) { values[result.spec.seed] = value(result) }
            return values
        }
        let a = bySeed(method), b = bySeed(other)
        let seeds = a.keys.filter { b[$0] != nil }.sorted()
        return SeedPairs(method: seeds.map { a[$0]! }, other: seeds.map { b[$0]! })
    }

    /// Recall@10 of two cells on the seeds both finished, aligned by seed (see `paired`).
    public func pairedRecallAt10(_ dataset: DatasetName, _ backbone: Backbone, _ method: GridCell, _ other: GridCell,
                                 group: EvaluationGroup? = nil) -> SeedPairs {
        paired(dataset, backbone, method, other) { Self.recallAt10(of: $0, group: group) }
    }

    /// A result's Recall@10, overall or of one evaluation group.
    public static func recallAt10(of result: ExperimentResult, group: EvaluationGroup?) -> Double? {
        group.map { result.test.group($0, at: 10)?.recall } ?? result.test.at(10)?.recall
    }

    /// The key of a cell in `cells`: "dataset/backbone/cell".
    public static func key(_ dataset: DatasetName, _ backbone: Backbone, _ cell: GridCell) -> String {
        "\(dataset)/\(backbone.rawValue)/\(cell)"
    }

    /// Collects `result` under `run`'s dataset, backbone and cell, after the results already there (so a cell keeps its
    /// results in the order they were added: seed order when a grid is run in order).
    public mutating func add(_ result: ExperimentResult, of run: GridRun) {
        cells[Self.key(run.spec.dataset, run.backbone, run.cell), default: []].append(result)
    }

    mutating func markUnavailable(_ dataset: DatasetName) { unavailable.insert(dataset) }
    mutating func markMissing() { missing += 1 }
}

extension Workspace {
    /// Runs a grid in order, with a progress line per trained run.
    ///
    /// A run whose result is stored is read (unless `rerun`); a missing one is trained when `trainMissing` is on and
    /// its dataset can be obtained. A dataset that cannot be obtained is reported once; its stored results are still
    /// used, so a figure can be redrawn from committed results without the data.
    public func run(_ runs: [GridRun], results: ResultStore, trainMissing: Bool = true, rerun: Bool = false) throws -> GridResults {
        var grid = GridResults()
        let started = Date()
        for (k, run) in runs.enumerated() {
            if !rerun, let stored = try results.stored(method: run.method, spec: run.spec) {
                grid.add(stored, of: run)
                continue
            }
            if !trainMissing || grid.unavailable.contains(run.spec.dataset) {
                grid.markMissing()
                continue
            }
            do {
                grid.add(try result(method: run.method, spec: run.spec, results: results, rerun: rerun), of: run)
            } catch let error as UnKDError {
                Progress.say("\(run.spec.dataset): not trained (\(error))")
                grid.markUnavailable(run.spec.dataset)
                grid.markMissing()
                continue
            }
            Progress.say(String(format: "[%d/%d] %@ %@ %@ seed %llu done; %.0f s elapsed", k + 1, runs.count, run.method.rawValue,
                                run.spec.dataset.rawValue, run.backbone.rawValue, run.spec.seed, Date().timeIntervalSince(started)))
        }
        if grid.missing > 0 {
            Progress.say("\(grid.missing) of \(runs.count) runs have no result and are left out"
                         + (trainMissing ? " (their data was not available)" : " (not trained: see --help)"))
        }
        return grid
    }
}
