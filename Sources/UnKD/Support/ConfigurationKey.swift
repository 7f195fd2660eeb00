import Crypto
import Foundation

/// A short, stable name for a configuration value: the first 8 bytes of the SHA-256 of its key-sorted JSON, in hex.
///
/// Models and results are stored under such names, so equal configurations find each other's files across runs.
public enum ConfigurationKey {
    /// The key of `value`.
    public static func of<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = (try? encoder.encode(value)) ?? Data()
        return SHA256.hash(data: data).prefix(8).map { String(format: "%02x", $0) }.joined()
    }
}
