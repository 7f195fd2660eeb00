import Foundation
@testable import UnKD
import XCTest

/// Runs that share a model folder train each model once: a run that finds another process training the same model
/// waits for it and loads what it saved.
final class SharedModelFolderTests: XCTestCase {
    func testARunWaitsForAnotherTrainingTheSameModelAndLoadsIt() throws {
        let folder = try FixtureFolder()
        let lines = CollectedLines(), runWaits = DispatchSemaphore(value: 0)
        var locator = DataLocator(dataDirectory: folder.url)
        locator.allowDownload = false
        let workspace = Workspace(locator: locator, modelFolder: folder.url.appendingPathComponent("models"), progress: {
            lines.add($0)
            if $0.contains("another process is training it") { runWaits.signal() }
        })
        let spec = FixtureFolder.smallSyntheticSpec(epochs: 3)
        let request = try workspace.request(for: spec)
        let split = try workspace.split("synthetic", protocol: .unkdCode, seed: 2022)

        // The other process: holds the model's lock while the run starts, then saves its model and lets go.
        let other = Trainer(model: Recommender(spec.model, userCount: split.train.userCount, itemCount: split.train.itemCount,
                                               seed: spec.seed),
                            split: split, configuration: spec.training, seed: spec.seed)
        let history = other.fit(validation: Evaluator(split: split, part: .validation))
        let store = workspace.store, held = DispatchSemaphore(value: 0), released = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            FileLock.exclusively(store.lockFile(for: request)) {
                held.signal()
                _ = runWaits.wait(timeout: .now() + 10)
                try? store.save(other.model, history: history, for: request)
            }
            released.signal()
        }
        held.wait()

        let trained = try workspace.trainedModel(spec)
        released.wait()
        XCTAssertTrue(trained.loaded, "the run loads the other process's model instead of training its own: \(lines.all)")
        XCTAssertEqual(trained.model.parameters, other.model.parameters)
        XCTAssertEqual(lines.all.filter { $0.contains("another process is training it") }.count, 1, "\(lines.all)")
        XCTAssertFalse(lines.all.contains { $0.hasPrefix("training ") }, "\(lines.all)")
    }
}
