import Foundation

/// Writing files so that a reader never sees a half-written one.
///
/// Data goes to a temporary file beside the destination and is renamed over it only once complete: an interrupted
/// run leaves either the old file or none, never a truncated one.
public enum AtomicFile {
    /// Writes `data` to `url` atomically, creating the parent folder if needed.
    public static func write(_ data: Data, to url: URL) throws {
        let folder = url.deletingLastPathComponent()
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let temporary = folder.appendingPathComponent(".\(url.lastPathComponent).\(UInt32.random(in: 0...UInt32.max)).tmp")
        do {
            try data.write(to: temporary)
            try replace(url, with: temporary)
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw error
        }
    }

    /// Writes `text` as UTF-8 to `url` atomically.
    public static func write(_ text: String, to url: URL) throws {
        try write(Data(text.utf8), to: url)
    }

    /// Moves a finished temporary file over `destination` (rename(2) is atomic within one file system).
    public static func replace(_ destination: URL, with finished: URL) throws {
        if rename(finished.path, destination.path) != 0 {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: destination.path,
                NSLocalizedDescriptionKey: "could not move \(finished.path) to \(destination.path): \(String(cString: strerror(errno)))"])
        }
    }
}
