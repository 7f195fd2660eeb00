/// A dataset's name: one of the catalogue's (`ml-1m`, `citeulike`, `apps`, the synthetic presets) or the name a user
/// gives their own data with `--data NAME=PATH`.
///
/// The name is the identity of a dataset everywhere: in a `ModelSpec` (and so in every result file, where it is
/// stored as its plain string), in the paper's grids and published values, and on the command line. The paper's
/// datasets are the static members; any other string names a user's own data.
public struct DatasetName: RawRepresentable, Hashable, Comparable, Codable, Sendable, CustomStringConvertible,
                           ExpressibleByStringLiteral {
    /// The name as written on the command line and in result files.
    public var rawValue: String

    /// The dataset named `rawValue`.
    public init(rawValue: String) { self.rawValue = rawValue }

    /// The dataset named `rawValue`.
    public init(_ rawValue: String) { self.rawValue = rawValue }

    /// The dataset named by a literal.
    public init(stringLiteral value: String) { rawValue = value }

    /// Decodes the plain string a result file holds.
    public init(from decoder: Decoder) throws { rawValue = try decoder.singleValueContainer().decode(String.self) }

    /// Encodes as the plain string, so a spec's hash and its result file are those of a bare name.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    /// The name itself, so a name reads the same in messages, tables and file names.
    public var description: String { rawValue }

    /// Names in alphabetical order.
    public static func < (a: DatasetName, b: DatasetName) -> Bool { a.rawValue < b.rawValue }

    /// MovieLens-1M.
    public static let movieLens: DatasetName = "ml-1m"
    /// CiteULike (citeulike-t).
    public static let citeULike: DatasetName = "citeulike"
    /// Amazon Apps for Android.
    public static let apps: DatasetName = "apps"
    /// Synthetic data of the generator's default shape.
    public static let synthetic: DatasetName = "synthetic"
    /// Synthetic data of MovieLens-1M's shape.
    public static let syntheticMovieLens: DatasetName = "synthetic-ml1m"
    /// Synthetic data of Gowalla's shape.
    public static let syntheticGowalla: DatasetName = "synthetic-gowalla"

    /// The names of a comma-separated list ("ml-1m,citeulike" or "ml-1m, citeulike"), in order; blanks around a name
    /// are dropped, and so are empty names.
    public static func list(_ text: String) -> [DatasetName] {
        text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.map { DatasetName($0) }
    }
}
