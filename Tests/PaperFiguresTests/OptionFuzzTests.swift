import ArgumentParser
import XCTest
@testable import PaperFigures
@testable import UnKD

/// Seeded fuzzing of the shared command-line options: random argument lists built from the real option names and
/// hostile values never crash the parser; each either parses, with every numeric value in its range, or is refused
/// with a message.
final class OptionFuzzTests: XCTestCase {
    static let values = ["-1", "0", "1", "5", "2147483648", "99999999999999999999", "nan", "inf", "-inf", "1e-3", "",
                         "x", "ml-1m", "ml-1m,nope", "synthetic", "mf", "paper-text", "csv", "x=", "=y", "x=parquet:f",
                         "x=/nonexistent", "--", "-", "--seeds", "é", " "]

    /// Parsing is slow in debug builds (tens of milliseconds a command line), so each type gets a few hundred.
    func fuzz<T: ParsableArguments>(_ type: T.Type, options: [String], flags: [String], count: Int = 200, check: (T) -> Void) {
        var random = RandomSource(seed: 31)
        var parsed = 0, refused = 0
        for _ in 0..<count {
            var arguments: [String] = []
            for _ in 0..<random.below(6) {
                if random.below(4) == 0 {
                    arguments.append(flags[random.below(flags.count)])
                } else {
                    let option = options[random.below(options.count)], value = Self.values[random.below(Self.values.count)]
                    arguments += random.below(2) == 0 ? [option, value] : ["\(option)=\(value)"]
                }
            }
            do {
                check(try type.parse(arguments))
                parsed += 1
            } catch {
                XCTAssertFalse(type.message(for: error).isEmpty, "\(arguments): an empty message")
                refused += 1
            }
        }
        XCTAssertGreaterThan(parsed, 0)
        XCTAssertGreaterThan(refused, 0)
    }

    func testGridOptions() {
        fuzz(GridOptions.self, options: ["--seeds", "--epochs", "--dataset", "--protocol", "--data", "--format", "--slurm",
                                         "--results-dir", "--min-user-interactions"],
             flags: ["--quick", "--cached", "--list-commands", "--offline"]) { options in
            XCTAssertTrue((1...OptionCheck.maximumSeeds).contains(options.seeds))
            XCTAssertTrue((1...OptionCheck.maximumEpochs).contains(options.epochs))
        }
    }

    func testFigureGridOptions() {
        fuzz(FigureGridOptions.self, options: ["--seeds", "--epochs", "--dataset", "--data", "--format", "--out"],
             flags: ["--quick", "--cached", "--rerun", "--list-commands"]) { options in
            XCTAssertTrue((1...OptionCheck.maximumSeeds).contains(options.seeds))
            XCTAssertTrue((1...OptionCheck.maximumEpochs).contains(options.epochs))
        }
    }

    /// Data options parse; what they name is checked when the locator is built, with an error, never a crash.
    func testDataOptions() {
        fuzz(DataOptions.self, options: ["--data", "--data-dir", "--user-column", "--item-column", "--min-user-interactions"],
             flags: ["--offline"]) { options in
            _ = try? options.locator()
        }
    }
}
