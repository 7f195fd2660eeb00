/// One of the two popularity groups every evaluation reports on: the K = 2 split of training popularity, popular first
/// (groups 0 and 1 of `PopularityGroups.popularUnpopular`). Its raw value is its name in the tables and result files.
public enum EvaluationGroup: String, Codable, Sendable, CaseIterable {
    /// The head of training popularity.
    case popular
    /// The long tail.
    case unpopular
}
