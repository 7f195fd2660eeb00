import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes files so that readers see either the old file or the complete new one, never a half-written figure:
/// the bytes go to a temporary file in the destination's directory (same file system, so the rename is atomic),
/// which then replaces the destination.
enum AtomicFile {
    /// - Throws: `PlotError.unwritableOutput` with the operating system's reason if any step fails; the temporary
    ///   file is removed in that case.
    static func write(_ data: Data, to url: URL) throws {
        let path = url.path
        let directory = url.deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) else {
            throw PlotError.unwritableOutput(path: path, reason: "the directory \(directory) does not exist")
        }
        guard isDirectory.boolValue else {
            throw PlotError.unwritableOutput(path: path, reason: "\(directory) is not a directory")
        }
        var template = Array((directory + "/." + url.lastPathComponent + ".XXXXXX.tmp").utf8CString)
        let fd = mkstemps(&template, 4)
        guard fd >= 0 else { throw failure(path, "cannot create a temporary file in \(directory)") }
        let temporary = String(cString: template)
        var ok = false
        defer {
            if !ok { unlink(temporary) }
        }
        let written = data.withUnsafeBytes { raw -> Bool in
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
        guard written else {
            let e = failure(path, "cannot write the temporary file")
            close(fd)
            throw e
        }
        // mkstemp creates the file readable only by its owner; a figure is meant to be shared.
        fchmod(fd, 0o644)
        guard fsync(fd) == 0, close(fd) == 0 else { throw failure(path, "cannot flush the temporary file") }
        guard rename(temporary, path) == 0 else { throw failure(path, "cannot replace the destination") }
        ok = true
    }

    private static func failure(_ path: String, _ what: String) -> PlotError {
        PlotError.unwritableOutput(path: path, reason: "\(what) (\(String(cString: strerror(errno))))")
    }
}

/// `write(2)`, under a name that the enum's own `write` does not shadow.
private func writeBytes(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    return Glibc.write(fd, bytes, count)
    #else
    return Darwin.write(fd, bytes, count)
    #endif
}
