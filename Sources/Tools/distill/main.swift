/*:
 # Distilling a student with UnKD

 This tool runs the paper's method end to end on one dataset: it obtains a teacher (dimension 100) and a student
 trained on the data alone (dimension 10), then trains a second student of the same size with UnKD, and compares the
 three on the test users, overall and on the popular and unpopular halves of the catalogue.

 ## The idea in one paragraph

 A teacher's scores mix two things: how much a user would like an item, and how popular the item is. Distilling the
 teacher's top of the list hands the student mostly popular items, so the student inherits, and amplifies, the
 popularity tilt. UnKD never compares items of different popularity. It cuts the catalogue into K groups whose total
 popularity is equal, asks the teacher to rank each user's unseen items *within* each group, and draws pairs of items
 from the same group, favouring the top of the teacher's list (rank r is drawn with probability ∝ exp(-r/mu)); the
 better-ranked item of a pair should score higher for the student. Within a group popularity is roughly constant, so
 what the pair teaches is the user's preference.

 ## Choices

 Everything follows the official code where the paper is silent: K = 4 groups, 30 pairs per user and epoch spread
 equally over the groups (rounded, so 32 at K = 4), mu = 20, the teacher's lists cut at 1000 items per group, pairs
 redrawn every epoch from rankings computed once, and the distillation loss weighted by lambda (default 1) next to
 BPR. Pairs are looked up per BPR row, so active users count more, as in the official code. Evaluation groups are
 always the two-group split (popular / unpopular), whatever K UnKD trains with. One departure, because the code's
 behaviour is unintended: the official sampler turns every pair drawn worse-item-first into the better item twice
 (half of the pairs), a pair that teaches nothing; here every pair is put in rank order, and `--reversed-pairs
 collapsed` restores the official behaviour.
*/
import ArgumentParser
import Foundation
import PaperFigures
import UnKD

struct Distill: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "distill", abstract: "Teacher, student and UnKD student on one dataset, compared on the test users.")

    @OptionGroup var dataOptions: DataOptions

    @Option(help: "Dataset name.")
    var dataset: DatasetName = .synthetic

    @Option(help: "Backbone of teacher and students: mf or lightgcn.")
    var backbone: Backbone = .mf

    @Option(parsing: .unconditional, help: "UnKD: number of popularity groups K.")
    var groups = 4

    @Option(parsing: .unconditional, help: "UnKD: pairs per user and epoch, over all groups.")
    var pairs = 30

    @Option(parsing: .unconditional, help: "UnKD: mu of the rank-aware sampling.")
    var mu = 20.0

    @Option(parsing: .unconditional, help: "UnKD: weight lambda of the distillation loss.")
    var weight = 1.0

    @Option(name: .customLong("reversed-pairs"), help: ArgumentHelp(
        "UnKD: ordered (the paper's method) or collapsed (the official code's behaviour).",
        discussion: "A pair whose ranks are drawn worse first is put in rank order, or, as the official code does, becomes "
            + "the better item twice: a constant in the loss, with no gradient (docs/differences.md)."))
    var reversedPairs: ReversedPairs = .ordered

    @Option(name: .customLong("protocol"), help: "Split protocol: unkd-code (default) or paper-text.")
    var splitProtocol: SplitProtocol = .unkdCode

    @Option(parsing: .unconditional, help: "Seed of teacher and students.")
    var seed: UInt64 = 2022

    @Option(name: .customLong("max-epochs"), parsing: .unconditional, help: "Upper bound on epochs of every model.")
    var maxEpochs = 1000

    @Option(name: .customLong("models-dir"), help: "Where trained models are kept (default: <data dir>/models).")
    var modelsDirectory: String?

    @Option(help: "Output format: markdown or csv.")
    var format: TableFormat = .markdown

    func validate() throws {
        try OptionCheck.integer(groups, "--groups", in: 1...100)
        try OptionCheck.integer(pairs, "--pairs", in: 1...10_000)
        try OptionCheck.positive(mu, "--mu")
        try OptionCheck.nonNegative(weight, "--weight")
        try OptionCheck.integer(maxEpochs, "--max-epochs", in: 1...OptionCheck.maximumEpochs)
        try OptionCheck.datasets([dataset], data: dataOptions)
    }

    func run() throws {
        let workspace = Workspace(locator: try dataOptions.locator(), modelFolder: modelsDirectory.map { URL(fileURLWithPath: $0) })
        func spec(_ model: ModelConfiguration, distillation: DistillationSpec? = nil) -> ModelSpec {
            var training = TrainingDefaults.configuration(dataset: dataset, model: model)
            training.maxEpochs = maxEpochs
            return ModelSpec(dataset: dataset, splitProtocol: splitProtocol, model: model, training: training, seed: seed,
                             distillation: distillation)
        }
        let teacherSpec = spec(.teacher(backbone))
        let unkd = UnKDConfiguration(groups: groups, pairsPerUser: pairs, mu: mu, weight: weight, reversedPairs: reversedPairs)
        let rows: [(PaperMethod, ModelSpec)] = [
            (.teacher, teacherSpec),
            (.student, spec(.student(backbone))),
            (.unkd, spec(.student(backbone), distillation: DistillationSpec(
                method: .unkd(unkd), teacher: TeacherSpec(model: teacherSpec.model, training: teacherSpec.training, seed: seed)))),
        ]
        var reports: [(PaperMethod, EvaluationReport, TrainedModel)] = []
        for (name, rowSpec) in rows {
            let trained = try workspace.trainedModel(rowSpec)
            reports.append((name, try workspace.evaluate(trained), trained))
        }
/*:
 ## The comparison

 Each method's Recall@10 and NDCG@10 on the test users, its Recall@10 on the popular and on the unpopular items
 (official normalisation), and the relative change of those over the plain student: the paper's claim is that
 distillation usually helps the popular group and hurts the unpopular one, while UnKD's gain comes mainly from the
 unpopular group.
*/
        let student = reports[1].1
        var table = TextTable(header: ["method", "Recall@10", "NDCG@10", "popular Recall@10", "unpopular Recall@10",
                                       "popular vs Student", "unpopular vs Student", "best epoch"])
        for (name, report, trained) in reports {
            let popular = report.group(.popular, at: 10)!.recall, unpopular = report.group(.unpopular, at: 10)!.recall
            table.append([name.rawValue, String(format: "%.4f", report.at(10)!.recall), String(format: "%.4f", report.at(10)!.ndcg),
                          String(format: "%.4f", popular), String(format: "%.4f", unpopular),
                          percentChangeText(popular, over: student.group(.popular, at: 10)!.recall),
                          percentChangeText(unpopular, over: student.group(.unpopular, at: 10)!.recall),
                          "\(trained.history.bestEpoch)"])
        }
        if format == .markdown {
            print("\(dataset), \(backbone.rawValue), protocol \(splitProtocol.rawValue), seed \(seed); \(GridCell.unkd(groups: groups)), pairs=\(pairs), mu=\(mu), lambda=\(weight)"
                  + (reversedPairs == .ordered ? "" : ", reversed pairs \(reversedPairs.rawValue)") + "\n")
        }
        print(table.rendered(format), terminator: "")
    }
}


OpenBLASCore.preferNativeKernels()
Distill.main()
