import Foundation

/// Work split over the machine's cores: the index range is cut into one contiguous chunk per core.
///
/// Used only where chunks touch disjoint memory (rows of a table, blocks of users), so no locking is needed.
public enum Parallel {
    /// Number of worker chunks: the cores this process may run on (at least 1).
    ///
    /// On Linux that is the process's CPU affinity mask, so that a run pinned to one core (`taskset -c 0`, as when
    /// runs go side by side one per core) works on one thread instead of taking turns with itself.
    public static let workers: Int = {
        let online = max(1, ProcessInfo.processInfo.activeProcessorCount)
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let allowed = allowedCores(status: status) else { return online }
        return min(allowed, online)
    }()

    /// The number of cores a Linux `/proc/<pid>/status` text allows, from its `Cpus_allowed` line (the affinity mask
    /// in hexadecimal, in comma-separated groups: `Cpus_allowed:\t00000000,00000003` allows 2); nil without one.
    static func allowedCores(status: String) -> Int? {
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Cpus_allowed:") }) else { return nil }
        let allowed = line.dropFirst("Cpus_allowed:".count).reduce(0) { count, digit in
            count + (digit.hexDigitValue ?? 0).nonzeroBitCount
        }
        return allowed > 0 ? allowed : nil
    }

    /// Below this many floats of work a parallel region costs more (handing work over, sharing the cache) than it
    /// saves. Measured on the project's 2-core VM: a d = 10 MF epoch, whose BPR and Adam regions (6 x 2048 x 16 and
    /// 9746 x 16 floats of work) run on one core at 2^19, took 0.13 s there against 0.24 s at 2^17 when Dispatch ran
    /// the regions, and still 0.145 s at 2^16 with the `WorkerTeam`'s waiting helpers; splitting the d = 10 Adam over
    /// both cores slowed that epoch from 0.11-0.15 s to 0.18-0.25 s
    /// (docs/performance.md#the-worker-team-and-thread-wake-ups).
    public static let minimumParallelWork = 1 << 19

    /// The number of chunks to cut `work` floats of work into: one per core when worthwhile, else 1.
    public static func chunks(forWork work: Int) -> Int { work >= minimumParallelWork ? workers : 1 }

    /// Calls `body(chunk)` for chunk in 0..<chunks, concurrently when there is more than one chunk and more than one
    /// core (a fixed number of chunks, as some callers use for results independent of the core count, then runs one
    /// after the other on a single core). The chunks go to the `WorkerTeam`, whose helpers wait awake between the
    /// short regions of a training step.
    public static func run(chunks: Int, _ body: (Int) -> Void) {
        if chunks <= 1 || workers == 1 {
            for chunk in 0..<max(chunks, 1) { body(chunk) }
        } else {
            WorkerTeam.shared.perform(chunks: chunks, body)
        }
    }

    /// `work(i)` for every i in `0..<count`, concurrently, handed out one at a time (for pieces of very different
    /// sizes, such as groups), largest `size` first so that a big piece does not start last; the results are in index
    /// order. Each call must write only memory of its own.
    public static func map<T>(_ count: Int, size: (Int) -> Int = { _ in 1 }, _ work: (Int) -> T) -> [T] {
        var results = [T?](repeating: nil, count: count)
        let order = (0..<count).sorted { size($0) > size($1) }
        results.withUnsafeMutableBufferPointer { slots in
            let slots = slots.baseAddress!
            if count > 0 { run(chunks: count) { k in slots[order[k]] = work(order[k]) } }
        }
        return results.map { $0! }
    }

    /// Calls `body` on disjoint sub-ranges covering `0..<count`, concurrently when worthwhile.
    public static func forEachChunk(_ count: Int, minimumChunk: Int = 256, _ body: (Range<Int>) -> Void) {
        let chunks = min(workers, max(1, count / max(1, minimumChunk)))
        run(chunks: chunks) { c in body((count * c / chunks)..<(count * (c + 1) / chunks)) }
    }
}
