/// The recommender architectures the paper distils between.
public enum Backbone: String, Codable, CaseIterable, Sendable {
    /// BPR matrix factorisation: a user's score for an item is the inner product of their embeddings.
    case mf
    /// LightGCN: the embeddings are first smoothed over the user-item graph, then scored by inner product.
    case lightGCN = "lightgcn"
}

/// What a model is trained to fit.
public enum TrainingObjective: Codable, Hashable, Sendable {
    /// Plain BPR on inner-product scores.
    case bpr
    /// Popularity deconfounding (the PD teacher of Table 4): during training an item's score is
    /// w_i * (ReLU(<u, i>) + 1) with w_i = ((c_i + 1) / sum_j (c_j + 1))^alpha, so popularity explains part of what
    /// is observed; rankings and soft labels then use the raw inner product, from which popularity was factored out.
    case popularityDeconfounded(alpha: Double)
}

/// Everything that defines a model's shape and objective.
public struct ModelConfiguration: Codable, Hashable, Sendable {
    /// MF or LightGCN.
    public var backbone: Backbone
    /// Embedding dimension (teacher 100, student 10 in the paper).
    public var dimension: Int
    /// LightGCN propagation layers (0 for MF). The official code's paper-era default is 1.
    public var layers: Int
    /// BPR, or PD for a debiased teacher.
    public var objective: TrainingObjective

    /// A configuration; `layers` is forced to 0 for MF.
    public init(backbone: Backbone, dimension: Int, layers: Int = 1, objective: TrainingObjective = .bpr) {
        self.backbone = backbone
        self.dimension = dimension
        self.layers = backbone == .mf ? 0 : layers
        self.objective = objective
    }

    /// The paper's teacher: dimension 100.
    public static func teacher(_ backbone: Backbone) -> ModelConfiguration { ModelConfiguration(backbone: backbone, dimension: 100) }
    /// The paper's student: dimension 10.
    public static func student(_ backbone: Backbone) -> ModelConfiguration { ModelConfiguration(backbone: backbone, dimension: 10) }

    /// A short label for progress lines and file names, e.g. `mf-d100` or `lightgcn-d10-l1-pd0.1`.
    public var label: String {
        var text = "\(backbone.rawValue)-d\(dimension)"
        if backbone == .lightGCN { text += "-l\(layers)" }
        if case let .popularityDeconfounded(alpha) = objective { text += "-pd\(alpha)" }
        return text
    }
}
