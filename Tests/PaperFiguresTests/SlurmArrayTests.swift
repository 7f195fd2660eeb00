import Foundation
import XCTest
@testable import PaperFigures

final class SlurmArrayTests: XCTestCase {
    let commands = [
        "swift run -c release experiment --data ml-1m=/data/ml-1m --results-dir results --method Teacher --spec '{\"seed\":2022}'",
        "swift run -c release experiment --data ml-1m=/data/ml-1m --results-dir results --method 'PD teacher' --spec '{\"seed\":2023}'",
    ]

    func testOneTaskPerRunWithTheBuiltExecutable() {
        let script = SlurmArray(commands: commands, jobName: "unkd-table3", afterwards: ["swift run -c release report"]).script
        XCTAssertTrue(script.hasPrefix("#!/bin/bash\n#SBATCH --job-name=unkd-table3\n#SBATCH --array=0-1\n"))
        for line in ["#SBATCH --cpus-per-task=1", "#SBATCH --requeue", "export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1",
                     "#   swift run -c release report",
                     "  0) .build/release/experiment --data ml-1m=/data/ml-1m --results-dir results --method Teacher --spec '{\"seed\":2022}' ;;",
                     "  1) .build/release/experiment --data ml-1m=/data/ml-1m --results-dir results --method 'PD teacher' --spec '{\"seed\":2023}' ;;"] {
            XCTAssertTrue(script.contains(line + "\n"), "missing: \(line)")
        }
        XCTAssertFalse(script.contains("swift run -c release experiment"), "tasks use the one release build")
    }

    /// The script is valid bash (`bash -n`), and task 1 runs the second command (with a stand-in executable).
    func testScriptParsesAndRunsItsTask() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("slurm-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent(".build/release"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let standIn = folder.appendingPathComponent(".build/release/experiment")
        try "#!/bin/sh\necho \"$@\" > ran.txt\n".write(to: standIn, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: standIn.path)
        let script = folder.appendingPathComponent("runs.sbatch")
        try SlurmArray(commands: commands, jobName: "t", afterwards: []).script.write(to: script, atomically: true, encoding: .utf8)

        func bash(_ arguments: [String], task: String?) throws -> Int32 {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/bash")
            process.arguments = arguments
            process.currentDirectoryURL = folder
            var environment = ProcessInfo.processInfo.environment
            environment["SLURM_ARRAY_TASK_ID"] = task
            process.environment = environment
            try process.run()
            process.waitUntilExit()
            return process.terminationStatus
        }
        XCTAssertEqual(try bash(["-n", script.path], task: nil), 0)
        XCTAssertEqual(try bash([script.path], task: "1"), 0)
        let ran = try String(contentsOf: folder.appendingPathComponent("ran.txt"), encoding: .utf8)
        XCTAssertEqual(ran, "--data ml-1m=/data/ml-1m --results-dir results --method PD teacher --spec {\"seed\":2023}\n")
        XCTAssertNotEqual(try bash([script.path], task: "2"), 0, "a task beyond the runs fails")
    }
}
