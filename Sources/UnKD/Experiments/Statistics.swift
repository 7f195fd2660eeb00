import Foundation

/// The summary of one measure over seeds: mean and a 95% confidence interval from Student's t distribution.
public struct SeedSummary: Codable, Sendable, Equatable {
    /// The per-seed values, in seed order.
    public var values: [Double]
    /// Their mean.
    public var mean: Double
    /// Half-width of the 95% confidence interval of the mean (0 with fewer than two values).
    public var halfWidth: Double

    /// Summarises `values`.
    public init(_ values: [Double]) {
        self.values = values
        let n = Double(values.count)
        let mean = values.isEmpty ? .nan : values.reduce(0, +) / n
        self.mean = mean
        guard values.count > 1 else { halfWidth = 0; return }
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)
        halfWidth = Statistics.tCritical95(degreesOfFreedom: values.count - 1) * (variance / n).squareRoot()
    }
}

/// Small-sample statistics for comparing methods over seeds.
public enum Statistics {
    /// The two-sided 95% critical value of Student's t with `df` degrees of freedom.
    public static func tCritical95(degreesOfFreedom df: Int) -> Double {
        let table: [Double] = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179,
                               2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064,
                               2.060, 2.056, 2.052, 2.048, 2.045, 2.042]
        return df >= 1 && df <= table.count ? table[df - 1] : 1.960
    }

    /// The arithmetic mean, nil for no values.
    public static func mean(_ values: [Double]) -> Double? {
        values.isEmpty ? nil : values.reduce(0, +) / Double(values.count)
    }

    /// Holm's step-down correction for testing several hypotheses at once: which of `pValues` stay significant at
    /// family-wise level `alpha`. The k-th smallest p-value (k from 1) is compared with alpha / (m - k + 1), in
    /// order, until one fails; it and all larger ones are not significant. O(m log m).
    public static func holmSignificant(_ pValues: [Double], alpha: Double = 0.05) -> [Bool] {
        var significant = [Bool](repeating: false, count: pValues.count)
        for (rank, index) in pValues.indices.sorted(by: { pValues[$0] < pValues[$1] }).enumerated() {
            guard pValues[index] <= alpha / Double(pValues.count - rank) else { break }
            significant[index] = true
        }
        return significant
    }

    /// The paired t-test of `a` against `b` (same seeds, same order): the t statistic and the two-sided p-value.
    /// Nil with fewer than two pairs, or when every difference is the same (no variance).
    public static func pairedTTest(_ a: [Double], _ b: [Double]) -> (t: Double, p: Double)? {
        precondition(a.count == b.count, "paired samples must have equal length")
        let n = a.count
        guard n > 1 else { return nil }
        let differences = zip(a, b).map { $0 - $1 }
        let mean = differences.reduce(0, +) / Double(n)
        let variance = differences.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n - 1)
        guard variance > 0 else { return nil }
        let t = mean / (variance / Double(n)).squareRoot()
        let df = Double(n - 1)
        // P(|T| > |t|) = I_{df / (df + t^2)}(df / 2, 1 / 2).
        let p = regularisedIncompleteBeta(x: df / (df + t * t), a: df / 2, b: 0.5)
        return (t, p)
    }

    /// I_x(a, b), the regularised incomplete beta function, by its continued fraction (Lentz's method), using the
    /// symmetry I_x(a, b) = 1 - I_{1-x}(b, a) where the fraction converges slowly.
    public static func regularisedIncompleteBeta(x: Double, a: Double, b: Double) -> Double {
        if x <= 0 { return 0 }
        if x >= 1 { return 1 }
        let logBeta: Double = lgamma(a + b) - lgamma(a) - lgamma(b)
        let front: Double = exp(logBeta + a * log(x) + b * log(1 - x))
        if x > (a + 1) / (a + b + 2) { return 1 - regularisedIncompleteBeta(x: 1 - x, a: b, b: a) }
        let tiny = 1e-300
        var c = 1.0, d = 1 - (a + b) * x / (a + 1)
        d = abs(d) < tiny ? 1 / tiny : 1 / d
        var fraction = d
        for m in 1...300 {
            let m = Double(m)
            // Even step.
            var numerator: Double = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m))
            d = 1 + numerator * d; d = abs(d) < tiny ? 1 / tiny : 1 / d
            c = 1 + numerator / c; c = abs(c) < tiny ? tiny : c
            fraction *= d * c
            // Odd step.
            let odd: Double = (a + m) * (a + b + m) * x
            numerator = -odd / ((a + 2 * m) * (a + 2 * m + 1))
            d = 1 + numerator * d; d = abs(d) < tiny ? 1 / tiny : 1 / d
            c = 1 + numerator / c; c = abs(c) < tiny ? tiny : c
            let step = d * c
            fraction *= step
            if abs(step - 1) < 1e-12 { break }
        }
        return front * fraction / a
    }
}
