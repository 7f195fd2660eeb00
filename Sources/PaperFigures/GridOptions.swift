import ArgumentParser
import Foundation
import UnKD

/// The options every command that runs the paper's grid shares (the tables, the figures drawn from the grid, `tune`):
/// which datasets and seeds, which split protocol, where results and models are kept, and how to run the grid (train
/// what is missing, only read stored results, train again, or print the missing runs for a cluster's scheduler).
public struct GridRunOptions: ParsableArguments {
    @OptionGroup public var dataOptions: DataOptions

    @Option(help: "Datasets (comma-separated); a dataset with neither data nor stored results is skipped.")
    public var dataset = GridRunOptions.allDatasets

    @Option(parsing: .unconditional, help: "Seeds per cell (2022, 2023, ...).")
    public var seeds = 5

    @Option(name: .customLong("protocol"),
            help: "Split protocol: unkd-code (the official code's, default) or paper-text (output files named -paper-text).")
    public var splitProtocol: SplitProtocol = .unkdCode

    @Option(parsing: .unconditional, help: "Upper bound on epochs of every model.")
    public var epochs = 1000

    @Flag(help: "A smoke run in seconds: synthetic data, 2 seeds, at most 30 epochs; output files marked synthetic.")
    public var quick = false

    @Flag(help: "Use only results already stored; never train (the missing runs are left out).")
    public var cached = false

    @Flag(help: "Train every run again (teachers are reused) and overwrite its stored result.")
    public var rerun = false

    @Flag(name: .customLong("list-commands"), help: "Print the runs still missing as one shell command per line, and stop.")
    public var listCommands = false

    @Option(name: .customLong("slurm"), help: "Write the runs still missing as a Slurm array script to this file, and stop.")
    public var slurmScript: String?

    @Flag(help: "Make a damaged or stale result file an error instead of a reported gap.")
    public var strict = false

    @Option(name: .customLong("results-dir"), help: "Where run results are kept.")
    public var resultsDirectory = "results"

    @Option(name: .customLong("models-dir"), help: "Where trained models are kept (default: <data dir>/models).")
    public var modelsDirectory: String?

    /// The datasets of the paper's tables, the default of `--dataset`.
    public static let allDatasets = DatasetCatalog.paperDatasets.map(\.name.rawValue).joined(separator: ",")

    /// Options as parsed; all defaults.
    public init() {}

    /// Refuses seeds and epochs out of range, unknown datasets, and `--cached` with `--rerun` (which would train).
    public func validate() throws {
        try OptionCheck.integer(seeds, "--seeds", in: 1...OptionCheck.maximumSeeds)
        try OptionCheck.integer(epochs, "--epochs", in: 1...OptionCheck.maximumEpochs)
        try OptionCheck.datasets(datasets, data: dataOptions, resultsDirectory: resultsDirectory)
        if cached && rerun { throw ValidationError("--cached never trains and --rerun trains every run again; give one of them") }
    }

    /// The datasets to run (the synthetic one with `--quick`).
    public var datasets: [DatasetName] { quick ? [.synthetic] : DatasetName.list(dataset) }

    /// The seeds of every cell.
    public var seedList: [UInt64] { (0..<(quick ? 2 : seeds)).map { UInt64(2022 + $0) } }

    /// The paper's grid for `dataset` under this run's protocol and epoch bound (30 epochs at most with `--quick`).
    public func grid(_ dataset: DatasetName) -> PaperGrid {
        PaperGrid(dataset: dataset, splitProtocol: splitProtocol, maxEpochs: quick ? min(epochs, 30) : epochs)
    }

    /// The stored results.
    public var results: ResultStore { ResultStore(folder: URL(fileURLWithPath: resultsDirectory), strict: strict) }

    /// Reads the runs' stored results and trains the missing ones (unless `--cached`; all of them again with
    /// `--rerun`), downloading a dataset only when `allowDownload`. With `--list-commands` or `--slurm` it prints or
    /// writes the missing runs' commands instead and returns nil.
    public func collect(_ runs: [GridRun], allowDownload: Bool) throws -> GridResults? {
        if listCommands || slurmScript != nil {
            try printMissingCommands(runs, results: results, data: dataOptions.data, resultsDirectory: resultsDirectory,
                                     slurmScript: slurmScript)
            return nil
        }
        var locator = try dataOptions.locator()
        if !allowDownload { locator.allowDownload = false }
        let workspace = Workspace(locator: locator, modelFolder: modelsDirectory.map { URL(fileURLWithPath: $0) })
        return try workspace.run(runs, results: results, trainMissing: !cached, rerun: rerun)
    }

