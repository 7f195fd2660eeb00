/// A mini-batch of training rows (u, i+, i-).
public struct TrainingBatch: Sendable {
    /// Users of the rows.
    public var users: ArraySlice<Int32>
    /// Positive items.
    public var positives: ArraySlice<Int32>
    /// Negative items.
    public var negatives: ArraySlice<Int32>
    /// Number of rows, B.
    public var count: Int { users.count }

    /// A batch of the rows given (three slices of equal length).
    public init(users: ArraySlice<Int32>, positives: ArraySlice<Int32>, negatives: ArraySlice<Int32>) {
        precondition(users.count == positives.count && users.count == negatives.count, "rows of unequal length")
        self.users = users
        self.positives = positives
        self.negatives = negatives
    }
}

/// The BPR loss of a batch and its hand-written gradient with respect to the scored (final) embeddings.
///
/// Loss = mean_b softplus(-(s(u,i+) - s(u,i-))), i.e. -log sigmoid of the score margin (the official code adds 1e-10
/// inside the log, which only matters once the sigmoid underflows). The scores are inner products; with the PD
/// objective they are w_i * (ReLU(<u,i>) + 1).
public enum BPRObjective {
    /// Adds `weight` x d(loss)/d(final) into `gradient` and returns the (unweighted) mean loss.
    ///
    /// Two phases, so both cores can work without locks: first the score margins and their coefficients (rows are
    /// independent), then the scatter of gradients, with user rows and item rows (disjoint) on different cores.
    ///
    /// - Parameters:
    ///   - batch: the rows (u, i+, i-).
    ///   - final: the scored embeddings, users then items, padded rows of `stride`.
    ///   - gradient: receives `weight` x the gradient, same layout as `final`.
    ///   - stride: floats per row.
    ///   - userCount: the number of users (item rows follow the user rows).
    ///   - weight: the weight of the loss in the step.
    ///   - itemWeights: the PD weights w_i, or nil for plain BPR.
    ///   - fusedDecay: when the scored rows are the ego rows (MF), the L2 penalty decay * 0.5 * |e|^2 / B of the
    ///     batch rows is added in the same pass, and its value is included in the returned loss; 0 for none.
    ///   - touched: receives the rows that got a gradient.
    public static func accumulate(_ batch: TrainingBatch, final: UnsafePointer<Float>, gradient: UnsafeMutablePointer<Float>,
                                  stride: Int, userCount: Int, itemWeights: UnsafePointer<Float>?,
                                  weight: Float = 1, fusedDecay: Float = 0, touched: inout [Int32]) -> Float {
        let count = batch.count
        let scale = 1 / Float(count)
        let users = batch.users, positives = batch.positives, negatives = batch.negatives
        var coefficientI = [Float](repeating: 0, count: count), coefficientJ = coefficientI
        var lossParts = [Float](repeating: 0, count: Parallel.workers), penaltyParts = lossParts
        coefficientI.withUnsafeMutableBufferPointer { ci in
            coefficientJ.withUnsafeMutableBufferPointer { cj in
                lossParts.withUnsafeMutableBufferPointer { lossPart in
                    penaltyParts.withUnsafeMutableBufferPointer { penaltyPart in
                        let chunks = Parallel.chunks(forWork: 6 * count * stride)
                        Parallel.run(chunks: chunks) { chunk in
                            var loss: Float = 0, penalty: Float = 0
                            for b in (count * chunk / chunks)..<(count * (chunk + 1) / chunks) {
                                let eu = final + Int(users[users.startIndex + b]) * stride
                                let ei = final + (userCount + Int(positives[positives.startIndex + b])) * stride
                                let ej = final + (userCount + Int(negatives[negatives.startIndex + b])) * stride
                                let ai = VectorKernels.dot(eu, ei, stride: stride), aj = VectorKernels.dot(eu, ej, stride: stride)
                                // Score and its derivative with respect to the inner product.
                                var si = ai, sj = aj, di: Float = 1, dj: Float = 1
                                if let w = itemWeights {
                                    let wi = w[Int(positives[positives.startIndex + b])], wj = w[Int(negatives[negatives.startIndex + b])]
                                    si = wi * (max(ai, 0) + 1); di = ai > 0 ? wi : 0
                                    sj = wj * (max(aj, 0) + 1); dj = aj > 0 ? wj : 0
                                }
                                let (softplusValue, slope) = softplusAndSigmoidOfNegative(si - sj)
                                loss += softplusValue
                                let c = -slope * scale * weight  // d softplus(-x)/dx = -sigmoid(-x)
                                ci[b] = c * di
                                cj[b] = -c * dj
                                if fusedDecay > 0 {
                                    penalty += VectorKernels.squaredNorm(eu, stride: stride) + VectorKernels.squaredNorm(ei, stride: stride)
                                        + VectorKernels.squaredNorm(ej, stride: stride)
                                }
                            }
                            lossPart[chunk] = loss
                            penaltyPart[chunk] = penalty
                        }
                        // Scatter: users on one core, items on the other.
                        let r = fusedDecay * scale
                        let ci = UnsafePointer(ci.baseAddress!), cj = UnsafePointer(cj.baseAddress!)
                        let sides = Parallel.chunks(forWork: 6 * count * stride) > 1 ? [0, 1] : [-1]
                        Parallel.run(chunks: sides.count) { task in
                            let side = sides[task]
                            for b in 0..<count {
                                let u = Int(users[users.startIndex + b])
                                let i = userCount + Int(positives[positives.startIndex + b])
                                let j = userCount + Int(negatives[negatives.startIndex + b])
                                let eu = final + u * stride, ei = final + i * stride, ej = final + j * stride
                                if side <= 0 {
                                    VectorKernels.axpy3(ci[b], ei, cj[b], ej, r, eu, gradient + u * stride, stride: stride)
                                }
                                if side != 0 {
                                    VectorKernels.axpy2(ci[b], eu, r, ei, gradient + i * stride, stride: stride)
                                    VectorKernels.axpy2(cj[b], eu, r, ej, gradient + j * stride, stride: stride)
                                }
                            }
                        }
                    }
                }
            }
        }
        let first = touched.count
        touched.append(contentsOf: repeatElement(0, count: 3 * count))
        touched.withUnsafeMutableBufferPointer { rows in
            for b in 0..<count {
                rows[first + 3 * b] = users[users.startIndex + b]
                rows[first + 3 * b + 1] = Int32(userCount) + positives[positives.startIndex + b]
                rows[first + 3 * b + 2] = Int32(userCount) + negatives[negatives.startIndex + b]
            }
        }
        let penalty = 0.5 * fusedDecay * scale * penaltyParts.reduce(0, +)
        return lossParts.reduce(0, +) * scale + penalty / weight
    }

