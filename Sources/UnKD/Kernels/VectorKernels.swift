/// The small vector routines of the training loops, on padded rows (length a multiple of 8).
///
/// A `stride` is a positive multiple of 8 and a `count` is not negative; debug builds assert these
/// (`KernelContract`). Pointers need no alignment beyond a `Float`'s: every vector access is an unaligned load or store.
///
/// Written with `SIMD8<Float>` over unsafe pointers: with AVX2 and FMA enabled (see Package.swift) each iteration is one
/// fused multiply-add on a full register.
public enum VectorKernels {
    /// The inner product of two padded rows of `stride` floats.
    @inlinable @inline(__always)
    public static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, stride: Int) -> Float {
        assert(KernelContract.isPaddedStride(stride), "stride \(stride) is not a positive multiple of 8")
        var acc = SIMD8<Float>()
        var k = 0
        while k < stride {
            let x = UnsafeRawPointer(a + k).loadUnaligned(as: SIMD8<Float>.self)
            let y = UnsafeRawPointer(b + k).loadUnaligned(as: SIMD8<Float>.self)
            acc.addProduct(x, y)
            k += 8
        }
        return acc.sum()
    }

    /// y += alpha * x over `stride` floats.
    @inlinable @inline(__always)
    public static func axpy(_ alpha: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, stride: Int) {
        assert(KernelContract.isPaddedStride(stride), "stride \(stride) is not a positive multiple of 8")
        let a = SIMD8<Float>(repeating: alpha)
        var k = 0
        while k < stride {
            let xv = UnsafeRawPointer(x + k).loadUnaligned(as: SIMD8<Float>.self)
            var yv = UnsafeRawPointer(y + k).loadUnaligned(as: SIMD8<Float>.self)
            yv.addProduct(a, xv)
            UnsafeMutableRawPointer(y + k).storeBytes(of: yv, as: SIMD8<Float>.self)
            k += 8
        }
    }

    /// y += a1 * x1 + a2 * x2 over `stride` floats, in one pass.
    @inlinable @inline(__always)
    public static func axpy2(_ a1: Float, _ x1: UnsafePointer<Float>, _ a2: Float, _ x2: UnsafePointer<Float>,
                             _ y: UnsafeMutablePointer<Float>, stride: Int) {
        assert(KernelContract.isPaddedStride(stride), "stride \(stride) is not a positive multiple of 8")
        let v1 = SIMD8<Float>(repeating: a1), v2 = SIMD8<Float>(repeating: a2)
        var k = 0
        while k < stride {
            var yv = UnsafeRawPointer(y + k).loadUnaligned(as: SIMD8<Float>.self)
            yv.addProduct(v1, UnsafeRawPointer(x1 + k).loadUnaligned(as: SIMD8<Float>.self))
            yv.addProduct(v2, UnsafeRawPointer(x2 + k).loadUnaligned(as: SIMD8<Float>.self))
            UnsafeMutableRawPointer(y + k).storeBytes(of: yv, as: SIMD8<Float>.self)
            k += 8
        }
    }

    /// y += a1 * x1 + a2 * x2 + a3 * x3 over `stride` floats, in one pass.
    @inlinable @inline(__always)
    public static func axpy3(_ a1: Float, _ x1: UnsafePointer<Float>, _ a2: Float, _ x2: UnsafePointer<Float>,
                             _ a3: Float, _ x3: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, stride: Int) {
        assert(KernelContract.isPaddedStride(stride), "stride \(stride) is not a positive multiple of 8")
        let v1 = SIMD8<Float>(repeating: a1), v2 = SIMD8<Float>(repeating: a2), v3 = SIMD8<Float>(repeating: a3)
        var k = 0
        while k < stride {
            var yv = UnsafeRawPointer(y + k).loadUnaligned(as: SIMD8<Float>.self)
            yv.addProduct(v1, UnsafeRawPointer(x1 + k).loadUnaligned(as: SIMD8<Float>.self))
            yv.addProduct(v2, UnsafeRawPointer(x2 + k).loadUnaligned(as: SIMD8<Float>.self))
            yv.addProduct(v3, UnsafeRawPointer(x3 + k).loadUnaligned(as: SIMD8<Float>.self))
            UnsafeMutableRawPointer(y + k).storeBytes(of: yv, as: SIMD8<Float>.self)
            k += 8
        }
    }

    /// How many of `values[0 ..< count]` are strictly greater than `threshold` (any `count`, no padding needed).
    ///
    /// RD's dynamic weights ask this for each of a user's 30 top items against 100 sampled scores, at every step the
    /// user is in; comparing eight at a time keeps it well below the cost of scoring those samples.
    @inlinable @inline(__always)
    public static func countGreater(than threshold: Float, in values: UnsafePointer<Float>, count: Int) -> Int {
        assert(count >= 0, "negative count \(count)")
        let t = SIMD8<Float>(repeating: threshold)
        var counts = SIMD8<Int32>()
        var k = 0
        while k + 8 <= count {
            let v = UnsafeRawPointer(values + k).loadUnaligned(as: SIMD8<Float>.self)
            counts &-= unsafeBitCast(t .< v, to: SIMD8<Int32>.self)  // a true lane is all ones, i.e. -1
            k += 8
        }
        var total = Int(counts.wrappedSum())
        while k < count {
            if threshold < values[k] { total += 1 }
            k += 1
        }
        return total
    }

    /// y += x, then x = 0, over `count` floats (a multiple of 8): folds a private gradient table into the shared one.
    @inlinable
    public static func addAndClear(_ x: UnsafeMutablePointer<Float>, into y: UnsafeMutablePointer<Float>, count: Int) {
        assert(count >= 0 && count % 8 == 0, "count \(count) is not a non-negative multiple of 8")
        var k = 0
        while k < count {
            let sum = UnsafeRawPointer(y + k).loadUnaligned(as: SIMD8<Float>.self)
                + UnsafeRawPointer(x + k).loadUnaligned(as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(y + k).storeBytes(of: sum, as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(x + k).storeBytes(of: SIMD8<Float>(), as: SIMD8<Float>.self)
            k += 8
        }
    }

    /// Sum of squares of a padded row.
    @inlinable @inline(__always)
    public static func squaredNorm(_ a: UnsafePointer<Float>, stride: Int) -> Float { dot(a, a, stride: stride) }

    /// The first `lanes` (1...8) floats at `x`, the other lanes zero.
    @inlinable @inline(__always)
    static func load(_ x: UnsafePointer<Float>, lanes: Int) -> SIMD8<Float> {
        assert((1...8).contains(lanes), "\(lanes) lanes")
        if lanes == 8 { return UnsafeRawPointer(x).loadUnaligned(as: SIMD8<Float>.self) }
        var v = SIMD8<Float>()
        for k in 0..<lanes { v[k] = x[k] }
        return v
    }

    /// Writes the first `lanes` (1...8) lanes of `v` to `y`.
    @inlinable @inline(__always)
    static func store(_ v: SIMD8<Float>, lanes: Int, to y: UnsafeMutablePointer<Float>) {
        assert((1...8).contains(lanes), "\(lanes) lanes")
        if lanes == 8 { return UnsafeMutableRawPointer(y).storeBytes(of: v, as: SIMD8<Float>.self) }
        for k in 0..<lanes { y[k] = v[k] }
    }
}

/// softplus(-x) and sigmoid(-x) together, from one exponential: the BPR loss of a margin x and (minus) its slope.
///
/// One margin at a time with the C library's functions, for the BPR term; the distillation terms, which evaluate
/// many margins per user, use the eight-lane `LogisticKernels`.
@inlinable @inline(__always)
public func softplusAndSigmoidOfNegative(_ x: Float) -> (softplus: Float, sigmoid: Float) {
    let t = expf(-abs(x))  // in (0, 1], never overflows
    // logf(1 + t) rather than log1pf(t): several times faster, and it only loses digits of the reported loss once
    // t < 1e-7, where the loss is below 1e-7 anyway; the gradient uses t itself.
    let softplus = max(-x, 0) + logf(1 + t)
    let sigmoid = x > 0 ? t / (1 + t) : 1 / (1 + t)
    return (softplus, sigmoid)
}

/// The logistic function.
@inlinable @inline(__always)
public func sigmoid(_ x: Float) -> Float {
    x >= 0 ? 1 / (1 + expf(-x)) : expf(x) / (1 + expf(x))
}

import Foundation