    /// `name`, then the split protocol unless it is the official code's (`table3-paper-text`).
    public func protocolName(_ name: String) -> String {
        splitProtocol == .unkdCode ? name : "\(name)-\(splitProtocol.rawValue)"
    }

    /// `name`, followed by the datasets when a real-data run covers fewer than `allDatasets`: the file name rule of
    /// every table and figure drawn from the grid.
    public static func fileName(_ name: String, datasets: [DatasetName], quick: Bool) -> String {
        guard !quick, Set(datasets) != Set(DatasetCatalog.paperDatasets.map(\.name)) else { return name }
        return ([name] + datasets.map(\.rawValue)).joined(separator: "-")
    }
}

/// Options that hold the grid's (`GridRunOptions`) and add their own output: the grid's members read and write
/// through the holder, as if they were its own.
@dynamicMemberLookup
public protocol HoldsGridRunOptions {
    /// The grid's options.
    var run: GridRunOptions { get set }
}

extension HoldsGridRunOptions {
    /// The grid's derived values (`datasets`, `seedList`, ...), read as if they were the holder's.
    public subscript<T>(dynamicMember path: KeyPath<GridRunOptions, T>) -> T { run[keyPath: path] }

    /// The grid's options, read and written as if they were the holder's.
    public subscript<T>(dynamicMember path: WritableKeyPath<GridRunOptions, T>) -> T {
        get { run[keyPath: path] }
        set { run[keyPath: path] = newValue }
    }

    /// The paper's grid for `dataset` under this run's protocol and epoch bound.
    public func grid(_ dataset: DatasetName) -> PaperGrid { run.grid(dataset) }
}

/// The options of the paper's tables: the grid's (`GridRunOptions`, whose members read through this type) and the
/// table's output. A table may download its datasets.
public struct GridOptions: ParsableArguments, HoldsGridRunOptions {
    /// The grid's options.
    @OptionGroup public var run: GridRunOptions

    @Option(help: "Output folder for the table's CSV.")
    public var out = "figures"

    @Option(help: "Output format on the terminal: markdown or csv.")
    public var format: TableFormat = .markdown

    /// Options as parsed; all defaults.
    public init() {}

    /// Parses the comma-separated list of backbones of `--backbone`: at least one, each mf or lightgcn.
    public static func backbones(_ text: String) throws -> [Backbone] {
        let backbones = try text.split(separator: ",").map { name in
            guard let b = Backbone(rawValue: String(name)) else {
                throw ValidationError("--backbone: unknown backbone '\(name)'; use mf or lightgcn")
            }
            return b
        }
        guard !backbones.isEmpty else { throw ValidationError("--backbone names no backbone; use mf, lightgcn or mf,lightgcn") }
        return backbones
    }

    /// Runs (or reads) `methods` for every dataset, backbone and seed, in that order. Returns nil after printing the
    /// missing runs' commands with `--list-commands`.
    public func collect(_ methods: [PaperMethod], backbones: [Backbone]) throws -> GridResults? {
        var runs: [GridRun] = []
        for name in run.datasets {
            let grid = run.grid(name)
            for b in backbones { for seed in run.seedList { runs += grid.runs(methods, b, seed: seed) } }
        }
        return try collect(runs)
    }

    /// Runs (or reads) the given runs in order; nil after printing the missing ones with `--list-commands`.
    public func collect(_ runs: [GridRun]) throws -> GridResults? { try run.collect(runs, allowDownload: true) }

    /// Prints the table and writes its CSV into the output folder, named by `fileName` (and marked synthetic with
    /// `--quick`). `backbones` are the backbones the table covers, `allBackbones` the notebook's default.
    public func publish(_ table: TextTable, name: String, caption: String, backbones: [Backbone], allBackbones: [Backbone]) throws {
        let protocolNote = run.splitProtocol == .unkdCode ? "" : ", protocol \(run.splitProtocol.rawValue)"
        if format == .markdown { print("\(caption)\(protocolNote)\(run.quick ? " (synthetic data)" : "")\n") }
        print(table.rendered(format), terminator: "")
        let output = FigureOutput(folder: URL(fileURLWithPath: out), formats: .png, synthetic: run.quick)
        let file = fileName(name, backbones: backbones, allBackbones: allBackbones)
        Progress.say("wrote \(try output.writeCSV(table, name: file).path)")
        if file != run.protocolName(name) {
            Progress.say("(fewer datasets or backbones than the defaults: the full table, which the report reads, is made "
                         + "without --dataset and --backbone)")
        }
    }

