import XCTest
@testable import UnKD

final class PaperGridTests: XCTestCase {
    /// Each tuning variant changes only the tuned method's settings, the variants are distinct experiments, and the
    /// rows of the tables resolve to the intended teachers.
    func testTuningVariantsChangeOnlyTheirMethod() throws {
        let base = PaperGrid(dataset: "synthetic")
        XCTAssertEqual(base.tuningVariants(for: .unkd).count, 12)
        XCTAssertEqual(base.tuningVariants(for: .rd).map(\.grid.rd.weight), [0.1, 0.3, 0.5, 0.7, 0.9])
        XCTAssertTrue(base.tuningVariants(for: .student).isEmpty)
        for method in PaperGrid.tunableMethods {
            let variants = base.tuningVariants(for: method)
            let specs = variants.map { $0.grid.runs([method], .mf, seed: 1)[0].spec }
            XCTAssertEqual(Set(specs.map(ConfigurationKey.of)).count, variants.count, "\(method): variants must be distinct runs")
            for variant in variants {
                // The rows of every other method stay as they were.
                for other in PaperGrid.table3Methods where other != method && method != .pdTeacher {
                    XCTAssertEqual(variant.grid.runs([other], .mf, seed: 1)[0].spec, base.runs([other], .mf, seed: 1)[0].spec,
                                   "\(method) \(variant.setting) changed \(other)")
                }
            }
        }
        let pdCD = try XCTUnwrap(base.runs([.pdCD], .mf, seed: 3).first?.spec.distillation)
        XCTAssertEqual(pdCD.teacher.model.objective, .popularityDeconfounded(alpha: base.pdAlpha))
        let cd = try XCTUnwrap(base.runs([.cd], .mf, seed: 3).first?.spec.distillation)
        XCTAssertEqual(cd.teacher.model.objective, .bpr)
        XCTAssertEqual(base.runs([.unkd, .cd], .mf, seed: 3).map(\.method), [.unkd, .cd])
    }

    /// A dataset with chosen settings uses them in its rows, each chosen value is a point of its method's tuning grid
    /// whose run is the very run of the table (so the tuning run is reused as the table's), and a dataset without
    /// chosen settings keeps the defaults.
    func testChosenSettingsAreTheTablesRuns() {
        let plain = PaperGrid(dataset: "synthetic")
        XCTAssertEqual(plain.htd, HTDConfiguration())
        XCTAssertEqual(plain.deRRD, DERRDConfiguration())
        for dataset: DatasetName in [.citeULike, .movieLens] {
            let tuned = PaperGrid(dataset: dataset)
            XCTAssertNotEqual(tuned.htd.weight, plain.htd.weight, "\(dataset)")
            for method: PaperMethod in [.htd, .deRRD, .unkd] {
                let row = tuned.runs([method], .mf, seed: 2022)[0].spec
                let matches = tuned.tuningVariants(for: method).filter { $0.grid.runs([method], .mf, seed: 2022)[0].spec == row }
                XCTAssertEqual(matches.count, 1, "\(dataset) \(method): the chosen setting must be a point of the grid")
            }
        }
    }

    /// A listed run command is one a POSIX shell splits into exactly the intended arguments, even for the method
    /// "PD teacher", a data path with a space and quote, and the JSON spec.
    func testRunCommandsSurviveTheShell() throws {
        let run = PaperGrid(dataset: "synthetic").runs([.pdTeacher], .mf, seed: 2022)[0]
        let data = "mine=/tmp/my data/it's.csv"
        let command = try run.command(data: [data], resultsDirectory: "results")
        XCTAssertTrue(command.contains("--method 'PD teacher'"), command)
        XCTAssertTrue(command.contains("--results-dir results "), command)

        let prefix = "swift run -c release experiment "
        XCTAssertTrue(command.hasPrefix(prefix))
        let shell = Process()
        shell.executableURL = URL(fileURLWithPath: "/bin/sh")
        shell.arguments = ["-c", "printf '%s\\n' " + command.dropFirst(prefix.count)]
        let output = Pipe()
        shell.standardOutput = output
        try shell.run()
        let words = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            .split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
        shell.waitUntilExit()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = String(decoding: try encoder.encode(run.spec), as: UTF8.self)
        XCTAssertEqual(words, ["--data", data, "--results-dir", "results", "--method", "PD teacher", "--spec", json])
    }
}
