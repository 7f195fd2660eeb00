/*:
 # Table 1: do existing distillation methods leave the unpopular items behind?

 The paper opens with an observation rather than a method. Split the items into two groups of equal total
 popularity: a short head of popular items and a long tail of unpopular ones. Train a student on the data alone, and
 students distilled by four published methods (RD, CD, DE-RRD, HTD), all from the same MF teacher. Then measure
 Recall@10 separately on each group. The paper finds that distillation lifts the popular group and lowers the
 unpopular one, by 22% on average: the teacher's soft labels favour popular items, and the student inherits that.

 This notebook reruns that comparison. Each cell is the mean over seeds with a 95% interval, next to the paper's
 value; below each group recall is its change relative to the Student, ours and (in brackets) the paper's.

 ## Group recall

 A test hit counts for the group its item belongs to, and each group's recall divides by the user's whole test set
 (as the official code does), so the two groups' recalls add up to the overall recall. The evaluation always uses
 the two-group split, whatever a method does inside.
*/
import ArgumentParser
import Foundation
import PaperFigures
import UnKD

struct Table1: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "table1",
        abstract: "Table 1: popular and unpopular Recall@10 of the Student, the Teacher and four distillation methods (MF).")

    @OptionGroup var options: GridOptions

    @Option(help: "Backbones (comma-separated): mf, lightgcn. The paper's Table 1 is MF only.")
    var backbone = "mf"

    func run() throws {
        let backbones = try GridOptions.backbones(backbone)
        guard let collected = try options.collect(PaperGrid.table1Methods, backbones: backbones) else { return }
/*:
 ## The table

 One row per dataset, backbone and method. The change is 100 (R_m - R_Student) / R_Student on the means over the
 seeds both have run (those of the paired test), so that while a grid fills in a change never compares different
 seeds; the paired t-test of the unpopular recall against the Student asks whether a drop survives the seed-to-seed
 noise.
*/
        var table = TextTable(header: ["dataset", "backbone", "method", "popular Recall@10", "popular change",
                                       "unpopular Recall@10", "unpopular change", "unpopular p vs Student"])
        for name in options.datasets where collected.hasResults(name) {
            for b in backbones {
                for method in PaperGrid.table1Methods {
                    let paper = b == .mf ? PaperValues.table1[name]?[method] : nil
                    let paperStudent = b == .mf ? PaperValues.table1[name]?[.student] : nil
                    var row = [DatasetCatalog.descriptor(name).displayName, b.rawValue, method.rawValue]
                    let pairs = EvaluationGroup.allCases.map { collected.pairedRecallAt10(name, b, .row(method), .row(.student), group: $0) }
                    for (g, group) in EvaluationGroup.allCases.enumerated() {
                        let values = collected.recallAt10(name, b, .row(method), group: group)
                        let paperValue = g == 0 ? paper?.popular : paper?.unpopular
                        let paperBase = g == 0 ? paperStudent?.popular : paperStudent?.unpopular
                        row.append(options.cell(SeedSummary(values), paper: paperValue))
                        row.append(method == .student ? "-" : change(pairs[g].means?.method, pairs[g].means?.other,
                                                                      paper: paperValue, paperBase))
                    }
                    let p = method == .student ? nil : Statistics.pairedTTest(pairs[1].method, pairs[1].other)?.p
                    row.append(p.map { String(format: "%.3f", $0) } ?? "-")
                    table.append(row)
                }
            }
        }
        try options.publish(table, name: "table1",
                            caption: "Table 1 (\(options.seedList.count) seeds, mean ± 95% CI; paper in brackets)",
                            backbones: backbones, allBackbones: [.mf])
    }

    /// "+3.7% (+3.8%)": our relative change and the paper's.
    func change(_ value: Double?, _ base: Double?, paper: Double?, _ paperBase: Double?) -> String {
        guard let value, let base else { return "-" }
        var text = percentChangeText(value, over: base)
        if let paper, let paperBase { text += " (\(percentChangeText(paper, over: paperBase)))" }
        return text
    }
}

OpenBLASCore.preferNativeKernels()
Table1.main()
