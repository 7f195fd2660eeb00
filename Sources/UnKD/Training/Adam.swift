import Foundation

/// How Adam treats embedding rows that received no gradient in a step.
public enum AdamVariant: String, Codable, CaseIterable, Sendable {
    /// PyTorch's `torch.optim.Adam` on dense tables, as the official code uses: every row's moments decay and every
    /// row moves by its momentum at every step, touched or not.
    case dense
    /// Only rows with a gradient in this step are updated (like `SparseAdam`); faster, but a different optimiser.
    case lazy
}

/// Adam with PyTorch's semantics: bias-corrected moments, eps added to the corrected root second moment.
///
/// p <- p - (lr / (1 - b1^t)) * m / (sqrt(v) / sqrt(1 - b2^t) + eps), with m, v the running moments of the gradient.
public struct Adam: Sendable {
    /// Learning rate.
    public var learningRate: Float
    /// First-moment decay.
    public var beta1: Float = 0.9
    /// Second-moment decay.
    public var beta2: Float = 0.999
    /// Added to the denominator.
    public var epsilon: Float = 1e-8
    /// Dense or lazy.
    public var variant: AdamVariant
    /// Steps taken so far.
    public private(set) var step = 0
    private var m: [Float]
    private var v: [Float]
    /// Per row, whether it may hold a gradient this step; rows without one skip reading and clearing it.
    private var rowHasGradient: [Bool] = []

    /// An optimiser for a table of `count` floats.
    public init(learningRate: Float, count: Int, variant: AdamVariant = .dense) {
        self.learningRate = learningRate
        self.variant = variant
        m = [Float](repeating: 0, count: count)
        v = m
    }

    /// The optimiser's state, for checkpoints: the step count and the two moment tables.
    var moments: (step: Int, first: [Float], second: [Float]) {
        get { (step, m, v) }
        set {
            precondition(newValue.first.count == m.count && newValue.second.count == v.count, "moments of another table")
            (step, m, v) = (newValue.step, newValue.first, newValue.second)
        }
    }

