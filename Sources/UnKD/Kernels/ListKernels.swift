/// The forward and backward passes of a per-user list loss (UnKD's pairs, RD's and CD's item lists): the user's
/// scores of the list's items, then the user's gradient row gathering a weighted sum of the item rows while each item's
/// gradient row receives a multiple of the user's row.
///
/// `stride` is a positive multiple of 8; the item of entry p is `plus[p]` (and `minus[p]`, for pairs), a
/// non-negative id whose row is `rows + item * stride`; `count` is not negative. Rows need no alignment beyond a
/// `Float`'s (every vector access is an unaligned load or store). Debug builds assert these (`KernelContract`).
///
/// Measured alone on MovieLens-1M's shape (one core, rows of 16 floats), UnKD's pairs cost about 7 ns each to score
/// and 10.6 ns to scatter, and a real training step runs them at nearly that speed. Tried and not kept: writing the
/// 16-float score out by hand (LLVM then vectorised across entries with shuffles, 40% slower); kernels shaped like a
/// hand-written C version (the two item rows subtracted first, one accumulator chain per half; 5-15% slower); reading
/// the batch's lists ahead, or prefetching the next user's (no gain). See docs/performance.md#the-list-kernels.
public enum ListKernels {
    /// c[p] = <x, row(plus[p]) - row(minus[p])>, or <x, row(plus[p])> when `minus` is nil: the student's score
    /// margins of a user's pairs, or its scores of a user's list.
    ///
    /// Eight entries at a time, each in its own accumulator, summed across lanes together by one transposition,
    /// which costs a third of eight separate horizontal sums. Cost: count x stride multiply-adds.
    @inlinable
    public static func scores(_ x: UnsafePointer<Float>, count: Int, plus: UnsafePointer<Int32>,
                              minus: UnsafePointer<Int32>?, rows: UnsafePointer<Float>, stride: Int,
                              into c: UnsafeMutablePointer<Float>) {
        assert(KernelContract.isPaddedStride(stride), "stride \(stride) is not a positive multiple of 8")
        assert(count >= 0, "negative count \(count)")
        assert(KernelContract.isFloatAligned(x) && KernelContract.isFloatAligned(rows) && KernelContract.isFloatAligned(c))
        assert(KernelContract.areRowIDs(plus, count: count) && KernelContract.areRowIDs(minus, count: count),
               "a negative item id")
        // Entry p's lane-wise products, before the sum across lanes.
        @inline(__always) func products(_ p: Int) -> SIMD8<Float> {
            let a = rows + Int(plus[p]) * stride, b = minus.map { rows + Int($0[p]) * stride }
            var sum = SIMD8<Float>()
            var k = 0
            while k < stride {
                var v = UnsafeRawPointer(a + k).loadUnaligned(as: SIMD8<Float>.self)
                if let b { v -= UnsafeRawPointer(b + k).loadUnaligned(as: SIMD8<Float>.self) }
                sum.addProduct(UnsafeRawPointer(x + k).loadUnaligned(as: SIMD8<Float>.self), v)
                k += 8
            }
            return sum
        }
        var p = 0
        while p + 8 <= count {
            let sums = laneSums(products(p), products(p + 1), products(p + 2), products(p + 3),
                                products(p + 4), products(p + 5), products(p + 6), products(p + 7))
            UnsafeMutableRawPointer(c + p).storeBytes(of: sums, as: SIMD8<Float>.self)
            p += 8
        }
        while p < count {
            c[p] = laneSum(products(p))
            p += 1
        }
    }

    /// One vector's lane sum, added in the order `laneSums` adds each of its eight: ((0 + 4) + (1 + 5)) + ((2 + 6) +
    /// (3 + 7)). An item's score is then the same to the bit in the eight-at-a-time part of a list and in its tail;
    /// RD compares its top items' scores with its samples' scores, and an item in both must tie, as in the authors'
    /// code (a different order made RD's dynamic loss differ from theirs in the fourth digit).
    @inlinable @inline(__always)
    static func laneSum(_ v: SIMD8<Float>) -> Float {
        let pairs = v.lowHalf + v.highHalf
        return (pairs[0] + pairs[1]) + (pairs[2] + pairs[3])
    }

