import Foundation
import XCTest

@testable import Plotting

/// File output: determinism, PNG scale, PDF text and metadata, atomic writes.
final class OutputTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("plotting-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    func testRenderingTwiceGivesIdenticalFiles() throws {
        let figure = DemoFigures.figure5()
        for ext in ["png", "pdf"] {
            let a = directory.appendingPathComponent("a.\(ext)"), b = directory.appendingPathComponent("b.\(ext)")
            try figure.render(to: a)
            try figure.render(to: b)
            XCTAssertEqual(try Data(contentsOf: a), try Data(contentsOf: b), "\(ext) output differs between renders")
        }
        XCTAssertEqual(try DemoFigures.figure1().data(.pdf), try DemoFigures.figure1().data(.pdf))
    }

    /// Each render owns its Cairo objects, so renders on several threads at once must not interfere.
    func testConcurrentRendersAgree() throws {
        let figure = DemoFigures.figure4()
        let reference = try figure.data(.png)
        let results = UnsafeMutableBufferPointer<Data?>.allocate(capacity: 4)
        results.initialize(repeating: nil)
        defer { results.deallocate() }
        DispatchQueue.concurrentPerform(iterations: 4) { i in results[i] = try? figure.data(.png) }
        for result in results { XCTAssertEqual(result, reference) }
    }

    func testPNGIsAtTwiceThePointSize() throws {
        let figure = DemoFigures.figure1()
        let png = try figure.data(.png)
        XCTAssertEqual(Array(png.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        func be32(_ at: Int) -> Int { png[at..<at + 4].reduce(0) { $0 << 8 | Int($1) } }
        let layout = try figure.makeLayout()
        XCTAssertEqual(be32(16), Int(layout.width) * 2)
        XCTAssertEqual(be32(20), Int(layout.height) * 2)
    }

    func testPDFKeepsTextAsTextWithAFixedDate() throws {
        let pdf = try DemoFigures.figure4().data(.pdf)
        let text = String(decoding: pdf, as: UTF8.self)
        XCTAssertTrue(text.hasPrefix("%PDF-"))
        XCTAssertTrue(text.contains("DejaVuSans"), "the font should be embedded, not the text outlined")
        XCTAssertTrue(text.contains("/CreationDate (20230227000000"), "creation date should be fixed")
        XCTAssertTrue(text.contains("/ModDate (20230227000000"), "modification date should be fixed")
    }

    func testRenderReplacesAnExistingFileAndLeavesNoTemporaryFiles() throws {
        let url = directory.appendingPathComponent("fig.png")
        try Data("old".utf8).write(to: url)
        try DemoFigures.figure1().render(to: url)
        XCTAssertEqual(try Data(contentsOf: url).prefix(4), Data([0x89, 0x50, 0x4E, 0x47]))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path), ["fig.png"])
        let permissions = try FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as? Int
        XCTAssertEqual(permissions, 0o644)
    }

    func testExplicitFormatOverridesTheExtension() throws {
        let url = directory.appendingPathComponent("figure.out")
        try DemoFigures.figure5().render(to: url, format: .pdf)
        XCTAssertEqual(String(decoding: try Data(contentsOf: url).prefix(5), as: UTF8.self), "%PDF-")
    }
}
