import Foundation

/// A fit stopped at a validation epoch, with everything needed to continue it as if it had never stopped.
///
/// Long fits (a LightGCN teacher, a DE-RRD student) can run for hours; a checkpoint lets an interrupted run resume
/// instead of starting over. Resuming gives the same parameters, the same validation curve and the same best
/// epoch as an uninterrupted fit: the state below is the fit's whole state, because each epoch's negatives are drawn
/// afresh from `negatives`, and a distillation term's own changing state (its samplers' generators, its networks and
/// their optimiser) is in `term`. Only the wall-clock figures differ. The term's fixed part (the teacher's rankings,
/// items drawn once) is prepared again from the same teacher and seed, which gives the same values.
public struct TrainingCheckpoint: Sendable, Equatable {
    /// The early-stopping loop's state: small, stored as JSON.
    public struct Loop: Codable, Sendable, Equatable {
        /// The history so far: the validation curve, the best epoch and the epochs run, from which the best score
        /// and the validations since it follow (`EarlyStopping.init(_:after:)`).
        public var history: TrainingHistory
        /// Wall time of every epoch so far, seconds (for the median).
        public var epochSeconds: [Double]
        /// Wall time of the fit so far, seconds.
        public var elapsedSeconds: Double
        /// The negative sampler's generator state.
        public var negatives: [UInt64]
        /// Adam's step count.
        public var adamStep: Int

        /// The last epoch run (a validation epoch).
        public var epoch: Int { history.epochsRun }
    }

    /// The loop's state.
    public var loop: Loop
    /// The parameters after `loop.epoch`.
    public var parameters: [Float]
    /// The parameters of the best validation so far.
    public var best: [Float]
    /// Adam's first moments.
    public var firstMoment: [Float]
    /// Adam's second moments.
    public var secondMoment: [Float]
    /// The distillation term's state, for a student (nil without a term).
    public var term: DistillationState? = nil
}

/// When a fit writes checkpoints, and where to.
public struct CheckpointPolicy {
    /// At a validation epoch, a checkpoint is written if at least this many seconds passed since the last one (or
    /// since the start): writing costs about as much as an MF epoch, so a fast fit is not slowed by it.
    public var interval: TimeInterval
    /// Receives each checkpoint (typically `ModelStore.saveCheckpoint`). An error is reported and the fit goes on.
    public var save: (TrainingCheckpoint) throws -> Void

    /// A policy writing through `save` at most every `interval` seconds.
    public init(interval: TimeInterval, save: @escaping (TrainingCheckpoint) throws -> Void) {
        self.interval = interval
        self.save = save
    }

    /// Whether a checkpoint is due after the validation of `epoch`: never after the fit's last epoch (`maxEpochs`,
    /// when the finished model is saved instead), otherwise once `interval` seconds have passed since `last` (the
    /// previous checkpoint, or the start of the fit). O(1).
    public func isDue(after epoch: Int, maxEpochs: Int, since last: Date, now: Date = Date()) -> Bool {
        epoch < maxEpochs && now.timeIntervalSince(last) >= interval
    }
}
