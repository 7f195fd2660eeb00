/// The official code's early-stopping rule: which epochs are validated, whether a validation improves on the best so
/// far, and when training stops.
///
/// Validation runs after every `evaluationInterval`-th epoch and after the last one (`maxEpochs`), and scores the
/// model by its validation NDCG@20. A score at least as high as the best so far is an improvement: ties count, so of
/// equal scores the later epoch is kept. The trainer keeps the parameters of each improvement; after `patience`
/// validations in a row without one, training stops (5 x 20 = the paper's 100 epochs without improvement). A NaN
/// score is not below the best, so it counts as an improvement too.
///
/// A value type with O(1) work per validation, so the rule is tested on its own and a checkpointed fit carries it
/// across an interruption (`init(_:after:)`).
public struct EarlyStopping: Sendable, Equatable {
    /// Validation after every this many epochs.
    public let evaluationInterval: Int
    /// The last epoch, always validated.
    public let maxEpochs: Int
    /// Validations in a row without improvement after which training stops.
    public let patience: Int
    /// The best validation score so far (-infinity before the first validation).
    public private(set) var bestScore = -Double.infinity
    /// Validations since the best one, none of which improved on it.
    public private(set) var evaluationsWithoutImprovement = 0

    /// The rule of `configuration`, before any validation.
    public init(_ configuration: TrainingConfiguration) {
        evaluationInterval = configuration.evaluationInterval
        maxEpochs = configuration.maxEpochs
        patience = configuration.patience
    }

    /// The rule of `configuration` after the validations of `history`, as the uninterrupted fit had it: the best
    /// score of the curve, and the validations after the kept epoch. O(validations).
    public init(_ configuration: TrainingConfiguration, after history: TrainingHistory) {
        self.init(configuration)
        bestScore = history.curve.map(\.ndcg).max() ?? -.infinity
        evaluationsWithoutImprovement = history.curve.filter { $0.epoch > history.bestEpoch }.count
    }

    /// Whether the model is validated after `epoch` (epochs count from 1).
    public func validates(after epoch: Int) -> Bool {
        epoch % evaluationInterval == 0 || epoch == maxEpochs
    }

    /// Records a validation score; returns whether it is an improvement, whose parameters are to be kept.
    public mutating func record(_ score: Double) -> Bool {
        if score < bestScore {
            evaluationsWithoutImprovement += 1
            return false
        }
        evaluationsWithoutImprovement = 0
        bestScore = score
        return true
    }

    /// Whether training stops: `patience` validations in a row have not improved on the best.
    public var shouldStop: Bool { evaluationsWithoutImprovement >= patience }
}
