import Foundation

/// A trained model together with what is needed to score with it.
public struct TrainedModel: Sendable {
    /// What was asked for.
    public var spec: ModelSpec
    /// The model with its best parameters.
    public var model: Recommender
    /// How training went.
    public var history: TrainingHistory
    /// The training graph (LightGCN only).
    public var graph: NormalisedAdjacency?
    /// Whether it was loaded from the store rather than trained now.
    public var loaded: Bool

    /// A trained model from its parts (the workspace makes these; tools and benchmarks may too).
    public init(spec: ModelSpec, model: Recommender, history: TrainingHistory, graph: NormalisedAdjacency?, loaded: Bool) {
        self.spec = spec
        self.model = model
        self.history = history
        self.graph = graph
        self.loaded = loaded
    }

    /// The scored embeddings.
    public func finalEmbeddings() -> EmbeddingTable { model.finalEmbeddings(graph: graph) }
}

/// The shared state of a run of notebooks: datasets and splits loaded once, and trained models kept on disk so that a
/// teacher is trained once per dataset, configuration and seed.
public final class Workspace {
    /// Finds datasets.
    public let locator: DataLocator
    /// Keeps trained models.
    public let store: ModelStore
    /// Receives progress lines.
    public let progress: @Sendable (String) -> Void
    /// Fits write a checkpoint beside their model file at most this often (seconds), and an
    /// interrupted fit resumes from it; nil turns checkpoints off. Two minutes keeps the cost of writing them below
    /// one percent of any fit that lasts long enough to need one.
    public var checkpointInterval: TimeInterval? = 120
    private var datasets: [DatasetName: InteractionDataset] = [:]
    private var splits: [String: DataSplit] = [:]
    private var graphs: [String: NormalisedAdjacency] = [:]

    /// A workspace; models are kept under `modelFolder` (default: `models/` in the data directory).
    public init(locator: DataLocator, modelFolder: URL? = nil, progress: @escaping @Sendable (String) -> Void = Progress.say) {
        self.locator = locator
        var store = ModelStore(folder: modelFolder ?? locator.dataDirectory.appendingPathComponent("models"))
        store.report = progress
        self.store = store
        self.progress = progress
    }

    /// The dataset called `name`, loaded once.
    public func dataset(_ name: DatasetName) throws -> InteractionDataset {
        if let cached = datasets[name] { return cached }
        let loaded = try locator.load(name)
        datasets[name] = loaded
        return loaded
    }

    /// The split of a dataset, made once per protocol and seed.
    public func split(_ name: DatasetName, protocol splitProtocol: SplitProtocol = .unkdCode, seed: UInt64 = 2022) throws -> DataSplit {
        let key = "\(name)/\(splitProtocol.rawValue)/\(seed)"
        if let cached = splits[key] { return cached }
        let made = DataSplit.make(try dataset(name), protocol: splitProtocol, seed: seed,
                                  validationUserFraction: DatasetCatalog.descriptor(name).validationUserFraction)
        splits[key] = made
        return made
    }

    /// The LightGCN graph of a split, built once.
    public func graph(of split: DataSplit) -> NormalisedAdjacency {
        if let cached = graphs[split.fingerprint] { return cached }
        let built = NormalisedAdjacency(train: split.train)
        graphs[split.fingerprint] = built
        return built
    }

    /// The model of `spec`: loaded from the store when a trustworthy copy exists, else trained (with progress
    /// lines), saved and returned.
    ///
    /// The fit runs under the store's lock of its request, so processes that share a model folder train each model
    /// once: one that finds another training the same model (a teacher many runs need, started side by side) waits
    /// for it and loads what it saved.
    ///
    /// With `retrain`, a stored model of this spec is ignored (and replaced); its teacher is still loaded when stored.
    public func trainedModel(_ spec: ModelSpec, retrain: Bool = false) throws -> TrainedModel {
        let split = try self.split(spec.dataset, protocol: spec.splitProtocol, seed: spec.splitSeed)
        let request = try self.request(for: spec)
        let graph = spec.model.backbone == .lightGCN && spec.model.layers > 0 ? self.graph(of: split) : nil
        if !retrain, let (model, history) = store.load(request) {
            return TrainedModel(spec: spec, model: model, history: history, graph: graph, loaded: true)
        }
        return try store.exclusively(for: request, onWait: {
            progress("\(spec.label): another process is training it; waiting for it (\(store.lockFile(for: request).path))")
        }) {
            // Another process may have saved it between the look above and the lock.
            if !retrain, let (model, history) = store.load(request) {
                return TrainedModel(spec: spec, model: model, history: history, graph: graph, loaded: true)
            }
            return try fit(spec, request: request, split: split, graph: graph)
        }
    }

