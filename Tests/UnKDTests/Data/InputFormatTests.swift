import CGzip
import Foundation
import XCTest
import ZIPFoundation
@testable import UnKD

final class InputFormatTests: XCTestCase {
    func testMovieLensRatingsBinariseAndKeepFirstAppearanceOrder() throws {
        let folder = try FixtureFolder()
        let path = try folder.write("ratings.dat", "7::30::5::978300760\n7::10::1::978302109\n3::10::4::978301968\n")
        let (records, format) = try InteractionFileReader.read(path: path)
        XCTAssertEqual(format, .movieLens)
        let data = records.dataset(name: "x", minUserInteractions: 0, origin: "")
        XCTAssertEqual(data.userKeys, ["7", "3"])
        XCTAssertEqual(data.itemKeys, ["30", "10"])
        XCTAssertEqual(data.interactions.rows, [[0, 1], [1]])
    }

    func testMovieLensMalformedLineReportsItsNumber() throws {
        let folder = try FixtureFolder()
        let path = try folder.write("ratings.dat", "1::2::3::4\n1::2\n")
        XCTAssertThrowsError(try InteractionFileReader.read(path: path)) { error in
            guard case let UnKDError.malformedLine(file, line, _)? = error as? UnKDError else { return XCTFail("\(error)") }
            XCTAssertEqual(file, path)
            XCTAssertEqual(line, 2)
        }
        let badRating = try folder.write("bad.dat", "1::2::3::4\n1::3::x::4\n")
        XCTAssertThrowsError(try InteractionFileReader.read(path: badRating, format: .movieLens)) { error in
            XCTAssertEqual((error as? UnKDError).map { "\($0)" }?.contains(":2: the rating 'x'"), true)
        }
    }

    func testMovieLensInsideZip() throws {
        let folder = try FixtureFolder()
        let archiveURL = folder.url.appendingPathComponent("ml-1m.zip")
        let archive = try Archive(url: archiveURL, accessMode: .create)
        let content = Data("1::5::3::1\n2::5::4::2\n2::6::1::3\n".utf8)
        try archive.addEntry(with: "ml-1m/ratings.dat", type: .file, uncompressedSize: Int64(content.count)) { position, size in
            content.subdata(in: Int(position)..<Int(position) + size)
        }
        let (records, format) = try InteractionFileReader.read(path: archiveURL.path)
        XCTAssertEqual(format, .movieLens)
        XCTAssertEqual(records.recordCount, 3)
    }

    func testCiteULikeUsesLineIndexAsUserAndChecksCounts() throws {
        let folder = try FixtureFolder()
        let path = try folder.write("users.dat", "2 5 9\n1 5\n3 1 2 9\n")
        let (records, format) = try InteractionFileReader.read(path: path)
        XCTAssertEqual(format, .citeULike)
        let data = records.dataset(name: "c", minUserInteractions: 2, origin: "")
        XCTAssertEqual(data.userKeys, ["0", "2"])  // user 1 has one item and is filtered out
        XCTAssertEqual(data.interactionCount, 5)
        let bad = try folder.write("bad.dat", "2 5 9\n3 1 2\n")
        XCTAssertThrowsError(try InteractionFileReader.read(path: bad, format: .citeULike)) { error in
            guard case let UnKDError.malformedLine(_, line, reason)? = error as? UnKDError else { return XCTFail("\(error)") }
            XCTAssertEqual(line, 2)
            XCTAssertTrue(reason.contains("announces 3"))
        }
    }

    func testAdjacencyFolderUnitesTrainAndTest() throws {
        let folder = try FixtureFolder()
        try folder.write("lgcn/train.txt", "0 1 2 3\n1 2\n")
        try folder.write("lgcn/test.txt", "0 4\n1 2 5\n2\n")
        let (records, format) = try InteractionFileReader.read(path: folder.path("lgcn"))
        XCTAssertEqual(format, .adjacency)
        let data = records.dataset(name: "a", minUserInteractions: 0, origin: "")
        XCTAssertEqual(data.userCount, 2)  // user 2 lists no item
        XCTAssertEqual(data.interactionCount, 6)  // (1, 2) appears twice and counts once
        try folder.write("bad/train.txt", "0 1 2\n1 x\n")
        XCTAssertThrowsError(try InteractionFileReader.read(path: folder.path("bad"))) { error in
            guard case let UnKDError.malformedLine(_, line, _)? = error as? UnKDError else { return XCTFail("\(error)") }
            XCTAssertEqual(line, 2)
        }
    }

