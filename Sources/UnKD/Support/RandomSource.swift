/// The single source of randomness of the project: xoshiro256** seeded through SplitMix64.
///
/// Every random choice (splits, initialisation, negative sampling, pair sampling, synthetic data) draws from a
/// `RandomSource` made from an explicit seed, so the same seed gives the same numbers on every machine and Swift
/// version. The algorithms here (bounded integers, shuffles, normals) are written out rather than taken from the
/// standard library, whose implementations may change between releases.
///
/// A value type: copying it forks the stream, which is how independent sub-streams are made (see `split(_:)`).
public struct RandomSource: RandomNumberGenerator, Sendable {
    @usableFromInline var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

    /// A generator whose whole stream is determined by `seed`.
    public init(seed: UInt64) {
        var mix = SplitMix64(state: seed)
        s0 = mix.next(); s1 = mix.next(); s2 = mix.next(); s3 = mix.next()
    }

    /// The generator's whole state, for checkpoints: `RandomSource(state: r.state)` continues r's stream.
    public var state: [UInt64] { [s0, s1, s2, s3] }

    /// The generator whose state is `state` (four words, as `state` returns them).
    public init(state: [UInt64]) {
        precondition(state.count == 4, "a RandomSource state has four words")
        (s0, s1, s2, s3) = (state[0], state[1], state[2], state[3])
    }

    /// A generator for a named sub-task, independent of the parent stream and of other labels: training,
    /// sampling and evaluation can each own a stream without the order of their calls mattering.
    public static func derived(seed: UInt64, _ label: String) -> RandomSource {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325  // FNV-1a over the label, mixed into the seed
        for byte in label.utf8 { h = (h ^ UInt64(byte)) &* 0x100_0000_01b3 }
        var mix = SplitMix64(state: seed ^ h)
        return RandomSource(seed: mix.next())
    }

    /// The next 64 random bits.
    @inlinable @inline(__always)
    public mutating func next() -> UInt64 {
        let result = rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = rotl(s3, 45)
        return result
    }

    @inlinable @inline(__always)
    func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// A uniform integer in `0..<bound` (Lemire's multiply-shift with rejection, so exactly uniform).
    @inlinable @inline(__always)
    public mutating func below(_ bound: Int) -> Int {
        precondition(bound > 0, "below(_:) needs a positive bound")
        let b = UInt64(bound)
        var m = next().multipliedFullWidth(by: b)
        if m.low < b {
            let threshold = (0 &- b) % b
            while m.low < threshold { m = next().multipliedFullWidth(by: b) }
        }
        return Int(m.high)
    }

    /// A uniform `Double` in [0, 1) with 53 random bits.
    @inlinable @inline(__always)
    public mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// A uniform `Float` in [0, 1) with 24 random bits.
    @inlinable @inline(__always)
    public mutating func unitFloat() -> Float { Float(next() >> 40) * 0x1.0p-24 }

    /// A standard normal draw (Box-Muller; one of the pair is discarded to keep the generator stateless).
    public mutating func normal() -> Double {
        var u = unit()
        while u <= 0 { u = unit() }
        let v = unit()
        return (-2 * _log(u)).squareRoot() * _cos(2 * Double.pi * v)
    }

    /// A standard Gumbel draw, -log(-log U): adding it to log-weights and taking the top k samples k items
    /// without replacement with probability proportional to the weights.
    public mutating func gumbel() -> Double {
        var u = unit()
        while u <= 0 { u = unit() }
        return -_log(-_log(u))
    }

    /// The random part of a standard Gumbel draw in single precision, for hot loops: k uniform on 1..<2^24, to be
    /// turned into -log(-log(u)) with u = k / 2^24 (so neither logarithm meets 0) by `gumbel(bits:)`, or eight at a
    /// time by `VectorMath.gumbel(bits:)`. Drawn in order on one thread, the bits can become noise on another.
    @inlinable @inline(__always)
    public mutating func gumbelBits() -> UInt32 {
        var k: UInt64 = 0
        while k == 0 { k = next() >> 40 }
        return UInt32(k)
    }

    /// The Gumbel noise -log(-log(k / 2^24)) of `gumbelBits()`'s k.
    @inlinable @inline(__always)
    public static func gumbel(bits k: UInt32) -> Float { -logf(-logf(Float(k) * 0x1p-24)) }

    /// Shuffles `array` in place (Fisher-Yates, from the back).
    public mutating func shuffle<T>(_ array: inout [T]) {
        var i = array.count
        while i > 1 {
            let j = below(i)
            i -= 1
            array.swapAt(i, j)
        }
    }

    /// `count` distinct elements of `array`, in random order (a partial Fisher-Yates on a copy).
    public mutating func sample<T>(_ array: [T], count: Int) -> [T] {
        precondition(count <= array.count, "cannot sample \(count) of \(array.count) without replacement")
        var pool = array
        for i in 0..<count { pool.swapAt(i, i + below(pool.count - i)) }
        return Array(pool[0..<count])
    }
}

/// SplitMix64, used only to spread a seed over xoshiro's 256-bit state.
struct SplitMix64 {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}

@inline(__always) func _log(_ x: Double) -> Double { Foundation.log(x) }
@inline(__always) func _cos(_ x: Double) -> Double { Foundation.cos(x) }

import Foundation
