import Foundation
import XCTest

import AtomicWrite

/// The atomic write: the destination holds either its old contents or the complete new ones, the folder is created
/// when asked, and no temporary file is ever left behind.
final class AtomicFileTests: TemporaryFolderTestCase {
    private func contents(_ url: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: url.path).sorted()
    }

    func testReplacesAnExistingFileSharedAndLeavesNoTemporaryFile() throws {
        let url = folder.appendingPathComponent("result.json")
        try Data("old".utf8).write(to: url)
        try AtomicFile.write(Data("new".utf8), to: url)
        XCTAssertEqual(try String(contentsOf: url, encoding: .utf8), "new")
        XCTAssertEqual(try contents(folder), ["result.json"])
        let permissions = try FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as? Int
        XCTAssertEqual(permissions, 0o644)
    }

    func testTextIsWrittenAsUTF8AndEmptyDataGivesAnEmptyFile() throws {
        let text = folder.appendingPathComponent("table.csv"), empty = folder.appendingPathComponent("empty")
        try AtomicFile.write("méthode,K\nUnKD,4\n", to: text)
        XCTAssertEqual(try Data(contentsOf: text), Data("méthode,K\nUnKD,4\n".utf8))
        try AtomicFile.write(Data(), to: empty)
        XCTAssertEqual(try Data(contentsOf: empty), Data())
    }

    func testCreatesTheMissingFolderAndItsParents() throws {
        let url = folder.appendingPathComponent("models/ml-1m/teacher.bin")
        try AtomicFile.write(Data([1, 2, 3]), to: url)
        XCTAssertEqual(try Data(contentsOf: url), Data([1, 2, 3]))
        XCTAssertEqual(try contents(url.deletingLastPathComponent()), ["teacher.bin"])
    }

    func testAMissingFolderIsAnErrorWhenNotToBeCreated() throws {
        let url = folder.appendingPathComponent("no/such/folder/fig.png")
        XCTAssertThrowsError(try AtomicFile.write(Data("x".utf8), to: url, creatingFolder: false)) { error in
            let failure = error as? AtomicFileError
            XCTAssertEqual(failure?.path, url.path)
            XCTAssertTrue(failure?.reason.contains("does not exist") == true, "\(error)")
            XCTAssertEqual(error.localizedDescription, "\(error)")
            XCTAssertTrue("\(error)".hasPrefix("Cannot write \(url.path): "), "\(error)")
        }
        XCTAssertEqual(try contents(folder), [])
    }

    func testAFileWhereTheFolderShouldBeIsAnError() throws {
        let plain = folder.appendingPathComponent("plain-file")
        try Data("x".utf8).write(to: plain)
        for creating in [true, false] {
            XCTAssertThrowsError(try AtomicFile.write(Data("y".utf8), to: plain.appendingPathComponent("out.txt"),
                                                      creatingFolder: creating)) { error in
                XCTAssertTrue("\(error)".contains("not a directory"), "\(error)")
            }
        }
        XCTAssertThrowsError(try AtomicFile.write(Data("y".utf8), to: plain.appendingPathComponent("deeper/out.txt"))) {
            XCTAssertTrue("\($0)".contains("cannot create the directory"), "\($0)")
        }
        XCTAssertEqual(try String(contentsOf: plain, encoding: .utf8), "x")
    }

    /// The destination is a non-empty folder: the final rename fails, the folder is untouched and the temporary
    /// file is removed.
    func testAFailedRenameRemovesTheTemporaryFile() throws {
        let occupied = folder.appendingPathComponent("occupied.json")
        try FileManager.default.createDirectory(at: occupied.appendingPathComponent("child"), withIntermediateDirectories: true)
        XCTAssertThrowsError(try AtomicFile.write(Data("z".utf8), to: occupied)) { error in
            XCTAssertTrue("\(error)".contains("cannot replace the destination"), "\(error)")
        }
        XCTAssertEqual(try contents(folder), ["occupied.json"])
        XCTAssertEqual(try contents(occupied), ["child"])
    }
}
