import Foundation

/// Trains a recommender with BPR (plus, for a student, a distillation term) by mini-batch Adam, with the official
/// code's early stopping (`EarlyStopping`: validate every few epochs on NDCG@20, stop after `patience` evaluations
/// without improvement, and keep the best parameters) and optional checkpoints (`CheckpointPolicy`).
///
/// One optimiser step: compute the scored embeddings (LightGCN propagates once per step), accumulate the BPR and
/// distillation gradients on them, carry the gradient back to the ego embeddings through the same normalised graph,
/// add the L2 gradient on the batch's ego rows, and let Adam update the whole table.
public final class Trainer {
    /// The model being trained (holds the best parameters after `fit`).
    public internal(set) var model: Recommender
    /// The data.
    public let split: DataSplit
    /// How to optimise.
    public let configuration: TrainingConfiguration
    /// An optional distillation term (nil trains on the data alone).
    public var distillation: DistillationTerm?

    let graph: NormalisedAdjacency?
    var adam: Adam
    var negatives: RandomSource
    var gradient: [Float]
    var finalGradient: [Float]
    var final: EmbeddingTable
    var scratch: LightGCNPropagation.Scratch
    /// The PD weights, or empty for plain BPR.
    let itemWeights: [Float]
    var touched: [Int32] = []
    /// LightGCN without distillation: the rows of the step's batch, the only propagated rows BPR reads (all false
    /// between steps).
    var batchRows: [Bool] = []
    var triples = TrainingTriples(users: [], positives: [], negatives: [])

    /// A trainer for `model` on `split`; every random draw comes from `seed`.
    public init(model: Recommender, split: DataSplit, configuration: TrainingConfiguration, seed: UInt64,
                graph: NormalisedAdjacency? = nil) {
        self.model = model
        self.split = split
        self.configuration = configuration
        let propagates = model.configuration.backbone == .lightGCN && model.configuration.layers > 0
        self.graph = propagates ? (graph ?? NormalisedAdjacency(train: split.train)) : nil
        self.adam = Adam(learningRate: Float(configuration.learningRate), count: model.parameters.values.count,
                         variant: configuration.optimiser)
        self.negatives = RandomSource.derived(seed: seed, "negatives/\(model.configuration.label)")
        self.gradient = [Float](repeating: 0, count: model.parameters.values.count)
        self.finalGradient = propagates ? gradient : []
        self.final = model.parameters
        self.scratch = LightGCNPropagation.Scratch(like: propagates ? model.parameters : EmbeddingTable(rows: 0, dimension: 1))
        if case let .popularityDeconfounded(alpha) = model.configuration.objective {
            self.itemWeights = BPRObjective.popularityWeights(split.train.itemPopularity(), alpha: alpha)
        } else {
            self.itemWeights = []
        }
    }

    /// The training graph (nil for MF).
    public var propagationGraph: NormalisedAdjacency? { graph }

    /// The rows of the latest epoch in the order its mini-batches took them (empty before the first epoch).
    public var latestEpochRows: TrainingTriples { triples }

    /// Runs one epoch (epochs count from 1) and returns its mean loss.
    @discardableResult
    public func trainEpoch(_ epoch: Int) -> Double {
        distillation?.beginEpoch(epoch)
        triples.redraw(from: split.train, random: &negatives)
        var total = 0.0, batches = 0
        var start = 0
        while start < triples.count {
            let end = min(start + configuration.batchSize, triples.count)
            let batch = TrainingBatch(users: triples.users[start..<end], positives: triples.positives[start..<end],
                                      negatives: triples.negatives[start..<end])
            total += Double(step(batch, epoch: epoch))
            batches += 1
            start = end
        }
        return batches > 0 ? total / Double(batches) : 0
    }

    /// One optimiser step on `batch`; returns the batch loss.
    func step(_ batch: TrainingBatch, epoch: Int) -> Float {
        let loss = computeGradient(batch, epoch: epoch)
        // After propagation every row has a gradient; for MF only the rows the losses touched. Dense Adam updates
        // every row either way, so when the touched list is longer than the table, marking rows costs more than
        // reading every row's gradient.
        let allRows = graph != nil || (adam.variant == .dense && touched.count > model.parameters.rows)
        adam.update(&model.parameters.values, gradient: &gradient, stride: model.parameters.stride,
                    touchedRows: allRows ? nil : touched)
        return loss
    }

