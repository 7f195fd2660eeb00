import Foundation

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

    /// output = Â · input, for padded tables of `nodes` rows.
    ///
    /// The rows are split between the cores by their number of entries (users and items have very different
    /// degrees), and the columns are processed 16 at a time: a 16-float slice of the whole input table is small
    /// enough to stay in a core's L2 cache while every row gathers from it, and the 16 accumulators stay in registers.
    public func multiply(_ input: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>, stride: Int) {
        rowStart.withUnsafeBufferPointer { start in
            neighbours.withUnsafeBufferPointer { neighbour in
                weights.withUnsafeBufferPointer { weight in
                    let start = start.baseAddress!, neighbour = neighbour.baseAddress!, weight = weight.baseAddress!
                    let chunks = Parallel.workers
                    Parallel.run(chunks: chunks) { chunk in
                        let rows = balancedRows(chunk, of: chunks)
                        var column = 0
                        while column < stride {
                            let wide = stride - column >= 16
                            for r in rows {
                                var a0 = SIMD8<Float>(), a1 = SIMD8<Float>()
                                for e in start[r]..<start[r + 1] {
                                    let w = SIMD8<Float>(repeating: weight[e])
                                    let source = UnsafeRawPointer(input + Int(neighbour[e]) * stride + column)
                                    a0.addProduct(w, source.loadUnaligned(as: SIMD8<Float>.self))
                                    if wide { a1.addProduct(w, source.loadUnaligned(fromByteOffset: 32, as: SIMD8<Float>.self)) }
                                }
                                let target = UnsafeMutableRawPointer(output + r * stride + column)
                                target.storeBytes(of: a0, as: SIMD8<Float>.self)
                                if wide { target.storeBytes(of: a1, toByteOffset: 32, as: SIMD8<Float>.self) }
                            }
                            column += wide ? 16 : 8
                        }
                    }
                }
            }
        }
    }

    /// The rows of chunk `c` of `chunks`, cut so that each chunk holds about the same number of entries.
    func balancedRows(_ c: Int, of chunks: Int) -> Range<Int> {
        func boundary(_ k: Int) -> Int {
            if k == 0 { return 0 }
            if k == chunks { return nodes }
            let target = entryCount * k / chunks
            var low = 0, high = nodes
            while low < high {
                let mid = (low + high) / 2
                if rowStart[mid] < target { low = mid + 1 } else { high = mid }
            }
            return low
        }
        return boundary(c)..<boundary(c + 1)
    }
}
