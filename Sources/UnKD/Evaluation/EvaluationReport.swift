/// Overall ranking quality at one cut-off N.
public struct CutoffMetrics: Codable, Sendable, Equatable {
    /// N.
    public var n: Int
    /// Mean Recall@N over the evaluated users.
    public var recall: Double
    /// Mean NDCG@N over the evaluated users.
    public var ndcg: Double
    /// Mean Precision@N (hits / N).
    public var precision: Double
}

/// Ranking quality restricted to one popularity group at one cut-off N.
public struct GroupMetrics: Codable, Sendable, Equatable {
    /// The group.
    public var group: EvaluationGroup
    /// N.
    public var n: Int
    /// The official normalisation: each user's recall on their held-out items of the group, summed over users with
    /// such items, divided by *all* evaluated users (users with none count as 0). The paper's tables use this.
    public var recall: Double
    /// The same sum divided by the users that have held-out items in the group.
    public var recallEligibleUsers: Double
    /// Users with at least one held-out item in the group.
    public var eligibleUsers: Int
    /// Hits in the group / N, averaged over all evaluated users.
    public var precision: Double
}

/// How much of what is recommended, and of what is held out, falls in each popularity group (Figure 1).
public struct ExposureShares: Codable, Sendable, Equatable {
    /// N of the lists.
    public var n: Int
    /// Share of the top-N list entries (that belong to a group) in each group, popular first.
    public var recommended: [Double]
    /// Share of the held-out interactions (that belong to a group) in each group.
    public var heldOut: [Double]
}

/// Long-tail measures of the top-N lists.
public struct LongTailMetrics: Codable, Sendable, Equatable {
    /// N of the lists.
    public var n: Int
    /// Mean training popularity of the recommended items.
    public var averagePopularity: Double
    /// Share of list entries from the unpopular group (APLT).
    public var tailShare: Double
    /// Distinct recommended items / all items.
    public var coverage: Double
    /// Gini index of how often each item is recommended.
    public var gini: Double
}

/// Every test measure of the engine, for one model on one population of users.
public struct EvaluationReport: Codable, Sendable, Equatable {
    /// Number of users evaluated.
    public var users: Int
    /// Overall metrics per cut-off.
    public var overall: [CutoffMetrics]
    /// Per popularity group (K = 2: popular, unpopular) and cut-off.
    public var groups: [GroupMetrics]
    /// Exposure shares per cut-off.
    public var exposure: [ExposureShares]
    /// Long-tail measures per cut-off.
    public var longTail: [LongTailMetrics]

    /// The overall metrics at cut-off n.
    public func at(_ n: Int) -> CutoffMetrics? { overall.first { $0.n == n } }
    /// The metrics of a group at cut-off n.
    public func group(_ group: EvaluationGroup, at n: Int) -> GroupMetrics? { groups.first { $0.group == group && $0.n == n } }
}
