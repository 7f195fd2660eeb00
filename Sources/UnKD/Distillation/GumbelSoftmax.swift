import Foundation

/// The differentiable choice of one of K options (DE's experts, HTD's groups) for an entity.
///
/// An assignment network gives probabilities a = softmax(Linear(t)) from the teacher's embedding t of the entity; a
/// choice is drawn by the Gumbel-softmax relaxation z = softmax((log(a + 1e-10) + g) / tau), with g i.i.d. standard
/// Gumbel noise. At low temperature z is nearly the one-hot vector of a draw from a; unlike a draw it has a gradient
/// with respect to a, which is how the assignment network learns. The 1e-10 is the official code's.
struct AssignmentNetwork {
    /// Linear(d_t -> K).
    let layer: DenseLayer
    /// tau: 10 for DE (fixed, not annealed, in the UnKD code), 0.1 for HTD.
    let temperature: Float

    /// K.
    var options: Int { layer.outputs }

    /// a = softmax(T Wᵀ + b) for `rows` teacher rows, into `a` (rows x K).
    func probabilities(_ teacher: UnsafePointer<Float>, teacherStride: Int, rows: Int, parameters: UnsafePointer<Float>,
                       into a: UnsafeMutablePointer<Float>) {
        layer.forward(teacher, xStride: teacherStride, rows: rows, parameters: parameters, into: a, yStride: options)
        for r in 0..<rows { Self.softmax(a + r * options, count: options) }
    }

    /// Makes one choice z = softmax((log(a + 1e-10) + g) / tau), the noise g given by K draws of
    /// `RandomSource.gumbelBits()`, so that the draws can be made in order first and the choices on several cores.
    func select(_ a: UnsafePointer<Float>, noise bits: UnsafePointer<UInt32>, into z: UnsafeMutablePointer<Float>) {
        for k in 0..<options { z[k] = (log(a[k] + 1e-10) + RandomSource.gumbel(bits: bits[k])) / temperature }
        Self.softmax(z, count: options)
    }

    /// Adds d(loss)/da into `da`, given the choice z made from a and d(loss)/dz.
    func accumulateSelectionGradient(_ a: UnsafePointer<Float>, choice z: UnsafePointer<Float>, gradient dz: UnsafePointer<Float>,
                                     into da: UnsafeMutablePointer<Float>) {
        var zdz: Float = 0
        for k in 0..<options { zdz += z[k] * dz[k] }
        for k in 0..<options { da[k] += z[k] * (dz[k] - zdz) / (temperature * (a[k] + 1e-10)) }
    }

    /// Back-propagates d(loss)/da (rows x K, overwritten) into the layer's parameter gradient. The teacher is frozen,
    /// so nothing flows back to it.
    func backward(_ teacher: UnsafePointer<Float>, teacherStride: Int, rows: Int, probabilities a: UnsafePointer<Float>,
                  gradient da: UnsafeMutablePointer<Float>, parameters: UnsafePointer<Float>,
                  parameterGradient: UnsafeMutablePointer<Float>) {
        for r in 0..<rows {
            let ar = a + r * options, dr = da + r * options
            var ada: Float = 0
            for k in 0..<options { ada += ar[k] * dr[k] }
            for k in 0..<options { dr[k] = ar[k] * (dr[k] - ada) }
        }
        layer.backward(teacher, xStride: teacherStride, rows: rows, outputGradient: da, dyStride: options,
                       parameters: parameters, parameterGradient: parameterGradient)
    }

    /// Softmax in place, shifted by the maximum so that no exponential overflows.
    static func softmax(_ x: UnsafeMutablePointer<Float>, count: Int) {
        var top = -Float.infinity
        for k in 0..<count { top = max(top, x[k]) }
        var total: Float = 0
        for k in 0..<count {
            x[k] = exp(x[k] - top)
            total += x[k]
        }
        for k in 0..<count { x[k] /= total }
    }
}
