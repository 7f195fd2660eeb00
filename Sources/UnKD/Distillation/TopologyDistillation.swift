import COpenBLAS
import Foundation

/// HTD's topology distillation (TD) with the UnKD code's 'second' choice (group-to-entity topology): the student
/// learns the teacher's cosine similarities among entities of the same group and between every entity and every group
/// prototype.
///
/// Over the batch's N distinct users and items, with s the student's and t the teacher's ego embeddings, each entity
/// in the group given by the argmax of its side's assignment network (users in groups 0..<K, items in K..<2K):
///
///   TD = sum over ordered pairs (i, j) of the same group with cos(t_i, t_j) > 0 of (cos(s_i, s_j) - cos(t_i, t_j))^2
///      + sum over non-empty groups g and all entities n of (cos(P_g^s, s_n) - cos(P_g^t, t_n))^2,
///
/// where P_g is the mean of the group's members (the pair sum includes i = j, which contributes nothing). The groups
/// and the prototypes are constants, as in the code (computed without gradient), so the gradient reaches s only
/// directly. The prototype term is the code's unmasked one: the masked variant that keeps only entities outside the
/// group is commented out there. Pairs of different groups never count, so the pair term is computed group by group:
/// sum_g n_g^2 similarities instead of N^2.
enum TopologyDistillation {
    /// The mean of each group's rows (`groupCount` x `dimension`; zero for an empty group).
    static func prototypes(_ x: UnsafePointer<Float>, dimension d: Int, groups: [Int32], groupCount: Int) -> [Float] {
        var means = [Float](repeating: 0, count: groupCount * d), counts = [Int](repeating: 0, count: groupCount)
        for (n, g) in groups.enumerated() {
            counts[Int(g)] += 1
            for c in 0..<d { means[Int(g) * d + c] += x[n * d + c] }
        }
        for g in 0..<groupCount where counts[g] > 0 {
            for c in 0..<d { means[g * d + c] /= Float(counts[g]) }
        }
        return means
    }

