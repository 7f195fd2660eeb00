import Foundation
import XCTest
@testable import UnKD

/// An interrupted fit resumes from its checkpoint to exactly the model an uninterrupted fit gives.
final class CheckpointTests: XCTestCase {
    let data = SyntheticData(.small, seed: 9).dataset
    lazy var split = DataSplit.make(data, protocol: .unkdCode, seed: 1)

    func trainer(_ configuration: ModelConfiguration, epochs: Int) -> Trainer {
        let model = Recommender(configuration, userCount: data.userCount, itemCount: data.itemCount, seed: 4)
        return Trainer(model: model, split: split,
                       configuration: TrainingConfiguration(learningRate: 0.01, decay: 0.001, batchSize: 256, maxEpochs: epochs,
                                                            evaluationInterval: 5, patience: 20),
                       seed: 4)
    }

    /// The history without its wall-clock figures, which differ between runs.
    func withoutTimes(_ history: TrainingHistory) -> TrainingHistory {
        var h = history
        h.seconds = 0
        h.medianEpochSeconds = 0
        return h
    }

    func testResumingGivesTheUninterruptedModel() {
        for configuration in [ModelConfiguration(backbone: .mf, dimension: 8),
                              ModelConfiguration(backbone: .lightGCN, dimension: 8, layers: 1)] {
            let validation = Evaluator(split: split, part: .validation)
            var saved: [TrainingCheckpoint] = []
            let whole = trainer(configuration, epochs: 25)
            let wholeHistory = whole.fit(validation: validation,
                                         checkpoints: CheckpointPolicy(interval: 0) { saved.append($0) })
            // One checkpoint per validation epoch, except the last.
            XCTAssertEqual(saved.map(\.loop.epoch), [5, 10, 15, 20])
            XCTAssertEqual(saved[1].loop.history.curve.count, 2)

            // A fresh trainer (as after a crash) continues from epoch 10.
            let resumed = trainer(configuration, epochs: 25)
            let resumedHistory = resumed.fit(validation: validation, resume: saved[1])
            XCTAssertEqual(resumed.model.parameters, whole.model.parameters, "\(configuration.label)")
            XCTAssertEqual(withoutTimes(resumedHistory), withoutTimes(wholeHistory))
            XCTAssertEqual(resumedHistory.curve.map(\.epoch), [5, 10, 15, 20, 25])

            // Resuming from a different point of the same fit gives the same result too.
            let late = trainer(configuration, epochs: 25)
            _ = late.fit(validation: validation, resume: saved[3])
            XCTAssertEqual(late.model.parameters, whole.model.parameters)
        }
    }

    func testResumingADistilledStudentGivesTheUninterruptedModel() throws {
        let teacherModel = ModelConfiguration(backbone: .mf, dimension: 16)
        let training = TrainingConfiguration(learningRate: 0.01, decay: 0.001)
        let teacher = TrainedModel(spec: ModelSpec(dataset: "synthetic", model: teacherModel, training: training, seed: 1),
                                   model: Recommender(teacherModel, userCount: data.userCount, itemCount: data.itemCount, seed: 1),
                                   history: TrainingHistory(), graph: nil, loaded: false)
        let methods: [DistillationMethod] = [
            .unkd(UnKDConfiguration(groups: 2)),
            .rd(RDConfiguration(dynamicStartEpoch: 3, weight: 0.5)),
            .cd(CDConfiguration()),
            .deRRD(DERRDConfiguration(window: 20, interesting: 4, uninteresting: 4)),
            .htd(HTDConfiguration(groups: 4)),
        ]
        let student = ModelConfiguration(backbone: .mf, dimension: 8)
        for method in methods {
            func studentTrainer() -> Trainer {
                let t = trainer(student, epochs: 15)
                t.distillation = DistillationSpec(method: method, teacher: TeacherSpec(model: teacherModel, training: training, seed: 1))
                    .makeTerm(teacher: teacher, train: split.train, student: t.configuration, studentModel: student, seed: 7)
                return t
            }
            let validation = Evaluator(split: split, part: .validation)
            var saved: [TrainingCheckpoint] = []
            let whole = studentTrainer()
            let wholeHistory = whole.fit(validation: validation, checkpoints: CheckpointPolicy(interval: 0) { saved.append($0) })
            XCTAssertEqual(saved.map(\.loop.epoch), [5, 10], method.row.rawValue)
            XCTAssertNotNil(saved[1].term)

            let resumed = studentTrainer()
            let resumedHistory = resumed.fit(validation: validation, resume: saved[1])
            XCTAssertEqual(resumed.model.parameters, whole.model.parameters, method.row.rawValue)
            XCTAssertEqual(withoutTimes(resumedHistory), withoutTimes(wholeHistory), method.row.rawValue)
            XCTAssertEqual(resumed.distillation!.trainingState, whole.distillation!.trainingState, method.row.rawValue)
        }
    }

