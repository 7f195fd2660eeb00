/// How a model is optimised: learning rate, L2, batching, early stopping. Recorded with every result.
public struct TrainingConfiguration: Codable, Hashable, Sendable {
    /// Adam's learning rate (the paper searches {1e-2, 1e-3, 1e-4}).
    public var learningRate: Double
    /// Weight of the batch L2 penalty (the paper searches {1e-2, 1e-3, 1e-4}).
    public var decay: Double
    /// Rows per mini-batch.
    public var batchSize: Int = 2048
    /// Upper bound on epochs.
    public var maxEpochs: Int = 1000
    /// Validation every this many epochs.
    public var evaluationInterval: Int = 5
    /// Stop after this many evaluations without improvement (20 x 5 = the paper's 100 epochs).
    public var patience: Int = 20
    /// Dense (PyTorch) or lazy Adam.
    public var optimiser: AdamVariant = .dense

    /// A configuration with the official code's batching and early stopping.
    public init(learningRate: Double, decay: Double, batchSize: Int = 2048, maxEpochs: Int = 1000,
                evaluationInterval: Int = 5, patience: Int = 20, optimiser: AdamVariant = .dense) {
        self.learningRate = learningRate
        self.decay = decay
        self.batchSize = batchSize
        self.maxEpochs = maxEpochs
        self.evaluationInterval = evaluationInterval
        self.patience = patience
        self.optimiser = optimiser
    }
}

/// One validation measurement during training.
public struct ValidationPoint: Codable, Sendable, Equatable {
    /// Epoch after which it was taken.
    public var epoch: Int
    /// Validation NDCG@20, the stopping criterion.
    public var ndcg: Double
    /// Mean training loss of that epoch.
    public var loss: Double
}

/// What happened during training: the validation curve and where it peaked.
public struct TrainingHistory: Codable, Sendable, Equatable {
    /// Every validation measurement.
    public var curve: [ValidationPoint] = []
    /// The epoch whose parameters were kept.
    public var bestEpoch = 0
    /// Its validation NDCG@20.
    public var bestScore = 0.0
    /// Epochs actually run.
    public var epochsRun = 0
    /// Wall time of the whole fit, seconds.
    public var seconds = 0.0
    /// Median wall time of a training epoch (without validation), seconds.
    public var medianEpochSeconds = 0.0

    /// An empty history (for a model that was not trained by the trainer).
    public init() {}
}
