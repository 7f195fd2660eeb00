import COpenBLAS
import Foundation

/// HTD's group assignment (GA) for one side (users or items): each entity is softly assigned to one of K groups, and
/// the group's network maps the student's embedding into the teacher's space.
///
/// As in the UnKD code: an assignment network v = Linear(d_t -> K) + softmax on the teacher's embedding t gives the
/// group probabilities; a group is chosen by Gumbel-softmax at temperature 0.1; the group networks
/// f_k = Linear(d_s -> h) -> ReLU -> Linear(h -> d_t), h = (d_t + d_s) / 2, map the student's embedding s, and
/// GA = sum over the batch's distinct entities of ||t - sum_k z_k f_k(s)||^2 (a sum, not a mean). GA is what trains v;
/// the argmax of v then defines the groups of the topology term.
///
/// All K first layers read the same s, so they are one Linear(d_s -> K h). The mixture of the second layers is
/// sum_k z_k (W_k h_k + b_k) = sum_k W_k (z_k h_k) + Zᵀb: each second layer is applied to its z-scaled hidden units, and
/// the per-group outputs f_k(s) are never stored.
struct GroupAssignment {
    /// d_s.
    let studentDimension: Int
    /// d_t.
    let teacherDimension: Int
    /// h = (d_t + d_s) / 2.
    let hidden: Int
    /// K.
    let groups: Int
    /// The first layers of all groups' f, as one Linear(d_s -> K h).
    let first: DenseLayer
    /// Each group's second layer, Linear(h -> d_t).
    let second: [DenseLayer]
    /// v.
    let assignment: AssignmentNetwork

    /// Reserves the networks' layers in `parameters`.
    init(studentDimension: Int, teacherDimension: Int, groups: Int, temperature: Float, parameters: inout NetworkParameters) {
        self.studentDimension = studentDimension
        self.teacherDimension = teacherDimension
        let hidden = (teacherDimension + studentDimension) / 2
        self.hidden = hidden
        self.groups = groups
        first = parameters.layer(inputs: studentDimension, outputs: groups * hidden)
        var second: [DenseLayer] = []
        for _ in 0..<groups { second.append(parameters.layer(inputs: hidden, outputs: teacherDimension)) }
        self.second = second
        assignment = AssignmentNetwork(layer: parameters.layer(inputs: teacherDimension, outputs: groups), temperature: temperature)
    }

    /// Every layer, for initialisation.
    var layers: [DenseLayer] { [first] + second + [assignment.layer] }

    /// v's probabilities (`count` x K) for compact teacher rows (`count` x d_t).
    func probabilities(teacher: UnsafePointer<Float>, count: Int, parameters: UnsafePointer<Float>) -> [Float] {
        var a = [Float](repeating: 0, count: count * groups)
        assignment.probabilities(teacher, teacherStride: teacherDimension, rows: count, parameters: parameters, into: &a)
        return a
    }

    /// Adds the gradient of `weight` x GA into `parameterGradient` and `studentGradient`, and returns GA (unweighted).
    ///
    /// - Parameters:
    ///   - student: `count` x d_s, compact; `teacher`: `count` x d_t, compact.
    ///   - probabilities: v's output for these entities (`count` x K).
    ///   - studentGradient: `count` x d_s, added to.
    ///   - random: the Gumbel noise, K draws per entity in order.
    func accumulate(student: UnsafePointer<Float>, teacher: UnsafePointer<Float>, count n: Int, probabilities a: [Float],
                    weight: Float, parameters: UnsafePointer<Float>, parameterGradient: UnsafeMutablePointer<Float>,
                    studentGradient: UnsafeMutablePointer<Float>, random: inout RandomSource) -> Double {
        let k = groups, h = hidden, dt = teacherDimension, ds = studentDimension, width = k * h
        guard n > 0 else { return 0 }
        var units = [Float](repeating: 0, count: n * width)
        first.forward(student, xStride: ds, rows: n, parameters: parameters, into: &units, yStride: width)
        for c in units.indices { units[c] = max(units[c], 0) }
        var choice = [Float](repeating: 0, count: n * k)
        choice.withUnsafeMutableBufferPointer { z in
            a.withUnsafeBufferPointer { a in
                for r in 0..<n { assignment.select(a.baseAddress! + r * k, random: &random, into: z.baseAddress! + r * k) }
            }
        }
        var scaled = units
        for r in 0..<n {
            for g in 0..<k {
                let z = choice[r * k + g], base = r * width + g * h
                for j in 0..<h { scaled[base + j] *= z }
            }
        }
        // The groups' output biases, one row per group (K x d_t), for Zᵀb and its gradient.
        var biases = [Float](repeating: 0, count: k * dt)
        for g in 0..<k { for c in 0..<dt { biases[g * dt + c] = parameters[second[g].biasOffset + c] } }
        var mixture = [Float](repeating: 0, count: n * dt)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(n), Int32(dt), Int32(k),
                    1, choice, Int32(k), biases, Int32(dt), 0, &mixture, Int32(dt))
        scaled.withUnsafeBufferPointer { hz in
            mixture.withUnsafeMutableBufferPointer { f in
                for g in 0..<k {
                    second[g].forward(hz.baseAddress! + g * h, xStride: width, rows: n, parameters: parameters,
                                      into: f.baseAddress!, yStride: dt, accumulate: true, bias: false)
                }
            }
        }
        // GA and d(weight GA)/d(mixture) = -2 weight (t - mixture).
        var loss = 0.0
        var mixtureGradient = [Float](repeating: 0, count: n * dt)
        for c in 0..<(n * dt) {
            let residual = teacher[c] - mixture[c]
            loss += Double(residual * residual)
            mixtureGradient[c] = -2 * weight * residual
        }

