import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Makes processes take turns at one piece of work: an exclusive advisory lock (flock(2)) on a small file beside the
/// work's output.
///
/// Many runs of a grid need the same teacher; started side by side (two lanes on one machine, an array of tasks on a
/// cluster) each would train it. With the teacher's fit done under its lock, the first run trains it and the others
/// wait, then load what it saved. The kernel releases the lock when its holder exits, however it exits, so a killed
/// run never leaves the work locked; the lock file itself stays (removing it would let two processes lock two
/// different files of the same name).
public enum FileLock {
    /// Runs `body` while holding the exclusive lock of `url`, a file created (with its folder) when missing.
    ///
    /// - Parameters:
    ///   - url: the lock file.
    ///   - onWait: called once, before blocking, when another process holds the lock.
    ///   - onUnavailable: called with the reason when the lock cannot be taken at all (an unwritable folder, storage
    ///     without locks); `body` then runs without it.
    ///   - body: the work; the lock is released when it returns or throws.
    /// - Returns: what `body` returns.
    public static func exclusively<T>(_ url: URL, onWait: () -> Void = {}, onUnavailable: (String) -> Void = { _ in },
                                      _ body: () throws -> T) rethrows -> T {
        try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let fd = open(url.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            onUnavailable("cannot open \(url.path): \(String(cString: strerror(errno)))")
            return try body()
        }
        defer { close(fd) }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK else {
                onUnavailable("cannot lock \(url.path): \(String(cString: strerror(errno)))")
                return try body()
            }
            onWait()
            var locked = flock(fd, LOCK_EX)
            while locked != 0 && errno == EINTR { locked = flock(fd, LOCK_EX) }
            guard locked == 0 else {
                onUnavailable("cannot lock \(url.path): \(String(cString: strerror(errno)))")
                return try body()
            }
        }
        defer { flock(fd, LOCK_UN) }
        return try body()
    }
}
