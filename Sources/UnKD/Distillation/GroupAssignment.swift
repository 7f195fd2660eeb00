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
/// The K first layers are stored as one Linear(d_s -> K h), group g owning rows g h ..< (g + 1) h; each group's
/// networks run on the entities that chose it (`GroupPass`), so a nearly one-hot choice costs one group, not K.
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
    /// The work goes group by group: each group's networks run only on the entities whose choice gives the group a
    /// weight z of at least `cutoff`. With `cutoff` 0 every entity runs through every group and the result is exact.
    /// At the low temperature of HTD (0.1) a small cutoff (1e-6) leaves few groups per entity (about 3.6 of 30 on
    /// MovieLens-1M, since the runner-up often keeps more than 1e-6) and changes the mixture by less than K times the
    /// cutoff in relative terms; the dropped groups' share of the assignment network's gradient (which is proportional
    /// to their z) is dropped with them.
    ///
    /// - Parameters:
    ///   - student: `count` x d_s, compact; `teacher`: `count` x d_t, compact.
    ///   - probabilities: v's output for these entities (`count` x K).
    ///   - studentGradient: `count` x d_s, added to.
    ///   - noise: the Gumbel noise as `RandomSource.gumbelBits()` draws, K per entity in order (`count` x K).
    func accumulate(student: UnsafePointer<Float>, teacher: UnsafePointer<Float>, count n: Int, probabilities a: [Float],
                    weight: Float, cutoff: Float = 0, parameters: UnsafePointer<Float>,
                    parameterGradient: UnsafeMutablePointer<Float>, studentGradient: UnsafeMutablePointer<Float>,
                    noise: UnsafePointer<UInt32>) -> Double {
        let k = groups, dt = teacherDimension
        guard n > 0 else { return 0 }
        var choice = [Float](repeating: 0, count: n * k)
        choice.withUnsafeMutableBufferPointer { z in
            a.withUnsafeBufferPointer { a in
                Parallel.forEachChunk(n) { rows in
                    for r in rows { assignment.select(a.baseAddress! + r * k, noise: noise + r * k, into: z.baseAddress! + r * k) }
                }
            }
        }
        var members = [[Int32]](repeating: [], count: k)
        for r in 0..<n { for g in 0..<k where choice[r * k + g] >= cutoff { members[g].append(Int32(r)) } }

        // Forward: each group's network on its members (the groups side by side on the cores: each pass only reads
        // shared inputs), then F = sum over a row's groups of z f_g(s), added in group order.
        let used = (0..<k).filter { !members[$0].isEmpty }
        let passes = Parallel.map(used.count, size: { members[used[$0]].count }) { i in
            GroupPass(group: used[i], members: members[used[i]], of: self, student: student, parameters: parameters)
        }
        var mixture = [Float](repeating: 0, count: n * dt)
        for pass in passes {
            for (m, r) in pass.members.enumerated() {
                let z = choice[Int(r) * k + pass.group]
                for c in 0..<dt { mixture[Int(r) * dt + c] += z * pass.outputs[m * dt + c] }
            }
        }
        // GA and d(weight GA)/dF = -2 weight (t - F).
        var loss = 0.0
        var mixtureGradient = [Float](repeating: 0, count: n * dt)
        for c in 0..<(n * dt) {
            let residual = teacher[c] - mixture[c]
            loss += Double(residual * residual)
            mixtureGradient[c] = -2 * weight * residual
        }
        // Backward, group by group: d/dz = <f_g(s), dF>, and z dF flows back through f_g. A group writes only its own
        // layers' gradient and its own column of d/dz, so the groups again run side by side; their gradients with
        // respect to the students' embeddings, which overlap, are added afterwards in group order.
        var choiceGradient = [Float](repeating: 0, count: n * k)
        let inputGradients = choiceGradient.withUnsafeMutableBufferPointer { dz in
            let dz = dz.baseAddress!
            return Parallel.map(passes.count, size: { passes[$0].members.count }) { p in
                passes[p].backward(self, choice: choice, mixtureGradient: mixtureGradient, choiceGradient: dz,
                                   parameters: parameters, parameterGradient: parameterGradient)
            }
        }
        for (pass, inputGradient) in zip(passes, inputGradients) {
            for (row, r) in pass.members.enumerated() {
                for c in 0..<studentDimension { studentGradient[Int(r) * studentDimension + c] += inputGradient[row * studentDimension + c] }
            }
        }
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

/// One group's network f_g(s) = W2 ReLU(W1 s + b1) + b2 run on the entities that chose it, with what its backward pass
/// needs. The group's first layer is rows g h ..< (g + 1) h of the stacked first layer.
struct GroupPass {
    let group: Int
    /// The entities (indices into the batch's compact rows).
    let members: [Int32]
    /// Their students' embeddings, gathered (m x d_s).
    let inputs: [Float]
    /// ReLU(W1 s + b1) (m x h).
    let hidden: [Float]
    /// f_g(s) (m x d_t).
    let outputs: [Float]

    init(group g: Int, members: [Int32], of networks: GroupAssignment, student: UnsafePointer<Float>, parameters: UnsafePointer<Float>) {
        let m = members.count, ds = networks.studentDimension, h = networks.hidden, dt = networks.teacherDimension
        self.group = g
        self.members = members
        var inputs = [Float](repeating: 0, count: m * ds)
        for (row, r) in members.enumerated() { for c in 0..<ds { inputs[row * ds + c] = student[Int(r) * ds + c] } }
        var hidden = [Float](repeating: 0, count: m * h)
        let bias1 = parameters + networks.first.biasOffset + g * h
        for row in 0..<m { for j in 0..<h { hidden[row * h + j] = bias1[j] } }
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(m), Int32(h), Int32(ds),
                    1, inputs, Int32(ds), parameters + networks.first.offset + g * h * ds, Int32(ds), 1, &hidden, Int32(h))
        for c in hidden.indices { hidden[c] = max(hidden[c], 0) }
        var outputs = [Float](repeating: 0, count: m * dt)
        hidden.withUnsafeBufferPointer { x in
            outputs.withUnsafeMutableBufferPointer { y in
                networks.second[g].forward(x.baseAddress!, xStride: h, rows: m, parameters: parameters, into: y.baseAddress!, yStride: dt)
            }
        }
        self.inputs = inputs
        self.hidden = hidden
        self.outputs = outputs
    }

    /// Adds this group's share of the gradients with respect to its own layers and to the choices (column `group`
    /// of `choiceGradient`, n x K), given dF for every entity, and returns the gradient with respect to its members'
    /// student embeddings (m x d_s), which the caller adds up.
    func backward(_ networks: GroupAssignment, choice: [Float], mixtureGradient: [Float], choiceGradient: UnsafeMutablePointer<Float>,
                  parameters: UnsafePointer<Float>, parameterGradient: UnsafeMutablePointer<Float>) -> [Float] {
        let m = members.count, ds = networks.studentDimension, h = networks.hidden, dt = networks.teacherDimension
        let k = networks.groups, g = group
        // d/dz_rg = <f_g(s_r), dF_r>; d/d f_g(s_r) = z_rg dF_r.
        var outputGradient = [Float](repeating: 0, count: m * dt)
        for (row, r) in members.enumerated() {
            let z = choice[Int(r) * k + g]
            var total: Float = 0
            for c in 0..<dt {
                let d = mixtureGradient[Int(r) * dt + c]
                total += outputs[row * dt + c] * d
                outputGradient[row * dt + c] = z * d
            }
            choiceGradient[Int(r) * k + g] += total
        }
        var hiddenGradient = [Float](repeating: 0, count: m * h)
        hidden.withUnsafeBufferPointer { x in
            hiddenGradient.withUnsafeMutableBufferPointer { dx in
                networks.second[g].backward(x.baseAddress!, xStride: h, rows: m, outputGradient: outputGradient, dyStride: dt,
                                            parameters: parameters, parameterGradient: parameterGradient,
                                            inputGradient: dx.baseAddress!, dxStride: h)
            }
        }
        for c in hiddenGradient.indices where hidden[c] <= 0 { hiddenGradient[c] = 0 }
        // The first layer's rows of this group: dW1 += dUᵀ S, db1 += sum dU, dS = dU W1.
        let weight1 = networks.first.offset + g * h * ds, bias1 = networks.first.biasOffset + g * h
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(h), Int32(ds), Int32(m),
                    1, hiddenGradient, Int32(h), inputs, Int32(ds), 1, parameterGradient + weight1, Int32(ds))
        for row in 0..<m { for j in 0..<h { parameterGradient[bias1 + j] += hiddenGradient[row * h + j] } }
        var inputGradient = [Float](repeating: 0, count: m * ds)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(ds), Int32(h),
                    1, hiddenGradient, Int32(h), parameters + weight1, Int32(ds), 0, &inputGradient, Int32(ds))
        return inputGradient
    }
}
