/*:
 # The reproduction report

 This notebook writes `REPRODUCTION.md`: what the paper claims, what our runs say, and how sure we can be. It trains
 nothing. It reads the result files in `results/` (one per finished run, committed to the repository) and the tables
 and figures the other notebooks wrote into `figures/`, so the report always matches the committed numbers and is
 regenerated in seconds:

     swift run -c release table1 --cached && swift run -c release table3 --cached && swift run -c release table4 --cached
     swift run -c release fig4 && swift run -c release fig5
     swift run -c release tune --method HTD --seeds 1 --cached   # likewise DE-RRD, UnKD: the tuning tables
     swift run -c release report

 ## How a verdict is reached

 Each claim is turned into a test on the seed means of the runs that exist, cell by cell (a cell is a dataset and a
 backbone); where two methods are compared, both means are taken over the seeds both have run, so that a method with
 fewer seeds so far is never set against other seeds. A claim is *reproduced* when it holds in every cell the paper
 reports and all of that cell's runs exist, *partly reproduced* when it holds in some cells, or only among the methods
 or cells that ran so far, *not reproduced* when it holds in none, and *not run* when no cell has the runs it needs. A
 dataset with no runs at all (Apps, whose data cannot be had offline) is named and left out; a cell of a dataset that
 did run but without the runs the claim needs (a backbone not trained yet, or only its Student so far) keeps the
 verdict at partly and is listed as still to run. The evidence lines give the numbers, so a reader can disagree with
 the threshold rather than with the data. Where seeds allow, a paired t-test over seeds says whether a difference is
 larger than the seed-to-seed noise.

 After the claims come the runs: which ran and how long they took, and which are still to run, cell by cell, with
 an estimate of the time they need from the finished runs of the same cell, so that a partial grid says plainly what
 it lacks. The report ends with the tuning tables: for each method tuned so far, every setting's validation score and
 the one chosen, so a reader can see how much of each comparison is the method and how much its weight.
*/
import ArgumentParser
import Foundation
import PaperFigures
import UnKD

struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report", abstract: "Writes REPRODUCTION.md from the stored results and the tables and figures in figures/.")

    @Option(help: "Datasets of the report (comma-separated).")
    var dataset = "ml-1m,apps,citeulike"

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

    func validate() throws { try OptionCheck.integer(seeds, "--seeds", in: 1...OptionCheck.maximumSeeds) }

    func run() throws {
        let names = dataset.split(separator: ",").map(String.init)
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
        let protocols = protocolSection(grid: grid, paperText: paperText, datasets: names)
        let crossCheck = CrossCheck(folder: URL(fileURLWithPath: resultsDirectory).appendingPathComponent("crosscheck"),
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

    /// How far each protocol's Table 3 values lie from the paper's: per dataset and backbone with runs under both, the
    /// mean absolute relative difference of Recall@10 and NDCG@10 over the methods both have (the official code's split
    /// as the mean over its seeds, the paper's text's at seed 2022).
    func protocolSection(grid: GridResults, paperText: GridResults, datasets: [String]) -> (text: String, summary: [String]) {
        var summary: [String] = []
        var table = TextTable(header: ["dataset", "backbone", "methods", "Recall@10 off the paper (unkd-code)",
                                       "(paper-text)", "NDCG@10 off the paper (unkd-code)", "(paper-text)"])
        for dataset in datasets {
            for backbone in Backbone.allCases {
                guard let paper = PaperValues.table3[dataset]?[backbone] else { continue }
                var official: [(Double, Double)] = [], text: [(Double, Double)] = []
                for method in PaperGrid.table3Methods {
                    guard let values = paper[method],
                          let a = Statistics.mean(grid.results(dataset, backbone, .row(method)).compactMap { $0.test.at(10) }.map(\.recall)),
                          let b = Statistics.mean(grid.results(dataset, backbone, .row(method)).compactMap { $0.test.at(10) }.map(\.ndcg)),
                          let c = paperText.results(dataset, backbone, .row(method)).first?.test.at(10) else { continue }
                    official.append((abs(a - values.recall) / values.recall, abs(b - values.ndcg) / values.ndcg))
                    text.append((abs(c.recall - values.recall) / values.recall, abs(c.ndcg - values.ndcg) / values.ndcg))
                }
                guard !official.isEmpty else { continue }
                func mean(_ pairs: [(Double, Double)], _ part: KeyPath<(Double, Double), Double>) -> String {
                    String(format: "%.1f%%", 100 * pairs.map { $0[keyPath: part] }.reduce(0, +) / Double(pairs.count))
                }
                let name = DatasetCatalog.descriptor(dataset).displayName
                table.append([name, backbone.rawValue, "\(official.count)",
                              mean(official, \.0), mean(text, \.0), mean(official, \.1), mean(text, \.1)])
                summary.append("\(name) \(backbone == .mf ? "MF" : "LightGCN"): the Table 3 values lie \(mean(text, \.0)) "
                               + "(Recall@10) and \(mean(text, \.1)) (NDCG@10) from the paper's under the split its text "
                               + "describes, \(mean(official, \.0)) and \(mean(official, \.1)) under the authors' code's split "
                               + "(\(official.count) methods).")
            }
        }
        guard !table.rows.isEmpty else { return ("", []) }
        return ("## Which protocol the paper's numbers come from\n\n"
            + "The mean absolute difference between each method's Table 3 value and the paper's, under the official code's "
            + "split (`unkd-code`, all seeds) and under the split the paper's text describes (`paper-text`, seed 2022), over "
            + "the methods run under both:\n\n" + table.rendered(.markdown) + "\n", summary)
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

/*:
 ## Against the authors' code

 `crosscheck/` runs the authors' PyTorch code on the package's exported split and teacher (see its README) and saves,
 per export, one summary per stage (a: popularity groups, b: UnKD's candidate lists, c: evaluation on the same
 embeddings, d: loss values on the same parameters and samples) and one result per end-to-end training run of their
 code (stage e). The report prints each stage's table and verdict as the driver wrote them, and sets every stage-e
 setting beside the package's own runs of the same setting and seeds, with a paired t-test over the seeds both have.
*/
struct CrossCheck {
    /// A stage's summary as the driver writes it (`summary` in `stage-<x>.json`).
    struct StageSummary: Decodable {
        var stage: String
        var title: String
        var verdict: String
        var columns: [String]
        var rows: [[String]]
        var notes: [String]
    }

    /// The part of a `stage-<x>.json` the report reads.
    struct StageFile: Decodable { var summary: StageSummary }

    /// One end-to-end run of the authors' code (`authors-*.json`).
    struct AuthorsRun: Decodable {
        struct Settings: Decodable {
            var method: String
            var groups: Int?
            var seed: UInt64
            var kdWeight: Double
            var sampleNum: Int?
        }
        struct Measures: Decodable {
            var recall: Double
            var popularRecall: Double
            var unpopularRecall: Double
        }
        var settings: Settings
        var testAt10: Measures
        var bestEpoch: Int
        var trainingSeconds: Double
        var authorsCommit: String
    }

    let folder: URL
    let results: ResultStore

    /// The files of `folder`'s sub-folders whose names start with `prefix`, in name order.
    func files(_ prefix: String) -> [URL] {
        let manager = FileManager.default
        let exports = ((try? manager.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)) ?? [])
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        return exports.flatMap { export in
            ((try? manager.contentsOfDirectory(at: export, includingPropertiesForKeys: nil)) ?? [])
                .filter { $0.lastPathComponent.hasPrefix(prefix) && $0.pathExtension == "json" }
                .sorted { $0.lastPathComponent < $1.lastPathComponent }
        }
    }

    /// Decodes a file, reporting one that cannot be read.
    func decode<T: Decodable>(_ type: T.Type, _ url: URL) -> T? {
        do { return try JSONDecoder().decode(type, from: Data(contentsOf: url)) } catch {
            Progress.say("\(url.path): not a cross-check file this report can read (\(error)); left out")
            return nil
        }
    }

    /// The section, and one line per stage with its verdict for the README's summary.
    func section() -> (text: String, verdicts: [String]) {
        var text = "## Against the authors' code\n\n", verdicts: [String] = []
        let stages = files("stage-").compactMap { url in decode(StageFile.self, url).map { (url, $0.summary) } }
        let runs = files("authors-").compactMap { decode(AuthorsRun.self, $0) }
        guard !stages.isEmpty || !runs.isEmpty else {
            return (text + "Not run yet: see [`crosscheck/README.md`](crosscheck/README.md).\n\n", [])
        }
        text += "The authors' PyTorch code (`chengang95/UnKD`"
            + (runs.first.map { " at `\($0.authorsCommit.prefix(7))`" } ?? "") + "), run by [`crosscheck/`](crosscheck) on the "
            + "package's own split and teacher, against the package, stage by stage.\n\n"
        for (url, stage) in stages {
            let export = url.deletingLastPathComponent().lastPathComponent
            text += "### Stage \(stage.stage): \(stage.title) (`\(export)`)\n\nVerdict: **\(stage.verdict)**.\n\n"
            verdicts.append("Against the authors' code, stage \(stage.stage) (\(stage.title), `\(export)`): \(stage.verdict).")
            var table = TextTable(header: stage.columns)
            for row in stage.rows { table.append(row) }
            text += table.rendered(.markdown) + "\n"
            for note in stage.notes { text += "- \(note)\n" }
            text += stage.notes.isEmpty ? "" : "\n"
        }
        if !runs.isEmpty {
            let stageE = endToEnd(runs)
            text += stageE.text
            verdicts.append("Against the authors' code, stage e (training end to end): \(stageE.verdict)")
        }
        return (text, verdicts)
    }

    /// Stage e: each setting's test Recall@10 (overall, popular, unpopular) from the authors' code and from the
    /// package, over the seeds both ran.
    func endToEnd(_ runs: [AuthorsRun]) -> (text: String, verdict: String) {
        let grid = PaperGrid(dataset: "ml-1m")
        var text = "### Stage e: training end to end (MovieLens-1M, MF)\n\n"
        text += "Each setting trained by both codes on the same split and teacher (the teacher of the seed), with the "
            + "authors' early stopping; test Recall@10 as mean ± 95% half-width over the seeds both finished, then the "
            + "package's mean minus the authors' with a paired t-test.\n\n"
        var table = TextTable(header: ["setting", "seeds", "measure", "authors' code", "package", "package - authors"])
        let settings = Dictionary(grouping: runs) { run in
            // A plain Student has no distillation weight to name.
            run.settings.method + (run.settings.groups.map { " K=\($0)" } ?? "")
                + (run.settings.method == PaperMethod.student.rawValue ? "" : String(format: " (weight %g)", run.settings.kdWeight))
        }
        var disagreements: [String] = []
        for (name, group) in settings.sorted(by: { $0.key < $1.key }) {
            var pairs: [(AuthorsRun, ExperimentResult)] = []
            for run in group.sorted(by: { $0.settings.seed < $1.settings.seed }) {
                guard let method = PaperMethod(rawValue: run.settings.method), let spec = packageSpec(method, run.settings, grid: grid),
                      let ours = results.load(method: method, spec: spec)
                else { continue }
                pairs.append((run, ours))
            }
            guard !pairs.isEmpty else {
                table.append([name, "0", "", "", "no package run of this setting", ""])
                continue
            }
            let measures: [(KeyPath<AuthorsRun.Measures, Double>, EvaluationGroup?)] = [
                (\.recall, nil), (\.popularRecall, .popular), (\.unpopularRecall, .unpopular)]
            for (path, group) in measures {
                let label = group?.rawValue ?? "Recall@10"
                let authors = pairs.map { $0.0.testAt10[keyPath: path] }
                let package = pairs.compactMap { GridResults.recallAt10(of: $0.1, group: group) }
                let a = SeedSummary(authors), p = SeedSummary(package)
                let difference = p.mean - a.mean
                var significance = ""
                if let test = Statistics.pairedTTest(package, authors) {
                    significance = String(format: " (p %.3f)", test.p)
                    if test.p < 0.05 { disagreements.append("\(name), \(label)") }
                }
                table.append([name, "\(pairs.count)", label, cell(a), cell(p),
                              String(format: "%+.4f (%+.1f%%)", difference, 100 * difference / a.mean) + significance])
            }
        }
        let seeds = settings.values.map(\.count).max() ?? 0
        let verdict = disagreements.isEmpty
            ? (seeds < 2 ? "not decided: one seed per setting so far, no interval" :
                "agrees: no difference between the two codes is larger than the seed-to-seed noise (paired t-test, 5%).")
            : "differs in \(disagreements.joined(separator: "; ")) (paired t-test, p < 0.05)."
        text += table.rendered(.markdown) + "\nVerdict: **\(verdict)**\n\n"
        return (text, verdict)
    }

    /// "0.1234 ± 0.0012", or the value alone for one seed.
    func cell(_ summary: SeedSummary) -> String {
        summary.values.count > 1 ? String(format: "%.4f ± %.4f", summary.mean, summary.halfWidth) : String(format: "%.4f", summary.mean)
    }

    /// The package's experiment of `method` with the settings of an authors' run: its Student, or the method at the
    /// run's K, weight and pair count (UnKD's mu is the authors' fixed 20); nil for a method the cross-check does not run.
    func packageSpec(_ method: PaperMethod, _ settings: AuthorsRun.Settings, grid: PaperGrid) -> ModelSpec? {
        var grid = grid
        switch method {
        case .student: return grid.student(.mf, seed: settings.seed)
        case .unkd:
            grid.unkd = UnKDConfiguration(groups: settings.groups ?? 4, pairsPerUser: settings.sampleNum ?? 30, mu: 20,
                                          weight: settings.kdWeight)
            return grid.distilled(.unkd(grid.unkd), .mf, seed: settings.seed)
        case .rd:
            grid.rd.weight = settings.kdWeight
            return grid.distilled(.rd(grid.rd), .mf, seed: settings.seed)
        case .cd:
            grid.cd.weight = settings.kdWeight
            return grid.distilled(.cd(grid.cd), .mf, seed: settings.seed)
        default: return nil
        }
    }
}

/*:
 ## The claims as tests

 Each claim reads the seed means (and, for significance, the seed-aligned values) of the runs that exist.
*/
struct Evidence {
    let grid: GridResults
    /// The baselines' tuning runs (seed 2022, MF), each in the cell "<method> weight <w>".
    let weights: GridResults
    let datasets: [String]

    /// The existing distillation methods of Table 1.
    static let table1Baselines: [PaperMethod] = [.rd, .cd, .deRRD, .htd]

    /// How far a claim holds, in the words the report prints.
    enum Verdict: String { case reproduced, partly = "partly reproduced", not = "not reproduced", notRun = "not run" }

    /// One of the paper's claims with its verdict and the evidence lines behind it.
    struct Claim {
        var statement: String
        var verdict: Verdict
        var lines: [String]
    }

    /// The (dataset, backbone) cells that have any result, in order.
    var cells: [(String, Backbone)] {
        datasets.flatMap { d in Backbone.allCases.map { (d, $0) } }.filter { !grid.results($0.0, $0.1, .row(.student)).isEmpty }
    }

    func name(_ dataset: String, _ backbone: Backbone) -> String {
        "\(DatasetCatalog.descriptor(dataset).displayName) \(backbone == .mf ? "MF" : "LightGCN")"
    }

    func recall(_ d: String, _ b: Backbone, _ method: GridCell, group: EvaluationGroup? = nil) -> Double? {
        Statistics.mean(grid.recallAt10(d, b, method, group: group))
    }

    func ndcg(_ d: String, _ b: Backbone, _ method: GridCell) -> Double? {
        Statistics.mean(grid.results(d, b, method).compactMap { $0.test.at(10)?.ndcg })
    }

    /// The mean Recall@10 of two cells over the seeds both have run (`SeedPairs`): every comparison and relative change
    /// between two cells is taken on these, so it never compares different seeds.
    func pairedRecall(_ d: String, _ b: Backbone, _ method: GridCell, _ other: GridCell,
                      group: EvaluationGroup? = nil) -> (method: Double, other: Double)? {
        grid.pairedRecallAt10(d, b, method, other, group: group).means
    }

    /// The mean NDCG@10 of two cells over the seeds both have run.
    func pairedNDCG(_ d: String, _ b: Backbone, _ method: GridCell, _ other: GridCell) -> (method: Double, other: Double)? {
        grid.paired(d, b, method, other) { $0.test.at(10)?.ndcg }.means
    }

    /// " (p 0.012 over 3 seeds)" from a paired t-test, or "" when fewer than two seeds pair up.
    func significance(_ d: String, _ b: Backbone, _ method: GridCell, _ other: GridCell, group: EvaluationGroup? = nil) -> String {
        let paired = grid.pairedRecallAt10(d, b, method, other, group: group)
        guard let test = Statistics.pairedTTest(paired.method, paired.other) else { return "" }
        return String(format: " (p %.3f over %d seeds)", test.p, paired.method.count)
    }

    /// "1 seed", "3 seeds".
    func seedCount(_ d: String, _ b: Backbone, _ method: GridCell) -> String {
        let n = grid.results(d, b, method).count
        return n == 1 ? "1 seed" : "\(n) seeds"
    }

    func percent(_ value: Double, _ base: Double) -> String { percentChangeText(value, over: base) }

    /// A claim's verdict and evidence, over the cells of `backbones` that ran: `held` of `total` support it;
    /// `complete` is false when some of the compared methods are missing in those cells, and `partial` counts cells
    /// that support it in part (a verdict of none becomes partly). A cell of `backbones` lacking any of the methods
    /// the claim `needs`, in a dataset that ran, also keeps the verdict at partly and is listed as still to run; a
    /// dataset with no runs at all is named and left out.
    func conclude(_ statement: String, held: Int, of total: Int, complete: Bool = true, partial: Int = 0,
                  lines: [String], backbones: [Backbone], needs: [PaperMethod] = [.student]) -> Claim {
        let ran = Set(cells.map(\.0))
        let missing = datasets.flatMap { d in backbones.map { (d, $0) } }
            .filter { cell in needs.contains { grid.results(cell.0, cell.1, .row($0)).isEmpty } }
        let toRun = missing.filter { ran.contains($0.0) }, datasetNotRun = missing.filter { !ran.contains($0.0) }
        func names(_ cells: [(String, Backbone)]) -> String { cells.map { name($0.0, $0.1) }.joined(separator: ", ") }

        let verdict: Verdict
        if total == 0 { verdict = .notRun }
        else if held == total { verdict = complete && toRun.isEmpty ? .reproduced : .partly }
        else { verdict = held > 0 || partial > 0 ? .partly : .not }
        return Claim(statement: statement, verdict: verdict, lines: lines
            + (toRun.isEmpty ? [] : ["Still to run, so the verdict is at most partly reproduced: \(names(toRun))."])
            + (datasetNotRun.isEmpty ? [] : ["No runs of the dataset, so not counted: \(names(datasetNotRun))."]))
    }

    var claims: [Claim] { [claim1, claim2, claim3, claim4, claim5, claim6] }

    /// Claim 1 (Table 1): the existing methods lower the unpopular group's recall relative to the Student.
    var claim1: Claim {
        var lines: [String] = [], held = 0, total = 0, complete = true
        for (d, b) in cells where b == .mf {
            guard let student = recall(d, b, .row(.student), group: .unpopular) else { continue }
            var parts: [String] = []
            for method in Self.table1Baselines {
                guard let (value, base) = pairedRecall(d, b, .row(method), .row(.student), group: .unpopular) else {
                    parts.append("\(method) not run")
                    complete = false
                    continue
                }
                total += 1
                if value < base { held += 1 }
                parts.append("\(method) \(percent(value, base))\(significance(d, b, .row(method), .row(.student), group: .unpopular))")
            }
            lines.append("\(name(d, b)), unpopular Recall@10 against the Student (\(String(format: "%.4f", student)), "
                         + "\(seedCount(d, b, .row(.student))); each change on the seeds both have run): "
                         + parts.joined(separator: "; ") + ".")
            if let line = weightSensitivity(d) { lines.append(line) }
        }
        return conclude("Existing distillation methods lower the unpopular group's Recall@10 relative to the Student (Table 1).",
                        held: held, of: total, complete: complete, lines: lines, backbones: [.mf])
    }

    /// How Table 1's verdict depends on each baseline's weight: the unpopular and overall Recall@10 change over the
    /// Student (seed 2022) at every weight the method was tuned over, or nil when no tuning run is stored.
    func weightSensitivity(_ d: String) -> String? {
        let seed: UInt64 = 2022
        guard let student = grid.results(d, .mf, .row(.student)).first(where: { $0.spec.seed == seed }),
              let baseUnpopular = GridResults.recallAt10(of: student, group: .unpopular),
              let baseOverall = GridResults.recallAt10(of: student, group: nil) else { return nil }
        var parts: [String] = []
        for method in Self.table1Baselines {
            let settings = PaperGrid(dataset: d).tuningVariants(for: method).compactMap { setting, _ -> String? in
                guard let run = weights.results(d, .mf, .tuning(setting, of: method)).first,
                      let unpopular = GridResults.recallAt10(of: run, group: .unpopular),
                      let overall = GridResults.recallAt10(of: run, group: nil) else { return nil }
                return "\(setting) \(percent(unpopular, baseUnpopular)) (overall \(percent(overall, baseOverall)))"
            }
            if !settings.isEmpty { parts.append("\(method): " + settings.joined(separator: "; ")) }
        }
        guard !parts.isEmpty else { return nil }
        return "\(name(d, .mf)), at every weight tried when tuning (seed 2022; the unpopular group's Recall@10 change "
            + "over the Student, and the overall change): " + parts.joined(separator: ". ") + "."
    }

    /// UnKD's unpopular and overall Recall@10 change over the Student at each K of Figure 5's sweep (MF, on the seeds
    /// both ran), and the K at which the unpopular group gains; nil without a sweep.
    func groupCountSensitivity(_ d: String) -> String? {
        let changes = (1...10).compactMap { k -> (k: Int, unpopular: Double, overall: Double)? in
            guard let (u, baseU) = pairedRecall(d, .mf, .unkd(groups: k), .row(.student), group: .unpopular),
                  let (o, baseO) = pairedRecall(d, .mf, .unkd(groups: k), .row(.student)) else { return nil }
            return (k, (u - baseU) / baseU, (o - baseO) / baseO)
        }
        guard !changes.isEmpty else { return nil }
        let gaining = changes.filter { $0.unpopular > 0 }.map { "\($0.k)" }
        let bestOverall = changes.max { $0.overall < $1.overall }!
        return "\(name(d, .mf)), UnKD against the Student at each K (unpopular, overall): "
            + changes.map { String(format: "K=%d %+.1f%%, %+.1f%%", $0.k, 100 * $0.unpopular, 100 * $0.overall) }
                .joined(separator: "; ")
            + ". The unpopular group gains at " + (gaining.isEmpty ? "no K" : "K = " + gaining.joined(separator: ", "))
            + String(format: "; overall Recall@10 is highest at K = %d (%+.1f%%).", bestOverall.k, 100 * bestOverall.overall)
    }

    /// Claim 2 (Table 3): UnKD has the best overall Recall@10 and NDCG@10 everywhere.
    var claim2: Claim {
        var lines: [String] = [], held = 0, total = 0, complete = true
        let others: [PaperMethod] = [.student, .rd, .cd, .deRRD, .htd]
        for (d, b) in cells {
            guard let unkdRecall = recall(d, b, .row(.unkd)), let unkdNDCG = ndcg(d, b, .row(.unkd)) else { continue }
            total += 1
            let ran = others.filter { recall(d, b, .row($0)) != nil }
            if ran.count < others.count { complete = false }
            let bestRecall = ran.max { recall(d, b, .row($0))! < recall(d, b, .row($1))! }!
            let bestNDCG = ran.max { ndcg(d, b, .row($0))! < ndcg(d, b, .row($1))! }!
            let recallPair = pairedRecall(d, b, .row(.unkd), .row(bestRecall)), ndcgPair = pairedNDCG(d, b, .row(.unkd), .row(bestNDCG))
            if let r = recallPair, let n = ndcgPair, r.0 > r.1 && n.0 > n.1 { held += 1 }
            let missing = others.filter { !ran.contains($0) }
            lines.append("\(name(d, b)): UnKD Recall@10 \(String(format: "%.4f", unkdRecall)) vs the best other, \(bestRecall), "
                         + "\(String(format: "%.4f", recall(d, b, .row(bestRecall))!)), \(recallPair.map { percent($0.0, $0.1) } ?? "-")"
                         + "\(significance(d, b, .row(.unkd), .row(bestRecall))); NDCG@10 \(String(format: "%.4f", unkdNDCG)) vs \(bestNDCG) "
                         + "\(String(format: "%.4f", ndcg(d, b, .row(bestNDCG))!))"
                         + (missing.isEmpty ? "." : "; not run: \(missing.map(\.rawValue).joined(separator: ", "))."))
        }
        return conclude("UnKD has the best overall Recall@10 and NDCG@10 on every dataset and backbone (Table 3).",
                        held: held, of: total, complete: complete, lines: lines, backbones: Backbone.allCases, needs: [.unkd])
    }

    /// Claim 3 (Figure 4): UnKD's gain comes mainly from the unpopular group.
    var claim3: Claim {
        var lines: [String] = [], held = 0, total = 0
        for (d, b) in cells {
            guard let (pop, basePop) = pairedRecall(d, b, .row(.unkd), .row(.student), group: .popular),
                  let (unpop, baseUnpop) = pairedRecall(d, b, .row(.unkd), .row(.student), group: .unpopular)
            else { continue }
            total += 1
            let popular = (pop - basePop) / basePop, unpopular = (unpop - baseUnpop) / baseUnpop
            if unpopular > 0 && unpopular > popular { held += 1 }
            lines.append("\(name(d, b)): UnKD against the Student, popular \(percent(pop, basePop))"
                         + "\(significance(d, b, .row(.unkd), .row(.student), group: .popular)), unpopular \(percent(unpop, baseUnpop))"
                         + "\(significance(d, b, .row(.unkd), .row(.student), group: .unpopular)).")
            if b == .mf, let line = groupCountSensitivity(d) { lines.append(line) }
        }
        return conclude("UnKD's gain over the Student comes mainly from the unpopular group (Figure 4).",
                        held: held, of: total, lines: lines, backbones: Backbone.allCases, needs: [.unkd, .student])
    }

    /// Claim 4 (Table 4): UnKD beats distilling from a PD teacher.
    var claim4: Claim {
        var lines: [String] = [], held = 0, total = 0, complete = true
        for (d, b) in cells {
            guard let unkd = recall(d, b, .row(.unkd)) else { continue }
            let pd: [PaperMethod] = [.pdCD, .pdHTD], ran = pd.filter { recall(d, b, .row($0)) != nil }
            guard !ran.isEmpty else {
                lines.append("\(name(d, b)): PD-CD and PD-HTD have not run.")
                continue
            }
            if ran.count < 2 { complete = false }
            total += 1
            if ran.allSatisfy({ unkd > recall(d, b, .row($0))! }) { held += 1 }
            lines.append("\(name(d, b)): UnKD Recall@10 \(String(format: "%.4f", unkd)) (\(seedCount(d, b, .row(.unkd)))); "
                         + ran.map { "\($0) \(String(format: "%.4f", recall(d, b, .row($0))!)) (\(seedCount(d, b, .row($0))))"
                                     + significance(d, b, .row(.unkd), .row($0)) }
                            .joined(separator: "; ")
                         + (ran.count < pd.count ? "; not run: \(pd.filter { !ran.contains($0) }.map(\.rawValue).joined(separator: ", "))." : "."))
        }
        return conclude("UnKD beats CD and HTD distilled from a popularity-deconfounded (PD) teacher (Table 4).",
                        held: held, of: total, complete: complete, lines: lines, backbones: Backbone.allCases, needs: [.unkd])
    }

    /// Claim 5 (Figure 5): unpopular recall first rises, then falls with K, best near K = 4.
    var claim5: Claim {
        var lines: [String] = [], held = 0, total = 0, partial = 0
        for d in datasets {
            let curve = (1...10).compactMap { k in recall(d, .mf, .unkd(groups: k), group: .unpopular).map { (k, $0) } }
            guard curve.count >= 3 else {
                if !grid.results(d, .mf, .row(.student)).isEmpty {
                    lines.append("\(DatasetCatalog.descriptor(d).displayName) MF: the K sweep has \(curve.count) of 10 values of K, too few to judge; not counted.")
                }
                continue
            }
            total += 1
            let best = curve.max { $0.1 < $1.1 }!
            let interior = best.0 != curve.first!.0 && best.0 != curve.last!.0
            if interior && abs(best.0 - 4) <= 1 { held += 1 } else if interior { partial += 1 }
            lines.append("\(DatasetCatalog.descriptor(d).displayName) MF, unpopular Recall@10 by K: "
                         + curve.map { "K=\($0.0) \(String(format: "%.4f", $0.1))" }.joined(separator: ", ")
                         + "; best at K = \(best.0)" + (curve.count < 10 ? " (\(curve.count) of 10 values of K ran)" : "")
                         + (recall(d, .mf, .row(.student), group: .unpopular).map { String(format: "; the Student: %.4f", $0) } ?? "") + ".")
            let overall = (1...10).compactMap { k in recall(d, .mf, .unkd(groups: k)).map { (k, $0) } }
            lines.append("What each K costs overall: Recall@10 by K: "
                         + overall.map { "K=\($0.0) \(String(format: "%.4f", $0.1))" }.joined(separator: ", ")
                         + (recall(d, .mf, .row(.student)).map { String(format: "; the Student: %.4f", $0) } ?? "") + ".")
        }
        return conclude("The unpopular group's Recall@10 first rises and then falls as K grows, best near K = 4 (Figure 5).",
                        held: held, of: total, partial: partial, lines: lines, backbones: [.mf])
    }

    /// Claim 6 (Figure 1): the MF teacher's top-10 lists over-represent popular items.
    var claim6: Claim {
        var lines: [String] = [], held = 0, total = 0
        for d in datasets {
            let shares = grid.results(d, .mf, .row(.teacher)).compactMap { $0.test.exposure.first { $0.n == 10 } }
            guard let listed = Statistics.mean(shares.map { $0.recommended[0] }),
                  let heldOut = Statistics.mean(shares.map { $0.heldOut[0] }) else { continue }
            total += 1
            if listed > heldOut { held += 1 }
            lines.append(String(format: "%@: popular items are %.1f%% of the teacher's top-10 lists and %.1f%% of the test interactions (%d seeds).",
                                DatasetCatalog.descriptor(d).displayName, 100 * listed, 100 * heldOut, shares.count))
        }
        return conclude("The MF teacher's top-10 lists over-represent popular items relative to the test data (Figure 1).",
                        held: held, of: total, lines: lines, backbones: [.mf], needs: [.teacher])
    }

    /// Seeds and training time per dataset, backbone and method (the time includes early-stopping evaluations).
    var inventory: TextTable {
        var table = TextTable(header: ["dataset", "backbone", "method", "seeds", "training time (min)"])
        var totals: [String: Double] = [:]
        var counted = Set<String>()
        for (key, results) in grid.cells.sorted(by: { $0.key < $1.key }) {
            let parts = key.split(separator: "/", maxSplits: 2).map(String.init)
            // A run that serves two cells (UnKD with K = 4 is also Figure 5's K = 4) is timed once.
            let fresh = results.filter { counted.insert($0.method.rawValue + ResultStore.key($0.spec)).inserted }
            let minutes = fresh.reduce(0) { $0 + $1.history.seconds } / 60
            totals["\(parts[0])/\(parts[1])", default: 0] += minutes
            table.append([parts[0], parts[1], parts[2], "\(results.count)",
                          fresh.count == results.count ? String(format: "%.0f", minutes) : String(format: "%.0f (the rest counted above)", minutes)])
        }
        for (key, minutes) in totals.sorted(by: { $0.key < $1.key }) {
            let parts = key.split(separator: "/").map(String.init)
            table.append([parts[0], parts[1], "all runs", "", String(format: "%.0f (%.1f h)", minutes, minutes / 60)])
        }
        return table
    }

    /// The planned runs of the datasets that ran which have no result yet, per cell in the grid's order, each cell's
    /// missing runs timed by the mean of its finished ones; then the total and how to go on. A dataset with no runs at
    /// all is left out, as in the claims; so is the PD teacher, which has no row of its own in the tables and is
    /// trained by the first PD-CD or PD-HTD run of its seed.
    func stillToRun(_ planned: [GridRun], seeds: Int) -> String {
        var cells: [(dataset: String, backbone: Backbone, cell: GridCell, runs: [GridRun])] = []
        var position: [String: Int] = [:]
        for run in planned where run.cell != .row(.pdTeacher) && grid.hasResults(run.spec.dataset) {
            let (dataset, backbone, cell) = (run.spec.dataset, run.backbone, run.cell)
            guard !grid.results(dataset, backbone, cell).contains(where: { $0.spec.seed == run.spec.seed }) else { continue }
            let key = GridResults.key(dataset, backbone, cell)
            if position[key] == nil {
                position[key] = cells.count
                cells.append((dataset, backbone, cell, []))
            }
            cells[position[key]!].runs.append(run)
        }
        guard !cells.isEmpty else { return "Nothing: every planned run of the datasets available here has finished.\n\n" }
        var table = TextTable(header: ["dataset", "backbone", "method", "seeds finished", "seeds to run", "estimated time (min)"])
        // A run that serves two cells (UnKD with K = 4 is also Figure 5's K = 4) is timed once, as in `inventory`.
        var counted = Set<String>()
        var minutes = 0.0, untimed = 0, runCount = 0
        for (dataset, backbone, cell, runs) in cells {
            let fresh = runs.filter { counted.insert($0.method.rawValue + ResultStore.key($0.spec)).inserted }
            let finished = grid.results(dataset, backbone, cell)
            let estimate: String
            if fresh.isEmpty {
                estimate = "(counted above)"
            } else if let mean = Statistics.mean(finished.map { $0.history.seconds / 60 }) {
                minutes += mean * Double(fresh.count)
                estimate = String(format: "%.0f", mean * Double(fresh.count))
            } else {
                untimed += fresh.count
                estimate = "- (no finished run to time by)"
            }
            runCount += fresh.count
            table.append([dataset, backbone.rawValue, cell.description, "\(finished.count) of \(seeds)",
                          runs.map { "\($0.spec.seed)" }.joined(separator: ", "), estimate])
        }
        return table.rendered(.markdown) + "\n"
            + String(format: "%d runs to go: about %.0f minutes (%.1f h) of training at the pace of the finished runs",
                     runCount, minutes, minutes / 60)
            + (untimed > 0 ? ", plus \(untimed) runs of cells with no finished run to time them by" : "")
            + ". The table and figure notebooks train what is missing and skip what is stored (for example "
            + "`swift run -c release table3 --dataset ml-1m --backbone lightgcn --data ml-1m=PATH`), and with "
            + "`--list-commands` they print the missing runs as one shell command each, to spread over machines.\n\n"
    }
}

OpenBLASCore.preferNativeKernels()
Report.main()
