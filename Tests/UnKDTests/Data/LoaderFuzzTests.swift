import CGzip
import Foundation
import XCTest
@testable import UnKD

/// Seeded mutation fuzzing of every loader: valid fixtures are cut, flipped, stretched and garbled, and each mutant is
/// read. The properties:
/// - the reader never crashes;
/// - an error is an `UnKDError` that names the file, and a malformed line is a line the file has;
/// - a successful read invents nothing: every record's user and item occur as tokens of the file;
/// - a file cut at a line end reads as exactly the records of its complete lines (computed here from the fixture).
/// Every mutant comes from a fixed seed, so a failure names a mutant that can be rebuilt.
final class LoaderFuzzTests: XCTestCase {
    /// A fixture: its text, the format to read it as, and the (user, item) records of each line (nil for lines that
    /// hold no record, such as a header).
    struct Fixture {
        var name: String
        var format: InputFormat
        var lines: [String]
        var records: [[(String, String)]?]
        var text: String { lines.joined(separator: "\n") + "\n" }
    }

    static let fixtures: [Fixture] = {
        let pairs: [(Int, Int)] = (0..<40).map { ($0 % 7 + 1, ($0 * 5) % 13 + 1) }
        var movieLens = Fixture(name: "ratings.dat", format: .movieLens, lines: [], records: [])
        var amazon = Fixture(name: "reviews.json", format: .amazonReviews, lines: [], records: [])
        var table = Fixture(name: "table.csv", format: .delimited, lines: ["user,item,rating"], records: [nil])
        for (k, (u, i)) in pairs.enumerated() {
            movieLens.lines.append("\(u)::\(i)::\(k % 5 + 1)::97830\(k)")
            movieLens.records.append([("\(u)", "\(i)")])
            amazon.lines.append("{\"reviewerID\": \"U\(u)\", \"asin\": \"B\(i)\", \"overall\": \(k % 5 + 1).0, \"unixReviewTime\": \(k)}")
            amazon.records.append([("U\(u)", "B\(i)")])
            table.lines.append("u\(u),i\(i),\(k % 5 + 1)")
            table.records.append([("u\(u)", "i\(i)")])
        }
        var citeULike = Fixture(name: "users.dat", format: .citeULike, lines: [], records: [])
        var adjacency = Fixture(name: "train.txt", format: .adjacency, lines: [], records: [])
        for user in 0..<12 {
            let items = (0..<(user % 4 + 2)).map { (user * 3 + $0 * 7) % 19 }
            citeULike.lines.append(([items.count] + items).map(String.init).joined(separator: " "))
            citeULike.records.append(items.map { ("\(user)", "\($0)") })
            adjacency.lines.append(([user] + items).map(String.init).joined(separator: " "))
            adjacency.records.append(items.map { ("\(user)", "\($0)") })
        }
        return [movieLens, citeULike, amazon, adjacency, table]
    }()

    /// One mutation of `text`, chosen and shaped by `random`.
    static func mutate(_ text: String, _ random: inout RandomSource) -> (label: String, bytes: [UInt8]) {
        var bytes = Array(text.utf8)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let line = random.below(max(lines.count - 1, 1))
        switch random.below(10) {
        case 0:
            let cut = random.below(bytes.count + 1)
            return ("truncated at byte \(cut)", Array(bytes[0..<cut]))
        case 1:
            let at = random.below(max(bytes.count, 1))
            if !bytes.isEmpty { bytes[at] = UInt8(truncatingIfNeeded: random.next()) }
            return ("byte \(at) replaced", bytes)
        case 2:
            var fields = lines[line].split(whereSeparator: { " ,\t:".contains($0) }).map(String.init)
            if !fields.isEmpty { fields.remove(at: random.below(fields.count)) }
            lines[line] = fields.joined(separator: " ")
            return ("a field of line \(line + 1) dropped", Array(lines.joined(separator: "\n").utf8))
        case 3:
            lines[line] += " " + (lines[line].split(separator: " ").last.map(String.init) ?? "")
            return ("a field of line \(line + 1) repeated", Array(lines.joined(separator: "\n").utf8))
        case 4:
            return ("CRLF line ends", Array(lines.joined(separator: "\r\n").utf8))
        case 5:
            lines.insert("", at: line)
            lines.insert("   ", at: line)
            return ("blank lines before line \(line + 1)", Array(lines.joined(separator: "\n").utf8))
        case 6:
            lines[line] = lines[line].replacingOccurrences(of: "1", with: "99999999999999999999999")
            return ("a huge number on line \(line + 1)", Array(lines.joined(separator: "\n").utf8))
        case 7:
            lines[line] = lines[line].replacingOccurrences(of: "2", with: "-2")
            return ("a negative number on line \(line + 1)", Array(lines.joined(separator: "\n").utf8))
        case 8:
            lines[line] = lines[line].replacingOccurrences(of: "3", with: "x")
            return ("a non-numeric id on line \(line + 1)", Array(lines.joined(separator: "\n").utf8))
        default:
            return ("empty", [])
        }
    }

