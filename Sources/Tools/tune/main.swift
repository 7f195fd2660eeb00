/*:
 # Choosing each method's settings

 A fair comparison gives every method the same chance: each distillation method has a weight that balances its term
 against BPR (and UnKD also its pair count and the sharpness mu of its rank distribution; the PD teacher its
 exponent alpha), and a badly set weight can make a good method look bad. So each is chosen the same way, on the
 validation users only, never on the test users the tables report: train the student with every setting of a small
 documented grid (`PaperGrid.tuningVariants`), at one or a few seeds, and keep the setting with the best mean
 validation NDCG@20 at the early-stopping point.

 Every run is an ordinary experiment with its own result file, so the grid resumes where it stopped, and
 `--list-commands` prints it for a cluster. The chosen values are then written by hand into `DistillationDefaults`,
 per dataset and with the scores in a comment, as the learning rates are in `TrainingDefaults`: the tables must not
 change because someone ran a tuning grid. The table this tool writes, `figures/tuning-<method>.csv`, is quoted
 in the reproduction report.
*/
import ArgumentParser
import Foundation
import PaperFigures
import UnKD

struct Tune: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tune", abstract: "Chooses a method's settings on validation NDCG@20 from its documented grid.")

    @OptionGroup var options: GridOptions

    @Option(help: "The method to tune: \(PaperGrid.tunableMethods.map(\.rawValue).joined(separator: ", ")).")
    var method: PaperMethod

    @Option(help: "Backbone: mf or lightgcn.")
    var backbone = "mf"

    func validate() throws {
        guard PaperGrid.tunableMethods.contains(method) else {
            throw ValidationError("--method: unknown method '\(method)'; choose from \(PaperGrid.tunableMethods.map(\.rawValue).joined(separator: ", "))")
        }
    }

    func run() throws {
        let backbones = try GridOptions.backbones(backbone)
        var table = TextTable(header: ["dataset", "backbone", "setting", "validation NDCG@20", "best epochs", "chosen"])
        for name in options.datasets {
            for b in backbones {
                let base = options.grid(name)
                let variants = base.tuningVariants(for: method)
                let runs = variants.flatMap { variant in
                    options.seedList.flatMap { seed in
                        variant.grid.runs([method], b, seed: seed).map { run -> GridRun in
                            GridRun(method: run.method, cell: .tuning(variant.setting), backbone: b, spec: run.spec)
                        }
                    }
                }
/*:
 The grid is read against the model without the method: the Student for a distillation method, the plain MF teacher
 for the PD teacher. A grid whose every setting scores below that reference says the method does not help on this
 dataset at any of its settings, which a table of the settings alone would hide.
*/
                let (reference, referenceLabel) = method == .pdTeacher
                    ? (PaperMethod.teacher, "Teacher (not deconfounded)") : (PaperMethod.student, "Student (no distillation)")
                let referenceRuns = options.seedList.flatMap { base.runs([reference], b, seed: $0) }
                guard let collected = try options.collect(runs + referenceRuns) else { continue }
/*:
 ## The choice

 The validation score of a run is the best NDCG@20 its early stopping saw; a setting's score is the mean over the
 seeds (`--seeds`; one seed is the usual choice for a grid this size). Ties (rare) go to the first setting in the
 grid's order. The choice says how many of the grid's settings had a result: a best of one is no choice yet.
*/
                // A cell's mean validation score over its seeds, and each seed's best epoch.
                func scoreOf(_ cell: GridCell) -> (score: Double, epochs: String)? {
                    let runs = collected.results(name, b, cell)
                    guard !runs.isEmpty else { return nil }
                    return (runs.map(\.history.bestScore).reduce(0, +) / Double(runs.count),
                            runs.map { String($0.history.bestEpoch) }.joined(separator: ", "))
                }
                let scored = variants.compactMap { variant in scoreOf(.tuning(variant.setting)).map { (setting: variant.setting, score: $0.score, epochs: $0.epochs) } }
                let best = scored.max { $0.score < $1.score }?.setting
                for entry in scored {
                    table.append([name.rawValue, b.rawValue, entry.setting, String(format: "%.4f", entry.score), entry.epochs,
                                  entry.setting == best ? "yes (\(scored.count) of \(variants.count) run)" : ""])
                }
                if !scored.isEmpty, let referenceScore = scoreOf(.row(reference)) {
                    table.append([name.rawValue, b.rawValue, referenceLabel, String(format: "%.4f", referenceScore.score),
                                  referenceScore.epochs, "reference"])
                }
            }
        }
        // With --list-commands or --slurm the runs' commands were the output; there is no table to write.
        guard !options.listCommands && options.slurmScript == nil else { return }
        try options.publish(table, name: PaperGrid.tuningTableName(for: method),
                            caption: "Tuning \(method) on validation NDCG@20 (\(options.seedList.count) seeds)",
                            backbones: backbones, allBackbones: [.mf])
    }
}

OpenBLASCore.preferNativeKernels()
Tune.main()
