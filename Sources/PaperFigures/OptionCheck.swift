import ArgumentParser
import Foundation
import UnKD

/// Range checks for numeric command-line options, called from each command's `validate()` so that a bad value is
/// refused before any work starts, with the option and its range in the message.
public enum OptionCheck {
    /// `value` must lie in `range`.
    public static func integer(_ value: Int, _ option: String, in range: ClosedRange<Int>) throws {
        guard range.contains(value) else {
            throw ValidationError("\(option) must be in \(range.lowerBound)...\(range.upperBound); got \(value)")
        }
    }

    /// `value` must be finite and greater than 0.
    public static func positive(_ value: Double, _ option: String) throws {
        guard value.isFinite && value > 0 else { throw ValidationError("\(option) must be a finite number > 0; got \(value)") }
    }

    /// `value` must be finite and at least 0.
    public static func nonNegative(_ value: Double, _ option: String) throws {
        guard value.isFinite && value >= 0 else { throw ValidationError("\(option) must be a finite number >= 0; got \(value)") }
    }

    /// `names`, the value of `option`, must name at least one dataset, and each a dataset of the catalogue (the paper's,
    /// the synthetic presets), one given with `--data`, one whose files are in the data directory, or one with stored
    /// results in `resultsDirectory`.
    public static func datasets(_ names: [DatasetName], option: String = "--dataset", data: DataOptions,
                                resultsDirectory: String? = nil) throws {
        guard !names.isEmpty else { throw ValidationError("\(option) names no dataset") }
        let known = Set(DatasetCatalog.all.map(\.name) + data.explicitNames)
        func hasResults(_ name: DatasetName) -> Bool {
            guard let resultsDirectory else { return false }
            return FileManager.default.fileExists(atPath: URL(fileURLWithPath: resultsDirectory).appendingPathComponent(name.rawValue).path)
        }
        if let unknown = names.first(where: { !known.contains($0) && !data.hasFolder(for: $0) && !hasResults($0) }) {
            throw ValidationError("\(option): unknown dataset '\(unknown)'; use one of \(DatasetCatalog.all.map(\.name.rawValue).joined(separator: ", ")) "
                                  + "or a name given with --data NAME=PATH or with its files in \(data.directory.path)/NAME")
        }
    }

    /// The largest seed count and epoch bound the commands accept.
    public static let maximumSeeds = 100, maximumEpochs = 100_000
}