        var scaledGradient = [Float](repeating: 0, count: n * width)
        scaled.withUnsafeBufferPointer { hz in
            scaledGradient.withUnsafeMutableBufferPointer { dhz in
                for g in 0..<k {
                    second[g].backward(hz.baseAddress! + g * h, xStride: width, rows: n, outputGradient: mixtureGradient,
                                       dyStride: dt, parameters: parameters, parameterGradient: parameterGradient,
                                       inputGradient: dhz.baseAddress! + g * h, dxStride: width, bias: false)
                }
            }
        }
        // d/db_k = sum_r z_rk dF_r (K x d_t); d/dz_rk gets <b_k, dF_r> (n x K).
        var biasGradient = [Float](repeating: 0, count: k * dt)
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(k), Int32(dt), Int32(n),
                    1, choice, Int32(k), mixtureGradient, Int32(dt), 0, &biasGradient, Int32(dt))
        for g in 0..<k { for c in 0..<dt { parameterGradient[second[g].biasOffset + c] += biasGradient[g * dt + c] } }
        var choiceGradient = [Float](repeating: 0, count: n * k)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(n), Int32(k), Int32(dt),
                    1, mixtureGradient, Int32(dt), biases, Int32(dt), 0, &choiceGradient, Int32(k))
        // Through the scaling by z: d/dz_rk += <h_rk, d(z h)_rk>, d/dh_rk = z_rk d(z h)_rk, then the ReLU.
        for r in 0..<n {
            for g in 0..<k {
                let z = choice[r * k + g], base = r * width + g * h
                var total: Float = 0
                for j in 0..<h {
                    total += units[base + j] * scaledGradient[base + j]
                    scaledGradient[base + j] = units[base + j] > 0 ? z * scaledGradient[base + j] : 0
                }
                choiceGradient[r * k + g] += total
            }
        }
        first.backward(student, xStride: ds, rows: n, outputGradient: scaledGradient, dyStride: width,
                       parameters: parameters, parameterGradient: parameterGradient,
                       inputGradient: studentGradient, dxStride: ds, accumulateInput: true)
        var probabilityGradient = [Float](repeating: 0, count: n * k)
        a.withUnsafeBufferPointer { a in
            choice.withUnsafeBufferPointer { z in
                choiceGradient.withUnsafeBufferPointer { dz in
                    probabilityGradient.withUnsafeMutableBufferPointer { da in
                        for r in 0..<n {
                            assignment.accumulateSelectionGradient(a.baseAddress! + r * k, choice: z.baseAddress! + r * k,
                                                                   gradient: dz.baseAddress! + r * k, into: da.baseAddress! + r * k)
                        }
                        assignment.backward(teacher, teacherStride: dt, rows: n, probabilities: a.baseAddress!,
                                            gradient: da.baseAddress!, parameters: parameters, parameterGradient: parameterGradient)
                    }
                }
            }
        }
        return loss
    }
}
