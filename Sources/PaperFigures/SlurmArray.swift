/// A Slurm job array that trains a grid's missing runs on a cluster: one array task per run, each on one pinned,
/// single-threaded core, requeued when preempted (a fit resumes from its checkpoint, so a requeued task loses at most
/// the two minutes since its last one).
///
/// The script runs from the repository's root after `swift build -c release`, so the tasks share one build; the
/// results folder and the models folder (the data directory's `models/`) must be on storage every node sees.
public struct SlurmArray: Sendable, Equatable {
    /// The commands, one per task, as `--list-commands` prints them.
    public var commands: [String]
    /// The array's job name.
    public var jobName: String
    /// Memory per task (Slurm's `--mem`).
    public var memory = "8G"
    /// Wall-time limit per task (Slurm's `--time`); a task that hits it is requeued and resumes.
    public var time = "12:00:00"
    /// What to run once the array has finished (the tables, figures and report from the stored results).
    public var afterwards: [String]

    /// An array of `commands`, named `jobName`, with the regeneration commands `afterwards`.
    public init(commands: [String], jobName: String, afterwards: [String]) {
        self.commands = commands
        self.jobName = jobName
        self.afterwards = afterwards
    }

    /// The script: the array's resources, then one `case` branch per task, each the task's command with
    /// `swift run -c release` replaced by the built executable.
    public var script: String {
        var text = """
            #!/bin/bash
            #SBATCH --job-name=\(jobName)
            #SBATCH --array=0-\(max(commands.count - 1, 0))
            #SBATCH --ntasks=1
            #SBATCH --cpus-per-task=1
            #SBATCH --mem=\(memory)
            #SBATCH --time=\(time)
            #SBATCH --requeue
            #SBATCH --open-mode=append
            #SBATCH --output=slurm-%A_%a.out
            #
            # \(commands.count) runs, one array task each. Submit from the repository's root after `swift build -c release`:
            #   sbatch THIS_FILE
            # A preempted or timed-out task is requeued and resumes from its checkpoint. When every task has finished:

            """
        for line in afterwards { text += "#   \(line)\n" }
        text += """
            set -euo pipefail
            export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1
            case "${SLURM_ARRAY_TASK_ID:?run this script with sbatch}" in

            """
        for (task, command) in commands.enumerated() {
            let built = command.replacingOccurrences(of: "swift run -c release ", with: ".build/release/")
            text += "  \(task)) \(built) ;;\n"
        }
        text += "  *) echo \"no run for task $SLURM_ARRAY_TASK_ID\" >&2; exit 1 ;;\nesac\n"
        return text
    }

    /// The commands that regenerate the paper's tables, figures and report from the stored results.
    public static let regeneration = [
        "swift run -c release table1 --cached", "swift run -c release table3 --cached",
        "swift run -c release table4 --cached", "swift run -c release fig4 --cached",
        "swift run -c release fig5 --cached", "swift run -c release report",
    ]
}
