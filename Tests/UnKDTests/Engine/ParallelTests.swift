import XCTest
@testable import UnKD

final class ParallelTests: XCTestCase {
    /// The affinity mask of `/proc/<pid>/status`, read as a count of allowed cores.
    func testAllowedCoresFromTheStatusMask() {
        let status = "Name:\tbench\nCpus_allowed:\t00000000,00000003\nCpus_allowed_list:\t0-1\n"
        XCTAssertEqual(Parallel.allowedCores(status: status), 2)
        XCTAssertEqual(Parallel.allowedCores(status: "Cpus_allowed:\t1\n"), 1, "taskset -c 0")
        XCTAssertEqual(Parallel.allowedCores(status: "Cpus_allowed:\tff,0000000f"), 12)
        XCTAssertNil(Parallel.allowedCores(status: "Cpus_allowed_list:\t0-1\n"), "the list form is not the mask")
        XCTAssertNil(Parallel.allowedCores(status: "Name:\tbench\n"))
        XCTAssertGreaterThanOrEqual(Parallel.workers, 1)
    }

    /// Every chunk runs exactly once, whatever the number of cores; no chunks still runs chunk 0, as callers expect.
    func testRunCallsEveryChunkOnce() {
        for chunks in [0, 1, 2, 5] {
            var calls = [Int](repeating: 0, count: max(chunks, 1))
            calls.withUnsafeMutableBufferPointer { calls in
                Parallel.run(chunks: chunks) { chunk in calls[chunk] += 1 }
            }
            XCTAssertEqual(calls, [Int](repeating: 1, count: max(chunks, 1)), "\(chunks) chunks")
        }
    }
}
