/// The errors a user can cause: bad input files, unknown names, data that cannot be found or fetched.
///
/// Each carries a message written for the person at the terminal: which file, which line, what was expected, and
/// what to do about it.
public enum UnKDError: Error, CustomStringConvertible, Equatable {
    /// A line of an input file could not be read (`line` is 1-based).
    case malformedLine(file: String, line: Int, reason: String)
    /// A file exists but its format is unknown or it holds nothing usable.
    case unreadableFile(file: String, reason: String)
    /// A file or folder that was named does not exist.
    case missingFile(String)
    /// A dataset is not available locally and could not be downloaded.
    case datasetUnavailable(name: DatasetName, howToGetIt: String)
    /// A downloaded file did not match its known checksum.
    case checksumMismatch(file: String, algorithm: String, expected: String, actual: String)
    /// A value given on the command line or in a configuration is not acceptable.
    case invalidArgument(String)
    /// A saved artefact (model, result) is damaged or belongs to another configuration.
    case damagedArtefact(file: String, reason: String)

    public var description: String {
        switch self {
        case let .malformedLine(file, line, reason): return "\(file):\(line): \(reason)"
        case let .unreadableFile(file, reason): return "\(file): \(reason)"
        case let .missingFile(path): return "no such file or folder: \(path)"
        case let .datasetUnavailable(name, how): return "dataset '\(name)' is not available. \(how)"
        case let .checksumMismatch(file, algorithm, expected, actual):
            return "\(file): \(algorithm) is \(actual), expected \(expected); the download is damaged or a different file"
        case let .invalidArgument(message): return message
        case let .damagedArtefact(file, reason): return "\(file): \(reason)"
        }
    }
}
