import CPairTermFloor
import Foundation
import UnKD

/// How fast UnKD's term could be.
///
/// UnKD's target leaves its term the time of one plain epoch. The term evaluates every pair of a user at every step the
/// user is in (18 million pairs an epoch on MovieLens-1M), so whether any implementation could meet the target is as
/// much a question about the machine as about the code. This runs the term alone, on the epoch's real pairs and
/// batches, in turn with the package's own code (`PairwiseDistillation`, as training runs it) and with a hand-written C
/// version of its per-user step (`Sources/CPairTermFloor`: AVX2 intrinsics and a slope cheaper than the logistic, so
/// its time is a lower bound for any implementation along these lines). The C step goes through the same bookkeeping
/// (`PerUserDistillation`: each batch's distinct users weighted by their rows, in two halves on both cores, the second
/// half into an item gradient of its own that is added to the first after), so the two differ only in the per-user
/// step. Both read 64-byte aligned copies of the tables, which the training tables are not. Between steps, dense Adam
/// over a table of the model's size rewrites every row and the gradient is cleared, as in training; only the term is
/// timed. Rows are 16 floats (students up to d = 16).
public enum PairTermFloor {
    /// Seconds per epoch of UnKD's pair term alone, `runs` epochs with the package's code and `runs` with the C lower
    /// bound, taken in turn (after one untimed epoch of each).
    public static func epochs(_ unkd: UnKDDistiller, train: InteractionMatrix, userCount: Int, itemCount: Int, runs: Int)
        -> (swift: [Double], c: [Double]) {
        let stride = 16, dimension = 10, batchSize = 2048, floats = (userCount + itemCount) * stride
        /// `floats` zero floats starting on a cache line (so do the item rows, after userCount rows of 64 bytes).
        func aligned() -> UnsafeMutablePointer<Float> {
            let table = UnsafeMutableRawPointer.allocate(byteCount: floats * 4, alignment: 64)
                .bindMemory(to: Float.self, capacity: floats)
            table.initialize(repeating: 0, count: floats)
            return table
        }
        let table = aligned(), gradient = aligned()
        defer { table.deallocate(); gradient.deallocate() }
        var model = [Float](repeating: 0, count: floats), adamGradient = model
        var random = RandomSource(seed: 1)
        for r in 0..<(userCount + itemCount) {
            for k in 0..<dimension { model[r * stride + k] = 0.1 * (random.unitFloat() - 0.5) }
        }
        var adam = Adam(learningRate: 1e-3, count: floats)
        let rowUsers = TrainingTriples.draw(train, random: &random).users
        let workspace = PerUserWorkspace()
        var touched: [Int32] = []
        func epoch(handWritten: Bool) -> Double {
            var seconds = 0.0
            unkd.pairPositives.withUnsafeBufferPointer { positives in
            unkd.pairNegatives.withUnsafeBufferPointer { negatives in
                for start in Swift.stride(from: 0, to: rowUsers.count, by: batchSize) {
                    adam.update(&model, gradient: &adamGradient, stride: stride, touchedRows: nil)
                    model.withUnsafeBufferPointer { table.update(from: $0.baseAddress!, count: floats) }
                    gradient.update(repeating: 0, count: floats)
                    touched.removeAll(keepingCapacity: true)
                    let users = rowUsers[start..<min(start + batchSize, rowUsers.count)]
                    let begin = Date()
                    if handWritten {
                        _ = PerUserDistillation.accumulate(
                            users, listStart: unkd.pairStart, entryItems: [unkd.pairPositives, unkd.pairNegatives],
                            userCount: userCount, itemCount: itemCount, itemGradient: gradient + userCount * stride,
                            stride: stride, workPerEntry: 6 * stride, workspace: workspace, touched: &touched
                        ) { u, first, count, share, c, itemGradient in
                            unkd_pair_term_floor(table + u * stride, Int32(count), positives.baseAddress! + first,
                                                 negatives.baseAddress! + first, table + userCount * stride,
                                                 share / Float(count), c, gradient + u * stride, itemGradient)
                            return 0
                        }
                    } else {
                        _ = PairwiseDistillation.accumulate(
                            users, pairStart: unkd.pairStart, positives: unkd.pairPositives, negatives: unkd.pairNegatives,
                            final: table, gradient: gradient, stride: stride, userCount: userCount, itemCount: itemCount,
                            weight: 1, workspace: workspace, touched: &touched)
                    }
                    seconds += Date().timeIntervalSince(begin)
                }
            }
            }
            return seconds
        }
        _ = epoch(handWritten: false)
        _ = epoch(handWritten: true)
        var swift: [Double] = [], c: [Double] = []
        for _ in 0..<runs {
            swift.append(epoch(handWritten: false))
            c.append(epoch(handWritten: true))
        }
        Progress.say("UnKD pair term alone, this package: \(swift.map { String(format: "%.3f", $0) }), C: \(c.map { String(format: "%.3f", $0) })")
        return (swift, c)
    }
}