    /// Adds the gradient of decay * 0.5 * (|e_u|^2 + |e_i+|^2 + |e_i-|^2) / B over the batch's ego rows (duplicates
    /// count each time, as in the official code) and returns that penalty.
    public static func accumulateL2(_ batch: TrainingBatch, ego: UnsafePointer<Float>, gradient: UnsafeMutablePointer<Float>,
                                    stride: Int, userCount: Int, decay: Float) -> Float {
        let scale = decay / Float(batch.count)
        var penalty: Float = 0
        @inline(__always) func penalise(_ row: Int) {
            let e = ego + row * stride
            penalty += 0.5 * VectorKernels.squaredNorm(e, stride: stride)
            VectorKernels.axpy(scale, e, gradient + row * stride, stride: stride)
        }
        for b in 0..<batch.count {
            penalise(Int(batch.users[batch.users.startIndex + b]))
            penalise(userCount + Int(batch.positives[batch.positives.startIndex + b]))
            penalise(userCount + Int(batch.negatives[batch.negatives.startIndex + b]))
        }
        return penalty * scale
    }

    /// The PD popularity weights w_i = ((c_i + 1) / sum_j (c_j + 1))^alpha from training popularity c.
    public static func popularityWeights(_ popularity: [Int], alpha: Double) -> [Float] {
        let total = Double(popularity.reduce(0) { $0 + $1 + 1 })
        return popularity.map { Float(pow((Double($0) + 1) / total, alpha)) }
    }
}

import Foundation
