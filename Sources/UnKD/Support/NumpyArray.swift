import Foundation

/// A dense array in NumPy's `.npy` format (version 1.0), the plain container the cross-check exchanges with the
/// authors' Python code: a magic string, a Python-literal header naming the element type and shape, then the elements
/// in C order, little-endian.
///
/// Only the element types the exports need are supported: 32-bit floats and 32- and 64-bit integers.
public struct NumpyArray: Sendable, Equatable {
    /// The element type, as NumPy's type string.
    public enum Element: String, Sendable {
        case float32 = "<f4"
        case int32 = "<i4"
        case int64 = "<i8"
    }

    /// The element type.
    public let element: Element
    /// The shape, outermost dimension first.
    public let shape: [Int]
    /// The elements' bytes, C order, little-endian.
    public let payload: Data

    /// A float32 array of `shape` from its elements in C order.
    public init(float32 values: [Float], shape: [Int]) {
        precondition(shape.reduce(1, *) == values.count, "shape \(shape) does not hold \(values.count) elements")
        self.element = .float32
        self.shape = shape
        self.payload = values.map { $0.bitPattern.littleEndian }.withUnsafeBytes { Data($0) }
    }

    /// An int32 array of `shape` from its elements in C order.
    public init(int32 values: [Int32], shape: [Int]) {
        precondition(shape.reduce(1, *) == values.count, "shape \(shape) does not hold \(values.count) elements")
        self.element = .int32
        self.shape = shape
        self.payload = values.map { $0.littleEndian }.withUnsafeBytes { Data($0) }
    }

    /// An int64 vector.
    public init(int64 values: [Int]) {
        self.element = .int64
        self.shape = [values.count]
        self.payload = values.map { Int64($0).littleEndian }.withUnsafeBytes { Data($0) }
    }

    /// The header's dictionary, e.g. `{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }`.
    var headerDictionary: String {
        let dimensions = shape.count == 1 ? "\(shape[0])," : shape.map(String.init).joined(separator: ", ")
        return "{'descr': '\(element.rawValue)', 'fortran_order': False, 'shape': (\(dimensions)), }"
    }

    /// The file's bytes: magic, version 1.0, header length, the header padded with spaces and ended by a newline so
    /// that the data starts on a multiple of 64 bytes, then the payload.
    public var fileData: Data {
        var header = headerDictionary
        let unpadded = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var data = Data([0x93] + Array("NUMPY".utf8) + [1, 0])
        let length = UInt16(header.utf8.count)
        data.append(contentsOf: [UInt8(length & 0xff), UInt8(length >> 8)])
        data.append(contentsOf: Array(header.utf8))
        data.append(payload)
        return data
    }

    /// Writes the array to `url` atomically.
    public func write(to url: URL) throws { try AtomicFile.write(fileData, to: url) }
}

extension EmbeddingTable {
    /// Rows `range` of the table without the padding, as a float32 array of shape [rows, dimension].
    public func numpyArray(rows range: Range<Int>) -> NumpyArray {
        var values: [Float] = []
        values.reserveCapacity(range.count * dimension)
        for r in range { values.append(contentsOf: row(r)) }
        return NumpyArray(float32: values, shape: [range.count, dimension])
    }
}