    /// The lane sums of eight vectors, as one vector: halves added, then pairs of lanes, then neighbours.
    @inlinable @inline(__always)
    static func laneSums(_ a0: SIMD8<Float>, _ a1: SIMD8<Float>, _ a2: SIMD8<Float>, _ a3: SIMD8<Float>,
                         _ a4: SIMD8<Float>, _ a5: SIMD8<Float>, _ a6: SIMD8<Float>, _ a7: SIMD8<Float>) -> SIMD8<Float> {
        // [a's four partial sums, b's four]
        func halves(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> {
            SIMD8(lowHalf: a.lowHalf + a.highHalf, highHalf: b.lowHalf + b.highHalf)
        }
        // [a, a, b, b, c, c, d, d] from [a a a a b b b b] and [c c c c d d d d]
        func quarters(_ ab: SIMD8<Float>, _ cd: SIMD8<Float>) -> SIMD8<Float> {
            SIMD8(lowHalf: ab.evenHalf + ab.oddHalf, highHalf: cd.evenHalf + cd.oddHalf)
        }
        let low = quarters(halves(a0, a1), halves(a2, a3)), high = quarters(halves(a4, a5), halves(a6, a7))
        return SIMD8(lowHalf: low.evenHalf + low.oddHalf, highHalf: high.evenHalf + high.oddHalf)
    }

    /// The backward pass of a user's list: y += Σ_p c[p] (row(plus[p]) - row(minus[p])) into the user's gradient row
    /// y, and gradient(plus[p]) += c[p] x, gradient(minus[p]) -= c[p] x into the item rows (only `plus` when `minus`
    /// is nil; then y gathers Σ_p c[p] row(plus[p])).
    ///
    /// One walk over the entries per block of 16 columns, with the block of x and of y's sum held in registers.
    /// Entries may repeat an item; they are applied in order. Cost: count x stride x 2 multiply-adds (x 4 for pairs).
    ///
    /// The item rows are written in the same walk, so two threads must not share `itemGradient`: splitting the item
    /// rows between two cores by the parity of the item id made UnKD, RD and CD 20% slower (an unpredictable branch per
    /// entry), so callers give each half of the users an item gradient of its own instead.
    @inlinable
    public static func backward(_ x: UnsafePointer<Float>, _ c: UnsafePointer<Float>, count: Int,
                                plus: UnsafePointer<Int32>, minus: UnsafePointer<Int32>?, rows: UnsafePointer<Float>,
                                stride: Int, userGradient y: UnsafeMutablePointer<Float>,
                                itemGradient: UnsafeMutablePointer<Float>) {
        assert(KernelContract.isPaddedStride(stride), "stride \(stride) is not a positive multiple of 8")
        assert(count >= 0, "negative count \(count)")
        assert(KernelContract.isFloatAligned(x) && KernelContract.isFloatAligned(c) && KernelContract.isFloatAligned(rows)
               && KernelContract.isFloatAligned(y) && KernelContract.isFloatAligned(itemGradient))
        assert(KernelContract.areRowIDs(plus, count: count) && KernelContract.areRowIDs(minus, count: count),
               "a negative item id")
        var k = 0
        while k < stride {
            let wide = k + 16 <= stride
            let xLow = UnsafeRawPointer(x + k).loadUnaligned(as: SIMD8<Float>.self)
            let xHigh = wide ? UnsafeRawPointer(x + k + 8).loadUnaligned(as: SIMD8<Float>.self) : SIMD8<Float>()
            var low = SIMD8<Float>(), high = SIMD8<Float>()
            for p in 0..<count {
                let weight = SIMD8<Float>(repeating: c[p])
                let i = Int(plus[p]) * stride + k
                low.addProduct(weight, UnsafeRawPointer(rows + i).loadUnaligned(as: SIMD8<Float>.self))
                if wide { high.addProduct(weight, UnsafeRawPointer(rows + i + 8).loadUnaligned(as: SIMD8<Float>.self)) }
                add(weight, xLow, xHigh, wide: wide, to: itemGradient + i)
                if let minus {
                    let j = Int(minus[p]) * stride + k
                    low.addProduct(-weight, UnsafeRawPointer(rows + j).loadUnaligned(as: SIMD8<Float>.self))
                    if wide { high.addProduct(-weight, UnsafeRawPointer(rows + j + 8).loadUnaligned(as: SIMD8<Float>.self)) }
                    add(-weight, xLow, xHigh, wide: wide, to: itemGradient + j)
                }
            }
            low += UnsafeRawPointer(y + k).loadUnaligned(as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(y + k).storeBytes(of: low, as: SIMD8<Float>.self)
            if wide {
                high += UnsafeRawPointer(y + k + 8).loadUnaligned(as: SIMD8<Float>.self)
                UnsafeMutableRawPointer(y + k + 8).storeBytes(of: high, as: SIMD8<Float>.self)
            }
            k += wide ? 16 : 8
        }
    }

    @inlinable @inline(__always)
    static func add(_ weight: SIMD8<Float>, _ low: SIMD8<Float>, _ high: SIMD8<Float>, wide: Bool,
                    to y: UnsafeMutablePointer<Float>) {
        var v = UnsafeRawPointer(y).loadUnaligned(as: SIMD8<Float>.self)
        v.addProduct(weight, low)
        UnsafeMutableRawPointer(y).storeBytes(of: v, as: SIMD8<Float>.self)
        if wide {
            var w = UnsafeRawPointer(y + 8).loadUnaligned(as: SIMD8<Float>.self)
            w.addProduct(weight, high)
            UnsafeMutableRawPointer(y + 8).storeBytes(of: w, as: SIMD8<Float>.self)
        }
    }
}
