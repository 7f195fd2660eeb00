/*:
 # Figure 5: how many popularity groups?

 K, the number of popularity groups, is UnKD's central knob. With K = 1 there is a single group holding every item:
 pairs are drawn from the teacher's whole ranking, popular and unpopular items compete, and the teacher's popularity
 bias flows straight into the student. Each extra group makes the items inside a group more alike in popularity, so
 the teacher's preference between two of them says less about popularity and more about the user. But groups also
 shrink: with many groups, each holds few items and the pairs drawn from it carry less information. The paper finds
 that recall on the unpopular items first rises with K and then falls, with the best around K = 4.

 This notebook plots, for every K from 1 to 10 and over several seeds, Recall@10 of an UnKD student overall and on
 the unpopular group, with the seed spread as a band and the plain student as a dashed line. Only K moves: lambda,
 mu and the pair count stay at the values chosen on validation for the dataset (`DistillationDefaults`; on
 MovieLens-1M lambda 1, mu 10 and 40 pairs, on CiteULike lambda 0.1, mu 20 and 30 pairs), so the point at K = 4 is
 Table 3's UnKD cell. The pairs per group shrink as K grows, since the pair count is shared among the groups.

 Each point is a finished experiment in `results/` (the repository carries the MovieLens-1M runs), so without data
 at hand the figure is redrawn from those files in seconds. With `--data ml-1m=PATH` the runs that have no result yet
 are trained first (`--cached` never trains), `--rerun` trains every run again, `--list-commands` prints the missing
 runs as shell commands for a cluster instead, and `--quick` does the whole thing on synthetic data.
*/
import ArgumentParser
import Foundation
import PaperFigures
import Plotting
import UnKD

struct Fig5: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fig5", abstract: "Figure 5: UnKD's Recall@10 (overall and unpopular) against the number of groups K.")

    @OptionGroup var options: FigureGridOptions

    @Option(parsing: .unconditional, help: "Largest K.")
    var maxGroups = 10

    func validate() throws { try OptionCheck.integer(maxGroups, "--max-groups", in: 1...100) }

    func run() throws {
        let names = options.datasets
        let ks = Array(1...maxGroups)
        var panels: [Panel] = []
        var csv = TextTable(header: ["dataset", "K", "Recall@10 mean", "Recall@10 CI", "unpopular Recall@10 mean",
                                     "unpopular Recall@10 CI", "seeds"])
        var runs: [GridRun] = []
        for name in names { for seed in options.seedList { runs += options.grid(name).groupSweep(ks, seed: seed) } }
        let collected = try options.collect(runs)
        for name in names where collected.hasResults(name) {
            let studentOverall = collected.recallAt10(name, .mf, .row(.student))
            let studentUnpopular = collected.recallAt10(name, .mf, .row(.student), group: .unpopular)
            let present = ks.filter { !collected.results(name, .mf, .unkd(groups: $0)).isEmpty }
            guard !present.isEmpty, !studentOverall.isEmpty else {
                Progress.say("\(name): no UnKD or Student results, left out")
                continue
            }
            let overall = present.map { SeedSummary(collected.recallAt10(name, .mf, .unkd(groups: $0))) }
            let unpopular = present.map { SeedSummary(collected.recallAt10(name, .mf, .unkd(groups: $0), group: .unpopular)) }
/*:
 ## The panels

 Two panels per dataset: overall Recall@10 and unpopular-group Recall@10 (the official normalisation over all test
 users), each with the mean over seeds, a band of the 95% interval, and the plain student's mean as a reference.
*/
            let display = DatasetCatalog.descriptor(name).displayName
            for (title, summaries, student) in [("\(display): Recall@10", overall, studentOverall),
                                                ("\(display): unpopular Recall@10", unpopular, studentUnpopular)] {
                let band = Band(lower: summaries.map { $0.mean - $0.halfWidth }, upper: summaries.map { $0.mean + $0.halfWidth })
                panels.append(Panel(
                    title: title, xLabel: "number of groups K", yLabel: "Recall@10", yFormat: .plain(decimals: 3),
                    xTicks: ks.map(Double.init),
                    chart: .lines([LineSeries(name: PaperMethod.unkd.rawValue, x: present.map(Double.init), y: summaries.map(\.mean),
                                              band: summaries.allSatisfy { $0.values.count > 1 } ? band : nil)]),
                    referenceLines: [ReferenceLine(value: student.reduce(0, +) / Double(student.count), label: PaperMethod.student.rawValue, style: .dashed)]))
            }
            for (k, (o, u)) in zip(present, zip(overall, unpopular)) {
                csv.append([name.rawValue, "\(k)", String(format: "%.4f", o.mean), String(format: "%.4f", o.halfWidth),
                            String(format: "%.4f", u.mean), String(format: "%.4f", u.halfWidth), "\(o.values.count)"])
            }
        }
        guard !panels.isEmpty else { throw options.nothingToPlot(collected) }
        print(csv.rendered(.markdown))
        var figure = Figure(columns: 2, panelSize: (300, 220), title: options.output.title("Figure 5: UnKD against the number of groups K (MF)"),
                            seriesColours: SeriesColours.fixed)
        for panel in panels { figure.add(panel) }
        let name = options.fileName("fig5")
        let files = try options.output.write(figure, name: name) + [try options.output.writeCSV(csv, name: name)]
        Progress.say("wrote " + files.map(\.path).joined(separator: ", "))
    }
}

OpenBLASCore.preferNativeKernels()
Fig5.main()
