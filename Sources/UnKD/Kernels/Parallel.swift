import Foundation

/// Work split over the machine's cores: the index range is cut into one contiguous chunk per core.
///
/// Used only where chunks touch disjoint memory (rows of a table, blocks of users), so no locking is needed.
public enum Parallel {
    /// Number of worker chunks (the active processor count, at least 1).
    public static let workers = max(1, ProcessInfo.processInfo.activeProcessorCount)

    /// Below this many floats of work a parallel region costs more (waking a thread) than it saves.
    public static let minimumParallelWork = 1 << 17

    /// The number of chunks to cut `work` floats of work into: one per core when worthwhile, else 1.
    public static func chunks(forWork work: Int) -> Int { work >= minimumParallelWork ? workers : 1 }

    /// Calls `body(chunk)` for chunk in 0..<chunks, concurrently when there is more than one.
    public static func run(chunks: Int, _ body: (Int) -> Void) {
        if chunks <= 1 { body(0) } else { DispatchQueue.concurrentPerform(iterations: chunks, execute: body) }
    }

    /// `work(i)` for every i in `0..<count`, concurrently, handed out one at a time (for pieces of very different
    /// sizes, such as groups), largest `size` first so that a big piece does not start last; the results are in index
    /// order. Each call must write only memory of its own.
    public static func map<T>(_ count: Int, size: (Int) -> Int = { _ in 1 }, _ work: (Int) -> T) -> [T] {
        var results = [T?](repeating: nil, count: count)
        let order = (0..<count).sorted { size($0) > size($1) }
        results.withUnsafeMutableBufferPointer { slots in
            let slots = slots.baseAddress!
            if workers > 1 && count > 1 {
                DispatchQueue.concurrentPerform(iterations: count) { k in slots[order[k]] = work(order[k]) }
            } else {
                for i in 0..<count { slots[i] = work(i) }
            }
        }
        return results.map { $0! }
    }

    /// Calls `body` on disjoint sub-ranges covering `0..<count`, concurrently when worthwhile.
    public static func forEachChunk(_ count: Int, minimumChunk: Int = 256, _ body: (Range<Int>) -> Void) {
        let chunks = min(workers, max(1, count / max(1, minimumChunk)))
        if chunks <= 1 {
            body(0..<count)
            return
        }
        DispatchQueue.concurrentPerform(iterations: chunks) { c in
            let start = count * c / chunks, end = count * (c + 1) / chunks
            body(start..<end)
        }
    }
}
