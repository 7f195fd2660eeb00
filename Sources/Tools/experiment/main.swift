/*:
 # One experiment

 The unit of work of every table: one model (a teacher, a plain student, or a distilled student), described
 completely by a JSON experiment value, trained or loaded, evaluated on the test users, and saved as a result file.
 The table notebooks print these commands with `--list-commands`, so a cluster's own scheduler (a Slurm job array,
 GNU parallel over ssh) can spread a grid over machines; the tables then read whatever result files are present.
*/
import ArgumentParser
import Foundation
import PaperFigures
import UnKD

struct Experiment: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "experiment", abstract: "Runs one experiment given as JSON and saves its result file.")

    @OptionGroup var dataOptions: DataOptions

    @Option(help: ArgumentHelp(
        "The row of the tables the experiment belongs to; it also names the result file.",
        discussion: "Derived from --spec when only one row describes it (every distilled student and the PD teacher); a plain "
            + "model is a Teacher or a Student, so it needs --method. A row given that does not describe --spec is an error."))
    var method: PaperMethod?

    @Option(help: "The experiment as JSON (as printed by a table's --list-commands).")
    var spec: String

    @Option(name: .customLong("results-dir"), help: "Where run results are kept.")
    var resultsDirectory = "results"

    @Option(name: .customLong("models-dir"), help: "Where trained models are kept (default: <data dir>/models).")
    var modelsDirectory: String?

    func run() throws {
        let decoded: ModelSpec
        do { decoded = try JSONDecoder().decode(ModelSpec.self, from: Data(spec.utf8)) } catch {
            throw ValidationError("--spec is not a valid experiment: \(error)")
        }
        let method = try row(of: decoded)
        let workspace = Workspace(locator: try dataOptions.locator(), modelFolder: modelsDirectory.map { URL(fileURLWithPath: $0) })
        let result = try workspace.result(method: method, spec: decoded, results: ResultStore(folder: URL(fileURLWithPath: resultsDirectory)))
        print(String(format: "%@ %@ %@ seed %llu: Recall@10 %.4f, NDCG@10 %.4f (best epoch %d)", method.rawValue, decoded.dataset.rawValue,
                     decoded.model.label, decoded.seed, result.test.at(10)!.recall, result.test.at(10)!.ndcg, result.history.bestEpoch))
    }

    /// The row of `spec`: `--method` when it describes the experiment, else the only row that does.
    func row(of spec: ModelSpec) throws -> PaperMethod {
        let rows = PaperMethod.rows(describing: spec)
        if let method {
            guard rows.contains(method) else { throw ValidationError("--spec is not an experiment of the row '\(method)'") }
            return method
        }
        guard rows.count == 1 else {
            throw ValidationError("--spec is an experiment of the rows \(rows.map(\.rawValue).joined(separator: " and ")); "
                                  + "name one with --method")
        }
        return rows[0]
    }
}

OpenBLASCore.preferNativeKernels()
Experiment.main()
