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
    /// degrees), and the columns are processed in slices of up to `sliceWidth` floats: each slice of the whole input
    /// table stays in a core's L2 cache while every row gathers from it, its accumulators stay in registers, and the
    /// graph's entries (neighbour and weight, read from memory once per slice) are read fewer times the wider it is.
    ///
    /// A training step may need only some rows of the product (`rows`; nil: every row): the others are then left as
    /// they were, and the selected rows are split between the cores by their entries.
    ///
    /// Tried and not kept: skipping zero input rows entry by entry (the backward product's gradient is zero outside the
    /// batch's rows), which doubled the d = 10 epoch through mispredicted branches; and walking two halves of the rows
    /// at once in narrow slices, which took the d = 10 epoch from 1.9 s to 2.8 s, since out-of-order execution already
    /// overlaps the gathered loads (docs/performance.md#sparse-propagation-lightgcn).
    public func multiply(_ input: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>, stride: Int,
                         rows rowMask: UnsafePointer<Bool>? = nil) {
        let chunks = Parallel.workers
        let boundaries = rowMask.map { selectedBoundaries(chunks: chunks, rows: $0) }
            ?? (0...chunks).map { balancedBoundary($0, of: chunks) }
        rowStart.withUnsafeBufferPointer { start in
            neighbours.withUnsafeBufferPointer { neighbour in
                weights.withUnsafeBufferPointer { weight in
                    let start = start.baseAddress!, neighbour = neighbour.baseAddress!, weight = weight.baseAddress!
                    Parallel.run(chunks: chunks) { chunk in
                        let rows = boundaries[chunk]..<boundaries[chunk + 1]
                        let slice = Slice(start: start, neighbour: neighbour, weight: weight, input: input,
                                          output: output, stride: stride, rowMask: rowMask)
                        var column = 0
                        while column < stride {
                            let width = min(Self.sliceWidth, stride - column)
                            switch width {
                            case 56: slice.run(56, rows, column)
                            case 48: slice.run(48, rows, column)
                            case 40: slice.run(40, rows, column)
                            case 32: slice.run(32, rows, column)
                            case 24: slice.run(24, rows, column)
                            case 16: slice.run(16, rows, column)
                            default: slice.run(8, rows, column)
                            }
                            column += width
                        }
                    }
                }
            }
        }
    }

    /// The widest slice, in floats. On MovieLens-1M's shape at d = 100 (stride 104) a product took 13.0 ms on two
    /// cores with slices of 16, 11.7 ms with 32 and 10.8 ms with 56 or 64 (medians of 6 x 40 products, alternated in
    /// one process); 56 keeps the larger side's slice (6,040 user rows x 224 bytes) well inside a 2 MB L2 cache.
    static let sliceWidth = 56

    /// The product's operands, computed one column slice at a time.
    struct Slice {
        let start: UnsafePointer<Int>, neighbour: UnsafePointer<Int32>, weight: UnsafePointer<Float>
        let input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>
        let stride: Int
        let rowMask: UnsafePointer<Bool>?

        /// Columns `column ..< column + width` (width a multiple of 8, at most 56) for `rows`: one SIMD8 accumulator
        /// per 8 columns.
        @inline(__always)
        func run(_ width: Int, _ rows: Range<Int>, _ column: Int) {
            for r in rows {
                if let rowMask, !rowMask[r] { continue }
                var a0 = SIMD8<Float>(), a1 = SIMD8<Float>(), a2 = SIMD8<Float>(), a3 = SIMD8<Float>()
                var a4 = SIMD8<Float>(), a5 = SIMD8<Float>(), a6 = SIMD8<Float>()
                for e in start[r]..<start[r + 1] {
                    let w = SIMD8<Float>(repeating: weight[e])
                    let source = UnsafeRawPointer(input + Int(neighbour[e]) * stride + column)
                    a0.addProduct(w, source.loadUnaligned(as: SIMD8<Float>.self))
                    if width > 8 { a1.addProduct(w, source.loadUnaligned(fromByteOffset: 32, as: SIMD8<Float>.self)) }
                    if width > 16 { a2.addProduct(w, source.loadUnaligned(fromByteOffset: 64, as: SIMD8<Float>.self)) }
                    if width > 24 { a3.addProduct(w, source.loadUnaligned(fromByteOffset: 96, as: SIMD8<Float>.self)) }
                    if width > 32 { a4.addProduct(w, source.loadUnaligned(fromByteOffset: 128, as: SIMD8<Float>.self)) }
                    if width > 40 { a5.addProduct(w, source.loadUnaligned(fromByteOffset: 160, as: SIMD8<Float>.self)) }
                    if width > 48 { a6.addProduct(w, source.loadUnaligned(fromByteOffset: 192, as: SIMD8<Float>.self)) }
                }
                let target = UnsafeMutableRawPointer(output + r * stride + column)
                target.storeBytes(of: a0, as: SIMD8<Float>.self)
                if width > 8 { target.storeBytes(of: a1, toByteOffset: 32, as: SIMD8<Float>.self) }
                if width > 16 { target.storeBytes(of: a2, toByteOffset: 64, as: SIMD8<Float>.self) }
                if width > 24 { target.storeBytes(of: a3, toByteOffset: 96, as: SIMD8<Float>.self) }
                if width > 32 { target.storeBytes(of: a4, toByteOffset: 128, as: SIMD8<Float>.self) }
                if width > 40 { target.storeBytes(of: a5, toByteOffset: 160, as: SIMD8<Float>.self) }
                if width > 48 { target.storeBytes(of: a6, toByteOffset: 192, as: SIMD8<Float>.self) }
            }
        }
    }

    /// Row boundaries of `chunks` parts whose selected rows hold about the same number of entries.
    func selectedBoundaries(chunks: Int, rows rowMask: UnsafePointer<Bool>) -> [Int] {
        var total = 0
        for r in 0..<nodes where rowMask[r] { total += rowStart[r + 1] - rowStart[r] }
        var boundaries = [0], running = 0, r = 0
        for k in 1..<max(chunks, 1) {
            while r < nodes && (running + (rowMask[r] ? rowStart[r + 1] - rowStart[r] : 0)) * chunks <= total * k {
                if rowMask[r] { running += rowStart[r + 1] - rowStart[r] }
                r += 1
            }
            boundaries.append(r)
        }
        boundaries.append(nodes)
        return boundaries
    }

    /// The first row of chunk `k` of `chunks` (`nodes` for k = chunks), cut so that each chunk holds about the same
    /// number of entries.
    func balancedBoundary(_ k: Int, of chunks: Int) -> Int {
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
}
