/// A table of embedding rows (one per user or item), row-major, each row padded with zeros to a multiple of 8 floats.
///
/// The padding lets every kernel work in whole 8-lane SIMD vectors with no remainder loop, and lets BLAS treat the
/// table as a matrix with leading dimension `stride`. Padding lanes stay zero through training: their gradients are
/// zero and Adam leaves a zero parameter with zero moments at zero.
///
/// Rows are not aligned to cache lines: an array's storage starts 16 or 48 bytes past a 64-byte line, so a d = 10 row
/// (64 bytes) straddles two lines. A line-aligned gradient table made the pair scatter 20-30% faster in isolation, but
/// aligning only one private table moved an UnKD epoch by 2%, within the noise; aligned storage for the tables
/// themselves is an open lead (docs/performance.md#unkds-pair-term-and-its-c-lower-bound).
public struct EmbeddingTable: Sendable, Equatable {
    /// Number of rows.
    public let rows: Int
    /// Number of meaningful columns (the embedding dimension d).
    public let dimension: Int
    /// Floats per stored row: `dimension` rounded up to a multiple of 8.
    public let stride: Int
    /// `rows * stride` floats; lanes `dimension..<stride` of every row are zero.
    public var values: [Float]

    /// A zero table.
    public init(rows: Int, dimension: Int) {
        precondition(rows >= 0 && dimension > 0)
        self.rows = rows
        self.dimension = dimension
        self.stride = (dimension + 7) / 8 * 8
        self.values = [Float](repeating: 0, count: rows * stride)
    }

    /// The padded stride for a dimension.
    public static func stride(for dimension: Int) -> Int { (dimension + 7) / 8 * 8 }

    /// Row r's meaningful values.
    public func row(_ r: Int) -> ArraySlice<Float> { values[(r * stride)..<(r * stride + dimension)] }

    /// Element (r, k).
    @inlinable
    public subscript(r: Int, k: Int) -> Float {
        get { values[r * stride + k] }
        set { values[r * stride + k] = newValue }
    }

    /// Fills rows `range` with draws from `draw` (padding stays zero).
    public mutating func fill(rows range: Range<Int>, _ draw: () -> Float) {
        for r in range { for k in 0..<dimension { values[r * stride + k] = draw() } }
    }
}
