import Foundation

/// A trainable recommender: one table of ego embeddings for users (rows 0..<U) and items (rows U..<U+I).
///
/// MF scores with these rows directly. LightGCN first propagates them over the normalised user-item graph and averages
/// the layers; the *final* embeddings are what is scored, while the L2 penalty applies to the ego rows. Keeping users
/// and items in one table lets both backbones share every kernel, and lets the graph product address any node.
public struct Recommender: Sendable {
    /// Shape and objective.
    public let configuration: ModelConfiguration
    /// Number of users.
    public let userCount: Int
    /// Number of items.
    public let itemCount: Int
    /// The trainable ego embeddings, users first.
    public var parameters: EmbeddingTable

    /// A freshly initialised model: Xavier-uniform rows for MF (bound sqrt(6 / (rows + d)), users and items
    /// separately, as PyTorch's `xavier_uniform_`), N(0, 0.1^2) for LightGCN.
    public init(_ configuration: ModelConfiguration, userCount: Int, itemCount: Int, seed: UInt64) {
        self.configuration = configuration
        self.userCount = userCount
        self.itemCount = itemCount
        var table = EmbeddingTable(rows: userCount + itemCount, dimension: configuration.dimension)
        var random = RandomSource.derived(seed: seed, "init/\(configuration.label)")
        let d = Double(configuration.dimension)
        switch configuration.backbone {
        case .mf:
            let userBound = (6 / (Double(userCount) + d)).squareRoot()
            let itemBound = (6 / (Double(itemCount) + d)).squareRoot()
            table.fill(rows: 0..<userCount) { Float((2 * random.unit() - 1) * userBound) }
            table.fill(rows: userCount..<(userCount + itemCount)) { Float((2 * random.unit() - 1) * itemBound) }
        case .lightGCN:
            table.fill(rows: 0..<(userCount + itemCount)) { Float(0.1 * random.normal()) }
        }
        self.parameters = table
    }

    /// A model with given parameters (used when loading).
    public init(configuration: ModelConfiguration, userCount: Int, itemCount: Int, parameters: EmbeddingTable) {
        precondition(parameters.rows == userCount + itemCount && parameters.dimension == configuration.dimension)
        self.configuration = configuration
        self.userCount = userCount
        self.itemCount = itemCount
        self.parameters = parameters
    }

    /// The embeddings that are scored: the ego rows for MF, the layer mean for LightGCN.
    public func finalEmbeddings(graph: NormalisedAdjacency?) -> EmbeddingTable {
        guard configuration.backbone == .lightGCN, configuration.layers > 0 else { return parameters }
        guard let graph else { preconditionFailure("LightGCN needs its training graph") }
        var final = parameters
        LightGCNPropagation.forward(parameters, layers: configuration.layers, graph: graph, into: &final)
        return final
    }

    /// Row index of item i in the joint table.
    @inlinable public func itemRow(_ item: Int) -> Int { userCount + item }
}

/// LightGCN's layer mean and its gradient, F = (1 / (L + 1)) * sum_{k=0..L} Â^k E.
///
/// Â is symmetric, so the gradient of a loss with respect to E is the same expression applied to the gradient with
/// respect to F: dE = (1 / (L + 1)) * sum_k Â^k dF.
public enum LightGCNPropagation {
    /// Writes the layer mean of `input` into `output` (same shape).
    public static func forward(_ input: EmbeddingTable, layers: Int, graph: NormalisedAdjacency, into output: inout EmbeddingTable) {
        var scratch = Scratch(like: input)
        input.values.withUnsafeBufferPointer { e in
            output.values.withUnsafeMutableBufferPointer { f in
                layerMean(e.baseAddress!, layers: layers, graph: graph, stride: input.stride, scratch: &scratch, into: f.baseAddress!)
            }
        }
    }

    /// Reusable buffers for the layer powers, so training allocates nothing per step.
    public struct Scratch {
        var current: [Float]
        var next: [Float]
        /// Buffers sized for tables like `table`.
        public init(like table: EmbeddingTable) {
            current = [Float](repeating: 0, count: table.values.count)
            next = current
        }
    }

    /// output = (1 / (L + 1)) * sum_{k=0..L} Â^k input, for padded tables of graph.nodes rows.
    ///
    /// The sparse product writes each layer to its own buffer (write-only rows keep the gathered column slice in
    /// cache); a streaming pass then adds it into the running sum, scaling by 1 / (L + 1) after the last layer.
    ///
    /// A training step can ask for less: with `rows`, only those rows of the output are the layer mean (the others
    /// are left holding input rows); the forward pass of a BPR step needs only its batch's rows.
    public static func layerMean(_ input: UnsafePointer<Float>, layers: Int, graph: NormalisedAdjacency, stride: Int,
                                 scratch: inout Scratch, into output: UnsafeMutablePointer<Float>,
                                 rows: UnsafePointer<Bool>? = nil) {
        let count = graph.nodes * stride
        output.update(from: input, count: count)
        guard layers > 0 else { return }
        let scale = 1 / Float(layers + 1)
        scratch.current.withUnsafeMutableBufferPointer { currentBuffer in
            scratch.next.withUnsafeMutableBufferPointer { nextBuffer in
                var current = input, next = nextBuffer.baseAddress!, spare = currentBuffer.baseAddress!
                for layer in 0..<layers {
                    let last = layer == layers - 1
                    graph.multiply(current, into: next, stride: stride, rows: last ? rows : nil)
                    let factor: Float = last ? scale : 1
                    let source = UnsafePointer(next)
                    Parallel.run(chunks: Parallel.chunks(forWork: count)) { chunk in
                        let chunks = Parallel.chunks(forWork: count)
                        let f = SIMD8<Float>(repeating: factor)
                        for r in (graph.nodes * chunk / chunks)..<(graph.nodes * (chunk + 1) / chunks) {
                            if last, let rows, !rows[r] { continue }
                            var k = r * stride
                            while k < (r + 1) * stride {
                                let sum = UnsafeRawPointer(output + k).loadUnaligned(as: SIMD8<Float>.self)
                                    + UnsafeRawPointer(source + k).loadUnaligned(as: SIMD8<Float>.self)
                                UnsafeMutableRawPointer(output + k).storeBytes(of: sum * f, as: SIMD8<Float>.self)
                                k += 8
                            }
                        }
                    }
                    current = source
                    swap(&next, &spare)
                }
            }
        }
    }
}