    /// Trains `spec` (its teacher first, trained or loaded), checkpointing as it goes, and saves it under `request`.
    private func fit(_ spec: ModelSpec, request: ModelRequest, split: DataSplit, graph: NormalisedAdjacency?) throws -> TrainedModel {
        let label = spec.label
        // A student's teacher is obtained (trained once, then loaded) before the student starts.
        try spec.distillation?.method.validate()
        let term = try spec.teacherSpec.map { teacherSpec -> DistillationTerm in
            let teacher = try trainedModel(teacherSpec)
            progress("preparing \(spec.distillation!.method.row) from the teacher")
            return spec.distillation!.makeTerm(teacher: teacher, train: split.train, student: spec.training,
                                               studentModel: spec.model, seed: spec.seed)
        }
        let initial = Recommender(spec.model, userCount: split.train.userCount, itemCount: split.train.itemCount, seed: spec.seed)
        let trainer = Trainer(model: initial, split: split, configuration: spec.training, seed: spec.seed, graph: graph)
        trainer.distillation = term
        // Fits are checkpointed, so an interrupted one resumes where it stopped.
        let store = self.store
        let policy = checkpointInterval.map { CheckpointPolicy(interval: $0) { try store.saveCheckpoint($0, for: request) } }
        let resume = policy == nil ? nil : store.loadCheckpoint(for: request)
        progress(resume.map { "resuming \(label) after epoch \($0.loop.epoch)" } ?? "training \(label)")
        let history = trainer.fit(validation: Evaluator(split: split, part: .validation), label: label, progress: progress,
                                  resume: resume, checkpoints: policy)
        try store.save(trainer.model, history: history, for: request)
        store.removeCheckpoint(for: request)
        progress(String(format: "%@: best validation NDCG@20 %.4f at epoch %d (%d epochs, %.0f s)", label, history.bestScore,
                        history.bestEpoch, history.epochsRun, history.seconds))
        return TrainedModel(spec: spec, model: trainer.model, history: history, graph: graph, loaded: false)
    }

    /// The request that names `spec`'s model in the store (the spec with its split's fingerprint).
    public func request(for spec: ModelSpec) throws -> ModelRequest {
        let split = try self.split(spec.dataset, protocol: spec.splitProtocol, seed: spec.splitSeed)
        return ModelRequest(dataset: spec.dataset, splitProtocol: spec.splitProtocol, splitSeed: spec.splitSeed,
                            splitFingerprint: split.fingerprint, model: spec.model, training: spec.training, seed: spec.seed,
                            distillation: spec.distillation)
    }

    /// Test (or validation) metrics of a trained model.
    public func evaluate(_ trained: TrainedModel, part: Evaluator.Part = .test) throws -> EvaluationReport {
        let split = try self.split(trained.spec.dataset, protocol: trained.spec.splitProtocol, seed: trained.spec.splitSeed)
        return Evaluator(split: split, part: part).evaluate(trained.finalEmbeddings(), userCount: trained.model.userCount)
    }

    /// The paper's search: every learning rate and L2 weight of the grid, each trained with early stopping; the
    /// configuration with the best validation NDCG@20 wins. Returns the winner and every candidate's score.
    public func tune(_ spec: ModelSpec, learningRates: [Double] = [1e-2, 1e-3, 1e-4], decays: [Double] = [1e-2, 1e-3, 1e-4])
        throws -> (best: TrainedModel, scores: [(learningRate: Double, decay: Double, ndcg: Double)])
    {
        var best: TrainedModel?
        var scores: [(learningRate: Double, decay: Double, ndcg: Double)] = []
        for learningRate in learningRates {
            for decay in decays {
                var candidate = spec
                candidate.training.learningRate = learningRate
                candidate.training.decay = decay
                let trained = try trainedModel(candidate)
                scores.append((learningRate, decay, trained.history.bestScore))
                if best == nil || trained.history.bestScore > best!.history.bestScore { best = trained }
            }
        }
        return (best!, scores)
    }
}
