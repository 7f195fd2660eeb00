/// The preconditions the SIMD kernels share, for `assert`: checked in debug builds (the tests), dropped in release
/// builds, which compile the kernels with -Ounchecked, so they cost nothing where speed matters.
///
/// The kernels read and write whole 8-lane vectors with unaligned loads and stores, so a row needs no alignment beyond
/// a `Float`'s; but a row's length (`stride`) must be a positive multiple of 8, or the last vector would run past it,
/// and a row id must not be negative, or the row would start before the table.
@usableFromInline
enum KernelContract {
    /// `stride` is a positive multiple of 8, as `EmbeddingTable.stride` always is. O(1).
    @inlinable
    static func isPaddedStride(_ stride: Int) -> Bool { stride > 0 && stride % 8 == 0 }

    /// `pointer` is aligned for a `Float` (4 bytes). O(1).
    @inlinable
    static func isFloatAligned(_ pointer: UnsafeRawPointer) -> Bool {
        Int(bitPattern: pointer) % MemoryLayout<Float>.alignment == 0
    }

    /// The first `count` row ids at `ids` are non-negative (nil, an absent list, passes). O(count).
    @inlinable
    static func areRowIDs(_ ids: UnsafePointer<Int32>?, count: Int) -> Bool {
        guard let ids else { return true }
        return (0..<count).allSatisfy { ids[$0] >= 0 }
    }
}
