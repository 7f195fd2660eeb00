import Crypto
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Finds a dataset by name and loads it: from an explicit path, else from the data directory, else by downloading it
/// from its canonical source (verified by checksum) into the data directory.
///
/// The real datasets' licences forbid redistributing them, so the project never ships them: each user's machine
/// fetches them once, or the user points at a copy they already have.
public struct DataLocator: Sendable {
    /// Explicit locations given as `--data NAME=PATH` (or `NAME=FORMAT:PATH`).
    public var explicit: [DatasetName: (path: String, format: InputFormat?)] = [:]
    /// Where named datasets are looked for and downloaded to.
    public var dataDirectory: URL
    /// Whether a missing dataset may be downloaded.
    public var allowDownload = true
    /// Which columns hold users and items in a CSV/TSV.
    public var columns = TableColumns()
    /// Overrides the catalogue's user filter (for a user's own data).
    public var minUserInteractions: Int?
    /// The seed of the synthetic generator (fixed by default, so the synthetic dataset is one dataset, not one per run).
    public var syntheticSeed: UInt64 = 2022
    /// Receives one line per step that takes a while (reading, downloading).
    public var progress: @Sendable (String) -> Void = { _ in }
    /// Fetches a URL's content (HTTP by default; tests substitute a local source).
    public var fetch: @Sendable (URL) throws -> Data = DataLocator.httpFetch

    /// The default data directory: `$UNKD_DATA`, else `~/.cache/unkd`.
    public static var defaultDataDirectory: URL {
        defaultDataDirectory(environment: ProcessInfo.processInfo.environment)
    }

