import Foundation
import PaperFigures
import UnKD

extension Evidence {
    /// Seeds and training time per dataset, backbone and method (the time includes early-stopping evaluations).
    public var inventory: TextTable {
        var table = TextTable(header: ["dataset", "backbone", "method", "seeds", "training time (min)"])
        var totals: [String: Double] = [:]
        var timed = Set<String>()
        for (key, results) in grid.cells.sorted(by: { $0.key < $1.key }) {
            let parts = key.split(separator: "/", maxSplits: 2).map(String.init)
            // A run that serves two cells (UnKD with K = 4 is also Figure 5's K = 4) is timed once.
            let fresh = results.filter { timed.insert($0.method.rawValue + ResultStore.key($0.spec)).inserted }
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
    public func stillToRun(_ planned: [GridRun], seeds: Int) -> String {
        var cells: [(dataset: DatasetName, backbone: Backbone, cell: GridCell, runs: [GridRun])] = []
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
        var timed = Set<String>()
        var minutes = 0.0, untimed = 0, runCount = 0
        for (dataset, backbone, cell, runs) in cells {
            let fresh = runs.filter { timed.insert($0.method.rawValue + ResultStore.key($0.spec)).inserted }
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
            table.append([dataset.rawValue, backbone.rawValue, cell.description, "\(finished.count) of \(seeds)",
                          runs.map { "\($0.spec.seed)" }.joined(separator: ", "), estimate])
        }
        return table.rendered(.markdown) + "\n"
            + counted(runCount, "run")
            + String(format: " to go: about %.0f minutes (%.1f h) of training at the pace of the finished runs", minutes, minutes / 60)
            + (untimed > 0 ? ", plus \(counted(untimed, "run")) of cells with no finished run to time them by" : "")
            + ". The table and figure notebooks train what is missing and skip what is stored (for example "
            + "`swift run -c release table3 --dataset ml-1m --backbone lightgcn --data ml-1m=PATH`), and with "
            + "`--list-commands` they print the missing runs as one shell command each, to spread over machines.\n\n"
    }
}
