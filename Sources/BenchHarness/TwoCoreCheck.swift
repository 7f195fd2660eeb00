import Foundation
import UnKD

/// How much two cores can give on this machine right now.
///
/// The project's machine is a virtual one with two virtual cores, and the host does not always give each its own
/// physical core: a loop that never touches memory, eight independent chains of 8-lane multiply-adds, can take as long
/// on two cores at once as on one. The check times that loop on one core, then two copies of it on both cores
/// together, several times in turn. The single-core time says how fast the machine is this hour; the speedup is the
/// most any parallel region of an epoch can gain right now, which is what two-core figures should be read against.
public enum TwoCoreCheck {
    /// The median time of the register loop (`rounds` rounds) on one core, and the median over `runs` rounds of
    /// 2 x (one-core time) / (two-core time): two copies of the loop side by side on the `WorkerTeam`. One more round
    /// runs first to wake the helper thread and is not counted.
    public static func measure(runs: Int, rounds: Int = 100_000_000) -> (single: Double, speedup: Double) {
        var singles: [Double] = [], speedups: [Double] = []
        var sink: Float = 0
        for _ in 0...runs {
            var start = Date()
            sink += registerArithmetic(rounds: rounds, seed: sink)
            let one = Date().timeIntervalSince(start)
            var parts: [Float] = [0, 0]
            start = Date()
            parts.withUnsafeMutableBufferPointer { parts in
                Parallel.run(chunks: 2) { k in parts[k] = registerArithmetic(rounds: rounds, seed: Float(k)) }
            }
            let two = Date().timeIntervalSince(start)
            sink += parts[0] + parts[1]
            singles.append(one)
            speedups.append(2 * one / two)
        }
        // `sink` keeps the work from being removed.
        if sink.isNaN { Progress.say("register loop: \(sink)") }
        Progress.say("register loop, two cores over one: \(speedups.dropFirst().map { String(format: "%.2f", $0) })")
        return (Timing.median(Array(singles.dropFirst())), Timing.median(Array(speedups.dropFirst())))
    }

    /// `rounds` x 8 x 8 multiply-adds held in registers: eight independent chains of `a = 1e-7 + a x 0.9999999` on
    /// 8 lanes, chain k starting at `seed + k`, so the loop is limited by arithmetic throughput, not by latency or
    /// memory; returns the sum of every lane of every chain.
    @inline(never)
    public static func registerArithmetic(rounds: Int, seed: Float) -> Float {
        let m = SIMD8<Float>(repeating: 0.999_999_9), c = SIMD8<Float>(repeating: 1e-7)
        var a0 = SIMD8<Float>(repeating: seed), a1 = a0 + 1, a2 = a0 + 2, a3 = a0 + 3
        var a4 = a0 + 4, a5 = a0 + 5, a6 = a0 + 6, a7 = a0 + 7
        for _ in 0..<rounds {
            a0 = c.addingProduct(a0, m); a1 = c.addingProduct(a1, m); a2 = c.addingProduct(a2, m); a3 = c.addingProduct(a3, m)
            a4 = c.addingProduct(a4, m); a5 = c.addingProduct(a5, m); a6 = c.addingProduct(a6, m); a7 = c.addingProduct(a7, m)
        }
        return (a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7).sum()
    }
}