    func testStoreRoundTripRejectsDamageAndOtherRequests() throws {
        let folder = try FixtureFolder()
        let reports = CollectedLines()
        var store = ModelStore(folder: folder.url)
        store.report = { reports.add($0) }
        let configuration = ModelConfiguration(backbone: .mf, dimension: 8)
        func request(seed: UInt64) -> ModelRequest {
            ModelRequest(dataset: "synthetic", splitProtocol: .unkdCode, splitSeed: 1, splitFingerprint: split.fingerprint,
                         model: configuration, training: TrainingConfiguration(learningRate: 0.01, decay: 0.001), seed: seed)
        }
        var saved: TrainingCheckpoint?
        _ = trainer(configuration, epochs: 10).fit(validation: Evaluator(split: split, part: .validation),
                                                   checkpoints: CheckpointPolicy(interval: 0) { saved = $0 })
        let checkpoint = try XCTUnwrap(saved)
        try store.saveCheckpoint(checkpoint, for: request(seed: 1))
        XCTAssertEqual(store.loadCheckpoint(for: request(seed: 1)), checkpoint)
        XCTAssertEqual(store.checkpointFile(for: request(seed: 1)).pathExtension, "checkpoint")

        // A student's checkpoint keeps its term's state.
        var student = checkpoint
        student.term = DistillationState(generators: [[1, 2, 3, 4]], networkStep: 12, networks: [0.5, -1, 2])
        try store.saveCheckpoint(student, for: request(seed: 3))
        XCTAssertEqual(store.loadCheckpoint(for: request(seed: 3)), student)

        // Another request does not find it; an altered file is reported and not used.
        XCTAssertNil(store.loadCheckpoint(for: request(seed: 2)))
        let file = store.checkpointFile(for: request(seed: 1))
        var bytes = try Data(contentsOf: file)
        bytes[bytes.count - 100] ^= 0x01
        try bytes.write(to: file)
        XCTAssertNil(store.loadCheckpoint(for: request(seed: 1)))
        XCTAssertTrue(reports.all.last?.contains("checksum") == true, "\(reports.all)")

        store.removeCheckpoint(for: request(seed: 1))
        XCTAssertFalse(FileManager.default.fileExists(atPath: file.path))
    }

    func testWorkspaceResumesAnInterruptedFitAndRemovesTheCheckpoint() throws {
        let folder = try FixtureFolder()
        let (workspace, _) = folder.offlineWorkspace()
        let spec = FixtureFolder.smallSyntheticSpec(epochs: 15)
        let uninterrupted = try workspace.trainedModel(spec)
        let request = try workspace.request(for: spec)
        XCTAssertFalse(FileManager.default.fileExists(atPath: workspace.store.checkpointFile(for: request).path),
                       "the checkpoint is removed once the model is saved")

        // Interrupt the same fit after epoch 5: keep its checkpoint, drop the model, and ask again.
        let split = try workspace.split("synthetic", protocol: .unkdCode, seed: 2022)
        let model = Recommender(spec.model, userCount: split.train.userCount, itemCount: split.train.itemCount, seed: spec.seed)
        let partial = Trainer(model: model, split: split, configuration: spec.training, seed: spec.seed)
        var first: TrainingCheckpoint?
        _ = partial.fit(validation: Evaluator(split: split, part: .validation),
                        checkpoints: CheckpointPolicy(interval: 0) { if first == nil { first = $0 } })
        try workspace.store.saveCheckpoint(try XCTUnwrap(first), for: request)
        try FileManager.default.removeItem(at: workspace.store.file(for: request))

        let resumed = try workspace.trainedModel(spec)
        XCTAssertFalse(resumed.loaded)
        XCTAssertEqual(resumed.model.parameters, uninterrupted.model.parameters)
        XCTAssertEqual(resumed.history.curve, uninterrupted.history.curve)
        XCTAssertFalse(FileManager.default.fileExists(atPath: workspace.store.checkpointFile(for: request).path))
    }
}
