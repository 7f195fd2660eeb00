/// Logarithm and exponential on eight floats at once, for the loops that evaluate them millions of times per epoch
/// (the pairwise losses of `LogisticKernels`, DE's Gumbel-softmax expert choice). The C library's `logf` and `expf`
/// work one float per call; these work on a whole `SIMD8<Float>` register with a handful of fused multiply-adds.
///
/// Both reduce the argument to a small interval and sum a short series there; both are within a few units in the last
/// place of the correctly rounded result over the ranges stated (the tests compare them with the C library's).
///
/// Conversions between integer and float lanes go through the bit patterns of floats in [2^23, 2^24), whose unit in
/// the last place is 1: the standard library's generic SIMD conversions run lane by lane and would cost more than
/// the series.
public enum VectorMath {
    /// ln 2 in two parts, so that e ln 2 is exact in single precision for the exponents met here.
    @usableFromInline static let ln2High: Float = 0.693_359_375
    @usableFromInline static let ln2Low: Float = -2.121_944_4e-4

    /// The natural logarithm of positive, finite, normal floats.
    ///
    /// Writes x = m 2^e with m in [1/√2, √2) by integer arithmetic on the bit pattern, then
    /// log m = 2 atanh(s) = 2 (s + s³/3 + s⁵/5 + ...), s = (m - 1) / (m + 1), |s| <= 0.172: six terms leave a remainder
    /// below 1e-10.
    @inlinable @inline(__always)
    public static func log(_ x: SIMD8<Float>) -> SIMD8<Float> {
        // 0x3F3504F3 is the bit pattern of 1/√2: subtracting it carries into the exponent exactly when the mantissa
        // is at least √2, so the exponent field of the difference is e and its mantissa field that of m.
        let halfRoot2: SIMD8<Int32> = SIMD8(repeating: 0x3F35_04F3)
        let shifted = unsafeBitCast(x, to: SIMD8<Int32>.self) &- halfRoot2
        let exponent = float(shifted &>> 23)
        let m = unsafeBitCast((shifted & 0x007F_FFFF) &+ halfRoot2, to: SIMD8<Float>.self)
        let s = (m - 1) / (m + 1), s2 = s * s
        var series: SIMD8<Float> = SIMD8(repeating: 1 / 11)
        series = series * s2 + 1 / 9
        series = series * s2 + 1 / 7
        series = series * s2 + 1 / 5
        series = series * s2 + 1 / 3
        series = series * s2 + 1
        return exponent * ln2High + (2 * s * series + exponent * ln2Low)
    }

    /// exp(y) for y <= 0; below -87.3 the result is held at exp(-87.3) ≈ 1.2e-38 instead of going subnormal.
    ///
    /// y = n ln 2 + r with n an integer and |r| <= ln 2 / 2; exp(r) is a degree-7 polynomial (Cephes `expf`), and
    /// 2^n is built in the exponent bits. ln 2 is split in two parts so that y - n ln 2 is exact.
    @inlinable @inline(__always)
    public static func expOfNonPositive(_ y: SIMD8<Float>) -> SIMD8<Float> {
        let y = y.replacing(with: -87.3, where: y .< -87.3)
        // Adding 1.5 x 2^23 rounds y / ln 2 to the nearest integer and leaves it in the low mantissa bits.
        let shifted = magic.addingProduct(y, 1.442_695_04)
        let n = shifted - magic
        let r = y.addingProduct(n, -ln2High).addingProduct(n, -ln2Low)
        var p = SIMD8<Float>(repeating: 1.987_569_15e-4)
        p = SIMD8(repeating: 1.398_199_95e-3).addingProduct(p, r)
        p = SIMD8(repeating: 8.333_451_9e-3).addingProduct(p, r)
        p = SIMD8(repeating: 4.166_579_59e-2).addingProduct(p, r)
        p = SIMD8(repeating: 1.666_666_55e-1).addingProduct(p, r)
        p = SIMD8(repeating: 5.000_000_12e-1).addingProduct(p, r)
        let expR = (r + 1).addingProduct(p, r * r)
        let integer = unsafeBitCast(shifted, to: SIMD8<Int32>.self) &- unsafeBitCast(magic, to: SIMD8<Int32>.self)
        let twoToN = unsafeBitCast((integer &+ 127) &<< 23, to: SIMD8<Float>.self)
        return expR * twoToN
    }

    /// Standard Gumbel noise -log(-log u) for the uniform draws u = k / 2^24 of `RandomSource.gumbelBits()`
    /// (k in 1..<2^24, so neither logarithm meets 0 or 1 exactly).
    @inlinable @inline(__always)
    public static func gumbel(bits k: SIMD8<UInt32>) -> SIMD8<Float> {
        // k has 24 bits, one too many for a single trip through the patterns: its high and low 12 bits go separately.
        let high = float(unsafeBitCast(k &>> 12, to: SIMD8<Int32>.self))
        let low = float(unsafeBitCast(k & 0xFFF, to: SIMD8<Int32>.self))
        return -log(-log((high * 4096 + low) * 0x1p-24))
    }

    /// 1.5 * 2^23: the floats near it are spaced by 1, and their bit patterns differ from its pattern by their
    /// difference from it.
    @usableFromInline static let magic = SIMD8<Float>(repeating: 12_582_912)

    /// The integers of `n` (each below 2^22 in magnitude) as floats.
    @inlinable @inline(__always)
    static func float(_ n: SIMD8<Int32>) -> SIMD8<Float> {
        unsafeBitCast(n &+ unsafeBitCast(magic, to: SIMD8<Int32>.self), to: SIMD8<Float>.self) - magic
    }
}