    /// The batch loss, with its gradient with respect to the ego embeddings left in `gradient` (and the rows it
    /// touched in `touched`).
    func computeGradient(_ batch: TrainingBatch, epoch: Int) -> Float {
        let stride = model.parameters.stride, users = model.userCount
        let decay = Float(configuration.decay)
        let baseWeight = distillation?.baseWeight ?? 1
        touched.removeAll(keepingCapacity: true)
        var loss: Float = 0
        if let graph {
            // LightGCN: loss on the propagated embeddings, gradient carried back through the graph. Plain BPR reads
            // only its batch's rows, so only those are propagated; a distillation term may read any row, so with one
            // the whole table is. (The backward pass starts from a gradient that is zero outside the batch's rows
            // too, but skipping those sources entry by entry cost more in mispredicted branches than it saved: the
            // LightGCN d=10 epoch went from 1.4 s to 3.2 s.)
            let restricted = distillation == nil
            if restricted { markBatchRows(batch, users: users, value: true) }
            defer { if restricted { markBatchRows(batch, users: users, value: false) } }
            batchRows.withUnsafeBufferPointer { mask in
                let mask = restricted ? mask.baseAddress : nil
                model.parameters.values.withUnsafeBufferPointer { ego in
                    final.values.withUnsafeMutableBufferPointer { f in
                        LightGCNPropagation.layerMean(ego.baseAddress!, layers: model.configuration.layers, graph: graph,
                                                      stride: stride, scratch: &scratch, into: f.baseAddress!, rows: mask)
                    }
                }
            }
            final.values.withUnsafeBufferPointer { f in
                finalGradient.withUnsafeMutableBufferPointer { g in
                    loss = accumulateLosses(batch, final: f.baseAddress!, gradient: g.baseAddress!, baseWeight: baseWeight,
                                            fusedDecay: 0, epoch: epoch)
                }
            }
            finalGradient.withUnsafeMutableBufferPointer { gf in
                gradient.withUnsafeMutableBufferPointer { g in
                    LightGCNPropagation.layerMean(gf.baseAddress!, layers: model.configuration.layers, graph: graph,
                                                  stride: stride, scratch: &scratch, into: g.baseAddress!)
                    gf.update(repeating: 0)
                }
            }
            model.parameters.values.withUnsafeBufferPointer { ego in
                gradient.withUnsafeMutableBufferPointer { g in
                    // The base loss is weighted as a whole, so its L2 part carries the same weight.
                    loss += BPRObjective.accumulateL2(batch, ego: ego.baseAddress!, gradient: g.baseAddress!,
                                                      stride: stride, userCount: users, decay: decay * baseWeight)
                    if let distillation {
                        loss += distillation.accumulateOnEgo(batch, ego: ego.baseAddress!, gradient: g.baseAddress!, stride: stride,
                                                             userCount: users, epoch: epoch, touched: &touched)
                    }
                }
            }
        } else {
            // MF: the scored rows are the ego rows, so the L2 penalty is fused into the BPR pass.
            model.parameters.values.withUnsafeBufferPointer { ego in
                gradient.withUnsafeMutableBufferPointer { g in
                    loss = accumulateLosses(batch, final: ego.baseAddress!, gradient: g.baseAddress!, baseWeight: baseWeight,
                                            fusedDecay: decay * baseWeight, epoch: epoch)
                }
            }
        }
        return loss
    }

    /// Sets the batch's user, positive and negative rows in `batchRows` to `value`.
    private func markBatchRows(_ batch: TrainingBatch, users: Int, value: Bool) {
        if batchRows.count != final.rows { batchRows = [Bool](repeating: false, count: final.rows) }
        for u in batch.users { batchRows[Int(u)] = value }
        for i in batch.positives { batchRows[users + Int(i)] = value }
        for i in batch.negatives { batchRows[users + Int(i)] = value }
    }

    private func accumulateLosses(_ batch: TrainingBatch, final: UnsafePointer<Float>, gradient: UnsafeMutablePointer<Float>,
                                  baseWeight: Float, fusedDecay: Float, epoch: Int) -> Float {
        let stride = model.parameters.stride, users = model.userCount
        var loss: Float = 0
        if baseWeight > 0 {
            loss += baseWeight * itemWeights.withUnsafeBufferPointer { w in
                BPRObjective.accumulate(batch, final: final, gradient: gradient, stride: stride, userCount: users,
                                        itemWeights: w.isEmpty ? nil : w.baseAddress, weight: baseWeight,
                                        fusedDecay: fusedDecay, touched: &touched)
            }
        }
        if let distillation {
            loss += distillation.accumulate(batch, final: final, gradient: gradient, stride: stride, userCount: users,
                                            epoch: epoch, touched: &touched)
            // Parts on the ego rows: here for MF, whose scored rows are the ego rows; after the backward pass for LightGCN.
            if graph == nil {
                loss += distillation.accumulateOnEgo(batch, ego: final, gradient: gradient, stride: stride, userCount: users,
                                                     epoch: epoch, touched: &touched)
            }
        }
        return loss
    }

