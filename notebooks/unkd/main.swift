/*:
 # UnKD, step by step

 This notebook is the method itself, taken apart. Each step paraphrases a piece of Section 3.2 of the paper, then runs
 the few lines of the package that realise it, on data, and prints what they produce. Read it after `table1`, which
 shows the problem UnKD answers; `distill` then runs the method end to end.

     swift run -c release unkd                                   # MovieLens-shaped synthetic data, under a minute
     swift run -c release unkd --dataset ml-1m --data ml-1m=PATH  # MovieLens-1M itself

 The synthetic data (`synthetic-ml1m`) has MovieLens-1M's shape (6,040 users, 3,706 items, about a million
 interactions) and a known popularity effect, so the bias the paper describes is there to be seen. Every model here is
 trained briefly (`--epochs`, 20 by default) so that the whole walkthrough runs in under a minute; the tables and
 figures train to convergence. The figure goes to `figures/unkd.png` (`unkd-synthetic.png` on synthetic data).
*/
import ArgumentParser
import Foundation
import PaperFigures
import Plotting
import UnKD

struct Walkthrough: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unkd", abstract: "The UnKD method step by step on data: groups, within-group rankings, rank-aware pairs, the pair loss, a short training run.")

    @OptionGroup var dataOptions: DataOptions

    @Option(help: "Dataset (default: synthetic-ml1m, MovieLens-1M's shape; ml-1m with --data ml-1m=PATH).")
    var dataset: DatasetName = .syntheticMovieLens

    @Option(parsing: .unconditional, help: "K, the number of popularity groups.")
    var groups = 4

    @Option(parsing: .unconditional, help: "mu of the rank-aware sampling, p(rank) ∝ exp(-rank / mu).")
    var mu = 20.0

    @Option(parsing: .unconditional, help: "Pairs per user and epoch, over all groups.")
    var pairs = 30

    @Option(parsing: .unconditional, help: "Epochs of each (brief) fit: teacher, Student, UnKD.")
    var epochs = 20

    @Option(parsing: .unconditional, help: "Seed of the split, the models and the samplers.")
    var seed: UInt64 = 2022

    @Option(help: "Output formats of the figure: png, pdf or both.")
    var format: FigureFormats = .both

    @Option(help: "Output folder of the figure.")
    var out = "figures"

    func validate() throws {
        try OptionCheck.integer(groups, "--groups", in: 1...20)
        try OptionCheck.positive(mu, "--mu")
        try OptionCheck.integer(pairs, "--pairs", in: 1...1000)
        try OptionCheck.integer(epochs, "--epochs", in: 1...1000)
        try OptionCheck.datasets([dataset], data: dataOptions)
    }

    func run() throws {
        var locator = try dataOptions.locator()
        locator.allowDownload = false
        let data = try locator.load(dataset)
        let split = DataSplit.make(data, protocol: .unkdCode, seed: seed,
                                   validationUserFraction: DatasetCatalog.descriptor(dataset).validationUserFraction)
        let train = split.train, users = train.userCount, items = train.itemCount
        print("\(dataset): \(users) users, \(items) items, \(train.interactionCount) training interactions\n")

/*:
 ## 1. A teacher, and its bias

 The paper starts from a large teacher (here MF with 100 dimensions) trained with BPR on the data. Its scores mix a
 user's taste with each item's popularity, and its top of the list shows it: popular items fill far more of the
 top-10 lists than of what users actually go on to interact with (the paper's Figure 1). "Popular" here is the head
 of the two-group split below, the items that together carry half of the training interactions.
*/
        let teacher = fit(ModelConfiguration.teacher(.mf), split: split, learningRate: 1e-2, label: "teacher")
        let evaluator = Evaluator(split: split, part: .test)
        let teacherReport = evaluator.evaluate(teacher.parameters, userCount: users)
        let exposure = teacherReport.exposure.first { $0.n == 10 }!
        print(String(format: "Teacher: Recall@10 %.4f; popular items are %.1f%% of its top-10 lists and %.1f%% of the test interactions\n",
                     teacherReport.at(10)!.recall, 100 * exposure.recommended[0], 100 * exposure.heldOut[0]))

/*:
 ## 2. Popularity groups (Section 3.2, step 1)

 Sort the items by popularity, most popular first, and cut the list into K groups so that every group holds the same
 total popularity (following the PD paper). The head group is then a handful of very popular items and the last
 group the long tail. Inside a group, items are about equally popular, which is the whole point: Lemma 1 says that
 for items of about equal popularity the teacher's order is about the order of the user's true preference.
 `PopularityGroups` does the cut; the same function with K = 2 gives the evaluation's popular / unpopular split.
*/
        let partition = PopularityGroups(train: train, groupCount: groups)
        let popularity = train.itemPopularity(), total = Double(train.interactionCount)
        var groupTable = TextTable(header: ["group", "items", "share of items", "share of popularity", "popularity range"])
        for (g, members) in partition.groups.enumerated() {
            let counts = members.map { popularity[Int($0)] }
            groupTable.append(["\(g + 1)", "\(members.count)", String(format: "%.1f%%", 100 * Double(members.count) / Double(items)),
                               String(format: "%.1f%%", 100 * Double(counts.reduce(0, +)) / total),
                               "\(counts.min()!)-\(counts.max()!)"])
        }
        print("Popularity groups, K = \(partition.count):\n" + groupTable.rendered(.markdown))

/*:
 ## 3. The teacher's ranking inside each group (Section 3.2, step 2)

 For every user and group, the teacher ranks the group's items the user has not trained on, best first; the lists are
 computed once and cut at 1,000 items (`TeacherRanking`). Set one user's global top-10 beside the top of each group's
 list: the global list leans to the first groups, a small share of the catalogue, while every group's list, the
 tail's included, has a top of its own for the pairs to be drawn from.
*/
        let ranking = TeacherRanking(teacher: teacher.parameters, userCount: users, train: train, groups: partition)
        let user = Int(split.testUsers[0])
        var globalTop: [Int32] = []
        teacherScores(teacher.parameters, user: user, users: users) { scores in
            TopN.select(scores, count: items, n: 10, excluding: train.items(of: user), into: &globalTop)
        }
        print("User \(user): the teacher's global top-10, with each item's group: "
              + globalTop.map { "\($0) (g\(partition.groupOfItem[Int($0)] + 1))" }.joined(separator: ", "))
        for g in 0..<partition.count {
            print("  group \(g + 1), top 5 of \(ranking.list(user: user, group: g).count) candidates: "
                  + ranking.list(user: user, group: g).prefix(5).map(String.init).joined(separator: ", "))
        }
        print()

/*:
 ## 4. Rank-aware pairs (Section 3.2, step 2)

 Each epoch, each user draws pairs of positions (a, b) in each group's list, each position r with probability
 ∝ exp(-r / mu) and a ≠ b; the item at the better position is the pair's positive, the other its negative. The pairs
 are spread equally over the groups (30 pairs over K = 4 is 8 per group after the official rounding), so the tail
 groups teach as much as the head. `UnKDDistiller.resample` draws them; below, the positions drawn over all users
 against the distribution they should follow. (The official code means to do the same, but its swap of a pair drawn
 worse-first goes through a tensor view and leaves the better item twice, so half of its pairs teach nothing; the
 cross-check found it, and `UnKDConfiguration.reversedPairs = .collapsed` reproduces it.)
*/
        let unkd = UnKDConfiguration(groups: groups, pairsPerUser: pairs, mu: mu)
        let distiller = UnKDDistiller(configuration: unkd, teacher: teacher.parameters, train: train, seed: seed)
        distiller.resample()
        let shown = 30
        var drawn = [Double](repeating: 0, count: shown), drawnTotal = 0.0
        for u in 0..<users {
            var position: [Int32: Int] = [:]
            for g in 0..<partition.count where ranking.list(user: u, group: g).count == unkd.listCap {
                for (r, item) in ranking.list(user: u, group: g).enumerated() { position[item] = r }
            }
            for p in distiller.pairStart[u]..<distiller.pairStart[u + 1] {
                for item in [distiller.pairPositives[p], distiller.pairNegatives[p]] {
                    guard let r = position[item] else { continue }
                    drawnTotal += 1
                    if r < shown { drawn[r] += 1 }
                }
            }
        }
        // Both positions of a pair follow p(r) = (1 - q) q^r (q = exp(-1/mu)) on a list of 1,000, apart from the
        // small correction that a ≠ b makes.
        let q = exp(-1 / mu)
        let expected = (0..<shown).map { (1 - q) * pow(q, Double($0)) / (1 - pow(q, Double(unkd.listCap))) }
        let observed = drawn.map { $0 / max(drawnTotal, 1) }
        let firstPairs = (distiller.pairStart[user]..<min(distiller.pairStart[user] + 4, distiller.pairStart[user + 1]))
        print("User \(user)'s first pairs (positive > negative): "
              + firstPairs.map { "\(distiller.pairPositives[$0]) > \(distiller.pairNegatives[$0])" }.joined(separator: ", "))
        print(String(format: "Share of drawn positions at rank 0, 1, 2, 10: %.4f %.4f %.4f %.4f (exp(-r/mu) predicts %.4f %.4f %.4f %.4f)\n",
                     observed[0], observed[1], observed[2], observed[10], expected[0], expected[1], expected[2], expected[10]))

/*:
 ## 5. The pair loss (equation 5)

 The student should score each pair's positive above its negative: the loss of a pair is -log σ(s(u, i+) - s(u, i-)),
 the same form as BPR. As in the official code it is averaged over the user's pairs and looked up per BPR row, so an
 active user counts more than the paper's 1/|U| suggests. Here it is computed twice for one user of a freshly
 initialised student: by the formula, and by `PairwiseDistillation`, the kernel training uses, which also returns its
 gradient; a finite difference on one coordinate checks that gradient.
*/
        let student = Recommender(.student(.mf), userCount: users, itemCount: items, seed: seed).parameters
        func score(_ table: EmbeddingTable, _ u: Int, _ item: Int32) -> Double {
            (0..<table.dimension).reduce(0.0) { $0 + Double(table[u, $1]) * Double(table[users + Int(item), $1]) }
        }
        func byFormula(_ table: EmbeddingTable) -> Double {
            let range = distiller.pairStart[user]..<distiller.pairStart[user + 1]
            return range.reduce(0.0) { sum, p in
                let margin = score(table, user, distiller.pairPositives[p]) - score(table, user, distiller.pairNegatives[p])
                return sum + log(1 + exp(-margin))
            } / Double(range.count)
        }
        var gradient = [Float](repeating: 0, count: student.values.count)
        let kernelLoss = pairLoss(student, gradient: &gradient, user: user, distiller: distiller)
        let h: Float = 1e-3
        var shifted = student
        shifted[user, 0] += h
        let slope = (byFormula(shifted) - byFormula(student)) / Double(h)
        print(String(format: "User %d: pair loss %.6f by the formula, %.6f by the kernel; d loss / d e_u[0] %.5f by the kernel, %.5f by a finite difference\n",
                     user, byFormula(student), kernelLoss, gradient[user * student.stride], slope))

/*:
 ## 6. Training with it (equation 6)

 The student's loss is BPR on the data plus lambda times the pair loss. Two brief fits from the same initial
 student, the plain Student and UnKD, are set against the teacher on the paper's question: how much of each top-10
 list is popular, against what users actually choose in the test data, and how well each finds the unpopular items
 users choose. These are fits of a few dozen epochs, enough to show the mechanics, not to settle the question: how
 the answer depends on K, lambda and full training is in `REPRODUCTION.md` (on MovieLens-1M the unpopular group gains
 at K = 2 and loses at larger K), and `--groups`, `--epochs` change it here.
*/
        let plain = fit(.student(.mf), split: split, learningRate: 1e-2, label: PaperMethod.student.rawValue)
        let distilled = fit(.student(.mf), split: split, learningRate: 1e-2, label: PaperMethod.unkd.rawValue, distillation: distiller)
        var results = TextTable(header: ["model", "Recall@10", "unpopular Recall@10", "popular share of top-10"])
        var shares: [(String, Double)] = []
        for (name, model) in [(PaperMethod.teacher.rawValue, teacher), (PaperMethod.student.rawValue, plain), (PaperMethod.unkd.rawValue, distilled)] {
            let report = evaluator.evaluate(model.parameters, userCount: users)
            let share = report.exposure.first { $0.n == 10 }!.recommended[0]
            shares.append((name, share))
            results.append([name, String(format: "%.4f", report.at(10)!.recall),
                            String(format: "%.4f", report.group(.unpopular, at: 10)!.recall), String(format: "%.1f%%", 100 * share)])
        }
        shares.append(("Test data", exposure.heldOut[0]))
        results.append(["Test data", "", "", String(format: "%.1f%%", 100 * exposure.heldOut[0])])
        print(results.rendered(.markdown))

        let synthetic = SyntheticConfiguration.presets[dataset] != nil
        let output = FigureOutput(folder: URL(fileURLWithPath: out), formats: format, synthetic: synthetic)
        var figure = Figure(columns: 2, panelSize: (320, 230), title: output.title("UnKD step by step on \(dataset), brief fits"),
                            seriesColours: SeriesColours.fixed)
        figure.add(Panel(title: "Ranks drawn for UnKD's pairs", xLabel: "rank in the group's list", yLabel: "share of draws",
                         yFormat: .plain(decimals: 3),
                         chart: .lines([LineSeries(name: "drawn", x: (0..<shown).map(Double.init), y: observed),
                                        LineSeries(name: "exp(-rank/mu)", x: (0..<shown).map(Double.init), y: expected,
                                                   marker: .none, dashed: true)])))
        figure.add(Panel(title: "Popular items in the top-10 lists", yLabel: "share", yFormat: .percent(decimals: 0),
                         chart: .bars(categories: shares.map(\.0), values: shares.map(\.1)), valueLabels: true))
        Progress.say("wrote " + (try output.write(figure, name: "unkd")).map(\.path).joined(separator: ", "))
    }

    /// A brief fit of `model` (with an optional distillation term) from the walkthrough's seed.
    func fit(_ model: ModelConfiguration, split: DataSplit, learningRate: Double, label: String,
             distillation: DistillationTerm? = nil) -> Recommender {
        let initial = Recommender(model, userCount: split.train.userCount, itemCount: split.train.itemCount, seed: seed)
        let trainer = Trainer(model: initial, split: split,
                              configuration: TrainingConfiguration(learningRate: learningRate, decay: 1e-3, maxEpochs: epochs),
                              seed: seed)
        trainer.distillation = distillation
        let started = Date()
        let history = trainer.fit(validation: Evaluator(split: split, part: .validation))
        Progress.say(String(format: "%@: %d epochs in %.1f s", label, history.epochsRun, Date().timeIntervalSince(started)))
        return trainer.model
    }

    /// Calls `body` with one user's teacher scores of every item.
    func teacherScores(_ teacher: EmbeddingTable, user: Int, users: Int, _ body: (UnsafePointer<Float>) -> Void) {
        let items = teacher.rows - users
        var scores = [Float](repeating: 0, count: items)
        for i in 0..<items { scores[i] = (0..<teacher.dimension).reduce(0) { $0 + teacher[user, $1] * teacher[users + i, $1] } }
        scores.withUnsafeBufferPointer { body($0.baseAddress!) }
    }

    /// UnKD's pair loss of one user (a batch of one row), with its gradient added into `gradient`.
    func pairLoss(_ table: EmbeddingTable, gradient: inout [Float], user: Int, distiller: UnKDDistiller) -> Double {
        var touched: [Int32] = []
        let users = distiller.ranking.userCount
        return Double(table.values.withUnsafeBufferPointer { final in
            gradient.withUnsafeMutableBufferPointer { g in
                PairwiseDistillation.accumulate(
                    [Int32(user)], pairStart: distiller.pairStart, positives: distiller.pairPositives,
                    negatives: distiller.pairNegatives, final: final.baseAddress!, gradient: g.baseAddress!,
                    stride: table.stride, userCount: users, itemCount: table.rows - users, weight: 1,
                    workspace: PerUserWorkspace(), touched: &touched)
            }
        })
    }
}

OpenBLASCore.preferNativeKernels()
Walkthrough.main()
