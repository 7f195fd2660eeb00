import Foundation

/// Wall-clock timing for the benchmarks: every figure is the median of several timed calls after one untimed warm-up.
public enum Timing {
    /// Wall times in seconds of `runs` calls of `body`, after one untimed warm-up call (so `body` runs `runs + 1`
    /// times).
    public static func measure(_ runs: Int, _ body: () -> Void) -> [Double] {
        body()
        return (0..<runs).map { _ in
            let start = Date()
            body()
            return Date().timeIntervalSince(start)
        }
    }

    /// The median of `values` (for an even count, the upper of the two middle values, so it is always a measured
    /// time). `values` must not be empty.
    public static func median(_ values: [Double]) -> Double {
        precondition(!values.isEmpty, "the median of no values")
        return values.sorted()[values.count / 2]
    }
}
