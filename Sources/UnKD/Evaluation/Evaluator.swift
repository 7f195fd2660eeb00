import Foundation

/// Full-ranking evaluation: every item is scored for every evaluated user, the items the user is known to have are
/// excluded, and the top-N lists are compared with the held-out items.
///
/// Known items are the training items when ranking for validation, and the training and validation items when ranking
/// for test. Under the official protocol no test user has validation items, so this is the official code's rule; under
/// the paper's text every user has both, and a validation item left in the test ranking would take a slot that only a
/// test item can score in.
///
/// Users are processed in blocks (one BLAS product per block into a reused buffer, then top-N selection in parallel),
/// so memory stays bounded by `blockSize x items` floats whatever the number of users.
public struct Evaluator: Sendable {
    /// Which held-out part to evaluate against.
    public enum Part: String, Codable, Sendable { case validation, test }

    /// Users evaluated (those with held-out items in `part`).
    public let users: [Int32]
    /// The held-out items.
    public let heldOut: InteractionMatrix
    /// The training items.
    public let train: InteractionMatrix
    /// The items excluded from each user's list: the training items, and for the test part the validation items too.
    public let excluded: InteractionMatrix
    /// The evaluation grouping: always the K = 2 popular/unpopular partition of training popularity.
    public let groups: PopularityGroups
    /// Training popularity of each item.
    public let popularity: [Int]
    /// Cut-offs reported (the paper reports 10; early stopping uses NDCG@20).
    public let cutoffs: [Int]
    /// Users per block.
    public var blockSize = 512

    /// An evaluator for one part of a split.
    public init(split: DataSplit, part: Part, cutoffs: [Int] = [10, 20]) {
        self.users = part == .validation ? split.validationUsers : split.testUsers
        self.heldOut = part == .validation ? split.validation : split.test
        self.train = split.train
        self.excluded = part == .validation ? split.train : split.train.union(split.validation)
        self.groups = PopularityGroups.popularUnpopular(train: split.train)
        self.popularity = split.train.itemPopularity()
        self.cutoffs = cutoffs.sorted()
    }

    /// The top-N lists (N = the largest cut-off) of every evaluated user, in `users` order.
    public func topLists(_ final: EmbeddingTable, userCount: Int) -> [[Int32]] {
        let n = cutoffs.last ?? 10
        let itemCount = train.itemCount
        var lists = [[Int32]](repeating: [], count: users.count)
        var buffer = [Float](repeating: 0, count: blockSize * itemCount)
        var gathered = [Float](repeating: 0, count: blockSize * final.stride)
        final.values.withUnsafeBufferPointer { table in
            var start = 0
            while start < users.count {
                let block = Array(users[start..<min(start + blockSize, users.count)])
                // Gather the block's user rows so one product scores them all.
                gathered.withUnsafeMutableBufferPointer { g in
                    for (b, u) in block.enumerated() {
                        (g.baseAddress! + b * final.stride).update(from: table.baseAddress! + Int(u) * final.stride, count: final.stride)
                    }
                }
                buffer.withUnsafeMutableBufferPointer { scores in
                    gathered.withUnsafeBufferPointer { g in
                        BlockScoring.scores(users: g.baseAddress!, firstUser: 0, blockSize: block.count,
                                            items: table.baseAddress!, firstItem: userCount, itemCount: itemCount,
                                            stride: final.stride, into: scores.baseAddress!)
                    }
                    let scoresBase = UnsafePointer(scores.baseAddress!)
                    let blockStart = start
                    lists.withUnsafeMutableBufferPointer { out in
                        Parallel.forEachChunk(block.count, minimumChunk: 32) { range in
                            var top: [Int32] = []
                            for b in range {
                                TopN.select(scoresBase + b * itemCount, count: itemCount, n: n,
                                            excluding: excluded.items(of: Int(block[b])), into: &top)
                                out[blockStart + b] = top
                            }
                        }
                    }
                }
                start += block.count
            }
        }
        return lists
    }

    /// Evaluates a model's final embeddings.
    public func evaluate(_ final: EmbeddingTable, userCount: Int) -> EvaluationReport {
        evaluate(lists: topLists(final, userCount: userCount))
    }

