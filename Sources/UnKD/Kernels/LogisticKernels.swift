/// The logistic loss of eight margins at once: softplus(-x) = log(1 + exp(-x)) and its slope sigmoid(-x).
///
/// Pairwise distillation evaluates this for every pair of every user at every step the user is in (about twenty
/// million times an epoch on MovieLens-1M), where the scalar `expf` and `logf` of the C library cost more than the
/// inner products. Here the exponential (`VectorMath.expOfNonPositive`) and the logarithm are short polynomials on
/// `SIMD8<Float>` lanes, in the manner of the Cephes single-precision routines: within 5e-7 relative error of the exact
/// values over the whole range (checked against `Double` in the tests), with no table lookups and no branches.
///
/// With them the pair loss is a small part of a pair's cost (about 3 ns of 21 on one core), and summing a user's pair
/// losses with one logarithm per user instead of one per pair saved nothing: the pair loop then waits on its item rows
/// instead (docs/performance.md#the-list-kernels).
public enum LogisticKernels {
    /// softplus(-x) and sigmoid(-x) of each lane: the BPR loss of a margin x and minus its derivative.
    ///
    /// Both come from t = exp(-|x|) in (0, 1], so nothing overflows: softplus(-x) = max(-x, 0) + log(1 + t), and
    /// sigmoid(-x) is 1 / (1 + t) for x <= 0 and t / (1 + t) otherwise. A NaN margin gives a NaN loss.
    @inlinable @inline(__always)
    public static func softplusAndSigmoidOfNegative(_ x: SIMD8<Float>)
        -> (softplus: SIMD8<Float>, sigmoid: SIMD8<Float>) {
        let magnitude = unsafeBitCast(unsafeBitCast(x, to: SIMD8<UInt32>.self) & 0x7fff_ffff, to: SIMD8<Float>.self)
        let t = VectorMath.expOfNonPositive(-magnitude)
        let softplus = (-x).replacing(with: 0, where: x .> 0) + log1pOfUnit(t)
        let inverse = 1 / (1 + t)
        let sigmoid = inverse.replacing(with: t * inverse, where: x .> 0)
        return (softplus, sigmoid)
    }

    /// log(1 + t) for t in [0, 1], accurate for tiny t as well (no rounding of 1 + t).
    ///
    /// For 1 + t <= √2 the argument f = t goes to the polynomial directly; above, 1 + t = 2 (1 + f) with
    /// f = (t - 1) / 2 in [-0.293, 0], and ln 2 is added back. log(1 + f) = f - f²/2 + f³ P(f), with P the degree-8
    /// polynomial of Cephes `logf`.
    @inlinable @inline(__always)
    public static func log1pOfUnit(_ t: SIMD8<Float>) -> SIMD8<Float> {
        let upper = t .> 0.414_213_56
        let f = t.replacing(with: (t - 1) * 0.5, where: upper)
        let f2 = f * f
        var p = SIMD8<Float>(repeating: 7.037_683_629_2e-2)
        p = SIMD8(repeating: -1.151_461_031_0e-1).addingProduct(p, f)
        p = SIMD8(repeating: 1.167_699_874_0e-1).addingProduct(p, f)
        p = SIMD8(repeating: -1.242_014_084_6e-1).addingProduct(p, f)
        p = SIMD8(repeating: 1.424_932_278_7e-1).addingProduct(p, f)
        p = SIMD8(repeating: -1.666_805_766_5e-1).addingProduct(p, f)
        p = SIMD8(repeating: 2.000_071_476_5e-1).addingProduct(p, f)
        p = SIMD8(repeating: -2.499_999_399_3e-1).addingProduct(p, f)
        p = SIMD8(repeating: 3.333_333_117_4e-1).addingProduct(p, f)
        let logOnePlusF = f.addingProduct(f2, p * f - 0.5)
        return logOnePlusF + SIMD8<Float>().replacing(with: 0.693_147_18, where: upper)
    }
}

extension LogisticKernels {
    /// The BPR loss of `count` margins, eight at a time: returns Σ softplus(-x[p]) and overwrites each x[p] with
    /// `scale` x the loss's derivative, -sigmoid(-x[p]) x `scale`.
    @inlinable
    public static func bprLossAndSlopes(_ x: UnsafeMutablePointer<Float>, count: Int, scale: Float) -> Float {
        assert(count >= 0, "negative count \(count)")
        var total = SIMD8<Float>()
        var p = 0
        while p + 8 <= count {
            let (loss, sigmoid) = softplusAndSigmoidOfNegative(VectorKernels.load(x + p, lanes: 8))
            total += loss
            VectorKernels.store(sigmoid * -scale, lanes: 8, to: x + p)
            p += 8
        }
        // The tail's empty lanes hold margin 0, whose loss (log 2) must not count. The mask is built only here: a
        // lane-index comparison compiles to a lane-by-lane loop that stalled every vector when it ran on all of them.
        if p < count {
            let n = count - p
            let (loss, sigmoid) = softplusAndSigmoidOfNegative(VectorKernels.load(x + p, lanes: n))
            total += loss.replacing(with: 0, where: SIMD8<Int32>(0, 1, 2, 3, 4, 5, 6, 7) .>= Int32(n))
            VectorKernels.store(sigmoid * -scale, lanes: n, to: x + p)
        }
        return total.sum()
    }

    /// softplus(-x[p]) and sigmoid(-x[p]) for p in 0..<count, eight at a time, into two arrays.
    @inlinable
    public static func softplusAndSigmoidOfNegative(_ x: UnsafePointer<Float>, count: Int,
                                                    softplus: UnsafeMutablePointer<Float>,
                                                    sigmoid: UnsafeMutablePointer<Float>) {
        assert(count >= 0, "negative count \(count)")
        var p = 0
        while p < count {
            let n = min(8, count - p)
            let (loss, slope) = softplusAndSigmoidOfNegative(VectorKernels.load(x + p, lanes: n))
            VectorKernels.store(loss, lanes: n, to: softplus + p)
            VectorKernels.store(slope, lanes: n, to: sigmoid + p)
            p += 8
        }
    }
}
