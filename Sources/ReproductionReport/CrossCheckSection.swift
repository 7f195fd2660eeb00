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
            struct Model: Decodable {
                var backbone: Backbone
                var layers: Int?
            }
            /// The method the authors' code trained (a row of the paper's tables).
            var method: PaperMethod
            var groups: Int?
            var seed: UInt64
            var kdWeight: Double
            var sampleNum: Int?
            var student: Model?
            /// The export's teacher (what a distilled student learns from).
            var teacher: Model?

            /// The student's backbone.
            var backbone: Backbone { student?.backbone ?? .mf }
            /// The student's LightGCN layers (0 for MF; files without them trained one layer).
            var layers: Int { backbone == .mf ? 0 : student?.layers ?? 1 }
            /// Whether a distilled student learns from a teacher of its own backbone, as in the package's grid and the
            /// paper's tables (a plain Student learns from none).
            var teacherMatches: Bool { method == .student || (teacher?.backbone ?? .mf) == backbone }
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

    /// The seeds a setting needs before stage e can say the two codes agree: with fewer, a paired t-test has too few
    /// degrees of freedom to see any but a huge difference, so its silence is no evidence of agreement.
    static let seedsForAgreement = 3

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
        let runFiles = files("authors-").compactMap { url in decode(AuthorsRun.self, url).map { (url, $0) } }
        let runs = runFiles.map(\.1)
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
        let exports = Dictionary(grouping: runFiles) { $0.0.deletingLastPathComponent().lastPathComponent }
        for (export, files) in exports.sorted(by: { $0.key < $1.key }) {
            guard let (dataset, splitProtocol) = Self.exportCell(export) else {
                Progress.say("\(folder.path)/\(export): not named <dataset>-<protocol>; its end-to-end runs are left out")
                continue
            }
            let stageE = endToEnd(files.map(\.1), dataset: dataset, splitProtocol: splitProtocol)
            text += stageE.text
            verdicts.append("Against the authors' code, stage e (training end to end, `\(export)`): \(stageE.verdict)")
            verdicts += stageE.meaning.map { "The authors' own code on `\(export)`, against its Student: \($0)" }
            verdicts += stageE.students.map { "The Students on `\(export)` against the paper's: \($0)" }
        }
        return (text, verdicts)
    }

    /// The dataset and split protocol of an export folder named `<dataset>-<protocol>` (`ml-1m-unkd-code`).
    public static func exportCell(_ name: String) -> (DatasetName, SplitProtocol)? {
        for splitProtocol in SplitProtocol.allCases where name.hasSuffix("-" + splitProtocol.rawValue) {
            let dataset = name.dropLast(splitProtocol.rawValue.count + 1)
            if !dataset.isEmpty { return (DatasetName(String(dataset)), splitProtocol) }
        }
        return nil
    }

    /// The name of a run's setting: the method, UnKD's K and the distillation weight (a plain Student has none), then
    /// the student's model when it is not MF and the teacher's when it is not of the student's backbone.
    static func settingName(_ run: AuthorsRun) -> String {
        let s = run.settings
        return s.method.rawValue + (s.groups.map { " K=\($0)" } ?? "")
            + (s.method == .student ? "" : String(format: " (weight %g)", s.kdWeight))
            + (s.backbone == .mf ? "" : ", LightGCN \(counted(s.layers, "layer"))")
            + (s.teacherMatches ? "" : (s.teacher?.backbone == .lightGCN ? ", from a LightGCN teacher" : ", from an MF teacher"))
    }

    /// Stage e: each setting's test Recall@10 (overall, popular, unpopular) from the authors' code and from the
    /// package, over the seeds both ran.
    func endToEnd(_ runs: [AuthorsRun], dataset: DatasetName, splitProtocol: SplitProtocol)
        -> (text: String, verdict: String, meaning: [String], students: [String]) {
        let grid = PaperGrid(dataset: dataset, splitProtocol: splitProtocol)
        var text = "### Stage e: training end to end (`\(dataset)-\(splitProtocol.rawValue)`; MF students unless the "
            + "setting says LightGCN)\n\n"
        text += "Each setting trained by both codes on the same split and teacher (the teacher of the seed), with the "
            + "authors' early stopping; test Recall@10 as mean ± 95% half-width over the seeds both finished, then the "
            + "package's mean minus the authors' with a paired t-test. The package's UnKD runs keep reversed pairs as the "
            + "authors' code does (`--reversed-pairs collapsed`, see [docs/differences.md]"
            + "(docs/differences.md#unkds-reversed-pairs)).\n\n"
        var table = TextTable(header: ["setting", "seeds", "measure", "authors' code", "package", "package - authors"])
        let settings = Dictionary(grouping: runs, by: Self.settingName)
        var tests: [(cell: String, p: Double)] = []
        var compared: [String: [(AuthorsRun, ExperimentResult)]] = [:]
        for (name, group) in settings.sorted(by: { $0.key < $1.key }) {
            var pairs: [(AuthorsRun, ExperimentResult)] = []
            for run in group.sorted(by: { $0.settings.seed < $1.settings.seed }) {
                guard let spec = packageSpec(run.settings.method, run.settings, grid: grid),
                      let ours = results.load(method: run.settings.method, spec: spec)
                else { continue }
                pairs.append((run, ours))
            }
            guard !pairs.isEmpty else {
                table.append([name, "0", "", "", "no package run of this setting", ""])
                continue
            }
            compared[name] = pairs
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
                    tests.append(("\(name), \(label)", test.p))
                }
                table.append([name, "\(pairs.count)", label, cell(a), cell(p),
                              String(format: "%+.4f (%+.1f%%)", difference, 100 * difference / a.mean) + significance])
            }
        }
        // Every measure of every setting is a test of its own: a difference counts when it stays significant after
        // Holm's correction for all of them; one significant only before the correction is named beside the verdict.
        let holm = Statistics.holmSignificant(tests.map(\.p))
        let disagreements = zip(tests, holm).filter { $0.1 }.map { $0.0.cell }
        let uncorrected = zip(tests, holm).filter { !$0.1 && $0.0.p < 0.05 }.map { String(format: "%@ (p %.3f)", $0.0.cell, $0.0.p) }
        let caveat = uncorrected.isEmpty ? "" : " Significant at 5% before that correction only: "
            + "\(uncorrected.joined(separator: "; ")); more seeds will tell."
        let comparisons = tests.count == 1 ? "the one comparison" : "the \(tests.count) comparisons"
        let seedsCompared = compared.mapValues(\.count)
        let mostSeedsCompared = seedsCompared.values.max() ?? 0
        // The settings with enough seeds for an agreement to mean something, and those still short of them.
        let decided = seedsCompared.filter { $0.value >= Self.seedsForAgreement }.keys.sorted()
        let undecided = seedsCompared.filter { $0.value < Self.seedsForAgreement }.sorted { $0.key < $1.key }
            .map { "\($0.key) (\(counted($0.value, "seed")))" }
        let verdict: String
        if !disagreements.isEmpty {
            verdict = "differs in \(disagreements.joined(separator: "; ")) (paired t-test, significant at 5% after Holm's "
                + "correction for \(comparisons))."
        } else if mostSeedsCompared == 0 {
            verdict = "not decided: no setting has a package run to compare with yet"
        } else if mostSeedsCompared < 2 {
            verdict = "not decided: one seed per setting so far, no interval"
        } else if mostSeedsCompared < Self.seedsForAgreement {
            verdict = "not decided: no difference beyond the seed-to-seed noise so far, but no setting has "
                + "\(Self.seedsForAgreement) seeds yet (a paired t-test on \(mostSeedsCompared) has "
                + "\(mostSeedsCompared - 1) degree\(mostSeedsCompared == 2 ? "" : "s") of freedom and almost no power)"
                + "\(caveat.isEmpty ? "" : ".")\(caveat)"
        } else {
            verdict = "agrees on \(decided.joined(separator: ", ")): no difference between the two codes is larger than the "
                + "seed-to-seed noise (paired t-test, 5%, Holm's correction for \(comparisons)).\(caveat)"
                + (undecided.isEmpty ? "" : " Not yet decided, with fewer than \(Self.seedsForAgreement) seeds: "
                    + "\(undecided.joined(separator: ", ")).")
        }
        text += table.rendered(.markdown) + "\nVerdict: **\(verdict)**\n\n"
        let students = studentsAgainstThePaper(compared, dataset: dataset)
        text += Self.bulletList("Each code's Student beside the paper's Student of its backbone (its Table 4, in brackets), "
            + "on the seeds both finished, with each code's distance from the paper in parentheses. A distance both codes "
            + "share lies with the authors' code on this split, or with the paper's own runs, not with the package", students)
        let changes = authorsOwnChanges(settings, dataset: dataset)
        text += Self.bulletList("What the authors' own code says on this split, each method against the authors' Student "
            + "on the seeds both finished (the paper's change in brackets, from its Tables 1 and 4, where the student "
            + "learns from a teacher of its own backbone as there)", changes.map(\.line))
        if !changes.isEmpty && disagreements.isEmpty && !decided.isEmpty {
            text += Self.meaningOfAgreement(changes, decided: decided, export: "\(dataset)-\(splitProtocol.rawValue)")
        }
        return (text, verdict, changes.map(\.line), students)
    }

    /// `intro` and a colon, then one bullet per line and a blank line; nothing without lines.
    static func bulletList(_ intro: String, _ lines: [String]) -> String {
        lines.isEmpty ? "" : intro + ":\n\n" + lines.map { "- \($0)\n" }.joined() + "\n"
    }

    /// For each Student setting, the test Recall@10 (overall and unpopular) of the authors' code and of the package,
    /// averaged over the seeds both finished, beside the paper's Student of the same dataset and backbone (Table 4),
    /// with each code's percent distance from it; settings without a paper value are left out.
    func studentsAgainstThePaper(_ compared: [String: [(AuthorsRun, ExperimentResult)]], dataset: DatasetName) -> [String] {
        compared.sorted { $0.key < $1.key }.compactMap { name, pairs in
            guard let first = pairs.first?.0, first.settings.method == .student,
                  let paper = PaperValues.table4[dataset]?[first.settings.backbone]?[.student]
            else { return nil }
            /// "0.1322 (authors' code, -9.2%) and 0.1342 (package, -7.8%) [0.1456]" for one measure.
            func measure(_ path: KeyPath<AuthorsRun.Measures, Double>, _ group: EvaluationGroup?, paper: Double) -> String {
                let authors = SeedSummary(pairs.map { $0.0.testAt10[keyPath: path] }).mean
                let package = SeedSummary(pairs.compactMap { GridResults.recallAt10(of: $0.1, group: group) }).mean
                return String(format: "%.4f (authors' code, %@) and %.4f (package, %@) [%.4f]", authors,
                              percentChangeText(authors, over: paper), package, percentChangeText(package, over: paper), paper)
            }
            return "\(name), \(counted(pairs.count, "seed")): overall Recall@10 "
                + measure(\.recall, nil, paper: paper.overall) + "; unpopular Recall@10 "
                + measure(\.unpopularRecall, .unpopular, paper: paper.unpopular) + "."
        }
    }

    /// For each distilled setting the authors' code ran, its change of overall and unpopular Recall@10 over the
    /// authors' own Student on the seeds both finished, with a paired t-test from two seeds on, beside the paper's
    /// change of the same method on `dataset` and the student's backbone.
    func authorsOwnChanges(_ settings: [String: [AuthorsRun]], dataset: DatasetName) -> [OwnChange] {
        // The authors' Student of each model (backbone and layers), by seed.
        struct StudentModel: Hashable { var backbone: Backbone, layers: Int }
        var studentBySeed: [StudentModel: [UInt64: AuthorsRun.Measures]] = [:]
        func model(_ settings: AuthorsRun.Settings) -> StudentModel {
            StudentModel(backbone: settings.backbone, layers: settings.layers)
        }
        for run in settings.values.joined() where run.settings.method == .student {
            studentBySeed[model(run.settings), default: [:]][run.settings.seed] = run.testAt10
        }
        var lines: [OwnChange] = []
        for (name, runs) in settings.sorted(by: { $0.key < $1.key }) where runs.first?.settings.method != .student {
            guard let first = runs.first else { continue }
            let method = first.settings.method
            let backbone = first.settings.backbone
            let paired = runs.sorted { $0.settings.seed < $1.settings.seed }
                .compactMap { run in studentBySeed[model(run.settings)]?[run.settings.seed].map { (run.testAt10, $0) } }
            guard !paired.isEmpty else { continue }
            /// The mean of the setting and of the Student over the paired seeds.
            func means(_ path: KeyPath<AuthorsRun.Measures, Double>) -> (value: Double, base: Double) {
                (SeedSummary(paired.map { $0.0[keyPath: path] }).mean, SeedSummary(paired.map { $0.1[keyPath: path] }).mean)
            }
            func change(_ path: KeyPath<AuthorsRun.Measures, Double>) -> String {
                let text = percentChangeText(means(path).value, over: means(path).base)
                guard let test = Statistics.pairedTTest(paired.map { $0.0[keyPath: path] }, paired.map { $0.1[keyPath: path] })
                else { return text }
                return text + String(format: " (p %.3f)", test.p)
            }
            let paperStudent = PaperValues.table4[dataset]?[backbone]?[.student]
            // Table 1 (the unpopular group of RD and DE-RRD) is MF only; the paper's students learn from a teacher of
            // their own backbone.
            let paper = !first.settings.teacherMatches ? nil
                : (PaperValues.table4[dataset]?[backbone]?[method]).map { ($0.overall, $0.unpopular) }
                ?? (backbone == .mf ? PaperValues.table1[dataset]?[method] : nil).flatMap { values in
                    PaperValues.table3[dataset]?[backbone]?[method].map { ($0.recall, values.unpopular) } }
            func paperChange(_ part: KeyPath<(Double, Double), Double>, _ base: Double?) -> String {
                guard let paper, let base else { return "" }
                return " [" + percentChangeText(paper[keyPath: part], over: base) + "]"
            }
            let unpopular = means(\.unpopularRecall).value - means(\.unpopularRecall).base
            let paperUnpopular = paper.flatMap { paper in paperStudent.map { paper.1 - $0.unpopular } }
            lines.append(OwnChange(
                line: "\(name), \(counted(paired.count, "seed")): overall Recall@10 \(change(\.recall))"
                    + paperChange(\.0, paperStudent?.overall) + ", unpopular Recall@10 \(change(\.unpopularRecall))"
                    + paperChange(\.1, paperStudent?.unpopular) + ".",
                setting: name, unpopularMovesAsInThePaper: paperUnpopular.map { ($0 > 0) == (unpopular > 0) }))
        }
        return lines
    }

    /// One distilled setting of the authors' code against their Student (see `authorsOwnChanges`).
    struct OwnChange {
        /// The sentence the report prints.
        var line: String
        /// The setting's name.
        var setting: String
        /// Whether the unpopular group's Recall@10 moves the way the paper reports for the method (nil without a paper
        /// value).
        var unpopularMovesAsInThePaper: Bool?
    }

    /// What an end-to-end agreement means for the paper's claims on the export's split: where the codes agree (the
    /// `decided` settings, those with enough seeds) the package's findings are the authors' code's, and the unpopular
    /// group's direction under each setting of the authors' code is named.
    static func meaningOfAgreement(_ changes: [OwnChange], decided: [String], export: String) -> String {
        let judged = changes.filter { $0.unpopularMovesAsInThePaper != nil }
        guard !judged.isEmpty else { return "" }
        let same = judged.filter { $0.unpopularMovesAsInThePaper == true }.map(\.setting)
        let reversed = judged.filter { $0.unpopularMovesAsInThePaper == false }.map(\.setting)
        var text = "What this means for the paper's claims: the two codes agree end to end on `\(export)` for "
            + "\(decided.joined(separator: ", ")), so there the package's findings are the authors' code's findings too, not "
            + "defects of the package. With the authors' own code, the unpopular group's Recall@10 against their Student moves "
        var parts: [String] = []
        if !same.isEmpty { parts.append("as the paper reports under \(same.joined(separator: ", "))") }
        if !reversed.isEmpty { parts.append("against the paper's report under \(reversed.joined(separator: ", "))") }
        text += parts.joined(separator: ", and ") + "."
        return text + " The paper tuned its settings per dataset and did not publish them; these are the settings the "
            + "authors' code was run with here.\n\n"
    }

    /// "0.1234 ± 0.0012", or the value alone for one seed.
    func cell(_ summary: SeedSummary) -> String {
        summary.values.count > 1 ? String(format: "%.4f ± %.4f", summary.mean, summary.halfWidth) : String(format: "%.4f", summary.mean)
    }

    /// The package's experiment of `method` with the settings of an authors' run: its Student, or the method at the
    /// run's K, weight and pair count (UnKD's mu is the authors' fixed 20, and its reversed pairs collapse as in their
    /// code), on the run's backbone; nil for a method the cross-check does not run, a LightGCN student of another
    /// depth than the package's, or a student distilled from a teacher of another backbone (the package's grid distils
    /// each backbone from its own).
    func packageSpec(_ method: PaperMethod, _ settings: AuthorsRun.Settings, grid: PaperGrid) -> ModelSpec? {
        guard settings.teacherMatches, let spec = packageExperiment(method, settings, grid: grid),
              spec.model.layers == settings.layers else { return nil }
        return spec
    }

    func packageExperiment(_ method: PaperMethod, _ settings: AuthorsRun.Settings, grid: PaperGrid) -> ModelSpec? {
        var grid = grid
        switch method {
        case .student: return grid.student(settings.backbone, seed: settings.seed)
        case .unkd:
            grid.unkd = UnKDConfiguration(groups: settings.groups ?? 4, pairsPerUser: settings.sampleNum ?? 30, mu: 20,
                                          weight: settings.kdWeight, reversedPairs: .collapsed)
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
