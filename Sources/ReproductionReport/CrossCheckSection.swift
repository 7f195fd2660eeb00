import Foundation
import PaperFigures
import UnKD

/// The report's section "Against the authors' code".
///
/// `crosscheck/` runs the authors' PyTorch code on the package's exported split and teacher and saves, per export, one
/// summary per stage (a: popularity groups, b: UnKD's candidate lists, c: evaluation on the same embeddings, d: loss
/// values on the same parameters and samples) and one result per end-to-end training run of their code (stage e). The
/// section prints each stage's table and verdict as the driver wrote them, and sets every stage-e setting beside the
/// package's own runs of the same setting and seeds, with a paired t-test over the seeds both have.
public struct CrossCheckSection {
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
            /// The student's model (the driver's `--backbone`; files without it trained their BPRMF).
            struct Student: Decodable {
                var backbone: Backbone
                var layers: Int?
            }
            var method: String
            var groups: Int?
            var seed: UInt64
            var kdWeight: Double
            var sampleNum: Int?
            var student: Student?

            /// The student's backbone.
            var backbone: Backbone { student?.backbone ?? .mf }
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

    /// The folder of the driver's output (`results/crosscheck`), one sub-folder per export.
    public let folder: URL
    /// The package's results, for the stage-e comparison.
    public let results: ResultStore

