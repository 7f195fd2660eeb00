/// What a benchmark figure should reach on the project's machine: an absolute time, or a multiple of the plain
/// student's epoch (for a distillation method, whose cost is read against the epoch it is added to).
public enum TimeTarget: Sendable, Equatable {
    /// At most this many seconds.
    case seconds(Double)
    /// At most this multiple of the plain student's epoch time.
    case timesPlainEpoch(Double)

    /// The limit in seconds, given the plain student's epoch time.
    public func limit(plainEpoch: Double) -> Double {
        switch self {
        case .seconds(let seconds): return seconds
        case .timesPlainEpoch(let factor): return factor * plainEpoch
        }
    }

    /// Whether `seconds` meets the target.
    public func isMet(by seconds: Double, plainEpoch: Double) -> Bool { seconds <= limit(plainEpoch: plainEpoch) }

    /// The target column of the benchmark table for a measured `seconds`: the target, marked when it was missed
    /// ("<= 0.5", "<= 2x = 0.240 (missed)").
    public func column(for seconds: Double, plainEpoch: Double) -> String {
        text(plainEpoch: plainEpoch) + (isMet(by: seconds, plainEpoch: plainEpoch) ? "" : " (missed)")
    }

    /// The target as the benchmark table prints it: "<= 0.5", or "<= 2x = 0.240" with the limit it gives.
    public func text(plainEpoch: Double) -> String {
        switch self {
        case .seconds(let seconds): return "<= \(seconds.formatted)"
        case .timesPlainEpoch(let factor):
            return "<= \(factor.formatted)x = " + String(format: "%.3f", limit(plainEpoch: plainEpoch))
        }
    }
}

private extension Double {
    /// "2" for 2.0, "1.5" for 1.5.
    var formatted: String { self == rounded() ? String(Int(self)) : String(self) }
}
