import Foundation
@testable import UnKD

/// Small hand-written inputs, written to a fresh temporary folder per test.
final class FixtureFolder {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("unkd-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    /// Writes `text` to `name` inside the folder and returns its path.
    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        let file = url.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: file)
        return file.path
    }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    /// A small MF model (dimension 8, seed 1) on the synthetic data, trained for `epochs` epochs at a fast rate.
    static func smallSyntheticSpec(epochs: Int) -> ModelSpec {
        var training = TrainingConfiguration(learningRate: 0.01, decay: 0.001)
        training.maxEpochs = epochs
        return ModelSpec(dataset: "synthetic", model: ModelConfiguration(backbone: .mf, dimension: 8), training: training, seed: 1)
    }

    /// A quiet workspace that never downloads, keeping its models in this folder, and a result store beside them.
    func offlineWorkspace() -> (Workspace, ResultStore) {
        var locator = DataLocator(dataDirectory: url)
        locator.allowDownload = false
        return (Workspace(locator: locator, modelFolder: url.appendingPathComponent("models"), progress: { _ in }),
                ResultStore(folder: url.appendingPathComponent("results")))
    }
}

/// The folder of the shared real datasets, if this checkout has one beside it.
func sharedDatasetsFolder() -> URL? {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    let folder = root.deletingLastPathComponent().appendingPathComponent("shared/datasets")
    return FileManager.default.fileExists(atPath: folder.path) ? folder : nil
}

/// Lines reported from any thread (a store's or a workspace's progress and warnings), kept for assertions.
final class CollectedLines: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [String] = []

    func add(_ line: String) { lock.lock(); stored.append(line); lock.unlock() }

    var all: [String] { lock.lock(); defer { lock.unlock() }; return stored }
}
