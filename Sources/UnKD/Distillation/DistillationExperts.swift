import Foundation

/// Distillation Experts (DE), the "DE" of DE-RRD, for one side (users or items): the student's embedding is mapped
/// into the teacher's space by one of several experts, chosen per entity, and pulled towards the teacher's embedding.
///
/// As in the UnKD code: E experts Linear(d_s -> h) -> Linear(h -> d_t) -> ReLU with h = (d_t + d_s) / 2 (no
/// non-linearity between the two linears, a ReLU on the output); a gate Linear(d_t -> E) + softmax on the teacher's
/// embedding t gives the selection probabilities; the expert is chosen by Gumbel-softmax at a fixed temperature, and
/// the loss of an entity is ||t - sum_e z_e Expert_e(s)||^2.
///
/// The loss is a weighted sum over rows, each row naming an entity; an entity appears in many rows (a user once per
/// batch row, an item once per batch row whose user sampled it), each with its own noise. Two facts make this cheap:
/// the experts' outputs y_e depend on the entity only, so the networks run once per distinct entity; and with
/// b_e = <y_e, t> and the Gram matrix G_ee' = <y_e, y_e'> of the entity,
/// ||t - sum_e z_e y_e||^2 = ||t||^2 - 2 zᵀb + zᵀGz, so a row costs O(E^2) instead of O(E d_t). The gradient with
/// respect to the outputs sums over rows the same way, through sum_rows w z_e and sum_rows w z_e z_e'. The experts
/// themselves run folded into one affine map each (`ComposedExperts`), and the per-row loop on SIMD registers with one
/// lane per expert (`ExpertChoiceRows`, hence at most 8 experts).
struct DistillationExperts {
    /// d_s.
    let studentDimension: Int
    /// d_t.
    let teacherDimension: Int
    /// h = (d_t + d_s) / 2.
    let hidden: Int
    /// E.
    let experts: Int
    /// The first layers of all experts as one Linear(d_s -> E h): they share their input, so one product serves all.
    let first: DenseLayer
    /// Each expert's second layer, Linear(h -> d_t).
    let second: [DenseLayer]
    /// The gate on the teacher's embedding.
    let gate: AssignmentNetwork
    /// The two large buffers of a step (every entity's expert outputs and their gradient), kept from step to step so
    /// that a step does not fault in fresh pages for them.
    let scratch = ExpertScratch()

    /// Reserves the experts' and the gate's layers in `parameters`.
    init(studentDimension: Int, teacherDimension: Int, experts: Int, temperature: Float, parameters: inout NetworkParameters) {
        precondition((1...ExpertChoiceRows.maximumExperts).contains(experts),
                     "DE takes 1 to \(ExpertChoiceRows.maximumExperts) experts per side, not \(experts)")
        self.studentDimension = studentDimension
        self.teacherDimension = teacherDimension
        let hidden = (teacherDimension + studentDimension) / 2
        self.hidden = hidden
        self.experts = experts
        first = parameters.layer(inputs: studentDimension, outputs: experts * hidden)
        var second: [DenseLayer] = []
        for _ in 0..<experts { second.append(parameters.layer(inputs: hidden, outputs: teacherDimension)) }
        self.second = second
        gate = AssignmentNetwork(layer: parameters.layer(inputs: teacherDimension, outputs: experts), temperature: temperature)
    }

    /// Every layer, for initialisation.
    var layers: [DenseLayer] { [first] + second + [gate.layer] }

    /// The row stride of teacher rows and expert outputs inside `accumulate`: d_t rounded up to whole SIMD blocks of 8,
    /// the padding being zeros, so that every inner product and update runs on SIMD kernels.
    var outputStride: Int { (teacherDimension + 7) / 8 * 8 }