    /// Applies one step to `parameters` with `gradient`, and zeroes the gradient it consumed.
    ///
    /// - Parameters:
    ///   - parameters: the table to update.
    ///   - gradient: its gradient, same layout; consumed.
    ///   - stride: floats per row.
    ///   - touchedRows: rows of `stride` floats that may hold a non-zero gradient (others must be zero). The dense
    ///     variant still updates every row, but reads and clears the gradient of these rows only; nil means all rows.
    public mutating func update(_ parameters: inout [Float], gradient: inout [Float], stride: Int, touchedRows: [Int32]?) {
        step += 1
        let b1 = beta1, b2 = beta2, eps = epsilon
        let stepSize = learningRate / (1 - pow(b1, Float(step)))
        let rootCorrection = 1 / (1 - pow(b2, Float(step))).squareRoot()
        let rows = parameters.count / stride
        if rowHasGradient.count != rows { rowHasGradient = [Bool](repeating: false, count: rows) }
        if let touchedRows { for r in touchedRows { rowHasGradient[Int(r)] = true } }
        let allRows = touchedRows == nil
        parameters.withUnsafeMutableBufferPointer { p in
            gradient.withUnsafeMutableBufferPointer { g in
                m.withUnsafeMutableBufferPointer { m in
                    v.withUnsafeMutableBufferPointer { v in
                        let p = p.baseAddress!, g = g.baseAddress!, m = m.baseAddress!, v = v.baseAddress!
                        switch variant {
                        case .dense:
                            rowHasGradient.withUnsafeMutableBufferPointer { flags in
                                let flags = flags.baseAddress!
                                let chunks = Parallel.chunks(forWork: rows * stride)
                                Parallel.run(chunks: chunks) { chunk in
                                    let range = (rows * chunk / chunks)..<(rows * (chunk + 1) / chunks)
                                    for r in range {
                                        let o = r * stride
                                        if allRows || flags[r] {
                                            AdamKernel.apply(p + o, g + o, m + o, v + o, count: stride, b1: b1, b2: b2, eps: eps,
                                                             stepSize: stepSize, rootCorrection: rootCorrection)
                                            flags[r] = false
                                        } else {
                                            AdamKernel.applyWithoutGradient(p + o, m + o, v + o, count: stride, b1: b1, b2: b2,
                                                                            eps: eps, stepSize: stepSize, rootCorrection: rootCorrection)
                                        }
                                    }
                                }
                            }
                        case .lazy:
                            for r in 0..<rows where allRows || rowHasGradient[r] {
                                let o = r * stride
                                AdamKernel.apply(p + o, g + o, m + o, v + o, count: stride, b1: b1, b2: b2, eps: eps,
                                                 stepSize: stepSize, rootCorrection: rootCorrection)
                                rowHasGradient[r] = false
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The fused Adam update over a contiguous run of floats (a multiple of 8): moments, parameter step, gradient reset.
enum AdamKernel {
    /// The same update for a gradient known to be zero: the moments decay and the parameter follows its momentum.
    @inline(__always)
    static func applyWithoutGradient(_ p: UnsafeMutablePointer<Float>, _ m: UnsafeMutablePointer<Float>,
                                     _ v: UnsafeMutablePointer<Float>, count: Int, b1: Float, b2: Float, eps: Float,
                                     stepSize: Float, rootCorrection: Float) {
        let vb1 = SIMD8<Float>(repeating: b1), vb2 = SIMD8<Float>(repeating: b2)
        let ve = SIMD8<Float>(repeating: eps), vs = SIMD8<Float>(repeating: stepSize)
        let vr = SIMD8<Float>(repeating: rootCorrection)
        var k = 0
        while k < count {
            let mv = vb1 * UnsafeRawPointer(m + k).loadUnaligned(as: SIMD8<Float>.self)
            let vv = vb2 * UnsafeRawPointer(v + k).loadUnaligned(as: SIMD8<Float>.self)
            var pv = UnsafeRawPointer(p + k).loadUnaligned(as: SIMD8<Float>.self)
            pv -= vs * mv / (vv.squareRoot() * vr + ve)
            UnsafeMutableRawPointer(m + k).storeBytes(of: mv, as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(v + k).storeBytes(of: vv, as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(p + k).storeBytes(of: pv, as: SIMD8<Float>.self)
            k += 8
        }
    }

    @inline(__always)
    static func apply(_ p: UnsafeMutablePointer<Float>, _ g: UnsafeMutablePointer<Float>, _ m: UnsafeMutablePointer<Float>,
                      _ v: UnsafeMutablePointer<Float>, count: Int, b1: Float, b2: Float, eps: Float,
                      stepSize: Float, rootCorrection: Float) {
        let vb1 = SIMD8<Float>(repeating: b1), vb2 = SIMD8<Float>(repeating: b2)
        let c1 = SIMD8<Float>(repeating: 1 - b1), c2 = SIMD8<Float>(repeating: 1 - b2)
        let ve = SIMD8<Float>(repeating: eps), vs = SIMD8<Float>(repeating: stepSize)
        let vr = SIMD8<Float>(repeating: rootCorrection)
        var k = 0
        while k < count {
            let gv = UnsafeRawPointer(g + k).loadUnaligned(as: SIMD8<Float>.self)
            var mv = UnsafeRawPointer(m + k).loadUnaligned(as: SIMD8<Float>.self)
            var vv = UnsafeRawPointer(v + k).loadUnaligned(as: SIMD8<Float>.self)
            var pv = UnsafeRawPointer(p + k).loadUnaligned(as: SIMD8<Float>.self)
            mv = vb1 * mv + c1 * gv
            vv = vb2 * vv + c2 * gv * gv
            pv -= vs * mv / (vv.squareRoot() * vr + ve)
            UnsafeMutableRawPointer(m + k).storeBytes(of: mv, as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(v + k).storeBytes(of: vv, as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(p + k).storeBytes(of: pv, as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(g + k).storeBytes(of: SIMD8<Float>(), as: SIMD8<Float>.self)
            k += 8
        }
    }
}
