import XCTest
@testable import UnKD

final class NumpyArrayTests: XCTestCase {
    /// The bytes of a 2 x 1 float32 array, laid out by hand from the format's definition.
    func testFloat32FileBytesByHand() {
        let data = NumpyArray(float32: [1, -2], shape: [2, 1]).fileData
        let header = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 1), }"
        // 10 bytes of preamble, the 59-byte header, spaces and a newline: 128 bytes in all.
        XCTAssertEqual(header.utf8.count, 59)
        let padded = header + String(repeating: " ", count: 128 - 10 - 59 - 1) + "\n"
        var expected = Data([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, UInt8(padded.utf8.count), 0])
        expected.append(contentsOf: Array(padded.utf8))
        expected.append(contentsOf: [0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x00, 0xc0])  // 1.0f and -2.0f, little-endian
        XCTAssertEqual(data, expected)
    }

    func testVectorShapeHasATrailingComma() {
        let data = NumpyArray(int64: [7]).fileData
        let text = String(decoding: data[10..<(10 + Int(data[8]))], as: UTF8.self)
        XCTAssertTrue(text.hasPrefix("{'descr': '<i8', 'fortran_order': False, 'shape': (1,), }"))
        XCTAssertEqual(data.count % 64, 8, "the payload starts on a multiple of 64 bytes")
        XCTAssertEqual(Array(data.suffix(8)), [7, 0, 0, 0, 0, 0, 0, 0])
    }

    func testEmbeddingRowsLoseTheirPadding() {
        var table = EmbeddingTable(rows: 2, dimension: 3)
        for r in 0..<2 { for k in 0..<3 { table[r, k] = Float(10 * r + k) } }
        let array = table.numpyArray(rows: 1..<2)
        XCTAssertEqual(array.shape, [1, 3])
        XCTAssertEqual(array, NumpyArray(float32: [10, 11, 12], shape: [1, 3]))
    }
}
