import Foundation
import XCTest

/// A test case with a fresh, empty temporary folder per test, removed afterwards.
class TemporaryFolderTestCase: XCTestCase {
    /// The test's folder.
    var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("atomic-write-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }
}
