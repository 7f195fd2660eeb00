/// A dataset as the paper uses it: implicit feedback after filtering, with dense user and item ids.
///
/// Every rating, review or listed item counts as one positive; duplicate pairs count once; users with too few
/// interactions are removed; ids are then renumbered 0..<n in order of first appearance in the source, so the same
/// file always gives the same ids.
public struct InteractionDataset: Sendable {
    /// The name the dataset was asked for by (`ml-1m`, `citeulike`, a user's own name, ...).
    public var name: DatasetName
    /// All kept interactions.
    public var interactions: InteractionMatrix
    /// The source's identifier of each user, indexed by dense user id.
    public var userKeys: [String]
    /// The source's identifier of each item, indexed by dense item id.
    public var itemKeys: [String]
    /// Where the data came from, for reports (a path, or the generator and its configuration).
    public var origin: String

    /// Creates a dataset; the key arrays must match the matrix's shape.
    public init(name: DatasetName, interactions: InteractionMatrix, userKeys: [String], itemKeys: [String], origin: String) {
        precondition(userKeys.count == interactions.userCount && itemKeys.count == interactions.itemCount)
        self.name = name
        self.interactions = interactions
        self.userKeys = userKeys
        self.itemKeys = itemKeys
        self.origin = origin
    }

    /// Number of users.
    public var userCount: Int { interactions.userCount }
    /// Number of items.
    public var itemCount: Int { interactions.itemCount }
    /// Number of (user, item) interactions.
    public var interactionCount: Int { interactions.interactionCount }
}

/// Interaction records as read from a file, before filtering: raw user and item identifiers in the order of their
/// first appearance, and one entry per record (duplicates kept, so filters can count records as the official
/// preprocessing does).
public struct RawInteractions: Sendable {
    /// Source identifiers of users, in order of first appearance.
    public private(set) var userKeys: [String] = []
    /// Source identifiers of items, in order of first appearance.
    public private(set) var itemKeys: [String] = []
    /// Record k is (recordUsers[k], recordItems[k]), indices into the key arrays.
    public private(set) var recordUsers: [Int32] = []
    /// See `recordUsers`.
    public private(set) var recordItems: [Int32] = []
    private var userIndex: [String: Int32] = [:]
    private var itemIndex: [String: Int32] = [:]

    /// An empty collection.
    public init() {}

    /// Number of records read.
    public var recordCount: Int { recordUsers.count }

    /// Adds one record.
    public mutating func append(user: String, item: String) {
        recordUsers.append(Self.intern(user, &userIndex, &userKeys))
        recordItems.append(Self.intern(item, &itemIndex, &itemKeys))
    }

    private static func intern(_ key: String, _ index: inout [String: Int32], _ keys: inout [String]) -> Int32 {
        if let id = index[key] { return id }
        let id = Int32(keys.count)
        index[key] = id
        keys.append(key)
        return id
    }

    /// The dataset these records describe: users with fewer than `minUserInteractions` records are dropped (records
    /// are counted before duplicates are merged, as in the official preprocessing), the rest renumbered densely in
    /// order of first appearance, and duplicate pairs merged.
    public func dataset(name: DatasetName, minUserInteractions: Int, origin: String) -> InteractionDataset {
        var recordsOfUser = [Int](repeating: 0, count: userKeys.count)
        for user in recordUsers { recordsOfUser[Int(user)] += 1 }
        var newUser = [Int32](repeating: -1, count: userKeys.count)
        var newItem = [Int32](repeating: -1, count: itemKeys.count)
        var keptUsers: [String] = [], keptItems: [String] = []
        var rows: [[Int32]] = []
        for k in 0..<recordCount {
            let user = Int(recordUsers[k]), item = Int(recordItems[k])
            guard recordsOfUser[user] >= minUserInteractions else { continue }
            if newUser[user] < 0 {
                newUser[user] = Int32(keptUsers.count)
                keptUsers.append(userKeys[user])
                rows.append([])
            }
            if newItem[item] < 0 {
                newItem[item] = Int32(keptItems.count)
                keptItems.append(itemKeys[item])
            }
            rows[Int(newUser[user])].append(newItem[item])
        }
        let matrix = InteractionMatrix(itemCount: keptItems.count, rows: rows)
        return InteractionDataset(name: name, interactions: matrix, userKeys: keptUsers, itemKeys: keptItems, origin: origin)
    }
}
