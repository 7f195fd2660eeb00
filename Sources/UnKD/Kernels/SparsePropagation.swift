/// The symmetric-normalised user-item graph of LightGCN, D^-1/2 A D^-1/2, held sparsely, and its product with a table.
///
/// A = [[0, R], [R^T, 0]] joins users (rows 0..<U) and items (rows U..<U+I) through the training interactions. The
/// matrix is symmetric, so the same product serves propagation (forward) and its transpose (backward). It is never
/// formed densely: for CiteULike that would be 30,400^2 entries.
public struct NormalisedAdjacency: Sendable {
    /// Number of nodes, U + I.
    public let nodes: Int
    /// CSR row offsets, `nodes + 1` entries.
    public let rowStart: [Int]
    /// Neighbour of each entry.
    public let neighbours: [Int32]
    /// 1 / sqrt(deg(row) * deg(neighbour)) for each entry.
    public let weights: [Float]

    /// Builds the graph of a training matrix. A node of degree 0 has no entries (its degree is taken as 1).
    public init(train: InteractionMatrix) {
        let users = train.userCount, items = train.itemCount
        let byItem = train.transposed()
        var degree = [Float](repeating: 0, count: users + items)
        for u in 0..<users { degree[u] = Float(train.degree(of: u)) }
        for i in 0..<items { degree[users + i] = Float(byItem.degree(of: i)) }
        let inverseRoot = degree.map { $0 > 0 ? 1 / $0.squareRoot() : 1 }
        var rowStart = [0], neighbours: [Int32] = [], weights: [Float] = []
        neighbours.reserveCapacity(2 * train.interactionCount)
        weights.reserveCapacity(2 * train.interactionCount)
        for u in 0..<users {
            for i in train.items(of: u) {
                neighbours.append(Int32(users) + i)
                weights.append(inverseRoot[u] * inverseRoot[users + Int(i)])
            }
            rowStart.append(neighbours.count)
        }
        for i in 0..<items {
            for u in byItem.items(of: i) {
                neighbours.append(u)
                weights.append(inverseRoot[Int(u)] * inverseRoot[users + i])
            }
            rowStart.append(neighbours.count)
        }
        self.nodes = users + items
        self.rowStart = rowStart
        self.neighbours = neighbours
        self.weights = weights
    }

    /// Number of stored entries (twice the number of training interactions).
    public var entryCount: Int { neighbours.count }

    /// output = Â · input, for padded tables of `nodes` rows; rows are computed in parallel.
    public func multiply(_ input: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>, stride: Int) {
        rowStart.withUnsafeBufferPointer { start in
            neighbours.withUnsafeBufferPointer { neighbour in
                weights.withUnsafeBufferPointer { weight in
                    Parallel.forEachChunk(nodes) { range in
                        for r in range {
                            let out = output + r * stride
                            out.update(repeating: 0, count: stride)
                            for e in start[r]..<start[r + 1] {
                                VectorKernels.axpy(weight[e], input + Int(neighbour[e]) * stride, out, stride: stride)
                            }
                        }
                    }
                }
            }
        }
    }
}
