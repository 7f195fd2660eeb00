import Crypto
import Foundation

/// How a dataset is divided into training, validation and test interactions.
///
/// The paper's text and its official code describe different protocols; both exist here under their own names so a
/// result always says which one produced it.
public enum SplitProtocol: String, Codable, CaseIterable, Sendable {
    /// What the official code does, and so what the published numbers come from: every user holds out ceil(20%) of
    /// their interactions at random; the users are then divided into a validation population and a test population,
    /// each of which uses its held-out items for that role only.
    case unkdCode = "unkd-code"
    /// What the paper's text says: per user, 10% of the interactions are the test set and 10% of the remaining
    /// training part is the validation set, so every user is both validated and tested.
    case paperText = "paper-text"
}

/// A dataset divided for training and evaluation.
///
/// `train`, `validation` and `test` have the same shape and are pairwise disjoint; their union is the dataset.
/// Validation and test are evaluated on their own populations of users (`validationUsers`, `testUsers`).
public struct DataSplit: Sendable {
    /// The interactions models learn from.
    public let train: InteractionMatrix
    /// Held-out interactions for model selection and early stopping.
    public let validation: InteractionMatrix
    /// Held-out interactions for the reported results.
    public let test: InteractionMatrix
    /// The users evaluated on validation (those with at least one validation item), ascending.
    public let validationUsers: [Int32]
    /// The users evaluated on test (those with at least one test item), ascending.
    public let testUsers: [Int32]
    /// A SHA-256 of the three parts, recorded with every model and result so that a result can be traced to its exact data.
    public let fingerprint: String

    /// Assembles a split from its three parts.
    public init(train: InteractionMatrix, validation: InteractionMatrix, test: InteractionMatrix) {
        precondition(train.userCount == validation.userCount && train.userCount == test.userCount)
        self.train = train
        self.validation = validation
        self.test = test
        self.validationUsers = validation.nonEmptyUsers
        self.testUsers = test.nonEmptyUsers
        self.fingerprint = Self.fingerprint(of: [train, validation, test])
    }

    /// Splits `dataset` by `splitProtocol`, every random choice drawn from `seed`.
    ///
    /// - Parameters:
    ///   - dataset: the interactions to divide.
    ///   - splitProtocol: the official code's protocol or the paper's text's.
    ///   - seed: the seed of every random choice of the split.
    ///   - validationUserFraction: for `unkdCode`, the share of users that form the validation population
    ///     (floor(U x fraction) users; the official code uses 0.5 for MovieLens and Apps, 0.2 for CiteULike).
    public static func make(_ dataset: InteractionDataset, protocol splitProtocol: SplitProtocol, seed: UInt64,
                            validationUserFraction: Double = 0.5) -> DataSplit {
        var random = RandomSource.derived(seed: seed, "split/\(splitProtocol.rawValue)")
        let all = dataset.interactions
        var train = [[Int32]](repeating: [], count: all.userCount)
        var validation = train, test = train
        switch splitProtocol {
        case .unkdCode:
            var heldOut = train
            for user in 0..<all.userCount {
                let items = Array(all.items(of: user))
                let holdCount = Int((0.2 * Double(items.count)).rounded(.up))
                let held = Set(random.sample(items, count: holdCount))
                heldOut[user] = items.filter { held.contains($0) }
                train[user] = items.filter { !held.contains($0) }
            }
            let validationCount = Int((Double(all.userCount) * validationUserFraction).rounded(.down))
            let validationPopulation = Set(random.sample(Array(0..<all.userCount), count: validationCount))
            for user in 0..<all.userCount {
                if validationPopulation.contains(user) { validation[user] = heldOut[user] } else { test[user] = heldOut[user] }
            }
        case .paperText:
            for user in 0..<all.userCount {
                var items = Array(all.items(of: user))
                random.shuffle(&items)
                let testCount = min(items.count - 1, Int((0.1 * Double(items.count)).rounded(.up)))
                let rest = items.count - testCount
                let validationCount = min(rest - 1, Int((0.1 * Double(rest)).rounded(.up)))
                test[user] = Array(items[0..<testCount])
                validation[user] = Array(items[testCount..<(testCount + validationCount)])
                train[user] = Array(items[(testCount + validationCount)...])
            }
        }
        return DataSplit(
            train: InteractionMatrix(itemCount: all.itemCount, rows: train),
            validation: InteractionMatrix(itemCount: all.itemCount, rows: validation),
            test: InteractionMatrix(itemCount: all.itemCount, rows: test))
    }

    /// SHA-256 over the shapes and contents of the matrices, as a hex string.
    static func fingerprint(of parts: [InteractionMatrix]) -> String {
        var hasher = SHA256()
        for part in parts {
            withUnsafeBytes(of: Int64(part.userCount).littleEndian) { hasher.update(bufferPointer: $0) }
            withUnsafeBytes(of: Int64(part.itemCount).littleEndian) { hasher.update(bufferPointer: $0) }
            part.rowStart.map { Int64($0).littleEndian }.withUnsafeBytes { hasher.update(bufferPointer: $0) }
            part.columns.map { $0.littleEndian }.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }
}
