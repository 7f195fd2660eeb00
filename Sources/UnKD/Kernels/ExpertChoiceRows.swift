/// The per-row loop of DE's loss (`DistillationExperts`): for each row a fresh Gumbel-softmax choice z of an expert,
/// the row's loss ||t||^2 - 2 zᵀb + zᵀGz, and the sums over rows the backward pass needs. It runs tens of millions of
/// times per epoch (every batch row's user and each of its 40 items), so it runs on whole `SIMD8<Float>` registers
/// with one lane per row: eight rows of one entity advance together, expert by expert, without any sum across lanes
/// until the entity is done.
///
/// Layout of the per-entity inputs and outputs: every vector is 8 floats, one per expert (lanes past E are padding,
/// hence at most `maximumExperts` experts), and every matrix 8 x 8 (rows past E unused).
struct ExpertChoiceRows {
    /// E <= 8: one lane of a SIMD8 register per expert.
    static let maximumExperts = 8
    /// E.
    let experts: Int
    /// 1 / tau of the Gumbel-softmax.
    let inverseTemperature: Float
    /// Per entity: log(a + 1e-10).
    let logProbabilities: UnsafePointer<SIMD8<Float>>
    /// Per entity: a (padding lanes are never read).
    let probabilities: UnsafePointer<SIMD8<Float>>
    /// Per entity: G, 8 rows of 8.
    let gram: UnsafePointer<SIMD8<Float>>
    /// Per entity: b = <y_e, t>, padded with 0.
    let alignment: UnsafePointer<SIMD8<Float>>
    /// Per entity: ||t||^2.
    let targetNorm: UnsafePointer<Float>

    /// Runs the rows of `entities`, which are grouped by entity: entity r's rows are the positions
    /// `rowStart[r]..<rowStart[r + 1]`, with weights `rowWeight[position]`. Draws E noise values per row from `noise`,
    /// eight rows at a time (expert by expert, and row by row within an expert), and writes per entity sum w z into
    /// `mass`, sum w z zᵀ into `moment` (8 rows of 8) and d(loss)/da into `probabilityGradient`. Returns
    /// sum w ||t - sum_e z_e y_e||^2.
    ///
    /// Rows come grouped so that an entity's data is loaded once and its sums stay in the L1 cache: taken in batch
    /// order, each row would miss the cache for its entity's Gram matrix and sums. The noise of eight rows is written
    /// to memory before any of it is read as a vector: writing a vector's lanes one by one and loading it at once
    /// stalls on every row. Done one row at a time with the C library's `logf` and `expf`, this choice was a third of a
    /// DE-RRD epoch (docs/performance.md#de-rrd).
    ///
    /// Complexity: per row, O(E^2) multiply-adds, and 2E logarithms and E exponentials, all an eighth of a vector
    /// operation.
    func run(_ entities: Range<Int>, rowStart: UnsafePointer<Int32>, rowWeight: UnsafePointer<Float>,
             noise: inout RandomSource, mass: UnsafeMutablePointer<SIMD8<Float>>,
             moment: UnsafeMutablePointer<SIMD8<Float>>, probabilityGradient: UnsafeMutablePointer<SIMD8<Float>>) -> Double {
        let e = experts
        var loss = 0.0
        // Per expert k (or pair k, l): a vector over the eight rows in flight. `bits` holds their noise, drawn row
        // after row and then read a vector at a time; the sums run over all of the entity's rows.
        let work = UnsafeMutablePointer<SIMD8<Float>>.allocate(capacity: 5 * 8 + 64)
        defer { work.deallocate() }
        let z = work, gz = work + 8, massSum = work + 16, gradientSum = work + 24, momentSum = work + 40
        let bits = UnsafeMutableRawPointer(work + 32).bindMemory(to: UInt32.self, capacity: 64)
        for r in entities {
            let logA = logProbabilities[r], b = alignment[r], norm = targetNorm[r], g = gram + r * 8
            for k in 0..<e { massSum[k] = SIMD8(); gradientSum[k] = SIMD8() }
            for k in 0..<(e * 8) { momentSum[k] = SIMD8() }
            var lossSum = SIMD8<Float>()
            var position = Int(rowStart[r])
            let end = Int(rowStart[r + 1])
            while position < end {
                // Up to eight rows; missing ones get weight 0 and the noise of u = 1/2, and draw nothing.
                let count = min(8, end - position)
                let w = VectorKernels.load(rowWeight + position, lanes: count)
                for k in 0..<e {
                    for j in 0..<count { bits[k * 8 + j] = noise.gumbelBits() }
                    for j in count..<8 { bits[k * 8 + j] = 1 << 23 }
                }
                let lanes = UnsafeRawPointer(bits)

                // z = softmax over experts of (log a + g) / tau, each lane its own row.
                var top = SIMD8<Float>(repeating: -.infinity)
                for k in 0..<e {
                    let noiseBits = lanes.loadUnaligned(fromByteOffset: k * 32, as: SIMD8<UInt32>.self)
                    z[k] = (logA[k] + VectorMath.gumbel(bits: noiseBits)) * inverseTemperature
                    top.replace(with: z[k], where: z[k] .> top)
                }
                var total = SIMD8<Float>()
                for k in 0..<e {
                    z[k] = VectorMath.expOfNonPositive(z[k] - top)
                    total += z[k]
                }
                let scale = 1 / total
                for k in 0..<e { z[k] *= scale }

                // Gz, the loss ||t||^2 + zᵀ(Gz - 2b), d(loss)/dz = 2w (Gz - b), and the sums.
                var value = SIMD8<Float>(repeating: norm), zdz = SIMD8<Float>()
                for k in 0..<e {
                    var sum = SIMD8<Float>()
                    for l in 0..<e { sum.addProduct(z[l], g[k][l]) }
                    gz[k] = sum
                    value.addProduct(z[k], sum - 2 * b[k])
                }
                lossSum.addProduct(w, value)
                for k in 0..<e {
                    let wz = w * z[k]
                    massSum[k] += wz
                    for l in k..<e { momentSum[k * 8 + l].addProduct(wz, z[l]) }
                    gz[k] = 2 * w * (gz[k] - b[k])
                    zdz.addProduct(z[k], gz[k])
                }
                // Back through the Gumbel-softmax: d(loss)/da_k = z_k (dz_k - zᵀdz) / (tau (a_k + 1e-10)), the
                // division done once per entity.
                for k in 0..<e { gradientSum[k].addProduct(z[k], gz[k] - zdz) }
                position += count
            }
            let selectionScale = inverseTemperature / (probabilities[r] + 1e-10)
            var entityMass = SIMD8<Float>(), entityGradient = SIMD8<Float>()
            let m = moment + r * 8
            for k in 0..<e {
                entityMass[k] = massSum[k].sum()
                entityGradient[k] = gradientSum[k].sum() * selectionScale[k]
                m[k] = SIMD8()
            }
            for k in 0..<e {
                for l in k..<e {
                    let sum = momentSum[k * 8 + l].sum()
                    m[k][l] = sum
                    m[l][k] = sum
                }
            }
            mass[r] = entityMass
            probabilityGradient[r] = entityGradient
            loss += Double(lossSum.sum())
        }
        return loss
    }
}
