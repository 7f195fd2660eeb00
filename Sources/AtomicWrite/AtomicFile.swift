import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes files so that a reader sees either the old file or the complete new one, never a half-written one.
///
/// The bytes go to a temporary file in the destination's folder (the same file system, so the final rename(2) is
/// atomic), are flushed to disk, and the temporary file is then renamed over the destination. An interrupted or
/// failed write leaves the destination as it was and removes the temporary file. Results, models, checkpoints,
/// downloads, tables and figures are all written through here.
///
/// Cost: one pass over the data, one fsync(2) and one rename(2).
public enum AtomicFile {
    /// Writes `data` to `url` atomically; the new file is readable by everyone and writable by its owner (mode 0644).
    ///
    /// - Parameters:
    ///   - data: the file's whole contents.
    ///   - url: the destination, a file URL; an existing file there is replaced.
    ///   - creatingFolder: whether a missing destination folder (with its parents) is created; when false, a missing
    ///     folder is an error.
    /// - Throws: `AtomicFileError` naming the destination and the step that failed, with the operating system's reason.
    public static func write(_ data: Data, to url: URL, creatingFolder: Bool = true) throws {
        let path = url.path
        let folder = url.deletingLastPathComponent().path
        try prepare(folder, for: path, creating: creatingFolder)
        var template = Array((folder + "/." + url.lastPathComponent + ".XXXXXX.tmp").utf8CString)
        let fd = mkstemps(&template, 4)
        guard fd >= 0 else { throw failure(path, "cannot create a temporary file in \(folder)") }
        let temporary = String(cString: template)
        var done = false
        defer {
            if !done { unlink(temporary) }
        }
        guard writeAll(data, to: fd) else {
            let error = failure(path, "cannot write the temporary file")
            close(fd)
            throw error
        }
        // mkstemps creates the file readable by its owner only; results and figures are meant to be shared.
        fchmod(fd, 0o644)
        guard fsync(fd) == 0, close(fd) == 0 else { throw failure(path, "cannot flush the temporary file") }
        guard rename(temporary, path) == 0 else { throw failure(path, "cannot replace the destination") }
        done = true
    }

    /// Writes `text` as UTF-8 to `url` atomically; see `write(_:to:creatingFolder:)` for the contract.
    public static func write(_ text: String, to url: URL, creatingFolder: Bool = true) throws {
        try write(Data(text.utf8), to: url, creatingFolder: creatingFolder)
    }

    /// Makes sure `folder` is a folder, creating it (and its parents) if missing and `creating` allows it.
    private static func prepare(_ folder: String, for path: String, creating: Bool) throws {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder) {
            guard isFolder.boolValue else { throw AtomicFileError(path: path, reason: "\(folder) is not a directory") }
            return
        }
        guard creating else { throw AtomicFileError(path: path, reason: "the directory \(folder) does not exist") }
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw AtomicFileError(path: path, reason: "cannot create the directory \(folder) (\(error.localizedDescription))")
        }
    }

    /// Writes every byte of `data` to `fd`, retrying interrupted calls; false on any other failure (errno says why).
    private static func writeAll(_ data: Data, to fd: Int32) -> Bool {
        data.withUnsafeBytes { raw -> Bool in
            var offset = 0
            while offset < raw.count {
                let n = writeBytes(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                offset += n
            }
            return true
        }
    }

    /// The error for a failed step, with the operating system's reason from `errno`.
    private static func failure(_ path: String, _ what: String) -> AtomicFileError {
        AtomicFileError(path: path, reason: "\(what) (\(String(cString: strerror(errno))))")
    }
}

/// Why an atomic write failed: the destination and the step that failed, with the operating system's reason.
public struct AtomicFileError: Error, Equatable, CustomStringConvertible, LocalizedError {
    /// The destination's path.
    public let path: String
    /// What failed, in words.
    public let reason: String

    /// An error for the destination `path`.
    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    /// "Cannot write PATH: REASON."
    public var description: String { "Cannot write \(path): \(reason)." }
    /// The same text as `description`, for `localizedDescription`.
    public var errorDescription: String? { description }
}

/// write(2), under a name that `AtomicFile.write` does not shadow.
private func writeBytes(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    return Glibc.write(fd, bytes, count)
    #else
    return Darwin.write(fd, bytes, count)
    #endif
}
