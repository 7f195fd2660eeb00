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
        // This process's own mask decides the worker count.
        if let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8), let allowed = Parallel.allowedCores(status: status) {
            XCTAssertEqual(Parallel.workers, min(allowed, ProcessInfo.processInfo.activeProcessorCount))
        }
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

    /// The team's hand-over under stress: thousands of regions back to back and after pauses longer than the helpers'
    /// spin (so they sleep and must be woken), each chunk run exactly once and finished before `perform` returns.
    func testWorkerTeamRunsEveryChunkOnceAcrossSleeps() {
        let team = WorkerTeam(helpers: 2)
        let chunks = 7
        var counts = [Int](repeating: 0, count: chunks)
        for region in 0..<3000 {
            if region % 500 == 0 { usleep(2000) }
            counts.withUnsafeMutableBufferPointer { counts in
                team.perform(chunks: chunks) { chunk in counts[chunk] += 1 }
            }
            if counts != [Int](repeating: region + 1, count: chunks) {
                XCTFail("region \(region): \(counts)")
                return
            }
        }
    }

    /// A region started inside a region, or from another thread while one runs, is run by its caller alone and still
    /// completes.
    func testWorkerTeamNestedAndConcurrentRegions() {
        let team = WorkerTeam(helpers: 1)
        var inner = [Int](repeating: 0, count: 4 * 3)
        inner.withUnsafeMutableBufferPointer { inner in
            team.perform(chunks: 4) { outer in
                team.perform(chunks: 3) { chunk in inner[outer * 3 + chunk] += 1 }
            }
        }
        XCTAssertEqual(inner, [Int](repeating: 1, count: 12))

        var totals = [Int](repeating: 0, count: 4)
        totals.withUnsafeMutableBufferPointer { totals in
            DispatchQueue.concurrentPerform(iterations: 4) { caller in
                for _ in 0..<200 {
                    var parts = [Int](repeating: 0, count: 5)
                    parts.withUnsafeMutableBufferPointer { parts in
                        team.perform(chunks: 5) { chunk in parts[chunk] = chunk + 1 }
                    }
                    totals[caller] += parts.reduce(0, +)
                }
            }
        }
        XCTAssertEqual(totals, [Int](repeating: 200 * 15, count: 4))
    }
}