    /// Adds the gradient of `weight` x TD into `studentGradient` (N x d_s) and returns TD (unweighted).
    ///
    /// - Parameters:
    ///   - student: N x d_s, compact; `teacher`: N x d_t, compact.
    ///   - groups: each entity's group, in `0..<groupCount`.
    ///   - studentPrototypes: the student's group means (`prototypes(_:...)`), taken as constants.
    static func accumulate(student: UnsafePointer<Float>, studentDimension ds: Int, teacher: UnsafePointer<Float>,
                           teacherDimension dt: Int, groups: [Int32], groupCount: Int, studentPrototypes: [Float],
                           weight: Float, studentGradient: UnsafeMutablePointer<Float>) -> Double {
        let n = groups.count
        guard n > 0 else { return 0 }
        let (s, inverseNorm) = normalised(student, rows: n, dimension: ds)
        let (t, _) = normalised(teacher, rows: n, dimension: dt)
        var direction = [Float](repeating: 0, count: n * ds)  // d(loss)/d(s / |s|)
        var loss = 0.0

        var members = [[Int]](repeating: [], count: groupCount)
        for (e, g) in groups.enumerated() { members[Int(g)].append(e) }
        // Every entity is in one group, so the groups write disjoint rows of `direction`: they run side by side, and
        // their losses are added in group order.
        let lists = members.filter { !$0.isEmpty }
        let pairLosses = direction.withUnsafeMutableBufferPointer { d in
            Parallel.map(lists.count, size: { lists[$0].count }) { g in
                accumulatePairs(lists[g], s: s, ds: ds, t: t, dt: dt, weight: weight, into: d.baseAddress!)
            }
        }
        for pairLoss in pairLosses { loss += pairLoss }

        let present = (0..<groupCount).filter { !members[$0].isEmpty }
        let teacherPrototypes = prototypes(teacher, dimension: dt, groups: groups, groupCount: groupCount)
        let ps = normalised(present.flatMap { studentPrototypes[($0 * ds)..<($0 * ds + ds)] }, rows: present.count, dimension: ds).0
        let pt = normalised(present.flatMap { teacherPrototypes[($0 * dt)..<($0 * dt + dt)] }, rows: present.count, dimension: dt).0
        let p = present.count
        var difference = [Float](repeating: 0, count: n * p), teacherSide = difference
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(n), Int32(p), Int32(ds),
                    1, s, Int32(ds), ps, Int32(ds), 0, &difference, Int32(p))
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(n), Int32(p), Int32(dt),
                    1, t, Int32(dt), pt, Int32(dt), 0, &teacherSide, Int32(p))
        for c in difference.indices {
            difference[c] -= teacherSide[c]
            loss += Double(difference[c] * difference[c])
        }
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(n), Int32(ds), Int32(p),
                    2 * weight, difference, Int32(p), ps, Int32(ds), 1, &direction, Int32(ds))

        // Back through s / |s|: the component along s has no effect on a cosine.
        for e in 0..<n {
            var along: Float = 0
            for c in 0..<ds { along += direction[e * ds + c] * s[e * ds + c] }
            for c in 0..<ds { studentGradient[e * ds + c] += (direction[e * ds + c] - along * s[e * ds + c]) * inverseNorm[e] }
        }
        return loss
    }

    /// The pair term of one group and its gradient with respect to the normalised student rows, by row tiles so that
    /// a large group needs no n_g x n_g matrix.
    ///
    /// The pair matrix is symmetric, so only the tiles on and right of the diagonal are computed: a tile of rows
    /// [a, b) against the columns [a, m). Its square diagonal block holds both (i, j) and (j, i) and counts once; the
    /// rest stands for itself and its mirror, and counts twice, towards the loss and towards both rows' gradients.
    /// With D_ij the masked difference, d/ds_i = 4 sum_j D_ij s_j over all j.
    static func accumulatePairs(_ list: [Int], s: [Float], ds: Int, t: [Float], dt: Int, weight: Float,
                                into direction: UnsafeMutablePointer<Float>) -> Double {
        let m = list.count, tile = 256
        let sg = list.flatMap { s[($0 * ds)..<($0 * ds + ds)] }, tg = list.flatMap { t[($0 * dt)..<($0 * dt + dt)] }
        var gradient = [Float](repeating: 0, count: m * ds)
        var studentCosine = [Float](repeating: 0, count: min(tile, m) * m), teacherCosine = studentCosine
        var loss = 0.0
        sg.withUnsafeBufferPointer { sg in
        tg.withUnsafeBufferPointer { tg in
        gradient.withUnsafeMutableBufferPointer { g in
            let sg = sg.baseAddress!, tg = tg.baseAddress!, g = g.baseAddress!
            for start in Swift.stride(from: 0, to: m, by: tile) {
                let rows = min(tile, m - start), width = m - start
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(rows), Int32(width), Int32(ds),
                            1, sg + start * ds, Int32(ds), sg + start * ds, Int32(ds), 0, &studentCosine, Int32(width))
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(rows), Int32(width), Int32(dt),
                            1, tg + start * dt, Int32(dt), tg + start * dt, Int32(dt), 0, &teacherCosine, Int32(width))
                let all = maskedDifference(&studentCosine, teacherCosine, count: rows * width)
                var diagonal = 0.0
                for i in 0..<rows {
                    for j in 0..<rows { diagonal += Double(studentCosine[i * width + j] * studentCosine[i * width + j]) }
                }
                loss += 2 * all - diagonal
                studentCosine.withUnsafeBufferPointer { d in
                    // The tile's own rows, from every column right of and on the diagonal.
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(rows), Int32(ds), Int32(width),
                                4 * weight, d.baseAddress!, Int32(width), sg + start * ds, Int32(ds), 1, g + start * ds, Int32(ds))
                    // The mirrored pairs: the columns right of the diagonal block, from the tile's rows.
                    if width > rows {
                        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(width - rows), Int32(ds), Int32(rows),
                                    4 * weight, d.baseAddress! + rows, Int32(width), sg + start * ds, Int32(ds), 1,
                                    g + (start + rows) * ds, Int32(ds))
                    }
                }
            }
        }
        }
        }
        for (k, e) in list.enumerated() {
            for c in 0..<ds { direction[e * ds + c] += gradient[k * ds + c] }
        }
        return loss
    }

    /// Replaces each student cosine by its difference from the teacher's where the teacher's cosine is positive (0
    /// elsewhere) and returns the sum of the squared differences; eight entries at a time.
    private static func maskedDifference(_ student: inout [Float], _ teacher: [Float], count: Int) -> Double {
        var total = SIMD8<Float>(), loss = 0.0
        student.withUnsafeMutableBufferPointer { s in
            teacher.withUnsafeBufferPointer { t in
                let s = s.baseAddress!, t = t.baseAddress!
                var c = 0
                while c + 8 <= count {
                    let tc = UnsafeRawPointer(t + c).loadUnaligned(as: SIMD8<Float>.self)
                    let sc = UnsafeRawPointer(s + c).loadUnaligned(as: SIMD8<Float>.self)
                    let difference = (sc - tc).replacing(with: 0, where: tc .<= 0)
                    total.addProduct(difference, difference)
                    UnsafeMutableRawPointer(s + c).storeBytes(of: difference, as: SIMD8<Float>.self)
                    c += 8
                    // Partial sums go to double precision every 1024 entries, so long tiles lose no accuracy.
                    if c % 1024 == 0 {
                        loss += Double(total.sum())
                        total = SIMD8<Float>()
                    }
                }
                while c < count {
                    let difference = t[c] > 0 ? s[c] - t[c] : 0
                    loss += Double(difference * difference)
                    s[c] = difference
                    c += 1
                }
            }
        }
        return loss + Double(total.sum())
    }

    /// Rows scaled to unit length (a zero row stays zero), and each row's inverse length (0 for a zero row).
    private static func normalised(_ x: UnsafePointer<Float>, rows: Int, dimension d: Int) -> ([Float], [Float]) {
        var unit = [Float](repeating: 0, count: rows * d), inverse = [Float](repeating: 0, count: rows)
        for r in 0..<rows {
            var squared: Float = 0
            for c in 0..<d { squared += x[r * d + c] * x[r * d + c] }
            inverse[r] = squared > 0 ? 1 / squared.squareRoot() : 0
            for c in 0..<d { unit[r * d + c] = x[r * d + c] * inverse[r] }
        }
        return (unit, inverse)
    }
}
