import XCTest
@testable import UnKD

final class SplitTests: XCTestCase {
    let data = SyntheticData(.small, seed: 7).dataset

    func assertPartition(_ split: DataSplit, file: StaticString = #filePath, line: UInt = #line) {
        for user in 0..<data.userCount {
            let train = Set(split.train.items(of: user)), valid = Set(split.validation.items(of: user))
            let test = Set(split.test.items(of: user))
            XCTAssertTrue(train.isDisjoint(with: valid) && train.isDisjoint(with: test) && valid.isDisjoint(with: test),
                          file: file, line: line)
            XCTAssertEqual(train.union(valid).union(test), Set(data.interactions.items(of: user)), file: file, line: line)
        }
    }

    func testOfficialCodeProtocolHoldsOutCeilTwentyPercentAndSplitsUsers() {
        let split = DataSplit.make(data, protocol: .unkdCode, seed: 1, validationUserFraction: 0.2)
        assertPartition(split)
        for user in 0..<data.userCount {
            let n = data.interactions.degree(of: user)
            let held = split.validation.degree(of: user) + split.test.degree(of: user)
            XCTAssertEqual(held, Int((0.2 * Double(n)).rounded(.up)))
            XCTAssertTrue(split.validation.degree(of: user) == 0 || split.test.degree(of: user) == 0)
        }
        XCTAssertEqual(split.validationUsers.count, 60)  // floor(300 * 0.2)
        XCTAssertEqual(split.testUsers.count, 240)
        XCTAssertTrue(Set(split.validationUsers).isDisjoint(with: split.testUsers))
    }

    func testPaperTextProtocolValidatesAndTestsEveryUser() {
        let split = DataSplit.make(data, protocol: .paperText, seed: 1)
        assertPartition(split)
        XCTAssertEqual(split.testUsers.count, data.userCount)
        XCTAssertEqual(split.validationUsers.count, data.userCount)
        for user in 0..<data.userCount {
            let n = data.interactions.degree(of: user)
            let testCount = Int((0.1 * Double(n)).rounded(.up))
            XCTAssertEqual(split.test.degree(of: user), testCount)
            XCTAssertEqual(split.validation.degree(of: user), Int((0.1 * Double(n - testCount)).rounded(.up)))
        }
    }

    func testSplitsAreDeterministicInTheSeed() {
        for p in SplitProtocol.allCases {
            let a = DataSplit.make(data, protocol: p, seed: 42), b = DataSplit.make(data, protocol: p, seed: 42)
            let c = DataSplit.make(data, protocol: p, seed: 43)
            XCTAssertEqual(a.train, b.train)
            XCTAssertEqual(a.fingerprint, b.fingerprint)
            XCTAssertNotEqual(a.fingerprint, c.fingerprint)
            XCTAssertEqual(a.fingerprint.count, 64)
        }
    }
}
