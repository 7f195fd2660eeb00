import Foundation
import UnKD
import XCTest

/// Every executable's own options fuzzed from the outside: each command is run as a user would run it, with one option
/// set to a value drawn (from a fixed seed) out of that option's invalid values. The property: the command neither
/// crashes nor starts work; it exits with the usage status (64) and a message that names the option. A value that a
/// command wrongly accepts makes it start training or downloading, which the time limit turns into a failure.
///
/// The executables are the package's own build products, found beside the test bundle (`swift test` builds them); the
/// values are drawn with the package's `RandomSource`.
final class ExecutableOptionFuzzTests: XCTestCase {
    /// What an option takes, and so which values are invalid for it.
    enum Kind {
        /// An integer in a range.
        case integer(ClosedRange<Int>)
        /// A seed (an unsigned 64-bit integer).
        case seed
        /// A finite real number > 0.
        case positive
        /// A finite real number >= 0.
        case nonNegative
        /// A name from a fixed set.
        case choice
        /// A comma-separated list of dataset names.
        case datasets

        /// Values the option must refuse.
        var invalidValues: [String] {
            let notNumbers = ["x", "", "1,2", "--"]
            switch self {
            case .integer(let range):
                return ["\(range.lowerBound - 1)", "\(range.upperBound + 1)", "\(range.lowerBound - 1000)", "1.5",
                        "99999999999999999999999"] + notNumbers
            case .seed: return ["-1", "1.5", "18446744073709551616", "1e3"] + notNumbers
            case .positive: return ["0", "-1", "-0.001", "nan", "inf", "-inf", "1e400"] + notNumbers
            case .nonNegative: return ["-1", "-1e-9", "nan", "inf", "-inf"] + notNumbers
            case .choice: return ["x", "", "Student;rm", "MF", "ml-1m"]
            case .datasets: return ["nope", "ml-1m,nope", ",", ""]
            }
        }
    }

    /// The grid's options, shared by the tables, the grid figures and `tune`.
    static let grid: [(String, Kind)] = [
        ("--seeds", .integer(1...100)), ("--epochs", .integer(1...100_000)), ("--protocol", .choice),
        ("--dataset", .datasets), ("--min-user-interactions", .integer(0...1_000_000)),
    ]

    /// Each executable, the arguments it needs besides the fuzzed one, and its options.
    static let commands: [(name: String, required: [String], options: [(String, Kind)])] = [
        ("table1", [], grid + [("--format", .choice), ("--backbone", .choice)]),
        ("table2", [], [("--seed", .seed), ("--protocol", .choice), ("--format", .choice), ("--datasets", .datasets),
                        ("--min-user-interactions", .integer(0...1_000_000))]),
        ("table3", [], grid + [("--format", .choice), ("--backbone", .choice)]),
        ("table4", [], grid + [("--format", .choice), ("--backbone", .choice)]),
        ("fig1", [], [("--seed", .seed), ("--format", .choice), ("--dataset", .datasets)]),
        ("fig4", [], grid + [("--format", .choice), ("--backbone", .choice), ("--methods", .choice)]),
        ("fig5", [], grid + [("--format", .choice), ("--max-groups", .integer(1...100))]),
        ("unkd", [], [("--groups", .integer(1...20)), ("--mu", .positive), ("--pairs", .integer(1...1000)),
                      ("--epochs", .integer(1...1000)), ("--seed", .seed), ("--dataset", .datasets)]),
        ("train", [], [("--dimension", .integer(1...4096)), ("--layers", .integer(0...8)),
                       ("--max-epochs", .integer(1...100_000)), ("--lr", .positive), ("--decay", .nonNegative),
                       ("--pd-alpha", .nonNegative), ("--tune-lr", .positive), ("--tune-decay", .nonNegative),
                       ("--seed", .seed), ("--split-seed", .seed), ("--optimiser", .choice), ("--backbone", .choice),
                       ("--protocol", .choice), ("--dataset", .datasets)]),
        ("distill", [], [("--groups", .integer(1...100)), ("--pairs", .integer(1...10_000)), ("--mu", .positive),
                         ("--weight", .nonNegative), ("--max-epochs", .integer(1...100_000)), ("--seed", .seed),
                         ("--backbone", .choice), ("--protocol", .choice), ("--dataset", .datasets),
                         ("--reversed-pairs", .choice)]),
        ("tune", ["--method", "UnKD"], grid + [("--method", .choice), ("--backbone", .choice), ("--format", .choice)]),
        ("bench", [], [("--runs", .integer(1...100)), ("--only", .choice), ("--dataset", .datasets), ("--format", .choice),
                        ("--student", .choice)]),
        ("report", [], [("--seeds", .integer(1...100)), ("--dataset", .datasets)]),
        ("experiment", ["--spec", "{}"], [("--method", .choice), ("--spec", .choice)]),
        ("crosscheck", ["--out", "OUT"], [("--seed", .seed), ("--student", .choice), ("--candidate-groups", .integer(1...10)),
                                          ("--backbone", .choice), ("--protocol", .choice), ("--dataset", .datasets),
                                          ("--epoch-method", .choice)]),
    ]