    func testAmazonJSONLinesPlainAndGzip() throws {
        let folder = try FixtureFolder()
        let text = """
            {"reviewerID": "A1", "asin": "B9", "overall": 5.0, "unixReviewTime": 1}
            {"reviewerID": "A2", "asin": "B9", "overall": 3.0, "unixReviewTime": 2}
            {"reviewerID": "A1", "asin": "B8", "overall": 1.0, "unixReviewTime": 3}

            """
        let plain = try folder.write("apps.json", text)
        XCTAssertEqual(try InteractionFileReader.read(path: plain).format, .amazonReviews)
        let gz = folder.path("apps.json.gz")
        let file = gzopen(gz, "wb")!
        _ = Array(text.utf8).withUnsafeBytes { gzwrite(file, $0.baseAddress, UInt32($0.count)) }
        gzclose(file)
        let (records, format) = try InteractionFileReader.read(path: gz)
        XCTAssertEqual(format, .amazonReviews)
        XCTAssertEqual(records.userKeys, ["A1", "A2"])
        XCTAssertEqual(records.recordCount, 3)
        let bad = try folder.write("bad.json", "{\"reviewerID\": \"A1\", \"asin\": \"B9\"}\n{\"asin\": \"B9\"}\n")
        XCTAssertThrowsError(try InteractionFileReader.read(path: bad)) { error in
            guard case let UnKDError.malformedLine(_, line, _)? = error as? UnKDError else { return XCTFail("\(error)") }
            XCTAssertEqual(line, 2)
        }
    }

    func testDelimitedTablesChooseColumnsByName() throws {
        let folder = try FixtureFolder()
        let csv = try folder.write("log.csv", "timestamp,userId,movieId,rating\n1,u1,m1,4\n2,u2,\"m,2\",5\n3,u1,m1,3\n")
        let (records, format) = try InteractionFileReader.read(path: csv)
        XCTAssertEqual(format, .delimited)
        XCTAssertEqual(records.userKeys, ["u1", "u2"])
        XCTAssertEqual(records.itemKeys, ["m1", "m,2"])
        let tsv = try folder.write("log.tsv", "who\twhat\na\tx\nb\ty\n")
        XCTAssertThrowsError(try InteractionFileReader.read(path: tsv)) { error in
            XCTAssertTrue("\(error)".contains("--user-column"))
        }
        let (named, _) = try InteractionFileReader.read(path: tsv, columns: TableColumns(user: "who", item: "what"))
        XCTAssertEqual(named.recordCount, 2)
        let ragged = try folder.write("ragged.csv", "user,item\na,x\nb\n")
        XCTAssertThrowsError(try InteractionFileReader.read(path: ragged)) { error in
            guard case let UnKDError.malformedLine(_, line, _)? = error as? UnKDError else { return XCTFail("\(error)") }
            XCTAssertEqual(line, 3)
        }
    }

    func testDetectionAndItsFailures() throws {
        XCTAssertEqual(try InteractionFileReader.detect(TextSource(name: "a", bytes: Array("0 1 2 3\n1 5 6\n".utf8))), .adjacency)
        XCTAssertEqual(try InteractionFileReader.detect(TextSource(name: "c", bytes: Array("3 1 2 3\n1 5\n".utf8))), .citeULike)
        XCTAssertThrowsError(try InteractionFileReader.detect(TextSource(name: "e", bytes: []))) { error in
            XCTAssertTrue("\(error)".contains("empty"))
        }
        XCTAssertThrowsError(try InteractionFileReader.detect(TextSource(name: "p", bytes: Array("hello world\n".utf8)))) { error in
            XCTAssertTrue("\(error)".contains("cannot tell the format"))
        }
        XCTAssertThrowsError(try InteractionFileReader.read(path: "/nonexistent/file.dat")) { error in
            XCTAssertEqual(error as? UnKDError, .missingFile("/nonexistent/file.dat"))
        }
    }
}
