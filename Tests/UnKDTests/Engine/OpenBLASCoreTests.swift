import XCTest
@testable import UnKD

final class OpenBLASCoreTests: XCTestCase {
    /// The kernel set chosen for a CPU OpenBLAS does not know, from the flags line of /proc/cpuinfo.
    func testNativeOpenBLASCoreFromCPUFlags() {
        let avx512 = "processor\t: 0\nflags\t\t: fpu sse2 avx avx2 fma avx512f avx512dq avx512cd avx512bw avx512vl\n"
        XCTAssertEqual(OpenBLASCore.nativeCore(cpuinfo: avx512), "SkylakeX")
        XCTAssertEqual(OpenBLASCore.nativeCore(cpuinfo: "flags\t: sse2 avx avx2 fma avx512f\n"), "Haswell", "AVX-512 F alone")
        XCTAssertNil(OpenBLASCore.nativeCore(cpuinfo: "flags\t: sse2 sse3 avx\n"))
        XCTAssertNil(OpenBLASCore.nativeCore(cpuinfo: "processor\t: 0\n"))
        XCTAssertNil(OpenBLASCore.nativeCore(cpuinfo: "flags\t: sse2 avx2fma\n"), "whole words only")
    }
}
