import COpenBLAS
import Foundation

/// Which of OpenBLAS's kernel sets runs the matrix products, and a remedy for CPUs its version does not know.
///
/// OpenBLAS picks its kernels from the CPU model when the library loads. Debian 12's OpenBLAS 0.3.21 does not know
/// Intel's newer server models (the project's VM reports family 6, model 207, an Emerald Rapids Xeon with AVX-512) and
/// falls back to its generic SSE3 "Prescott" kernels: an HTD epoch on MovieLens-1M took 28-30 s with them against
/// 6.7-7.5 s with the AVX-512 ones. The kernels can only be chosen before the library loads, through the
/// `OPENBLAS_CORETYPE` variable, so an executable that finds itself on the fallback restarts itself once with the
/// variable set from what the CPU reports it can run.
public enum OpenBLASCore {
    /// The kernel set in use ("Prescott", "Haswell", "SkylakeX", ...).
    public static var name: String { openblas_get_corename().map { String(cString: $0) } ?? "unknown" }

    /// The kernel set in use and OpenBLAS's thread count, for benchmark reports.
    public static var description: String { "OpenBLAS \(name), \(openblas_get_num_threads()) thread(s)" }

    /// The kernel set for a CPU with these `/proc/cpuinfo` flags: "SkylakeX" with AVX-512 (F, BW, DQ, VL), "Haswell"
    /// with AVX2 and FMA, nil without either.
    static func nativeCore(cpuinfo: String) -> String? {
        guard let line = cpuinfo.split(separator: "\n").first(where: { $0.hasPrefix("flags") }),
              let colon = line.firstIndex(of: ":") else { return nil }
        let flags = Set(line[line.index(after: colon)...].split(separator: " "))
        if ["avx512f", "avx512bw", "avx512dq", "avx512vl"].allSatisfy(flags.contains) { return "SkylakeX" }
        if ["avx2", "fma"].allSatisfy(flags.contains) { return "Haswell" }
        return nil
    }

    /// Restarts the process with `OPENBLAS_CORETYPE` set when OpenBLAS has fallen back to its Prescott kernels on a
    /// CPU that can run better ones; otherwise returns at once. Call it first thing in `main`, before any output.
    ///
    /// Does nothing when `OPENBLAS_CORETYPE` is set already (a user's own choice, and what stops a second restart),
    /// off Linux on x86_64, or when the restart fails (the run then goes on with the generic kernels). The kernels
    /// round differently, so products, and at times the order of two nearly equal scores, differ in the last bits.
    public static func preferNativeKernels() {
        #if os(Linux) && arch(x86_64)
        guard ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] == nil, name.lowercased() == "prescott",
              let cpuinfo = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let core = nativeCore(cpuinfo: cpuinfo) else { return }
        setenv("OPENBLAS_CORETYPE", core, 1)
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        unsetenv("OPENBLAS_CORETYPE")
        #endif
    }
}