    /// The early-stopping criterion of the official code: NDCG@20 (the largest cut-off) over the evaluated users.
    public func stoppingScore(_ final: EmbeddingTable, userCount: Int) -> Double {
        let lists = topLists(final, userCount: userCount)
        let n = cutoffs.last ?? 20
        var sum = 0.0
        for (k, u) in users.enumerated() { sum += RankingMetrics.ndcg(lists[k][...], relevant: heldOut.items(of: Int(u)), n: n) }
        return users.isEmpty ? 0 : sum / Double(users.count)
    }

    /// Every measure from given top lists (one per evaluated user, best first).
    public func evaluate(lists: [[Int32]]) -> EvaluationReport {
        precondition(lists.count == users.count)
        let u = Double(max(users.count, 1))
        var overall: [CutoffMetrics] = [], groupMetrics: [GroupMetrics] = []
        var exposure: [ExposureShares] = [], longTail: [LongTailMetrics] = []
        // Held-out items per group, for group recall and the held-out exposure shares.
        var heldOutInGroup = [[[Int32]]](repeating: [[], []], count: users.count)
        var heldOutCounts = [0, 0]
        for (k, user) in users.enumerated() {
            for item in heldOut.items(of: Int(user)) {
                let g = Int(groups.groupOfItem[Int(item)])
                if g >= 0 && g < 2 { heldOutInGroup[k][g].append(item); heldOutCounts[g] += 1 }
            }
        }
        let heldOutTotal = Double(max(heldOutCounts.reduce(0, +), 1))
        for n in cutoffs {
            var recall = 0.0, ndcg = 0.0, precision = 0.0
            var groupRecall = [0.0, 0.0], groupPrecision = [0.0, 0.0], eligible = [0, 0]
            var listCounts = [0, 0], popularitySum = 0.0, entries = 0
            var timesRecommended = [Int](repeating: 0, count: train.itemCount)
            for (k, user) in users.enumerated() {
                let list = lists[k].prefix(n)
                let relevant = heldOut.items(of: Int(user))
                let hits = RankingMetrics.hits(list, relevant: relevant, n: n)
                recall += relevant.isEmpty ? 0 : Double(hits) / Double(relevant.count)
                ndcg += RankingMetrics.ndcg(list, relevant: relevant, n: n)
                precision += Double(hits) / Double(n)
                for g in 0..<2 where !heldOutInGroup[k][g].isEmpty {
                    let groupHits = RankingMetrics.hits(list, relevant: heldOutInGroup[k][g][...], n: n)
                    groupRecall[g] += Double(groupHits) / Double(heldOutInGroup[k][g].count)
                    groupPrecision[g] += Double(groupHits) / Double(n)
                    eligible[g] += 1
                }
                for item in list {
                    let g = Int(groups.groupOfItem[Int(item)])
                    if g >= 0 && g < 2 { listCounts[g] += 1 }
                    popularitySum += Double(popularity[Int(item)])
                    timesRecommended[Int(item)] += 1
                    entries += 1
                }
            }
            overall.append(CutoffMetrics(n: n, recall: recall / u, ndcg: ndcg / u, precision: precision / u))
            for g in 0..<2 {
                groupMetrics.append(GroupMetrics(
                    group: EvaluationGroup.allCases[g], n: n, recall: groupRecall[g] / u,
                    recallEligibleUsers: eligible[g] > 0 ? groupRecall[g] / Double(eligible[g]) : 0,
                    eligibleUsers: eligible[g], precision: groupPrecision[g] / u))
            }
            let listTotal = Double(max(listCounts.reduce(0, +), 1))
            exposure.append(ExposureShares(
                n: n, recommended: listCounts.map { Double($0) / listTotal },
                heldOut: heldOutCounts.map { Double($0) / heldOutTotal }))
            let e = Double(max(entries, 1))
            longTail.append(LongTailMetrics(
                n: n, averagePopularity: popularitySum / e, tailShare: Double(listCounts[1]) / e,
                coverage: Double(timesRecommended.filter { $0 > 0 }.count) / Double(max(train.itemCount, 1)),
                gini: RankingMetrics.gini(timesRecommended)))
        }
        return EvaluationReport(users: users.count, overall: overall, groups: groupMetrics, exposure: exposure, longTail: longTail)
    }
}
