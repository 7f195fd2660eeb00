import CGzip
import Foundation
import XCTest
@testable import UnKD

/// Input that must be refused with an error naming the file or the argument, never read as something else.
final class BadInputTests: XCTestCase {
    /// A gzip file cut short at every tenth byte is refused as truncated (or damaged), never read as fewer records.
    func testTruncatedGzipIsAnError() throws {
        let folder = try FixtureFolder()
        let text = (1...60).map { "\($0)::\($0 % 7 + 1)::5::978300760" }.joined(separator: "\n") + "\n"
        let whole = folder.path("ratings.dat.gz")
        let file = gzopen(whole, "wb")!
        _ = Array(text.utf8).withUnsafeBytes { gzwrite(file, $0.baseAddress, UInt32($0.count)) }
        gzclose(file)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: whole))
        XCTAssertEqual(try InteractionFileReader.read(path: whole).records.recordCount, 60)
        for cut in stride(from: 20, to: bytes.count, by: 10) {
            let path = folder.path("cut-\(cut).dat.gz")
            try bytes.prefix(cut).write(to: URL(fileURLWithPath: path))
            XCTAssertThrowsError(try InteractionFileReader.read(path: path), "cut at \(cut) of \(bytes.count) bytes") { error in
                XCTAssertTrue("\(error)".contains(path) || (error as? UnKDError)?.description.contains(path) == true, "\(error)")
            }
        }
    }

    func testRepeatedDataNameIsRefused() throws {
        var locator = DataLocator(dataDirectory: URL(fileURLWithPath: "/nonexistent"))
        try locator.addExplicit("x=/tmp/a.csv")
        XCTAssertThrowsError(try locator.addExplicit("x=/tmp/b.csv")) { error in
            XCTAssertTrue((error as? UnKDError)?.description.contains("'x' twice") == true, "\(error)")
        }
    }

    func testUnknownFormatPrefixIsNamed() throws {
        var locator = DataLocator(dataDirectory: URL(fileURLWithPath: "/nonexistent"))
        XCTAssertThrowsError(try locator.addExplicit("x=parquet:data.parquet")) { error in
            XCTAssertTrue((error as? UnKDError)?.description.contains("unknown format 'parquet'") == true, "\(error)")
        }
        try locator.addExplicit("y=csv:data.csv")
    }

    func testDataDirectoryFollowsTheEnvironment() {
        XCTAssertEqual(DataLocator.defaultDataDirectory(environment: ["UNKD_DATA": "/d", "XDG_CACHE_HOME": "/c", "HOME": "/h"]).path, "/d")
        XCTAssertEqual(DataLocator.defaultDataDirectory(environment: ["XDG_CACHE_HOME": "/c", "HOME": "/h"]).path, "/c/unkd")
        XCTAssertEqual(DataLocator.defaultDataDirectory(environment: ["HOME": "/h"]).path, "/h/.cache/unkd")
        XCTAssertEqual(DataLocator.defaultDataDirectory(environment: ["UNKD_DATA": "", "HOME": "/h"]).path, "/h/.cache/unkd")
    }

    func testAFilterThatLeavesNoUserIsAnError() throws {
        let folder = try FixtureFolder()
        let path = try folder.write("small.csv", "user,item\na,x\na,y\nb,x\n")
        var locator = DataLocator(dataDirectory: folder.url)
        locator.allowDownload = false
        locator.progress = { _ in }
        try locator.addExplicit("mine=\(path)")
        locator.minUserInteractions = 20
        XCTAssertThrowsError(try locator.load("mine")) { error in
            XCTAssertTrue((error as? UnKDError)?.description.contains("no user has 20 or more interactions") == true, "\(error)")
        }
        locator.minUserInteractions = 2
        XCTAssertEqual(try locator.load("mine").interactions.userCount, 1)
    }

    /// A citeulike file whose count disagrees with its items on one line is refused, naming that line, rather than
    /// read as adjacency data.
    func testCiteULikeWithOneWrongCountIsRefused() throws {
        let folder = try FixtureFolder()
        var lines = (0..<30).map { user in "3 \(user) \(user + 1) \(user + 2)" }
        lines[17] = "4 17 18 19"
        let path = try folder.write("users.dat", lines.joined(separator: "\n") + "\n")
        XCTAssertThrowsError(try InteractionFileReader.read(path: path)) { error in
            guard case let UnKDError.malformedLine(file, line, reason)? = error as? UnKDError else { return XCTFail("\(error)") }
            XCTAssertEqual(file, path)
            XCTAssertEqual(line, 18)
            XCTAssertTrue(reason.contains("citeulike:PATH"), reason)
        }
        XCTAssertThrowsError(try InteractionFileReader.read(path: path, format: .citeULike)) { error in
            guard case let UnKDError.malformedLine(_, line, _)? = error as? UnKDError else { return XCTFail("\(error)") }
            XCTAssertEqual(line, 18)
        }
        lines[17] = "3 17 18 19"
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: path))
        XCTAssertEqual(try InteractionFileReader.read(path: path).format, .citeULike)
    }

    func testBinaryDataAndDamagedZipAreNamedAsSuch() throws {
        let folder = try FixtureFolder()
        let binary = folder.path("noise.csv")
        try Data([0x75, 0x2C, 0x69, 0x0A, 0x00, 0xFF, 0x13, 0x80, 0x0A]).write(to: URL(fileURLWithPath: binary))
        XCTAssertThrowsError(try InteractionFileReader.read(path: binary)) { error in
            guard case let UnKDError.malformedLine(_, line, reason)? = error as? UnKDError else { return XCTFail("\(error)") }
            XCTAssertEqual(line, 2)
            XCTAssertTrue(reason.hasPrefix("binary data"), reason)
        }
        let zip = folder.path("ml-1m.zip")
        try Data([0x50, 0x4B, 0x03, 0x04] + Array(repeating: 0x41, count: 60)).write(to: URL(fileURLWithPath: zip))
        XCTAssertThrowsError(try InteractionFileReader.read(path: zip)) { error in
            XCTAssertTrue((error as? UnKDError)?.description.contains("damaged zip archive") == true, "\(error)")
        }
    }
}