    /// Adds the gradient of sum_r weight_r ||t - ŝ_r||^2 into `parameterGradient` and `studentGradient`, and returns
    /// that loss.
    ///
    /// - Parameters:
    ///   - student: the distinct entities' student embeddings, `count` x d_s, compact.
    ///   - teacher: their teacher embeddings, `count` rows of `outputStride` floats, zero past d_t.
    ///   - rowEntity: for each row, the index of its entity in `0..<count`.
    ///   - rowWeight: for each row, its weight.
    ///   - studentGradient: `count` x d_s, added to.
    ///   - random: the Gumbel noise, drawn row after row.
    func accumulate(student: UnsafePointer<Float>, teacher: UnsafePointer<Float>, count n: Int,
                    rowEntity: [Int32], rowWeight: [Float], parameters: UnsafePointer<Float>,
                    parameterGradient: UnsafeMutablePointer<Float>, studentGradient: UnsafeMutablePointer<Float>,
                    random: inout RandomSource) -> Double {
        let e = experts, p = outputStride
        guard n > 0 else { return 0 }
        // Both are written in full before being read (the gradient row by row, zeroed where it is built, on both
        // cores), so they are only grown, never cleared.
        if scratch.outputs.count < n * e * p { scratch.outputs = [Float](repeating: 0, count: n * e * p) }
        if scratch.outputGradient.count < n * e * p { scratch.outputGradient = [Float](repeating: 0, count: n * e * p) }
        var probabilities = [Float](repeating: 0, count: n * e)
        // The per-row loop's inputs and sums, one SIMD8 per entity and expert slot (`ExpertChoiceRows`'s layout).
        var paddedLogProbabilities = [SIMD8<Float>](repeating: SIMD8(), count: n)
        var paddedProbabilities = [SIMD8<Float>](repeating: SIMD8(), count: n)
        var gram = [SIMD8<Float>](repeating: SIMD8(), count: n * 8), alignment = [SIMD8<Float>](repeating: SIMD8(), count: n)
        var targetNorm = [Float](repeating: 0, count: n)
        // Per entity: sum_rows w z (E) and sum_rows w z zᵀ (E x E), and d(loss)/d(probabilities).
        var choiceMass = [SIMD8<Float>](repeating: SIMD8(), count: n), choiceMoment = [SIMD8<Float>](repeating: SIMD8(), count: n * 8)
        var paddedGradient = [SIMD8<Float>](repeating: SIMD8(), count: n), probabilityGradient = [Float](repeating: 0, count: n * e)
        var loss = 0.0
        let composed = ComposedExperts(self, parameters: parameters, outputStride: p)
        scratch.outputs.withUnsafeMutableBufferPointer { y in
        probabilities.withUnsafeMutableBufferPointer { a in
            let y = y.baseAddress!, a = a.baseAddress!
            composed.forward(student, rows: n, into: y)
            gate.probabilities(teacher, teacherStride: p, rows: n, parameters: parameters, into: a)
            for r in 0..<n {
                for k in 0..<e {
                    paddedProbabilities[r][k] = a[r * e + k]
                    paddedLogProbabilities[r][k] = log(a[r * e + k] + 1e-10)
                }
            }

            // Per entity, independently (so split over the cores): |t|^2, b = <y_e, t> and G = <y_e, y_e'>.
            targetNorm.withUnsafeMutableBufferPointer { norm in
            alignment.withUnsafeMutableBufferPointer { align in
            gram.withUnsafeMutableBufferPointer { gramBuffer in
                let norm = norm.baseAddress!, align = align.baseAddress!, gram = gramBuffer.baseAddress!
                Parallel.forEachChunk(n, minimumChunk: 512) { entities in
                    for r in entities {
                        let t = teacher + r * p, yr = y + r * e * p
                        norm[r] = VectorKernels.dot(t, t, stride: p)
                        for k in 0..<e {
                            align[r][k] = VectorKernels.dot(yr + k * p, t, stride: p)
                            for l in k..<e {
                                let g = VectorKernels.dot(yr + k * p, yr + l * p, stride: p)
                                gram[r * 8 + k][l] = g
                                gram[r * 8 + l][k] = g
                            }
                        }
                    }
                }
            }
            }
            }

            // Per row: a fresh choice z, the row's loss, and the sums over rows the backward pass needs. The rows are
            // grouped by entity (a counting sort), and the entities cut into two fixed halves of about equal rows, run
            // side by side with noise streams of their own: the result does not depend on the number of cores.
            var rowStart = [Int32](repeating: 0, count: n + 1)
            var groupedWeight = [Float](repeating: 0, count: rowEntity.count)
            rowStart.withUnsafeMutableBufferPointer { start in
            rowEntity.withUnsafeBufferPointer { entity in
            rowWeight.withUnsafeBufferPointer { weight in
            groupedWeight.withUnsafeMutableBufferPointer { grouped in
                for r in entity { start[Int(r) + 1] += 1 }
                for r in 0..<n { start[r + 1] += start[r] }
                var next = Array(start.prefix(n))
                for row in entity.indices {
                    let r = Int(entity[row])
                    grouped[Int(next[r])] = weight[row]
                    next[r] += 1
                }
            }
            }
            }
            }
            let split = rowStart.firstIndex { Int($0) >= rowEntity.count / 2 } ?? n
            let halves = [0..<split, split..<n]
            let streams = halves.map { _ in RandomSource(seed: random.next()) }
            var partLoss = [Double](repeating: 0, count: 2)
            paddedLogProbabilities.withUnsafeBufferPointer { logA in
            paddedProbabilities.withUnsafeBufferPointer { paddedA in
            gram.withUnsafeBufferPointer { gram in
            alignment.withUnsafeBufferPointer { alignment in
            targetNorm.withUnsafeBufferPointer { targetNorm in
            rowStart.withUnsafeBufferPointer { rowStart in
            groupedWeight.withUnsafeBufferPointer { groupedWeight in
            choiceMass.withUnsafeMutableBufferPointer { mass in
            choiceMoment.withUnsafeMutableBufferPointer { moment in
            paddedGradient.withUnsafeMutableBufferPointer { gradient in
            partLoss.withUnsafeMutableBufferPointer { partLoss in
                let kernel = ExpertChoiceRows(experts: e, inverseTemperature: 1 / gate.temperature,
                                              logProbabilities: logA.baseAddress!, probabilities: paddedA.baseAddress!,
                                              gram: gram.baseAddress!, alignment: alignment.baseAddress!,
                                              targetNorm: targetNorm.baseAddress!)
                Parallel.run(chunks: 2) { half in
                    var noise = streams[half]
                    partLoss[half] = kernel.run(halves[half], rowStart: rowStart.baseAddress!,
                                                rowWeight: groupedWeight.baseAddress!, noise: &noise,
                                                mass: mass.baseAddress!, moment: moment.baseAddress!,
                                                probabilityGradient: gradient.baseAddress!)
                }
            }
            }
            }
            }
            }
            }
            }
            }
            }
            }
            }
            for r in 0..<n {
                for k in 0..<e { probabilityGradient[r * e + k] = paddedGradient[r][k] }
            }
            loss = partLoss[0] + partLoss[1]

            // d(loss)/dy_e = -2 (sum w z_e) t + 2 sum_e' (sum w z_e z_e') y_e', through the output ReLU.
            scratch.outputGradient.withUnsafeMutableBufferPointer { dy in
                let dy = dy.baseAddress!
                choiceMass.withUnsafeBufferPointer { mass in
                choiceMoment.withUnsafeBufferPointer { moment in
                    let mass = mass.baseAddress!, moment = moment.baseAddress!
                    Parallel.forEachChunk(n, minimumChunk: 512) { entities in
                        for r in entities {
                            let t = teacher + r * p, yr = y + r * e * p, dyr = dy + r * e * p
                            // Eight columns at a time, summed in registers and stored once.
                            for k in 0..<e {
                                let out = dyr + k * p, own = yr + k * p
                                let toTarget = SIMD8<Float>(repeating: -2 * mass[r][k]), toOutputs = 2 * moment[r * 8 + k]
                                for c in Swift.stride(from: 0, to: p, by: 8) {
                                    var sum = toTarget * UnsafeRawPointer(t + c).loadUnaligned(as: SIMD8<Float>.self)
                                    for l in 0..<e {
                                        sum.addProduct(SIMD8(repeating: toOutputs[l]),
                                                       UnsafeRawPointer(yr + l * p + c).loadUnaligned(as: SIMD8<Float>.self))
                                    }
                                    let ownValue = UnsafeRawPointer(own + c).loadUnaligned(as: SIMD8<Float>.self)
                                    UnsafeMutableRawPointer(out + c).storeBytes(of: sum.replacing(with: 0, where: ownValue .<= 0),
                                                                                as: SIMD8<Float>.self)
                                }
                            }
                        }
                    }
                }
                }
                composed.backward(student, rows: n, outputGradient: dy, parameters: parameters,
                                  parameterGradient: parameterGradient, studentGradient: studentGradient)
            }
            probabilityGradient.withUnsafeMutableBufferPointer { da in
                gate.backward(teacher, teacherStride: p, rows: n, probabilities: a, gradient: da.baseAddress!,
                              parameters: parameters, parameterGradient: parameterGradient)
            }
        }
        }
        return loss
    }
}

/// Buffers that `DistillationExperts` reuses from step to step, grown when a step has more entities, never shrunk.
final class ExpertScratch {
    var outputs: [Float] = []
    var outputGradient: [Float] = []
}