    /// The CSV file name of a table: `protocolName(name)`, then the datasets and the backbones when the run covers
    /// fewer than the defaults (`table3-ml-1m-mf`), so that a narrowed run never replaces the full table that the
    /// report reads.
    public func fileName(_ name: String, backbones: [Backbone], allBackbones: [Backbone]) -> String {
        let file = GridRunOptions.fileName(run.protocolName(name), datasets: run.datasets, quick: run.quick)
        guard Set(backbones) != Set(allBackbones) else { return file }
        return ([file] + backbones.map(\.rawValue)).joined(separator: "-")
    }

    /// "mean ± CI" (the value alone from a single seed, which has no interval), the paper's value in brackets, and the
    /// number of seeds when fewer than asked finished.
    public func cell(_ summary: SeedSummary, paper: Double?, decimals: Int = 4) -> String {
        let n = summary.values.count
        guard n > 0 else { return "not run" }
        let number = "%.\(decimals)f"
        let value = n == 1 ? String(format: number, summary.mean)
                           : String(format: "\(number) ± \(number)", summary.mean, summary.halfWidth)
        return value
            + (paper.map { String(format: " (\(number))", $0) } ?? "")
            + (n < run.seedList.count ? (n == 1 ? " [1 seed]" : " [\(n) seeds]") : "")
    }
}

/// The options of the figures drawn from the grid (Figures 4 and 5): the grid's (`GridRunOptions`, whose members read
/// through this type) and the figure's output. A figure reads the stored results and trains the missing runs only for
/// datasets whose files are at hand (given with `--data` or already in the data directory): it never downloads, so on
/// a fresh clone it is redrawn from the committed results in seconds.
public struct FigureGridOptions: ParsableArguments, HoldsGridRunOptions {
    /// The grid's options.
    @OptionGroup public var run: GridRunOptions

    @Option(help: "Output formats: png, pdf or both.")
    public var format: FigureFormats = .both

    @Option(help: "Output folder.")
    public var out = "figures"

    /// Options as parsed; all defaults.
    public init() {}

    /// The file name of the figure `name` (`fig5`, or `fig5-citeulike` when drawn for fewer datasets than the
    /// defaults, so that it never replaces the full figure).
    public func fileName(_ name: String) -> String {
        GridRunOptions.fileName(run.protocolName(name), datasets: run.datasets, quick: run.quick)
    }

    /// Where the figure's files go.
    public var output: FigureOutput { FigureOutput(folder: URL(fileURLWithPath: out), formats: format, synthetic: run.quick) }

    /// The error of a figure with no panel to draw from `collected`: why nothing was stored or trained, and what to do.
    public func nothingToPlot(_ collected: GridResults) -> UnKDError {
        if run.cached {
            return .invalidArgument("no results to plot: none are stored, and --cached never reads data; drop --cached to "
                                    + "train them from --data NAME=PATH")
        }
        if !collected.unavailable.isEmpty {
            return .invalidArgument("no results to plot: none are stored, and the data of "
                                    + collected.unavailable.sorted().map(\.rawValue).joined(separator: ", ")
                                    + " could not be read (the reason is above)")
        }
        return .invalidArgument("no results to plot: none are stored and no data was at hand; pass --data NAME=PATH to train "
                                + "them, or --quick for synthetic data")
    }

    /// Reads the runs' stored results and trains the missing ones whose data is at hand (unless `--cached`). With
    /// `--list-commands` it prints the missing runs' commands instead and exits.
    public func collect(_ runs: [GridRun]) throws -> GridResults {
        guard let collected = try run.collect(runs, allowDownload: false) else { throw ExitCode.success }
        return collected
    }
}

/// Prints, one per line, the command of each run that has no stored result, for a cluster's scheduler; or, given
/// `slurmScript`, writes them as a Slurm array script to that file.
func printMissingCommands(_ runs: [GridRun], results: ResultStore, data: [String], resultsDirectory: String,
                          slurmScript: String? = nil) throws {
    var commands: [String] = []
    for run in runs {
        guard try results.stored(method: run.method, spec: run.spec) == nil else { continue }
        commands.append(try run.command(data: data, resultsDirectory: resultsDirectory))
    }
    guard let slurmScript else {
        for command in commands { print(command) }
        return
    }
    let array = SlurmArray(commands: commands, jobName: "unkd-\(CommandLine.arguments.first.map { URL(fileURLWithPath: $0).lastPathComponent } ?? "grid")",
                           afterwards: SlurmArray.regeneration)
    try AtomicFile.write(array.script, to: URL(fileURLWithPath: slurmScript))
    Progress.say("wrote \(slurmScript): \(commands.count) runs as a Slurm array (submit with sbatch from the repository's root)")
}
