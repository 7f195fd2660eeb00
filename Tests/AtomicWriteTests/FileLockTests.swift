import Foundation
import XCTest

import AtomicWrite

/// The file lock: one holder at a time (a second waits, after saying so), released when the work returns or throws,
/// and work that still runs, with the reason reported, where no lock can be taken.
final class FileLockTests: TemporaryFolderTestCase {
    func testTheWorkRunsOnceAndTheLockFileIsCreatedWithItsFolder() {
        let url = folder.appendingPathComponent("models/ml-1m/teacher.lock")
        var runs = 0, waits = 0
        let value = FileLock.exclusively(url, onWait: { waits += 1 }) { () -> Int in runs += 1; return 42 }
        XCTAssertEqual(value, 42)
        XCTAssertEqual(runs, 1)
        XCTAssertEqual(waits, 0, "nobody else held the lock")
        XCTAssertTrue(FileManager.default.fileExists(atPath: url.path), "the lock file stays")
    }

    func testASecondHolderWaitsUntilTheFirstIsDone() {
        let url = folder.appendingPathComponent("teacher.lock")
        let order = OrderedEvents()
        let held = DispatchSemaphore(value: 0), secondWaits = DispatchSemaphore(value: 0), finished = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            FileLock.exclusively(url) {
                held.signal()
                // Hold the lock until the second caller says it waits (or, if it never does, a few seconds).
                _ = secondWaits.wait(timeout: .now() + 5)
                order.add("first done")
            }
            finished.signal()
        }
        held.wait()
        FileLock.exclusively(url, onWait: { order.add("second waits"); secondWaits.signal() }) { order.add("second runs") }
        finished.wait()
        XCTAssertEqual(order.all, ["second waits", "first done", "second runs"])
    }

    func testAThrowingBodyReleasesTheLock() {
        struct Failure: Error {}
        let url = folder.appendingPathComponent("teacher.lock")
        XCTAssertThrowsError(try FileLock.exclusively(url) { throw Failure() })
        var waited = false
        FileLock.exclusively(url, onWait: { waited = true }) {}
        XCTAssertFalse(waited)
    }

    func testWithoutALockTheWorkStillRunsAndTheReasonIsGiven() throws {
        // A lock file inside a regular file cannot be created.
        let plain = folder.appendingPathComponent("plain")
        try Data("x".utf8).write(to: plain)
        let url = plain.appendingPathComponent("teacher.lock")
        var reasons: [String] = [], ran = false
        FileLock.exclusively(url, onUnavailable: { reasons.append($0) }) { ran = true }
        XCTAssertTrue(ran)
        XCTAssertEqual(reasons.count, 1)
        XCTAssertTrue(reasons[0].hasPrefix("cannot open \(url.path): "), reasons[0])
    }
}

/// Events recorded from two threads, in the order they happened.
private final class OrderedEvents: @unchecked Sendable {
    private let lock = NSLock()
    private var events: [String] = []

    func add(_ event: String) { lock.lock(); events.append(event); lock.unlock() }

    var all: [String] { lock.lock(); defer { lock.unlock() }; return events }
}
