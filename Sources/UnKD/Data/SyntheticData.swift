import Foundation

/// Settings of the synthetic interaction generator (see `SyntheticData`).
public struct SyntheticConfiguration: Codable, Sendable, Equatable {
    /// Number of users.
    public var users: Int
    /// Number of items.
    public var items: Int
    /// Rank of the true user-item affinity.
    public var factors: Int
    /// Average number of interactions per user.
    public var meanInteractions: Double
    /// Every user has at least this many interactions (as the paper's >= 20 filter guarantees on real data).
    public var minInteractions: Int
    /// Exponent of the power law of item popularity: the item at popularity rank r has propensity r^-exponent.
    public var popularityExponent: Double
    /// How strongly popularity drives what is observed, on the log scale (0: not at all).
    public var popularityStrength: Double
    /// How strongly the true affinity drives what is observed.
    public var affinityStrength: Double

    /// A small catalogue for tests: 300 users, 200 items, about 25 interactions each; generated in milliseconds.
    public static let small = SyntheticConfiguration(
        users: 300, items: 200, factors: 8, meanInteractions: 25, minInteractions: 10,
        popularityExponent: 1.0, popularityStrength: 1.5, affinityStrength: 2.5)

    /// MovieLens-1M's shape (6040 users, 3706 items, about 1M interactions), for benchmarks.
    public static let ml1mShaped = SyntheticConfiguration(
        users: 6040, items: 3706, factors: 16, meanInteractions: 165.6, minInteractions: 20,
        popularityExponent: 1.0, popularityStrength: 1.5, affinityStrength: 2.5)

    /// Gowalla's shape as the LightGCN papers use it (29,858 users, 40,981 items, about 1M interactions), for checking
    /// that memory stays bounded on a catalogue ten times MovieLens-1M's.
    public static let gowallaShaped = SyntheticConfiguration(
        users: 29858, items: 40981, factors: 16, meanInteractions: 34.4, minInteractions: 10,
        popularityExponent: 1.0, popularityStrength: 1.5, affinityStrength: 2.5)

    /// The presets by the dataset names that select them.
    public static let presets: [DatasetName: SyntheticConfiguration] = [
        .synthetic: .small, .syntheticMovieLens: .ml1mShaped, .syntheticGowalla: .gowallaShaped,
    ]
}

/// Interaction data with a known popularity effect, for tests, for smoke runs and as the offline fallback.
///
/// Each user u and item i have Gaussian latent vectors x_u, y_i scaled so that their inner product, the *true
/// affinity*, has unit variance.
/// Each item also has a popularity propensity p_i following a power law over a random ordering of the items, drawn
/// independently of the affinities. A user with n_u interactions observes the n_u items with the largest
/// affinityStrength * <x_u, y_i> + popularityStrength * log p_i + Gumbel noise, which is sampling n_u items
/// without replacement with probability proportional to exp(affinity term) * p_i^popularityStrength. So an item is
/// observed more often the more the user truly likes it *and* the more popular it is, and both effects are known:
/// a model that recovers `trueAffinity` is unbiased; one that tracks `propensity` has learnt the popularity effect.
public struct SyntheticData: Sendable {
    /// The generator settings.
    public let configuration: SyntheticConfiguration
    /// The seed everything was drawn from.
    public let seed: UInt64
    /// The observed interactions, as a dataset named after the preset.
    public let dataset: InteractionDataset
    /// User latent vectors, row-major users x factors.
    public let userFactors: [Double]
    /// Item latent vectors, row-major items x factors.
    public let itemFactors: [Double]
    /// The popularity propensity of each item (max 1).
    public let propensity: [Double]

    /// Draws a dataset from `configuration` with `seed`.
    ///
    /// - Complexity: O(users x items x factors).
    public init(_ configuration: SyntheticConfiguration, seed: UInt64, name: DatasetName = .synthetic) {
        precondition(configuration.minInteractions < configuration.items, "more interactions than items")
        var random = RandomSource.derived(seed: seed, "synthetic")
        let d = configuration.factors
        let users = configuration.users, items = configuration.items
        // Entries with variance 1/sqrt(d) give inner products of unit variance whatever the rank.
        let sd = pow(Double(d), -0.25)
        let userFactors = (0..<(users * d)).map { _ in random.normal() * sd }
        let itemFactors = (0..<(items * d)).map { _ in random.normal() * sd }
        var ranking = Array(0..<items)
        random.shuffle(&ranking)
        var propensity = [Double](repeating: 0, count: items)
        for (rank, item) in ranking.enumerated() { propensity[item] = pow(Double(rank + 1), -configuration.popularityExponent) }

        let extra = max(0, configuration.meanInteractions - Double(configuration.minInteractions))
        var rows: [[Int32]] = []
        rows.reserveCapacity(users)
        var keys = [(Double, Int32)](repeating: (0, 0), count: items)
        for u in 0..<users {
            // Heavy-tailed activity: min + exponential with the remaining mean, capped at half the catalogue.
            let draw = -extra * log(max(random.unit(), 1e-12))
            let count = max(configuration.minInteractions, min(items / 2, configuration.minInteractions + Int(draw.rounded())))
            for i in 0..<items {
                var affinity = 0.0
                for k in 0..<d { affinity += userFactors[u * d + k] * itemFactors[i * d + k] }
                let key = configuration.affinityStrength * affinity
                    + configuration.popularityStrength * log(propensity[i]) + random.gumbel()
                keys[i] = (key, Int32(i))
            }
            keys.sort { $0.0 > $1.0 }
            rows.append(keys[0..<count].map(\.1))
        }
        self.configuration = configuration
        self.seed = seed
        self.userFactors = userFactors
        self.itemFactors = itemFactors
        self.propensity = propensity
        let matrix = InteractionMatrix(itemCount: items, rows: rows)
        let origin = "synthetic generator, seed \(seed), \(configuration)"
        self.dataset = InteractionDataset(
            name: name, interactions: matrix, userKeys: (0..<users).map(String.init),
            itemKeys: (0..<items).map(String.init), origin: origin)
    }

    /// The true affinity <x_u, y_i> of a user and an item (free of popularity).
    public func trueAffinity(user: Int, item: Int) -> Double {
        let d = configuration.factors
        var sum = 0.0
        for k in 0..<d { sum += userFactors[user * d + k] * itemFactors[item * d + k] }
        return sum
    }
}
