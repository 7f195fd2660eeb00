import Foundation

/// Progress lines for long-running work: to standard error, so standard output stays a clean table or CSV.
public enum Progress {
    /// Writes one line to standard error.
    @Sendable public static func say(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
