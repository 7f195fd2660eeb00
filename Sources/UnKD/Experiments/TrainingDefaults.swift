/// Learning rate and L2 weight per dataset, backbone and model size, found with `Workspace.tune` (the paper's grid
/// {1e-2, 1e-3, 1e-4}^2 on validation NDCG@20) unless the entry says otherwise, and used when a notebook is not asked
/// to tune.
///
/// Entries not yet tuned fall back to 1e-3 / 1e-3, the values the official teacher checkpoint name encodes.
public enum TrainingDefaults {
    /// The model a tuned entry is for.
    struct Key: Hashable {
        var dataset: DatasetName
        var backbone: Backbone
        var dimension: Int

        init(_ dataset: DatasetName, _ backbone: Backbone, _ dimension: Int) {
            self.dataset = dataset
            self.backbone = backbone
            self.dimension = dimension
        }
    }

    /// (dataset, backbone, dimension) -> (learning rate, decay).
    static let tuned: [Key: (Double, Double)] = [
        // MovieLens-1M, MF teacher: validation NDCG@20 0.3934 at epoch 460 (seeds 2023, 2024: 0.3931, 0.3920; lr 1e-2
        // at best 0.3287; lr 1e-3 with decay 1e-3 or 1e-4 overfits by epoch 30 at 0.367). lr 1e-4 / decay 1e-2 scores
        // 0.3963, still rising at the 1000-epoch cap (best epoch 905), but its test Recall@10 is the same (0.1594) and
        // it costs twice the epochs; the committed MovieLens-1M results were made with lr 1e-3, so lr 1e-3 stays the
        // default and `train --tune` finds the other. lr 1e-4 with decay 1e-3 or 1e-4 was not run to the end. Beyond the
        // grid, lr 1e-3 with decay 0.03 reaches 0.3440 (test Recall@10 0.1339) and decay 0.1 0.2317 (0.0791): 1e-2 is
        // the best L2 weight, not the edge of a grid that stopped too early.
        Key(.movieLens, .mf, 100): (1e-3, 1e-2),
        // MovieLens-1M, MF student: lr 1e-3 / decay 1e-2 reaches validation NDCG@20 0.3374 at epoch 110; lr 1e-4 /
        // decay 1e-2 reaches 0.3387 only at the 1000-epoch cap. The difference is within seed noise and the faster
        // setting makes every distilled student 5-10 times cheaper, so it is the default.
        Key(.movieLens, .mf, 10): (1e-3, 1e-2),
        // MovieLens-1M, LightGCN teacher (one layer), L2 searched at lr 1e-3: decay 1e-3 reaches validation NDCG@20
        // 0.3912 at epoch 90 (test Recall@10 0.1618, NDCG@10 0.4063); 1e-2 climbs slowly to 0.3583 at epoch 265 (test
        // Recall@10 0.1426); 1e-4 peaks at 0.3767 at epoch 45 and was falling (0.3676 at 75) when stopped; 3e-3 was
        // behind 1e-3 at epoch 30 (0.3652 against 0.3701) when stopped. lr 1e-2 and 1e-4 not run (a fit takes about
        // an hour on one core).
        Key(.movieLens, .lightGCN, 100): (1e-3, 1e-3),
        // MovieLens-1M, LightGCN student, L2 searched at lr 1e-3: decay 1e-2 reaches validation NDCG@20 0.3405 at
        // epoch 590 (test Recall@10 0.1342); 1e-3 0.3397 at epoch 135 (test 0.1315), in a third of the epochs but
        // behind; 1e-4 was level with 1e-3 when stopped at epoch 45 (0.3131 against 0.3122).
        Key(.movieLens, .lightGCN, 10): (1e-3, 1e-2),
        // CiteULike, MF teacher: validation NDCG@20 0.1444 (decay 1e-3: 0.1436, 1e-4: 0.1344; lr 1e-2 at best
        // 0.1010). lr 1e-4 not run.
        Key(.citeULike, .mf, 100): (1e-3, 1e-2),
        // CiteULike, LightGCN teacher (one layer), L2 searched at lr 1e-3: decay 1e-3 reaches validation NDCG@20 0.1558
        // at epoch 665 (test Recall@10 0.1552); 1e-2 0.1379 at epoch 385 (test 0.1358); 1e-4 levels off near 0.141
        // (0.1413 at epoch 295, stopped at 310).
        Key(.citeULike, .lightGCN, 100): (1e-3, 1e-3),
        // CiteULike, LightGCN student, L2 searched at lr 1e-3: decay 1e-2 reaches 0.0894 at epoch 600 (test Recall@10
        // 0.0813); 1e-3 0.0768, 1e-4 0.0750, and 3e-2, past the grid's edge, 0.0882.
        Key(.citeULike, .lightGCN, 10): (1e-3, 1e-2),
        // The small synthetic dataset serves smoke runs of a few dozen epochs: a fast learning rate.
        Key(.synthetic, .mf, 100): (1e-2, 1e-3), Key(.synthetic, .mf, 10): (1e-2, 1e-3),
        Key(.synthetic, .lightGCN, 100): (1e-2, 1e-3), Key(.synthetic, .lightGCN, 10): (1e-2, 1e-3),
    ]

    /// The training configuration to use for a model on a dataset.
    public static func configuration(dataset: DatasetName, model: ModelConfiguration) -> TrainingConfiguration {
        let (learningRate, decay) = tuned[Key(dataset, model.backbone, model.dimension)] ?? (1e-3, 1e-3)
        return TrainingConfiguration(learningRate: learningRate, decay: decay)
    }
}