    /// Invalid values tried per option (drawn without replacement from its kind's list).
    static let valuesPerOption = 3

    func testEveryExecutableRefusesInvalidOptionValues() throws {
        // The build folder: the bundle's own folder on Linux, the folder around the .xctest bundle on macOS.
        let bundle = Bundle(for: Self.self).bundleURL
        let folder = [bundle, bundle.deletingLastPathComponent()].first {
            FileManager.default.isExecutableFile(atPath: $0.appendingPathComponent("table3").path)
        } ?? bundle
        let missing = Self.commands.map(\.name).filter { !FileManager.default.isExecutableFile(atPath: folder.appendingPathComponent($0).path) }
        guard missing.isEmpty else {
            throw XCTSkip("the executables \(missing.joined(separator: ", ")) are not built beside the tests in \(folder.path); "
                          + "run `swift build` first (`swift test` builds them)")
        }
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("unkd-option-fuzz-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: out) }
        var random = RandomSource(seed: 2022)
        var calls: [(executable: URL, option: String, arguments: [String])] = []
        for command in Self.commands {
            for (option, kind) in command.options {
                var pool = kind.invalidValues
                for _ in 0..<min(Self.valuesPerOption, pool.count) {
                    let value = pool.remove(at: random.below(pool.count))
                    // Downloads off wherever a command can download.
                    let offline = command.name == "report" ? [] : ["--offline"]
                    calls.append((folder.appendingPathComponent(command.name), option,
                                  offline + command.required.map { $0 == "OUT" ? out.path : $0 } + [option, value]))
                }
            }
        }
        // The commands run a few at a time: each spends most of its life starting up.
        var runs = [Result<Run, Error>?](repeating: nil, count: calls.count)
        let lock = NSLock()
        DispatchQueue.concurrentPerform(iterations: calls.count) { k in
            let run = Result { try Self.run(calls[k].executable, calls[k].arguments) }
            lock.lock()
            runs[k] = run
            lock.unlock()
        }
        for (call, result) in zip(calls, runs) {
            let run = try result!.get()
            let text = "\(call.executable.lastPathComponent) \(call.arguments.joined(separator: " "))"
            XCTAssertFalse(run.timedOut, "\(text) did not stop: the value was accepted")
            XCTAssertFalse(run.crashed, "\(text) crashed: \(run.errorText)")
            XCTAssertEqual(run.status, 64, "\(text) did not exit with the usage status: \(run.errorText)")
            XCTAssertTrue(run.errorText.contains(call.option), "\(text): the message does not name \(call.option): \(run.errorText)")
            XCTAssertFalse(run.errorText.contains("Missing value"), "\(text): a given value reported as missing")
        }
    }

    /// How a run of a command ended.
    struct Run {
        var status: Int32
        var crashed: Bool
        var timedOut: Bool
        var errorText: String
    }

    /// Runs `executable` with `arguments` for at most a minute (a command refuses a bad option in well under a second;
    /// one that goes on trains or reads data), with an empty data folder, in a folder of its own.
    static func run(_ executable: URL, _ arguments: [String]) throws -> Run {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["UNKD_DATA"] = FileManager.default.temporaryDirectory.appendingPathComponent("unkd-option-fuzz-no-data").path
        process.environment = environment
        // In a folder of its own, so a command that wrongly goes on writes nothing into the repository.
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("unkd-option-fuzz-cwd-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        process.currentDirectoryURL = folder
        // Standard error goes to a file, so a command that writes much never blocks on a full pipe.
        let errorFile = folder.appendingPathComponent("stderr")
        guard FileManager.default.createFile(atPath: errorFile.path, contents: nil) else { throw CocoaError(.fileWriteUnknown) }
        let errors = try FileHandle(forWritingTo: errorFile)
        defer { try? errors.close() }
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(60)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        let timedOut = process.isRunning
        if timedOut {
            process.terminate()
            process.waitUntilExit()
        }
        let text = (try? String(contentsOf: errorFile, encoding: .utf8)) ?? ""
        return Run(status: process.terminationStatus, crashed: process.terminationReason == .uncaughtSignal && !timedOut,
                   timedOut: timedOut, errorText: text)
    }
}
