import UnKD

/// The runs the report reads (it trains none): the paper's grid, the baselines' tuning runs, and Table 3 under the
/// split the paper's text describes.
public enum ReportRuns {
    /// The seed of the tuning runs and of the paper-text comparison.
    public static let firstSeed: UInt64 = 2022

    /// Every planned run of the paper's grid for `datasets` at `seeds`: Table 3's rows and the PD rows (the PD
    /// teacher, PD-CD, PD-HTD) on both backbones, then Figure 5's UnKD at K = 1...10 (MF; its Student is Table 3's).
    public static func grid(_ datasets: [DatasetName], seeds: [UInt64]) -> [GridRun] {
        let methods = PaperGrid.table3Methods + [.pdTeacher, .pdCD, .pdHTD]
        return datasets.flatMap { name -> [GridRun] in
            let grid = PaperGrid(dataset: name)
            return Backbone.allCases.flatMap { backbone in seeds.flatMap { grid.runs(methods, backbone, seed: $0) } }
                + seeds.flatMap { grid.groupSweep(Array(1...10), seed: $0).filter { $0.method != .student } }
        }
    }

    /// Every weight each of Table 1's baselines was tuned over (MF, `firstSeed`), each run in the cell of its setting
    /// (`GridCell.tuning(_:of:)`): how Table 1's verdict depends on the weight.
    public static func tuning(_ datasets: [DatasetName]) -> [GridRun] {
        datasets.flatMap { name in
            Evidence.table1Baselines.flatMap { method in
                PaperGrid(dataset: name).tuningVariants(for: method).flatMap { setting, variant in
                    variant.runs([method], .mf, seed: firstSeed).map {
                        GridRun(method: $0.method, cell: .tuning(setting, of: method), backbone: .mf, spec: $0.spec)
                    }
                }
            }
        }
    }

    /// Table 3's rows on both backbones under the split the paper's text describes, at `firstSeed`.
    public static func paperText(_ datasets: [DatasetName]) -> [GridRun] {
        datasets.flatMap { name in
            Backbone.allCases.flatMap {
                PaperGrid(dataset: name, splitProtocol: .paperText).runs(PaperGrid.table3Methods, $0, seed: firstSeed)
            }
        }
    }
}
