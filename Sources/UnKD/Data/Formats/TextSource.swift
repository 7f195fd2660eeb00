import CGzip
import Foundation
import ZIPFoundation

/// The bytes of a text input, wherever they live: a plain file, a gzip file, or a member of a zip archive.
///
/// Loaders parse from memory: the largest input here (MovieLens-1M's 24 MB of ratings) fits easily, and a flat byte
/// buffer is the fastest thing to scan.
public struct TextSource: Sendable {
    /// A name for messages: the path, or `archive.zip:member`.
    public let name: String
    /// The uncompressed content.
    public let bytes: [UInt8]

    /// Wraps bytes already in memory (used by tests and by archive members).
    public init(name: String, bytes: [UInt8]) {
        self.name = name
        self.bytes = bytes
    }

    /// Reads a plain or gzip-compressed file (gzip is recognised by its magic bytes, not its name).
    public static func file(_ path: String) throws -> TextSource {
        guard FileManager.default.fileExists(atPath: path) else { throw UnKDError.missingFile(path) }
        let head = try Self.prefix(of: path, count: 2)
        if head == [0x1f, 0x8b] { return TextSource(name: path, bytes: try gunzip(path)) }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw UnKDError.unreadableFile(file: path, reason: "cannot be read (permissions?)")
        }
        return TextSource(name: path, bytes: [UInt8](data))
    }

    /// Reads the first member of a zip archive whose path ends with `memberSuffix` (e.g. `ratings.dat`).
    public static func zipMember(_ path: String, endingWith memberSuffix: String) throws -> TextSource {
        let url = URL(fileURLWithPath: path)
        let archive: Archive
        do { archive = try Archive(url: url, accessMode: .read) } catch {
            throw UnKDError.unreadableFile(file: path, reason: "not a readable zip archive (\(error))")
        }
        guard let entry = archive.first(where: { $0.path.hasSuffix(memberSuffix) }) else {
            throw UnKDError.unreadableFile(file: path, reason: "the archive has no member named *\(memberSuffix)")
        }
        var data = Data()
        do { _ = try archive.extract(entry, skipCRC32: false) { data.append($0) } } catch {
            throw UnKDError.unreadableFile(file: path, reason: "could not extract \(entry.path): \(error)")
        }
        return TextSource(name: "\(path):\(entry.path)", bytes: [UInt8](data))
    }

    /// The member paths of a zip archive, for format detection.
    static func zipMembers(_ path: String) -> [String]? {
        guard let archive = try? Archive(url: URL(fileURLWithPath: path), accessMode: .read, pathEncoding: nil) else { return nil }
        return archive.map(\.path)
    }

    static func prefix(of path: String, count: Int) throws -> [UInt8] {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw UnKDError.unreadableFile(file: path, reason: "cannot be opened")
        }
        defer { try? handle.close() }
        return [UInt8](handle.readData(ofLength: count))
    }

    private static func gunzip(_ path: String) throws -> [UInt8] {
        guard let file = gzopen(path, "rb") else {
            throw UnKDError.unreadableFile(file: path, reason: "cannot be opened as gzip")
        }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = chunk.withUnsafeMutableBytes { gzread(file, $0.baseAddress, UInt32($0.count)) }
            if n < 0 {
                gzclose(file)
                throw UnKDError.unreadableFile(file: path, reason: "damaged gzip stream")
            }
            if n == 0 { break }
            out.append(contentsOf: chunk[0..<Int(n)])
        }
        // zlib reports a stream that ends before its trailer only when the file is closed.
        switch gzclose(file) {
        case Z_OK: return out
        case Z_BUF_ERROR: throw UnKDError.unreadableFile(file: path, reason: "truncated gzip stream")
        default: throw UnKDError.unreadableFile(file: path, reason: "damaged gzip stream")
        }
    }

    /// Calls `body` with each line (1-based number, bytes without the line break); a trailing `\r` is dropped.
    public func forEachLine(_ body: (Int, ArraySlice<UInt8>) throws -> Void) rethrows {
        var start = 0, number = 0
        let n = bytes.count
        while start < n {
            var end = start
            while end < n && bytes[end] != 0x0A { end += 1 }
            number += 1
            var stop = end
            if stop > start && bytes[stop - 1] == 0x0D { stop -= 1 }
            try body(number, bytes[start..<stop])
            start = end + 1
        }
    }

    /// The first `count` non-blank lines with their 1-based line numbers, decoded as UTF-8 (for format detection).
    func headLines(_ count: Int) -> [(number: Int, text: String)] {
        var lines: [(number: Int, text: String)] = []
        var start = 0, number = 0
        while start < bytes.count && lines.count < count {
            var end = start
            while end < bytes.count && bytes[end] != 0x0A { end += 1 }
            number += 1
            let line = String(decoding: bytes[start..<end], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            if !line.isEmpty { lines.append((number, line)) }
            start = end + 1
        }
        return lines
    }
}

/// Splitting a line into fields, on bytes.
enum Fields {
    /// Fields separated by runs of spaces or tabs.
    static func whitespace(_ line: ArraySlice<UInt8>) -> [ArraySlice<UInt8>] {
        var fields: [ArraySlice<UInt8>] = []
        var i = line.startIndex
        while i < line.endIndex {
            while i < line.endIndex && (line[i] == 0x20 || line[i] == 0x09) { i += 1 }
            let start = i
            while i < line.endIndex && line[i] != 0x20 && line[i] != 0x09 { i += 1 }
            if i > start { fields.append(line[start..<i]) }
        }
        return fields
    }

    /// Fields separated by a multi-byte separator such as `::`.
    static func separated(_ line: ArraySlice<UInt8>, by separator: [UInt8]) -> [ArraySlice<UInt8>] {
        var fields: [ArraySlice<UInt8>] = []
        var start = line.startIndex, i = line.startIndex
        let m = separator.count
        while i + m <= line.endIndex {
            if line[i..<(i + m)].elementsEqual(separator) {
                fields.append(line[start..<i])
                i += m
                start = i
            } else {
                i += 1
            }
        }
        fields.append(line[start..<line.endIndex])
        return fields
    }

    /// A non-negative decimal integer, or nil.
    static func integer(_ field: ArraySlice<UInt8>) -> Int? {
        guard !field.isEmpty, field.count <= 18 else { return nil }
        var value = 0
        for byte in field {
            guard byte >= 0x30 && byte <= 0x39 else { return nil }
            value = value * 10 + Int(byte - 0x30)
        }
        return value
    }

    /// A decimal number such as a rating (`4`, `3.5`, `-1`), or nil.
    static func number(_ field: ArraySlice<UInt8>) -> Double? {
        Double(String(decoding: field, as: UTF8.self))
    }

    /// The field as text.
    static func text(_ field: ArraySlice<UInt8>) -> String { String(decoding: field, as: UTF8.self) }
}
