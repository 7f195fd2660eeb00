import COpenBLAS

/// The experts of `DistillationExperts` folded into one affine map per expert, for speed.
///
/// An expert is Linear(d_s -> h) then Linear(h -> d_t) then ReLU, with nothing between the two linears, so before the
/// ReLU it is the single affine map A_e s + c_e with A_e = W2_e W1_e (d_t x d_s) and c_e = W2_e b1_e + b2_e. Forming
/// A_e once per step costs d_t h d_s; applying it then costs d_t d_s per entity instead of h (d_s + d_t), about 6x less
/// for the paper's students (d_s = 10, d_t = 100, h = 55), and the backward pass shrinks the same way. The parameters
/// are still W1, b1, W2, b2 (they are what Adam updates); their gradients follow from those of A and c by the chain
/// rule. The result equals the unfolded network's up to floating-point rounding.
struct ComposedExperts {
    let experts: DistillationExperts
    /// Each expert's block of outputs: d_t values and zeros up to this stride.
    let outputStride: Int
    /// The stacked maps, (E p) x d_s with p the output stride: row e p + c is row c of A_e (zero for c >= d_t).
    private(set) var map: [Float]
    /// The stacked offsets c_e, E p (zero padded likewise).
    private(set) var offset: [Float]

    /// Folds the experts' current parameters.
    init(_ experts: DistillationExperts, parameters: UnsafePointer<Float>, outputStride p: Int) {
        self.experts = experts
        self.outputStride = p
        let e = experts.experts, h = experts.hidden, ds = experts.studentDimension, dt = experts.teacherDimension
        var map = [Float](repeating: 0, count: e * p * ds), offset = [Float](repeating: 0, count: e * p)
        for k in 0..<e {
            let w1 = parameters + experts.first.offset + k * h * ds, b1 = parameters + experts.first.biasOffset + k * h
            let w2 = parameters + experts.second[k].offset, b2 = parameters + experts.second[k].biasOffset
            map.withUnsafeMutableBufferPointer { m in
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(dt), Int32(ds), Int32(h),
                            1, w2, Int32(h), w1, Int32(ds), 0, m.baseAddress! + k * p * ds, Int32(ds))
            }
            offset.withUnsafeMutableBufferPointer { c in
                let ck = c.baseAddress! + k * p
                ck.update(from: b2, count: dt)
                cblas_sgemv(CblasRowMajor, CblasNoTrans, Int32(dt), Int32(h), 1, w2, Int32(h), b1, 1, 1, ck, 1)
            }
        }
        self.map = map
        self.offset = offset
    }

    /// The two fixed halves of `n` rows that the products below run side by side (single-threaded BLAS each, as the
    /// caller sets): fixed, so the numbers do not depend on the number of cores.
    static func halves(_ n: Int) -> [Range<Int>] { [0..<(n / 2), (n / 2)..<n] }

    /// y = ReLU(S Aᵀ + c) for `rows` compact student rows, into `y` (rows x E p, expert after expert).
    func forward(_ student: UnsafePointer<Float>, rows n: Int, into y: UnsafeMutablePointer<Float>) {
        let width = offset.count, ds = experts.studentDimension
        let halves = Self.halves(n)
        Parallel.run(chunks: 2) { half in
            let rows = halves[half], y = y + rows.lowerBound * width
            guard !rows.isEmpty else { return }
            for r in 0..<rows.count { (y + r * width).update(from: offset, count: width) }
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(rows.count), Int32(width), Int32(ds),
                        1, student + rows.lowerBound * ds, Int32(ds), map, Int32(ds), 1, y, Int32(width))
            for k in 0..<(rows.count * width) { y[k] = max(y[k], 0) }
        }
    }

    /// Back-propagates `dy` = d(loss)/dy (already zero where the ReLU was off) into the gradients of W1, b1, W2, b2 and
    /// adds d(loss)/dS into `studentGradient`.
    func backward(_ student: UnsafePointer<Float>, rows n: Int, outputGradient dy: UnsafePointer<Float>,
                  parameters: UnsafePointer<Float>, parameterGradient: UnsafeMutablePointer<Float>,
                  studentGradient: UnsafeMutablePointer<Float>) {
        let e = experts.experts, h = experts.hidden, ds = experts.studentDimension, dt = experts.teacherDimension
        let p = outputStride, width = e * p
        // Each half of the rows gives its share of dA and dc (added in a fixed order) and its rows of dS.
        let halves = Self.halves(n)
        var parts = [Float](repeating: 0, count: 2 * width * (ds + 1))
        parts.withUnsafeMutableBufferPointer { parts in
            let parts = parts.baseAddress!
            Parallel.run(chunks: 2) { half in
                let rows = halves[half], dyHalf = dy + rows.lowerBound * width
                let dA = parts + half * width * (ds + 1), dc = dA + width * ds
                guard !rows.isEmpty else { return }
                cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(width), Int32(ds), Int32(rows.count),
                            1, dyHalf, Int32(width), student + rows.lowerBound * ds, Int32(ds), 0, dA, Int32(ds))
                for r in 0..<rows.count {
                    let row = dyHalf + r * width
                    for c in 0..<width { dc[c] += row[c] }
                }
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(rows.count), Int32(ds), Int32(width),
                            1, dyHalf, Int32(width), map, Int32(ds), 1, studentGradient + rows.lowerBound * ds, Int32(ds))
            }
        }
        let second = width * (ds + 1)
        let mapGradient = (0..<(width * ds)).map { parts[$0] + parts[second + $0] }
        let offsetGradient = (0..<width).map { parts[width * ds + $0] + parts[second + width * ds + $0] }
        // A = W2 W1 and c = W2 b1 + b2: dW2 = dA W1ᵀ + dc b1ᵀ, dW1 = W2ᵀ dA, db1 = W2ᵀ dc, db2 = dc.
        mapGradient.withUnsafeBufferPointer { dm in
        offsetGradient.withUnsafeBufferPointer { dc in
            for k in 0..<e {
                let dA = dm.baseAddress! + k * p * ds, dck = dc.baseAddress! + k * p
                let w1 = parameters + experts.first.offset + k * h * ds, b1 = parameters + experts.first.biasOffset + k * h
                let w2 = parameters + experts.second[k].offset
                let gw1 = parameterGradient + experts.first.offset + k * h * ds
                let gb1 = parameterGradient + experts.first.biasOffset + k * h
                let gw2 = parameterGradient + experts.second[k].offset, gb2 = parameterGradient + experts.second[k].biasOffset
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(dt), Int32(h), Int32(ds),
                            1, dA, Int32(ds), w1, Int32(ds), 1, gw2, Int32(h))
                cblas_sger(CblasRowMajor, Int32(dt), Int32(h), 1, dck, 1, b1, 1, gw2, Int32(h))
                cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(h), Int32(ds), Int32(dt),
                            1, w2, Int32(h), dA, Int32(ds), 1, gw1, Int32(ds))
                cblas_sgemv(CblasRowMajor, CblasTrans, Int32(dt), Int32(h), 1, w2, Int32(h), dck, 1, 1, gb1, 1)
                for c in 0..<dt { gb2[c] += dck[c] }
            }
        }
        }
    }
}
