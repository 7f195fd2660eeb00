/*:
 # The reproduction report

 This tool writes `REPRODUCTION.md`: what the paper claims, what our runs say, and how sure we can be. It trains
 nothing. It reads the result files in `results/` (one per finished run, committed to the repository) and the tables
 and figures the notebooks wrote into `figures/`, so the report always matches the committed numbers and is
 regenerated in seconds:

     swift run -c release table1 --cached && swift run -c release table3 --cached && swift run -c release table4 --cached
     swift run -c release fig4 && swift run -c release fig5
     swift run -c release tune --method HTD --seeds 1 --cached   # likewise DE-RRD, UnKD: the tuning tables
     swift run -c release report

 ## How a verdict is reached

 The rules live in the `ReproductionReport` library (`Evidence` in `Sources/ReproductionReport`), where each is tested
 on hand-made results: a claim is a test on the seed means of the runs that exist, cell by cell (a dataset and a
 backbone), two methods are compared on the seeds both have run, and the verdict is *reproduced*, *partly reproduced*,
 *not reproduced* or *not run*. Apps, whose data cannot be had offline, has no runs and is named and left out. The
 evidence lines give the numbers, so a reader can disagree with the threshold rather than with the data.

 After the claims come the runs: which ran and how long they took, and which are still to run, cell by cell, with
 an estimate of the time they need from the finished runs of the same cell, so that a partial grid says plainly what
 it lacks. The report ends with the tuning tables: for each method tuned so far, every setting's validation score and
 the one chosen, so a reader can see how much of each comparison is the method and how much its weight.
*/
import ArgumentParser
import Foundation
import PaperFigures
import ReproductionReport
import UnKD

struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report", abstract: "Writes REPRODUCTION.md from the stored results and the tables and figures in figures/.")

    @Option(help: "Datasets of the report (comma-separated).")
    var dataset = GridRunOptions.allDatasets

    @Option(parsing: .unconditional, help: "Seeds looked for per cell (2022, 2023, ...).")
    var seeds = 5

    @Option(name: .customLong("results-dir"), help: "Where run results are kept.")
    var resultsDirectory = "results"

    @Option(name: .customLong("figures-dir"), help: "Where the tables' CSV files and the figures are.")
    var figuresDirectory = "figures"

    @Option(help: "The report file to write.")
    var out = "REPRODUCTION.md"

    @Option(help: "The README whose results summary (between its results markers) is rewritten; none if absent.")
    var readme = "README.md"

    func validate() throws {
        try OptionCheck.integer(seeds, "--seeds", in: 1...OptionCheck.maximumSeeds)
        try OptionCheck.datasets(DatasetName.list(dataset), data: try DataOptions.parse([]), resultsDirectory: resultsDirectory)
    }

    func run() throws {
        let names = DatasetName.list(dataset)
        let seedList = (0..<seeds).map { UInt64(2022 + $0) }
        let results = ResultStore(folder: URL(fileURLWithPath: resultsDirectory))
        // Nothing is trained here, so the workspace never looks for data.
        let workspace = Workspace(locator: DataLocator())
        let methods = PaperGrid.table3Methods + [.pdTeacher, .pdCD, .pdHTD]
        var runs: [GridRun] = []
        for name in names {
            let grid = PaperGrid(dataset: name)
            for backbone in Backbone.allCases { for seed in seedList { runs += grid.runs(methods, backbone, seed: seed) } }
            for seed in seedList { runs += grid.groupSweep(Array(1...10), seed: seed).filter { $0.method != .student } }
        }
        let grid = try workspace.run(runs, results: results, trainMissing: false)
        // The weights each baseline was tuned over (seed 2022, MF): how Table 1's verdict depends on the weight.
        var weightRuns: [GridRun] = []
        for name in names {
            let grid = PaperGrid(dataset: name)
            for method in Evidence.table1Baselines {
                for (setting, variant) in grid.tuningVariants(for: method) {
                    weightRuns += variant.runs([method], .mf, seed: 2022).map {
                        GridRun(method: $0.method, cell: .tuning(setting, of: method), backbone: .mf, spec: $0.spec)
                    }
                }
            }
        }
        let weights = try workspace.run(weightRuns, results: results, trainMissing: false)
        // The paper's own protocol, seed 2022, for the comparison of protocols.
        let paperText = try workspace.run(names.flatMap { name in
            Backbone.allCases.flatMap { PaperGrid(dataset: name, splitProtocol: .paperText).runs(PaperGrid.table3Methods, $0, seed: 2022) }
        }, results: results, trainMissing: false)
        let evidence = Evidence(grid: grid, weights: weights, datasets: names)

        var text = """
        # Reproduction report

        Generated by `swift run -c release report` from the \(grid.cells.values.reduce(0) { $0 + $1.count }) result files \
        in [`results/`](results) and the tables in [`figures/`](figures); do not edit by hand. Protocol `unkd-code` \
        (the official code's split) unless a section says otherwise; seeds 2022 onwards; every cell is the mean over the \
        seeds that finished, ± the half-width of a 95% t-interval (a cell of one seed shows its value alone), and a \
        comparison of two cells is on the seeds both finished; the paper's value is in brackets.


        """
        text += "## The paper's claims\n\n"
        for (k, claim) in evidence.claims.enumerated() {
            text += "\(k + 1). **\(claim.statement)** Verdict: **\(claim.verdict.rawValue)**.\n"
            for line in claim.lines { text += "   - \(line)\n" }
            text += "\n"
        }
        let protocols = ProtocolComparison.section(grid: grid, paperText: paperText, datasets: names)
        let crossCheck = CrossCheckSection(folder: URL(fileURLWithPath: resultsDirectory).appendingPathComponent("crosscheck"),
                                           results: results).section()
        text += protocols.text + crossCheck.text
        text += "## What ran, and how long it took\n\n"
        text += evidence.inventory.rendered(.markdown) + "\n"
        text += "## What is still to run\n\n" + evidence.stillToRun(runs, seeds: seedList.count)
        for (title, file, note) in [
            ("Table 2: the datasets", "table2", "`swift run -c release table2 --data ml-1m=PATH --data citeulike=PATH`"),
            ("Table 1: group Recall@10 of existing distillation methods", "table1", "`swift run -c release table1 --cached`"),
            ("Table 3: overall Recall@10 and NDCG@10", "table3", "`swift run -c release table3 --cached`"),
            ("Table 4: distilling from a popularity-deconfounded teacher", "table4", "`swift run -c release table4 --cached`"),
            ("Table 3 under the paper's own split (`paper-text`)", "table3-paper-text",
             "`swift run -c release table3 --cached --protocol paper-text`"),
            ("Figure 1: popular items in the MF teacher's top-10 lists", "fig1", "`swift run -c release fig1`"),
            ("Figure 4: Recall@10 change over the Student by group", "fig4", "`swift run -c release fig4`"),
            ("Figure 5: UnKD against the number of groups K", "fig5", "`swift run -c release fig5`"),
        ] {
            text += "## \(title)\n\n"
            let csv = URL(fileURLWithPath: figuresDirectory).appendingPathComponent("\(file).csv")
            guard let data = try? String(contentsOf: csv, encoding: .utf8) else {
                text += "Not generated yet: run \(note).\n\n"
                continue
            }
            if FileManager.default.fileExists(atPath: URL(fileURLWithPath: figuresDirectory).appendingPathComponent("\(file).png").path) {
                text += "![\(title)](\(figuresDirectory)/\(file).png)\n\n"
            }
            text += try TextTable(csv: data).rendered(.markdown) + "\nFrom [`\(figuresDirectory)/\(file).csv`](\(figuresDirectory)/\(file).csv), made by \(note).\n\n"
        }
        text += tuningSection()
        try AtomicFile.write(Data(text.utf8), to: URL(fileURLWithPath: out))
        Progress.say("wrote \(out)")
        try writeSummary(evidence.claims, more: protocols.summary + crossCheck.verdicts)
    }

    /// Rewrites the results summary of the README, between `<!-- results:begin -->` and `<!-- results:end -->`: one
    /// line per claim with its verdict, so the README never repeats numbers by hand.
    func writeSummary(_ claims: [Evidence.Claim], more: [String]) throws {
        let begin = "<!-- results:begin -->", end = "<!-- results:end -->"
        guard let readmeText = try? String(contentsOfFile: readme, encoding: .utf8),
              let start = readmeText.range(of: begin), let stop = readmeText.range(of: end), start.upperBound <= stop.lowerBound
        else {
            Progress.say("\(readme) has no results markers; its summary was left alone")
            return
        }
        let lines = claims.map { "- \($0.statement) **\($0.verdict.rawValue.prefix(1).uppercased() + $0.verdict.rawValue.dropFirst())**." }
            + more.map { "- \($0)" }
        let summary = "\n" + lines.joined(separator: "\n") + "\n\nThe evidence for each verdict, and what it depends on (K, the "
            + "weights, the backbone), is in [`\(out)`](\(out)).\n"
        let updated = readmeText.replacingCharacters(in: start.upperBound..<stop.lowerBound, with: summary)
        try AtomicFile.write(Data(updated.utf8), to: URL(fileURLWithPath: readme))
        Progress.say("wrote the results summary of \(readme)")
    }

    /// The tuning tables that `tune` wrote (one per method tuned so far), and the methods still on their defaults.
    func tuningSection() -> String {
        var text = "## Settings chosen on validation\n\n"
        var untuned: [PaperMethod] = []
        for method in PaperGrid.tunableMethods {
            let file = PaperGrid.tuningTableName(for: method)
            let csv = URL(fileURLWithPath: figuresDirectory).appendingPathComponent("\(file).csv")
            guard let data = try? String(contentsOf: csv, encoding: .utf8), let table = try? TextTable(csv: data) else {
                untuned.append(method)
                continue
            }
            text += "### \(method)\n\n" + table.rendered(.markdown)
                + "\nFrom [`\(figuresDirectory)/\(file).csv`](\(figuresDirectory)/\(file).csv), made by "
                + "`swift run -c release tune --method \"\(method)\" --seeds 1 --cached`; the chosen values are in "
                + "`DistillationDefaults`.\n\n"
        }
        if !untuned.isEmpty {
            text += "Not tuned yet, so on the official code's constants: \(untuned.map(\.rawValue).joined(separator: ", ")).\n"
        }
        return text
    }
}

OpenBLASCore.preferNativeKernels()
Report.main()