    /// Reads `bytes` as `fixture`'s format (and once by detection), checking the properties.
    func check(_ bytes: [UInt8], fixture: Fixture, label: String, folder: FixtureFolder) throws -> RawInteractions? {
        let path = folder.path(fixture.name)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let lineCount = bytes.split(separator: 0x0A, omittingEmptySubsequences: false).count
        var result: RawInteractions?
        for format in [fixture.format, nil] {
            do {
                let (read, readAs) = try InteractionFileReader.read(path: path, format: format)
                // Characters, not bytes: "\r\n" is one Character, so every line end is listed.
                let separators: Set<Character> = [" ", ",", "\t", ":", "\"", "{", "}", "\r", "\n", "\r\n"]
                let tokens = Set(String(decoding: bytes, as: UTF8.self).split(whereSeparator: separators.contains).map(String.init))
                // citeulike's users are line indices, not tokens of the file.
                for key in (readAs == .citeULike ? [] : read.userKeys) + read.itemKeys {
                    XCTAssertTrue(tokens.contains(key), "\(fixture.name), \(label): invented key \(key)")
                }
                if format != nil { result = read }
            } catch let error as UnKDError {
                XCTAssertTrue(error.description.contains(path), "\(fixture.name), \(label): \(error) does not name the file")
                if case let .malformedLine(_, line, _) = error {
                    XCTAssertTrue((1...max(lineCount, 1)).contains(line), "\(fixture.name), \(label): line \(line) of \(lineCount)")
                }
            }
        }
        return result
    }

    func testMutantsNeverCrashAndErrorsNameTheFile() throws {
        let folder = try FixtureFolder()
        var random = RandomSource(seed: 2022)
        for fixture in Self.fixtures {
            for _ in 0..<120 {
                let (label, bytes) = Self.mutate(fixture.text, &random)
                _ = try check(bytes, fixture: fixture, label: label, folder: folder)
            }
        }
    }

    /// Cut after k complete lines, a file reads as exactly the records of those lines.
    func testFilesCutAtALineEndReadAsTheirCompleteLines() throws {
        let folder = try FixtureFolder()
        for fixture in Self.fixtures {
            for k in 1...fixture.lines.count {
                let prefix = fixture.lines[0..<k].joined(separator: "\n") + "\n"
                let expected = fixture.records[0..<k].compactMap { $0 }.flatMap { $0 }
                let read = try check(Array(prefix.utf8), fixture: fixture, label: "first \(k) lines", folder: folder)
                guard !expected.isEmpty else { continue }
                let got = try XCTUnwrap(read, "\(fixture.name): the first \(k) lines did not read")
                let pairs = zip(got.recordUsers, got.recordItems).map { (got.userKeys[Int($0)], got.itemKeys[Int($1)]) }
                XCTAssertEqual(pairs.map { "\($0.0)/\($0.1)" }, expected.map { "\($0.0)/\($0.1)" }, "\(fixture.name), \(k) lines")
            }
        }
    }

    /// A gzip stream of each fixture cut at random bytes is refused, never read as fewer records.
    func testCompressedMutantsAreRefused() throws {
        let folder = try FixtureFolder()
        var random = RandomSource(seed: 7)
        for fixture in Self.fixtures where fixture.format == .amazonReviews || fixture.format == .movieLens {
            let path = folder.path(fixture.name + ".gz")
            let file = gzopen(path, "wb")!
            _ = Array(fixture.text.utf8).withUnsafeBytes { gzwrite(file, $0.baseAddress, UInt32($0.count)) }
            gzclose(file)
            let whole = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
            for _ in 0..<20 {
                let cut = 10 + random.below(whole.count - 10)
                try Data(whole[0..<cut]).write(to: URL(fileURLWithPath: path))
                XCTAssertThrowsError(try InteractionFileReader.read(path: path), "\(fixture.name).gz cut at \(cut)") { error in
                    XCTAssertTrue("\(error)".contains(path), "\(error)")
                }
            }
        }
    }
}
