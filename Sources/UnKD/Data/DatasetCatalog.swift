/// What the paper reports about a dataset in its Table 2.
public struct PaperStatistics: Codable, Sendable, Equatable {
    /// Users after filtering.
    public var users: Int
    /// Items after filtering.
    public var items: Int
    /// Interactions after filtering.
    public var interactions: Int
    /// Sparsity as printed (a fraction).
    public var sparsity: Double
}

/// A file that can be downloaded from its canonical public source.
public struct DownloadableFile: Sendable, Equatable {
    /// The canonical URL.
    public var url: String
    /// The file's name in the data directory.
    public var fileName: String
    /// The expected SHA-256 (lower-case hex), when known.
    public var sha256: String?
    /// The expected MD5 (lower-case hex), when known; checked in addition to the SHA-256.
    public var md5: String?
}

/// A dataset the project knows by name: how to get it and how the paper filtered and split it.
public struct DatasetDescriptor: Sendable, Equatable {
    /// The name used on the command line.
    public var name: DatasetName
    /// The name used in tables (as in the paper).
    public var displayName: String
    /// Users with fewer interactions (records, counted before merging duplicates) are removed.
    public var minUserInteractions: Int
    /// For the `unkd-code` protocol: the share of users forming the validation population.
    public var validationUserFraction: Double
    /// The paper's Table 2 row, when the paper has one.
    public var paper: PaperStatistics?
    /// Where to download it from, when it can be downloaded.
    public var download: DownloadableFile?
    /// A note for the user about provenance or deviations from the paper's text.
    public var note: String

    /// Whether this name is produced by the synthetic generator rather than read from files.
    public var isSynthetic: Bool { SyntheticConfiguration.presets[name] != nil }
}

/// The datasets of the paper, plus the synthetic presets.
public enum DatasetCatalog {
    /// MovieLens-1M.
    public static let movieLens = DatasetDescriptor(
        name: .movieLens, displayName: "MovieLens", minUserInteractions: 20, validationUserFraction: 0.5,
        paper: PaperStatistics(users: 6040, items: 3706, interactions: 1_000_209, sparsity: 0.9554),
        download: DownloadableFile(
            url: "https://files.grouplens.org/datasets/movielens/ml-1m.zip", fileName: "ml-1m.zip",
            sha256: "a6898adb50b9ca05aa231689da44c217cb524e7ebd39d264c56e2832f2c54e20",
            md5: "c4d9eecfca2ab87c1945afe126590906"),
        note: "every rating is a positive; the >= 20 filter removes nobody")

    /// CiteULike (citeulike-t, as distributed with CollMetric).
    public static let citeULike = DatasetDescriptor(
        name: .citeULike, displayName: "CiteULike", minUserInteractions: 5, validationUserFraction: 0.2,
        paper: PaperStatistics(users: 5219, items: 25_181, interactions: 125_580, sparsity: 0.9991),
        download: DownloadableFile(
            url: "https://raw.githubusercontent.com/changun/CollMetric/master/citeulike-t/users.dat", fileName: "users.dat",
            sha256: "02d5d429b2c0362e0ed79f6ef204666b4092563d21493abf4dfb521e8a7078bf", md5: nil),
        note: "users with >= 5 items, as the official code does; the paper's text says 20, which gives 1438 users")

    /// Amazon Apps for Android (2014 5-core reviews).
    public static let apps = DatasetDescriptor(
        name: .apps, displayName: "Apps", minUserInteractions: 20, validationUserFraction: 0.5,
        paper: PaperStatistics(users: 3898, items: 11_797, interactions: 128_105, sparsity: 0.9973),
        download: DownloadableFile(
            url: "http://snap.stanford.edu/data/amazon/productGraph/categoryFiles/reviews_Apps_for_Android_5.json.gz",
            fileName: "reviews_Apps_for_Android_5.json.gz", sha256: nil, md5: nil),
        note: "every review is a positive; users with >= 20 reviews")

    /// The paper's datasets, in the order of its tables.
    public static let paperDatasets = [movieLens, apps, citeULike]

    /// Every named dataset, including the synthetic presets.
    public static let all = paperDatasets + SyntheticConfiguration.presets.keys.sorted().map { name in
        DatasetDescriptor(
            name: name, displayName: [.synthetic: "Synthetic", .syntheticMovieLens: "Synthetic (ML-1M shape)",
                                      .syntheticGowalla: "Synthetic (Gowalla shape)"][name] ?? name.rawValue,
            minUserInteractions: 0, validationUserFraction: 0.5, paper: nil, download: nil,
            note: "generated: true affinity and power-law popularity both drive what is observed")
    }

    /// The descriptor for `name`; an unknown name describes a user's own data (no filter, half the users validate).
    public static func descriptor(_ name: DatasetName) -> DatasetDescriptor {
        all.first { $0.name == name } ?? DatasetDescriptor(
            name: name, displayName: name.rawValue, minUserInteractions: 0, validationUserFraction: 0.5,
            paper: nil, download: nil, note: "your own data")
    }
}
