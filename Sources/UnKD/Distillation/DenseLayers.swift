import COpenBLAS

/// A fully connected layer y = x Wᵀ + b, PyTorch's `Linear`, applied to a batch of rows by one OpenBLAS product.
///
/// The layer owns no storage. Its weight (outputs x inputs, row-major as PyTorch keeps it) and its bias, which follows
/// the weight, are a slice of a flat parameter vector (`NetworkParameters`), so that all the small networks of a
/// distillation term are trained by one Adam over one vector. Matrices are row-major with explicit row strides, so a
/// layer can read one block of columns of a wider matrix (one expert's hidden units among all experts').
struct DenseLayer {
    /// Input width (fan-in).
    let inputs: Int
    /// Output width.
    let outputs: Int
    /// Where the weight starts in the parameter vector; the bias starts at `biasOffset`.
    let offset: Int

    /// Where the bias starts.
    var biasOffset: Int { offset + inputs * outputs }
    /// The first parameter after this layer's.
    var end: Int { biasOffset + outputs }

    /// PyTorch's default initialisation of a Linear: weight and bias uniform in ±1/sqrt(fan-in).
    func initialise(_ parameters: inout [Float], random: inout RandomSource) {
        let bound = 1 / Double(inputs).squareRoot()
        for k in offset..<end { parameters[k] = Float((2 * random.unit() - 1) * bound) }
    }

    /// y (+)= x Wᵀ (+ b) for `rows` rows.
    ///
    /// - Parameters:
    ///   - accumulate: add to `y` instead of overwriting it.
    ///   - bias: whether to add b (a mixture of experts adds its own weighted combination of the biases instead).
    func forward(_ x: UnsafePointer<Float>, xStride: Int, rows: Int, parameters: UnsafePointer<Float>,
                 into y: UnsafeMutablePointer<Float>, yStride: Int, accumulate: Bool = false, bias: Bool = true) {
        guard rows > 0 else { return }
        if bias {
            let b = parameters + biasOffset
            for r in 0..<rows {
                let row = y + r * yStride
                if accumulate {
                    for o in 0..<outputs { row[o] += b[o] }
                } else {
                    row.update(from: b, count: outputs)
                }
            }
        }
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(rows), Int32(outputs), Int32(inputs),
                    1, x, Int32(xStride), parameters + offset, Int32(inputs),
                    accumulate || bias ? 1 : 0, y, Int32(yStride))
    }

    /// Back-propagates `dy` = d(loss)/dy: adds d(loss)/dW (and d(loss)/db if `bias`) into `parameterGradient`, and
    /// writes (or adds, with `accumulateInput`) d(loss)/dx = dy W into `dx` when one is given.
    func backward(_ x: UnsafePointer<Float>, xStride: Int, rows: Int, outputGradient dy: UnsafePointer<Float>, dyStride: Int,
                  parameters: UnsafePointer<Float>, parameterGradient: UnsafeMutablePointer<Float>,
                  inputGradient dx: UnsafeMutablePointer<Float>? = nil, dxStride: Int = 0, accumulateInput: Bool = false,
                  bias: Bool = true) {
        guard rows > 0 else { return }
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(outputs), Int32(inputs), Int32(rows),
                    1, dy, Int32(dyStride), x, Int32(xStride), 1, parameterGradient + offset, Int32(inputs))
        if bias {
            let db = parameterGradient + biasOffset
            for r in 0..<rows {
                let row = dy + r * dyStride
                for o in 0..<outputs { db[o] += row[o] }
            }
        }
        if let dx {
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(rows), Int32(inputs), Int32(outputs),
                        1, dy, Int32(dyStride), parameters + offset, Int32(inputs),
                        accumulateInput ? 1 : 0, dx, Int32(dxStride))
        }
    }
}

/// The parameters of a distillation term's own networks, as one flat vector with its gradient and its own Adam.
///
/// As in the official code they are trained by the distillation loss alone, with Adam at the student's learning rate
/// and no L2 penalty. Layers are laid out one after another by `layer(inputs:outputs:)`; the vector is padded to a
/// whole number of 8-float rows, the unit the project's Adam works in, and the padding never gets a gradient.
struct NetworkParameters {
    /// All weights and biases.
    var values: [Float] = []
    /// d(weighted loss)/d(values), accumulated over one step.
    var gradient: [Float] = []
    private var adam = Adam(learningRate: 0, count: 0)
    private var next = 0

    /// Reserves the next layer's slice of the vector.
    mutating func layer(inputs: Int, outputs: Int) -> DenseLayer {
        let layer = DenseLayer(inputs: inputs, outputs: outputs, offset: next)
        next = layer.end
        return layer
    }

    /// Allocates the vector for the layers reserved so far and initialises them as PyTorch would.
    mutating func initialise(_ layers: [DenseLayer], learningRate: Float, random: inout RandomSource) {
        let count = (next + 7) / 8 * 8
        values = [Float](repeating: 0, count: count)
        gradient = values
        for layer in layers { layer.initialise(&values, random: &random) }
        adam = Adam(learningRate: learningRate, count: count)
    }

    /// The parameters and Adam's state, for checkpoints: the step count, and the values followed by the first and
    /// second moments.
    var state: (step: Int, floats: [Float]) {
        get {
            let moments = adam.moments
            return (moments.step, values + moments.first + moments.second)
        }
        set {
            let n = values.count
            precondition(newValue.floats.count == 3 * n, "the state of other networks")
            values = Array(newValue.floats[0..<n])
            adam.moments = (newValue.step, Array(newValue.floats[n..<(2 * n)]), Array(newValue.floats[(2 * n)...]))
        }
    }

    /// One Adam step on the accumulated gradient, which it consumes (leaves zero).
    mutating func step() {
        adam.update(&values, gradient: &gradient, stride: 8, touchedRows: nil)
    }

    /// Calls `body` with the parameters and the gradient they accumulate into.
    mutating func withBuffers<R>(_ body: (UnsafePointer<Float>, UnsafeMutablePointer<Float>) -> R) -> R {
        values.withUnsafeBufferPointer { p in
            gradient.withUnsafeMutableBufferPointer { g in body(p.baseAddress!, g.baseAddress!) }
        }
    }

    /// Forgets the accumulated gradient.
    mutating func clearGradient() {
        for k in gradient.indices { gradient[k] = 0 }
    }
}

extension DistillationState {
    /// The state of a term with networks of its own and one noise generator (DE-RRD, HTD).
    init(noise: RandomSource, networks: NetworkParameters) {
        let state = networks.state
        self.init(generators: [noise.state], networkStep: state.step, networks: state.floats)
    }

    /// Puts such a term's generator and networks back to this state.
    func restore(noise: inout RandomSource, networks: inout NetworkParameters) {
        noise = RandomSource(state: generators[0])
        networks.state = (networkStep, self.networks)
    }
}
