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

    /// Like `accumulate`, for a part of the loss defined on the student's ego (layer-0) embeddings rather than the
    /// scored ones (DE-RRD's experts and HTD's topology, as in the official code). It is called after LightGCN's
    /// backward pass with the ego table and its gradient; for MF the two tables are the same.
    func accumulateOnEgo(_ batch: TrainingBatch, ego: UnsafePointer<Float>, gradient: UnsafeMutablePointer<Float>,
                         stride: Int, userCount: Int, epoch: Int, touched: inout [Int32]) -> Float
}

extension DistillationTerm {
    /// Most terms have no part on the ego embeddings.
    public func accumulateOnEgo(_ batch: TrainingBatch, ego: UnsafePointer<Float>, gradient: UnsafeMutablePointer<Float>,
                                stride: Int, userCount: Int, epoch: Int, touched: inout [Int32]) -> Float { 0 }
}