    /// The data directory the environment names: `$UNKD_DATA`, else `$XDG_CACHE_HOME/unkd`, else `$HOME/.cache/unkd`
    /// (the account's home folder when `HOME` is unset).
    public static func defaultDataDirectory(environment: [String: String]) -> URL {
        if let folder = environment["UNKD_DATA"], !folder.isEmpty { return URL(fileURLWithPath: folder) }
        if let cache = environment["XDG_CACHE_HOME"], !cache.isEmpty {
            return URL(fileURLWithPath: cache).appendingPathComponent("unkd")
        }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) }
            ?? FileManager.default.homeDirectoryForCurrentUser
        return home.appendingPathComponent(".cache/unkd")
    }

    /// A locator with no explicit paths, using `dataDirectory`.
    public init(dataDirectory: URL = DataLocator.defaultDataDirectory) {
        self.dataDirectory = dataDirectory
    }

    /// Parses a `NAME=PATH` or `NAME=FORMAT:PATH` argument and records it.
    public mutating func addExplicit(_ argument: String) throws {
        guard let equals = argument.firstIndex(of: "="), equals != argument.startIndex else {
            throw UnKDError.invalidArgument("--data expects NAME=PATH (for example ml-1m=~/data/ml-1m.zip), got '\(argument)'")
        }
        let name = DatasetName(String(argument[..<equals]))
        var path = String(argument[argument.index(after: equals)...])
        var format: InputFormat?
        if let colon = path.firstIndex(of: ":") {
            let prefix = String(path[..<colon])
            if let named = InputFormat(rawValue: prefix) {
                format = named
                path = String(path[path.index(after: colon)...])
            } else if !prefix.isEmpty, !prefix.contains("/"), !FileManager.default.fileExists(atPath: path) {
                // "parquet:FILE": a format prefix, not a file name with a colon in it.
                let known = InputFormat.allCases.map(\.rawValue).joined(separator: ", ")
                throw UnKDError.invalidArgument("--data \(name)=\(path): unknown format '\(prefix)'; use one of \(known)")
            }
        }
        guard !path.isEmpty else { throw UnKDError.invalidArgument("--data \(name)= needs a path") }
        guard explicit[name] == nil else {
            throw UnKDError.invalidArgument("--data names '\(name)' twice; give each dataset one path")
        }
        explicit[name] = ((path as NSString).expandingTildeInPath, format)
    }

    /// Loads the dataset called `name`, filtered as its catalogue entry says.
    public func load(_ name: DatasetName) throws -> InteractionDataset {
        let descriptor = DatasetCatalog.descriptor(name)
        if let configuration = SyntheticConfiguration.presets[name], explicit[name] == nil {
            progress("generating \(name) (seed \(syntheticSeed))")
            return SyntheticData(configuration, seed: syntheticSeed, name: name).dataset
        }
        let (path, format) = try locate(descriptor)
        progress("reading \(name) from \(path)")
        let (records, detected) = try InteractionFileReader.read(path: path, format: format, columns: columns)
        let minimum = minUserInteractions ?? descriptor.minUserInteractions
        let dataset = records.dataset(name: name, minUserInteractions: minimum, origin: "\(path) (\(detected.rawValue))")
        guard dataset.interactions.userCount > 0 else {
            throw UnKDError.unreadableFile(file: path, reason: "no user has \(minimum) or more interactions, so nothing is left "
                                           + "to train on (lower the filter with --min-user-interactions)")
        }
        return dataset
    }

    /// The path to read `descriptor` from, downloading it first if needed and allowed.
    func locate(_ descriptor: DatasetDescriptor) throws -> (String, InputFormat?) {
        if let given = explicit[descriptor.name] {
            guard FileManager.default.fileExists(atPath: given.path) else { throw UnKDError.missingFile(given.path) }
            return given
        }
        let folder = dataDirectory.appendingPathComponent(descriptor.name.rawValue)
        if let file = descriptor.download {
            let target = folder.appendingPathComponent(file.fileName)
            if FileManager.default.fileExists(atPath: target.path) { return (target.path, nil) }
        }
        if FileManager.default.fileExists(atPath: folder.path),
           let contents = try? FileManager.default.contentsOfDirectory(atPath: folder.path), !contents.isEmpty {
            return (folder.path, nil)
        }
        guard let file = descriptor.download else {
            throw UnKDError.datasetUnavailable(
                name: descriptor.name,
                howToGetIt: "It is not a dataset the project can download; pass --data \(descriptor.name)=PATH or put its files in \(folder.path).")
        }
        let target = folder.appendingPathComponent(file.fileName)
        let howTo = "Fetch \(file.url) and put it at \(target.path) (or pass --data \(descriptor.name)=PATH)."
        guard allowDownload else { throw UnKDError.datasetUnavailable(name: descriptor.name, howToGetIt: "Downloads are off. " + howTo) }
        do {
            try download(file, to: target)
        } catch let error as UnKDError {
            throw error
        } catch {
            throw UnKDError.datasetUnavailable(name: descriptor.name, howToGetIt: "The download failed (\(error.localizedDescription)). " + howTo)
        }
        return (target.path, nil)
    }

    /// Downloads `file` to `target` through a temporary file, verifying every known checksum before the rename.
    func download(_ file: DownloadableFile, to target: URL) throws {
        guard let url = URL(string: file.url) else { throw UnKDError.invalidArgument("bad URL \(file.url)") }
        progress("downloading \(file.url)")
        let data = try fetch(url)
        let sha = SHA256Hex.of(data)
        if let expected = file.sha256, expected != sha {
            throw UnKDError.checksumMismatch(file: file.url, algorithm: "SHA-256", expected: expected, actual: sha)
        }
        if let expected = file.md5 {
            let md5 = Insecure.MD5.hash(data: data).map { String(format: "%02x", $0) }.joined()
            if expected != md5 { throw UnKDError.checksumMismatch(file: file.url, algorithm: "MD5", expected: expected, actual: md5) }
        }
        if file.sha256 == nil { progress("no checksum is known for \(file.fileName); its SHA-256 is \(sha)") }
        try AtomicFile.write(data, to: target)
        progress("saved \(data.count / 1_000_000) MB to \(target.path)")
    }

    /// Downloads a URL with URLSession, failing on a non-2xx status.
    @Sendable public static func httpFetch(_ url: URL) throws -> Data {
        final class Box: @unchecked Sendable { var result: Result<Data, Error>? }
        let box = Box()
        let done = DispatchSemaphore(value: 0)
        var request = URLRequest(url: url)
        request.timeoutInterval = 60
        URLSession.shared.dataTask(with: request) { data, response, error in
            if let error {
                box.result = .failure(error)
            } else if let http = response as? HTTPURLResponse, !(200..<300).contains(http.statusCode) {
                box.result = .failure(UnKDError.invalidArgument("HTTP status \(http.statusCode) from \(url)"))
            } else {
                box.result = .success(data ?? Data())
            }
            done.signal()
        }.resume()
        done.wait()
        return try box.result!.get()
    }
}

/// Lower-case hexadecimal SHA-256, the form checksums are published in.
public enum SHA256Hex {
    /// The SHA-256 of `data` as 64 hex digits.
    public static func of(_ data: Data) -> String { SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined() }
}