    /// The section for the driver's output in `folder`, compared with the package's runs in `results`.
    public init(folder: URL, results: ResultStore) {
        self.folder = folder
        self.results = results
    }

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
    public func section() -> (text: String, verdicts: [String]) {
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
            let settings = Dictionary(grouping: runs, by: Self.settingName)
            verdicts += authorsOwnChanges(settings).map { "The authors' own code on the official split, against its Student: \($0)" }
        }
        return (text, verdicts)
    }

    /// The name of a run's setting: the method, UnKD's K and the distillation weight (a plain Student has none).
    static func settingName(_ run: AuthorsRun) -> String {
        run.settings.method + (run.settings.groups.map { " K=\($0)" } ?? "")
            + (run.settings.method == PaperMethod.student.rawValue ? "" : String(format: " (weight %g)", run.settings.kdWeight))
            + (run.settings.backbone == .mf ? "" : ", LightGCN")
    }

    /// Stage e: each setting's test Recall@10 (overall, popular, unpopular) from the authors' code and from the
    /// package, over the seeds both ran.
    func endToEnd(_ runs: [AuthorsRun]) -> (text: String, verdict: String) {
        let grid = PaperGrid(dataset: .movieLens)
        var text = "### Stage e: training end to end (MovieLens-1M; MF students unless the setting says LightGCN)\n\n"
        text += "Each setting trained by both codes on the same split and teacher (the teacher of the seed), with the "
            + "authors' early stopping; test Recall@10 as mean ± 95% half-width over the seeds both finished, then the "
            + "package's mean minus the authors' with a paired t-test.\n\n"
        var table = TextTable(header: ["setting", "seeds", "measure", "authors' code", "package", "package - authors"])
        let settings = Dictionary(grouping: runs, by: Self.settingName)
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
        let meaning = authorsOwnChanges(settings)
        if !meaning.isEmpty {
            text += "What the authors' own code says on this split, each method against the authors' Student on the seeds "
                + "both finished (the paper's change in brackets, from its Tables 1 and 4):\n\n"
                + meaning.map { "- \($0)\n" }.joined() + "\n"
        }
        return (text, verdict)
    }

    /// For each distilled setting the authors' code ran, its change of overall and unpopular Recall@10 over the
    /// authors' own Student on the seeds both finished, with a paired t-test from two seeds on, beside the paper's
    /// change of the same method (MovieLens-1M, the student's backbone).
    func authorsOwnChanges(_ settings: [String: [AuthorsRun]]) -> [String] {
        // The authors' Student of each backbone, by seed.
        var studentBySeed: [Backbone: [UInt64: AuthorsRun.Measures]] = [:]
        for run in settings.values.joined() where run.settings.method == PaperMethod.student.rawValue {
            studentBySeed[run.settings.backbone, default: [:]][run.settings.seed] = run.testAt10
        }
        var lines: [String] = []
        for (name, runs) in settings.sorted(by: { $0.key < $1.key }) where runs.first?.settings.method != PaperMethod.student.rawValue {
            guard let first = runs.first, let method = PaperMethod(rawValue: first.settings.method) else { continue }
            let backbone = first.settings.backbone
            let paired = runs.sorted { $0.settings.seed < $1.settings.seed }
                .compactMap { run in studentBySeed[backbone]?[run.settings.seed].map { (run.testAt10, $0) } }
            guard !paired.isEmpty else { continue }
            func change(_ path: KeyPath<AuthorsRun.Measures, Double>) -> String {
                let values = paired.map { $0.0[keyPath: path] }, base = paired.map { $0.1[keyPath: path] }
                let text = percentChangeText(SeedSummary(values).mean, over: SeedSummary(base).mean)
                guard let test = Statistics.pairedTTest(values, base) else { return text }
                return text + String(format: " (p %.3f)", test.p)
            }
            let paperStudent = PaperValues.table4[.movieLens]?[backbone]?[.student]
            // Table 1 (the unpopular group of RD and DE-RRD) is MF only.
            let paper = (PaperValues.table4[.movieLens]?[backbone]?[method]).map { ($0.overall, $0.unpopular) }
                ?? (backbone == .mf ? PaperValues.table1[.movieLens]?[method] : nil).flatMap { values in
                    PaperValues.table3[.movieLens]?[backbone]?[method].map { ($0.recall, values.unpopular) } }
            func paperChange(_ part: KeyPath<(Double, Double), Double>, _ base: Double?) -> String {
                guard let paper, let base else { return "" }
                return " [" + percentChangeText(paper[keyPath: part], over: base) + "]"
            }
            lines.append("\(name), \(paired.count) seed\(paired.count == 1 ? "" : "s"): overall Recall@10 \(change(\.recall))"
                         + paperChange(\.0, paperStudent?.overall) + ", unpopular Recall@10 \(change(\.unpopularRecall))"
                         + paperChange(\.1, paperStudent?.unpopular) + ".")
        }
        return lines
    }

    /// "0.1234 ± 0.0012", or the value alone for one seed.
    func cell(_ summary: SeedSummary) -> String {
        summary.values.count > 1 ? String(format: "%.4f ± %.4f", summary.mean, summary.halfWidth) : String(format: "%.4f", summary.mean)
    }

    /// The package's experiment of `method` with the settings of an authors' run: its Student, or the method at the
    /// run's K, weight and pair count (UnKD's mu is the authors' fixed 20), on the run's backbone; nil for a method the
    /// cross-check does not run, or a LightGCN student of another depth than the package's.
    func packageSpec(_ method: PaperMethod, _ settings: AuthorsRun.Settings, grid: PaperGrid) -> ModelSpec? {
        guard let spec = packageExperiment(method, settings, grid: grid) else { return nil }
        if let layers = settings.student?.layers, settings.backbone == .lightGCN, layers != spec.model.layers { return nil }
        return spec
    }

    func packageExperiment(_ method: PaperMethod, _ settings: AuthorsRun.Settings, grid: PaperGrid) -> ModelSpec? {
        var grid = grid
        switch method {
        case .student: return grid.student(settings.backbone, seed: settings.seed)
        case .unkd:
            grid.unkd = UnKDConfiguration(groups: settings.groups ?? 4, pairsPerUser: settings.sampleNum ?? 30, mu: 20,
                                          weight: settings.kdWeight)
            return grid.distilled(.unkd(grid.unkd), settings.backbone, seed: settings.seed)
        case .rd:
            grid.rd.weight = settings.kdWeight
            return grid.distilled(.rd(grid.rd), settings.backbone, seed: settings.seed)
        case .cd:
            grid.cd.weight = settings.kdWeight
            return grid.distilled(.cd(grid.cd), settings.backbone, seed: settings.seed)
        default: return nil
        }
    }
}
