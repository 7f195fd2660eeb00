import ArgumentParser
import Foundation
import Plotting
import UnKD

/// The file formats a figure notebook writes.
public enum FigureFormats: String, CaseIterable, ExpressibleByArgument, Sendable {
    /// PNG only.
    case png
    /// PDF only.
    case pdf
    /// Both.
    case both

    /// The formats to render.
    public var outputs: [OutputFormat] {
        switch self {
        case .png: return [.png]
        case .pdf: return [.pdf]
        case .both: return [.png, .pdf]
        }
    }
}

/// Where and how a figure notebook writes its files: `figures/<name>.png|pdf`, with its numbers as CSV and the full
/// record (configurations, seeds, data fingerprints) as JSON beside them.
///
/// A figure made from synthetic data gets `-synthetic` in its file names and says so in its title, so it can never
/// overwrite a figure made from real data.
public struct FigureOutput: Sendable {
    /// The output folder.
    public var folder: URL
    /// The formats to write.
    public var formats: FigureFormats
    /// Whether the data is synthetic.
    public var synthetic: Bool

    /// An output description.
    public init(folder: URL, formats: FigureFormats, synthetic: Bool) {
        self.folder = folder
        self.formats = formats
        self.synthetic = synthetic
    }

    /// The file stem for a figure or table name.
    public func stem(_ name: String) -> String { synthetic ? "\(name)-synthetic" : name }

    /// A title with the synthetic marker when needed.
    public func title(_ text: String) -> String { synthetic ? "\(text) (synthetic data)" : text }

    /// Renders the figure in every requested format; returns the files written.
    @discardableResult
    public func write(_ figure: Figure, name: String) throws -> [URL] {
        try formats.outputs.map { format in
            let url = folder.appendingPathComponent("\(stem(name)).\(format == .png ? "png" : "pdf")")
            try figure.render(to: url, format: format)
            return url
        }
    }

    /// Writes a table as CSV; returns the file.
    @discardableResult
    public func writeCSV(_ table: TextTable, name: String) throws -> URL {
        let url = folder.appendingPathComponent("\(stem(name)).csv")
        try AtomicFile.write(table.rendered(.csv), to: url)
        return url
    }

    /// Writes a value as pretty, key-sorted JSON; returns the file.
    @discardableResult
    public func writeRecord<T: Encodable>(_ value: T, name: String) throws -> URL {
        let url = folder.appendingPathComponent("\(stem(name)).json")
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(try encoder.encode(value), to: url)
        return url
    }
}

/// One fixed colour per method and per data source across every figure (Okabe-Ito, colour-blind safe), so that
/// UnKD looks the same in Figure 4 and Figure 5.
public enum SeriesColours {
    /// The methods' colours.
    public static let methods: [PaperMethod: Colour] = [
        .unkd: Palette.OkabeIto.vermillion,
        .student: Colour(hex: 0x7F7F7F),
        .teacher: Palette.OkabeIto.black,
        .rd: Palette.OkabeIto.skyBlue,
        .cd: Palette.OkabeIto.blue,
        .deRRD: Palette.OkabeIto.bluishGreen,
        .htd: Palette.OkabeIto.reddishPurple,
        .pdCD: Palette.OkabeIto.orange,
        .pdHTD: Palette.OkabeIto.yellow,
    ]

    /// Series name -> colour: the methods' by their names, and Figure 1's data sources.
    public static let fixed: [String: Colour] = Dictionary(uniqueKeysWithValues: methods.map { ($0.key.rawValue, $0.value) })
        .merging(["MF teacher top-10": Palette.OkabeIto.blue, "Test data": Colour(hex: 0xAAAAAA)]) { method, _ in method }
}
