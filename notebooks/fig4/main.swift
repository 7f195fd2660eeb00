/*:
 # Figure 4: where does each method's gain come from?

 Table 3 says how much each distilled student beats the plain one overall. Figure 4 splits that gain by popularity:
 the items are cut into two evaluation groups of equal total popularity (a few popular items on one side, the long
 tail on the other), and for each group we ask how much a method raises the Student's Recall@10, in percent.

 The paper's reading is that the existing methods gain, if at all, on the popular group and lose on the unpopular one
 (the teacher's bias leaking into the student), while UnKD gains most on the unpopular group, because it never asks
 the student to prefer a popular item over an unpopular one: its pairs are drawn inside a popularity group.

 The evaluation grouping is always the two-group split, whatever number of groups UnKD trained with, and the group
 recall is the official code's (hits in the group divided by the user's test items, averaged over all test users), so
 the two groups' recalls add up to the overall recall.
*/
import ArgumentParser
import Foundation
import PaperFigures
import Plotting
import UnKD

struct Fig4: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fig4",
        abstract: "Figure 4: relative Recall@10 change over the Student on the popular and unpopular groups, per method.")

    @OptionGroup var options: FigureGridOptions

    @Option(help: "Backbones (comma-separated): mf, lightgcn.")
    var backbone = "mf,lightgcn"

    @Option(help: "Methods to compare with the Student (comma-separated).")
    var methods = PaperGrid.figure4Methods.map(\.rawValue).joined(separator: ",")

    /// The methods of `--methods`: at least one, each a method of Figure 4.
    func methodsDrawn() throws -> [PaperMethod] {
        let list = try methods.split(separator: ",").map { name in
            guard let method = PaperMethod(rawValue: String(name)), PaperGrid.figure4Methods.contains(method) else {
                throw ValidationError("--methods: unknown method '\(name)'; choose from \(PaperGrid.figure4Methods.map(\.rawValue).joined(separator: ", "))")
            }
            return method
        }
        guard !list.isEmpty else { throw ValidationError("--methods names no method") }
        return list
    }

    func validate() throws {
        _ = try methodsDrawn()
        _ = try GridOptions.backbones(backbone)
    }

    func run() throws {
        let names = options.datasets
        let backbones = options.quick ? [Backbone.mf] : try GridOptions.backbones(backbone)
        let methodList = try methodsDrawn()
        var runs: [GridRun] = []
        for name in names {
            for b in backbones { for seed in options.seedList { runs += options.grid(name).runs([.student] + methodList, b, seed: seed) } }
        }
        let collected = try options.collect(runs)
/*:
 ## The change over the Student

 For a method m and a group g, the bar is 100 (R_m,g - R_S,g) / R_S,g, with R the mean Recall@10 of the group over
 the seeds both m and the Student S have run (so a method with fewer seeds is never set against other seeds). A
 method without runs has no bar, and a panel without a Student is left out.
*/
        var panels: [Panel] = []
        var csv = TextTable(header: ["dataset", "backbone", "method", "group", "Recall@10 mean", "Student Recall@10 mean",
                                     "change %", "seeds"])
        for name in names where collected.hasResults(name) {
            for b in backbones {
                var series: [BarSeries] = []
                for method in methodList {
                    var changes: [Double] = []
                    for group in EvaluationGroup.allCases {
                        let pair = collected.pairedRecallAt10(name, b, .row(method), .row(.student), group: group)
                        guard let (mean, student) = pair.means else { break }
                        let change = percentChange(mean, over: student)
                        changes.append(change)
                        csv.append([name.rawValue, b.rawValue, method.rawValue, group.rawValue, String(format: "%.4f", mean), String(format: "%.4f", student),
                                    String(format: "%.2f", change), "\(pair.method.count)"])
                    }
                    if changes.count == 2 { series.append(BarSeries(name: method.rawValue, values: changes.map { $0 / 100 })) }
                }
                guard !series.isEmpty else { continue }
                let display = DatasetCatalog.descriptor(name).displayName
                panels.append(Panel(
                    title: "\(display), \(b == .mf ? "MF" : "LightGCN")", yLabel: "Recall@10 change over Student",
                    yFormat: .percent(decimals: 0),
                    chart: .groupedBars(categories: ["Popular", "Unpopular"], series: series)))
            }
        }
        guard !panels.isEmpty else { throw options.nothingToPlot(collected) }
        print(csv.rendered(.markdown))
        var figure = Figure(columns: min(panels.count, 2), panelSize: (300, 230),
                            title: options.output.title("Figure 4: Recall@10 change over the Student by popularity group"),
                            seriesColours: SeriesColours.fixed)
        for panel in panels { figure.add(panel) }
        let name = options.fileName("fig4")
        let files = try options.output.write(figure, name: name) + [try options.output.writeCSV(csv, name: name)]
        Progress.say("wrote " + files.map(\.path).joined(separator: ", "))
    }
}

OpenBLASCore.preferNativeKernels()
Fig4.main()
