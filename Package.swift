// swift-tools-version:5.9
//
// UnKD in Swift: one core library (data, models, training, distillation, evaluation, experiments), a Cairo plotting
// library, the report's evidence rules and the benchmark harness as libraries, one small executable per table and
// figure of the paper, whose sources are the literate notebooks in `notebooks/`, and the tools in `Sources/Tools/`.
import PackageDescription

/// Release builds drop bounds checks in the hot loops; on x86_64 the kernels are compiled for AVX2 and FMA, without
/// which the SIMD code runs an order of magnitude slower. (Never `-wmo` here: it breaks `swift test`.)
var kernelFlags: [SwiftSetting] = [.unsafeFlags(["-Ounchecked"], .when(configuration: .release))]
/// The same instruction sets for the one C target, `bench`'s hand-written lower bound of a distillation term.
var cKernelFlags: [CSetting] = []
#if arch(x86_64)
kernelFlags.append(.unsafeFlags(["-Xcc", "-mavx2", "-Xcc", "-mfma", "-Xcc", "-fno-math-errno"]))
cKernelFlags.append(.unsafeFlags(["-mavx2", "-mfma"]))
#endif

/// The notebooks: each paper table or figure, and the method walkthrough (`unkd`), is an executable whose source is
/// `notebooks/<name>/main.swift`.
let notebooks = ["table1", "table2", "table3", "table4", "fig1", "fig4", "fig5", "unkd"]
/// The tools that train, tune, time, report and cross-check rather than make a paper artefact: each an executable whose
/// source is `Sources/Tools/<name>/main.swift`.
let tools = ["train", "distill", "experiment", "tune", "bench", "report", "crosscheck"]

let package = Package(
    name: "UnKD",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "UnKD", targets: ["UnKD"]),
        .library(name: "Plotting", targets: ["Plotting"]),
    ] + (notebooks + tools).map { .executable(name: $0, targets: [$0]) },
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-atomics", from: "1.2.0"),
        .package(url: "https://github.com/apple/swift-crypto", "3.0.0"..<"5.0.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.19"),
        // `swift package generate-documentation`: the DocC catalogs of the UnKD and Plotting libraries.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.4.0"),
    ],
    targets: [
        .systemLibrary(
            name: "COpenBLAS", pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"]), .brew(["openblas"])]),
        .systemLibrary(
            name: "CCairo", pkgConfig: "cairo",
            providers: [.apt(["libcairo2-dev"]), .brew(["cairo"])]),
        .systemLibrary(
            name: "CGzip", pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]),
        /// The one way every target writes a file: to a temporary file beside it, then renamed over it.
        .target(name: "AtomicWrite"),
        .target(
            name: "UnKD",
            dependencies: [
                "AtomicWrite", "COpenBLAS", "CGzip",
                .product(name: "Atomics", package: "swift-atomics"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ],
            swiftSettings: kernelFlags),
        .target(name: "Plotting", dependencies: ["AtomicWrite", "CCairo"]),
        .target(name: "CPairTermFloor", cSettings: cKernelFlags),
        .target(
            name: "PaperFigures",
            dependencies: ["UnKD", "Plotting", .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        /// The report's evidence: the paper's claims as tests on stored runs, the inventory of runs, the cross-check and
        /// protocol sections.
        .target(name: "ReproductionReport", dependencies: ["UnKD", "PaperFigures"]),
        /// The benchmark harness: timing, the machine's two-core check, typed time targets.
        .target(name: "BenchHarness", dependencies: ["UnKD", "CPairTermFloor"], swiftSettings: kernelFlags),
        .testTarget(name: "AtomicWriteTests", dependencies: ["AtomicWrite"]),
        .testTarget(name: "UnKDTests", dependencies: ["UnKD", "CGzip", "CPairTermFloor"]),
        .testTarget(name: "PlottingTests", dependencies: ["Plotting"]),
        .testTarget(name: "PaperFiguresTests", dependencies: ["PaperFigures", "UnKD"]),
        .testTarget(name: "ReproductionReportTests", dependencies: ["ReproductionReport", "UnKD"]),
        .testTarget(name: "BenchHarnessTests", dependencies: ["BenchHarness", "UnKD"]),
        /// Runs the built executables from the outside (their option parsing); UnKD only for its seeded generator.
        .testTarget(name: "CommandLineTests", dependencies: ["UnKD"]),
    ] + notebooks.map {
        .executableTarget(
            name: $0, dependencies: ["UnKD", "Plotting", "PaperFigures"], path: "notebooks/\($0)", swiftSettings: kernelFlags)
    } + tools.map {
        .executableTarget(
            name: $0,
            dependencies: ["UnKD", "PaperFigures", .product(name: "ArgumentParser", package: "swift-argument-parser")]
                + ($0 == "report" ? ["ReproductionReport"] : []) + ($0 == "bench" ? ["BenchHarness"] : []),
            path: "Sources/Tools/\($0)", swiftSettings: kernelFlags)
    }
)
