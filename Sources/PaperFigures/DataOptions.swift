import ArgumentParser
import Foundation
import UnKD

/// The command-line options every notebook and tool shares for finding data: they configure a `DataLocator`.
public struct DataOptions: ParsableArguments, Sendable {
    @Option(name: .customLong("data"),
            help: ArgumentHelp("Where a dataset is: NAME=PATH or NAME=FORMAT:PATH (repeatable). PATH is a file or a folder; the format is detected from the content.",
                               valueName: "name=path"))
    public var data: [String] = []

    @Option(name: .customLong("data-dir"), help: "Folder for named datasets and downloads (default: $UNKD_DATA, else ~/.cache/unkd).")
    public var dataDirectory: String?

    @Flag(name: .customLong("offline"), help: "Never download; say what to fetch instead.")
    public var offline = false

    @Option(name: .customLong("user-column"), help: "The user column of a CSV/TSV file (default: guessed from the header).")
    public var userColumn: String?

    @Option(name: .customLong("item-column"), help: "The item column of a CSV/TSV file (default: guessed from the header).")
    public var itemColumn: String?

    @Option(name: .customLong("min-user-interactions"), parsing: .unconditional, help: "Drop users with fewer interactions (default: the dataset's own filter; 0 for your own data).")
    public var minUserInteractions: Int?

    /// Options as parsed; all defaults.
    public init() {}

    /// Refuses a negative or absurd `--min-user-interactions`.
    public func validate() throws {
        if let minUserInteractions {
            try OptionCheck.integer(minUserInteractions, "--min-user-interactions", in: 0...1_000_000)
        }
    }

    /// The names given with `--data`, in the order given.
    public var explicitNames: [DatasetName] {
        data.compactMap { $0.split(separator: "=", maxSplits: 1).first.map { DatasetName(String($0)) } }
    }

    /// The data directory: `--data-dir`, else the environment's (`DataLocator.defaultDataDirectory`).
    public var directory: URL {
        dataDirectory.map { URL(fileURLWithPath: ($0 as NSString).expandingTildeInPath) } ?? DataLocator.defaultDataDirectory
    }

    /// Whether the data directory holds files for `name` (a non-empty folder `<data dir>/<name>`).
    public func hasFolder(for name: DatasetName) -> Bool {
        let folder = directory.appendingPathComponent(name.rawValue).path
        return !((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).isEmpty
    }

    /// A locator configured from these options; progress lines go to standard error.
    public func locator() throws -> DataLocator {
        var locator = DataLocator(dataDirectory: directory)
        for argument in data { try locator.addExplicit(argument) }
        locator.allowDownload = !offline
        locator.columns = TableColumns(user: userColumn, item: itemColumn)
        locator.minUserInteractions = minUserInteractions
        locator.progress = { Progress.say($0) }
        return locator
    }
}