    /// Trains until early stopping or `maxEpochs`, keeping the parameters of the best validation NDCG@20.
    ///
    /// The loop only: each epoch is trained and timed; `EarlyStopping` says which epochs are validated, which
    /// validations are kept and when to stop; `CheckpointPolicy` says when the fit's state is handed out. Cost: the
    /// epochs run, plus one validation per `evaluationInterval` epochs.
    ///
    /// - Parameters:
    ///   - validation: the evaluator of the validation users, whose NDCG@20 decides early stopping.
    ///   - label: names the fit in progress lines.
    ///   - progress: receives a line after every validation (and when a checkpoint cannot be written).
    ///   - resume: a checkpoint of this same fit (same model, data, configuration and seed) to continue from.
    ///   - checkpoints: when to hand the fit's state out, so that an interrupted fit can resume.
    public func fit(validation: Evaluator, label: String = "", progress: (String) -> Void = { _ in },
                    resume: TrainingCheckpoint? = nil, checkpoints: CheckpointPolicy? = nil) -> TrainingHistory {
        var history = resume?.loop.history ?? TrainingHistory()
        var stopping = EarlyStopping(configuration, after: history)
        var epochTimes = resume?.loop.epochSeconds ?? []
        let elapsedBefore = resume?.loop.elapsedSeconds ?? 0
        var best = model.parameters
        if let resume {
            restore(resume)
            best.values = resume.best
        }
        let started = Date()
        var lastCheckpoint = started
        var elapsed: Double { elapsedBefore + Date().timeIntervalSince(started) }
        for epoch in (history.epochsRun + 1)...configuration.maxEpochs {
            let epochStart = Date()
            let loss = trainEpoch(epoch)
            epochTimes.append(Date().timeIntervalSince(epochStart))
            history.epochsRun = epoch
            guard stopping.validates(after: epoch) else { continue }
            let score = validation.stoppingScore(scoredEmbeddings(), userCount: model.userCount)
            history.curve.append(ValidationPoint(epoch: epoch, ndcg: score, loss: loss))
            if stopping.record(score) {
                best = model.parameters
                history.bestEpoch = epoch
            }
            progress(validationLine(label, epoch: epoch, loss: loss, score: score, stopping: stopping,
                                    bestEpoch: history.bestEpoch, elapsed: elapsed))
            if stopping.shouldStop { break }
            if let checkpoints, checkpoints.isDue(after: epoch, maxEpochs: configuration.maxEpochs, since: lastCheckpoint) {
                do {
                    try checkpoints.save(checkpoint(history: history, epochTimes: epochTimes, elapsed: elapsed, best: best))
                } catch {
                    progress("\(label): could not write a checkpoint (\(error)); training goes on")
                }
                lastCheckpoint = Date()
            }
        }
        model.parameters = best
        history.bestScore = max(stopping.bestScore, 0)
        history.seconds = elapsed
        history.medianEpochSeconds = epochTimes.sorted()[epochTimes.count / 2]
        return history
    }

    /// The progress line after the validation of `epoch`: loss, score, the best so far, time spent and the most left.
    private func validationLine(_ label: String, epoch: Int, loss: Double, score: Double, stopping: EarlyStopping,
                                bestEpoch: Int, elapsed: Double) -> String {
        String(format: "%@ epoch %4d  loss %.4f  valid NDCG@20 %.4f  (best %.4f @%d)  %.0f s elapsed, at most %.0f s left",
               label, epoch, loss, score, stopping.bestScore, bestEpoch, elapsed,
               elapsed / Double(epoch) * Double(configuration.maxEpochs - epoch))
    }

    /// The fit's state after the last epoch of `history`, with the best parameters so far.
    private func checkpoint(history: TrainingHistory, epochTimes: [Double], elapsed: Double, best: EmbeddingTable) -> TrainingCheckpoint {
        let moments = adam.moments
        let loop = TrainingCheckpoint.Loop(history: history, epochSeconds: epochTimes, elapsedSeconds: elapsed,
                                           negatives: negatives.state, adamStep: moments.step)
        return TrainingCheckpoint(loop: loop, parameters: model.parameters.values, best: best.values, firstMoment: moments.first,
                                  secondMoment: moments.second, term: distillation?.trainingState)
    }

    /// Puts the parameters, the optimiser, the sampler and the distillation term back as `checkpoint` holds them.
    private func restore(_ checkpoint: TrainingCheckpoint) {
        precondition(checkpoint.parameters.count == model.parameters.values.count && (checkpoint.term == nil) == (distillation == nil),
                     "a checkpoint of another fit")
        model.parameters.values = checkpoint.parameters
        adam.moments = (checkpoint.loop.adamStep, checkpoint.firstMoment, checkpoint.secondMoment)
        negatives = RandomSource(state: checkpoint.loop.negatives)
        if let term = checkpoint.term { distillation?.trainingState = term }
    }

    /// The current scored embeddings (propagated for LightGCN).
    public func scoredEmbeddings() -> EmbeddingTable { model.finalEmbeddings(graph: graph) }
}
