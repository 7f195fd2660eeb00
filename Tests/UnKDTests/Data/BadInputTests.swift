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
}
