/// What a distillation method adds to the student's training step.
///
/// A method is prepared once from a frozen teacher (for example the teacher's rankings), may refresh its samples at
/// the start of every epoch, and adds its weighted loss and hand-written gradient (with respect to the student's
/// scored embeddings) to each BPR step. The trainer knows nothing else about it.
public protocol DistillationTerm: AnyObject {
    /// Weight of the base BPR + L2 loss (1 for most methods; RD mixes convexly with 1 - lambda).
    var baseWeight: Float { get }

    /// Called before the first batch of every epoch (epochs count from 1).
    func beginEpoch(_ epoch: Int)

    /// Adds the gradient of the weighted distillation loss for `batch` into `gradient` (same layout as `final`),
    /// appends the rows it touched, and returns the weighted loss.
    func accumulate(_ batch: TrainingBatch, final: UnsafePointer<Float>, gradient: UnsafeMutablePointer<Float>,
                    stride: Int, userCount: Int, epoch: Int, touched: inout [Int32]) -> Float

    /// What the term changes while the student trains (its generators, its own networks), for checkpoints: setting
    /// it back makes the term continue exactly where it was. Terms fixed at preparation have none.
    var trainingState: DistillationState { get set }

    /// Like `accumulate`, for a part of the loss defined on the student's ego (layer-0) embeddings rather than the
    /// scored ones (DE-RRD's experts and HTD's topology, as in the official code). It is called after LightGCN's
    /// backward pass with the ego table and its gradient; for MF the two tables are the same.
    func accumulateOnEgo(_ batch: TrainingBatch, ego: UnsafePointer<Float>, gradient: UnsafeMutablePointer<Float>,
                         stride: Int, userCount: Int, epoch: Int, touched: inout [Int32]) -> Float
}

/// The part of a distillation term that changes during training (see `DistillationTerm.trainingState`).
public struct DistillationState: Sendable, Equatable {
    /// The states of the term's generators, in an order fixed by the term.
    public var generators: [[UInt64]] = []
    /// The Adam step count of the term's own networks (0 without networks).
    public var networkStep = 0
    /// The networks' parameters, then Adam's first and second moments (empty without networks).
    public var networks: [Float] = []

    /// A state; the default is that of a term fixed at preparation.
    public init(generators: [[UInt64]] = [], networkStep: Int = 0, networks: [Float] = []) {
        self.generators = generators
        self.networkStep = networkStep
        self.networks = networks
    }
}

extension DistillationTerm {
    /// A term fixed at preparation has no training state.
    public var trainingState: DistillationState {
        get { DistillationState() }
        set { precondition(newValue == DistillationState(), "this term keeps no training state") }
    }

    /// Most terms have no part on the ego embeddings.
    public func accumulateOnEgo(_ batch: TrainingBatch, ego: UnsafePointer<Float>, gradient: UnsafeMutablePointer<Float>,
                                stride: Int, userCount: Int, epoch: Int, touched: inout [Int32]) -> Float { 0 }
}
