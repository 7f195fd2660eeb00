import Foundation

/// The file formats interaction data arrives in, and how each is read into raw records.
///
/// The paper's three datasets come in three formats; two more cover what users bring: the LightGCN adjacency files
/// (Gowalla, Yelp2018, Amazon-book are distributed so) and any CSV/TSV with a header.
public enum InputFormat: String, Codable, CaseIterable, Sendable {
    /// MovieLens `ratings.dat`: `UserID::MovieID::Rating::Timestamp` per line, plain or inside `ml-1m.zip`.
    case movieLens = "movielens"
    /// CollMetric's citeulike-t `users.dat`: per line a count, then that many item ids; the user is the line index.
    case citeULike = "citeulike"
    /// Amazon review dumps: one JSON object per line with `reviewerID`, `asin` and `overall`, plain or gzip.
    case amazonReviews = "amazon-json"
    /// LightGCN-style adjacency lists: `user item item ...` per line (a folder's `train.txt` and `test.txt` are united).
    case adjacency = "adjacency"
    /// A CSV or TSV table with a header row; user and item columns are chosen by name.
    case delimited = "csv"

    /// Column names tried, in order, when a table's user or item column is not named explicitly.
    static let userColumnGuesses = ["user", "user_id", "userid", "userId", "UserID", "reviewerID", "uid"]
    static let itemColumnGuesses = ["item", "item_id", "itemid", "itemId", "ItemID", "movieId", "MovieID", "asin", "iid"]
}

/// Choices that affect reading a table: which columns hold the user and the item.
public struct TableColumns: Sendable, Equatable {
    /// The header name of the user column, or nil to guess from common names.
    public var user: String?
    /// The header name of the item column, or nil to guess from common names.
    public var item: String?
    /// Guess both columns.
    public init(user: String? = nil, item: String? = nil) {
        self.user = user
        self.item = item
    }
}

/// Reading interaction files: format detection and the per-format parsers.
public enum InteractionFileReader {
    /// Reads a file or folder into raw records, detecting the format from the content unless `format` is given.
    public static func read(path: String, format: InputFormat? = nil, columns: TableColumns = TableColumns()) throws
        -> (records: RawInteractions, format: InputFormat)
    {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else { throw UnKDError.missingFile(path) }
        if isFolder.boolValue { return try readFolder(path, format: format, columns: columns) }

        let magic = try TextSource.prefix(of: path, count: 4)
        if magic == [0x50, 0x4B, 0x03, 0x04] {
            guard let members = TextSource.zipMembers(path) else {
                throw UnKDError.unreadableFile(file: path, reason: "a damaged zip archive (its table of contents cannot be read)")
            }
            guard members.contains(where: { $0.hasSuffix("ratings.dat") }) else {
                throw UnKDError.unreadableFile(file: path, reason: "a zip archive without a ratings.dat member; only MovieLens archives are read from zip")
            }
            let source = try TextSource.zipMember(path, endingWith: "ratings.dat")
            return (try parse(source, as: .movieLens, columns: columns), .movieLens)
        }
        let source = try TextSource.file(path)
        let chosen = try format ?? detect(source)
        return (try parse(source, as: chosen, columns: columns), chosen)
    }

    private static func readFolder(_ path: String, format: InputFormat?, columns: TableColumns) throws
        -> (records: RawInteractions, format: InputFormat)
    {
        let folder = URL(fileURLWithPath: path)
        let exists = { (name: String) in FileManager.default.fileExists(atPath: folder.appendingPathComponent(name).path) }
        if exists("train.txt") {
            var records = RawInteractions()
            for part in ["train.txt", "valid.txt", "test.txt"] where exists(part) {
                let source = try TextSource.file(folder.appendingPathComponent(part).path)
                try parseAdjacency(source, into: &records)
            }
            return (records, .adjacency)
        }
        for candidate in ["ratings.dat", "ml-1m/ratings.dat", "ml-1m.zip", "users.dat",
                          "reviews_Apps_for_Android_5.json.gz", "Apps_for_Android_5.json"] where exists(candidate) {
            return try read(path: folder.appendingPathComponent(candidate).path, format: format, columns: columns)
        }
        throw UnKDError.unreadableFile(
            file: path,
            reason: "a folder without a recognised data file (expected train.txt [+ test.txt], ratings.dat, ml-1m.zip, users.dat or an Amazon .json[.gz])")
    }

    /// Guesses the format of a text file from its first lines.
    public static func detect(_ source: TextSource) throws -> InputFormat {
        let numbered = source.headLines(50), head = numbered.map(\.text)
        guard let first = head.first else {
            throw UnKDError.unreadableFile(file: source.name, reason: "the file is empty")
        }
        if let line = head.firstIndex(where: { $0.unicodeScalars.contains { $0.value == 0xFFFD || ($0.value < 0x20 && $0 != "\t") } }) {
            throw UnKDError.malformedLine(file: source.name, line: numbered[line].number,
                                          reason: "binary data, not text (a damaged or compressed file?)")
        }
        if first.hasPrefix("{") { return .amazonReviews }
        if first.contains("::") { return .movieLens }
        let integerLines = head.map { line in
            line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map { Int($0) }
        }
        if integerLines.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0 != nil } }) {
            // citeulike's lines start with their item count; adjacency lines with a user id, which matches the count
            // only by chance. Mostly matching counts with an exception could be either, so the reader refuses.
            let matching = integerLines.filter { $0[0]! == $0.count - 1 }.count
            if matching == integerLines.count { return .citeULike }
            if 2 * matching > integerLines.count, let line = integerLines.firstIndex(where: { $0[0]! != $0.count - 1 }) {
                throw UnKDError.malformedLine(
                    file: source.name, line: numbered[line].number,
                    reason: "\(matching) of the first \(integerLines.count) lines start with their item count, as citeulike's do, but this "
                        + "one does not: name the format as --data NAME=citeulike:PATH (to have the line reported) or "
                        + "NAME=adjacency:PATH")
            }
            return .adjacency
        }
        if first.contains(",") || first.contains("\t") || first.contains(";") { return .delimited }
        throw UnKDError.unreadableFile(
            file: source.name,
            reason: "cannot tell the format from the first line (\(first.prefix(60))); expected MovieLens 'u::i::r::t', citeulike 'n i1 .. in', adjacency 'u i i ..', Amazon JSON lines, or a CSV/TSV with a header. Name it explicitly as --data NAME=FORMAT:PATH with FORMAT one of \(InputFormat.allCases.map(\.rawValue).joined(separator: ", "))")
    }

    /// Parses a text source in the given format.
    public static func parse(_ source: TextSource, as format: InputFormat, columns: TableColumns = TableColumns()) throws
        -> RawInteractions
    {
        var records = RawInteractions()
        switch format {
        case .movieLens: try parseMovieLens(source, into: &records)
        case .citeULike: try parseCiteULike(source, into: &records)
        case .amazonReviews: try parseAmazon(source, into: &records)
        case .adjacency: try parseAdjacency(source, into: &records)
        case .delimited: try parseTable(source, columns: columns, into: &records)
        }
        guard records.recordCount > 0 else {
            throw UnKDError.unreadableFile(file: source.name, reason: "no interactions found")
        }
        return records
    }

    static func parseMovieLens(_ source: TextSource, into records: inout RawInteractions) throws {
        let separator: [UInt8] = [0x3A, 0x3A]
        try source.forEachLine { number, line in
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { return }
            let fields = Fields.separated(line, by: separator)
            guard fields.count == 4 || fields.count == 3 else {
                throw UnKDError.malformedLine(file: source.name, line: number,
                    reason: "expected UserID::MovieID::Rating::Timestamp, found \(fields.count) field(s)")
            }
            guard let user = Fields.integer(fields[0]), let item = Fields.integer(fields[1]) else {
                throw UnKDError.malformedLine(file: source.name, line: number, reason: "user and movie ids must be whole numbers")
            }
            guard let rating = Fields.number(fields[2]) else {
                throw UnKDError.malformedLine(file: source.name, line: number, reason: "the rating '\(Fields.text(fields[2]))' is not a number")
            }
            // Binarisation as in the official preprocessing: any positive rating is a positive interaction.
            if rating > 0 { records.append(user: String(user), item: String(item)) }
        }
    }

    static func parseCiteULike(_ source: TextSource, into records: inout RawInteractions) throws {
        try source.forEachLine { number, line in
            let fields = Fields.whitespace(line)
            if fields.isEmpty { return }  // a user without items; the line still takes its user id
            guard let count = Fields.integer(fields[0]) else {
                throw UnKDError.malformedLine(file: source.name, line: number, reason: "the first token must be the item count")
            }
            guard count == fields.count - 1 else {
                throw UnKDError.malformedLine(file: source.name, line: number,
                    reason: "the line announces \(count) item(s) but lists \(fields.count - 1)")
            }
            let user = String(number - 1)  // the user id is the 0-based line index
            for field in fields.dropFirst() {
                guard let item = Fields.integer(field) else {
                    throw UnKDError.malformedLine(file: source.name, line: number, reason: "item id '\(Fields.text(field))' is not a whole number")
                }
                records.append(user: user, item: String(item))
            }
        }
    }

    static func parseAdjacency(_ source: TextSource, into records: inout RawInteractions) throws {
        try source.forEachLine { number, line in
            let fields = Fields.whitespace(line)
            if fields.isEmpty { return }
            var ids: [Int] = []
            for field in fields {
                guard let id = Fields.integer(field) else {
                    throw UnKDError.malformedLine(file: source.name, line: number,
                        reason: "expected 'user item item ...' with whole-number ids, found '\(Fields.text(field))'")
                }
                ids.append(id)
            }
            let user = String(ids[0])
            for item in ids.dropFirst() { records.append(user: user, item: String(item)) }
        }
    }

    static func parseAmazon(_ source: TextSource, into records: inout RawInteractions) throws {
        try source.forEachLine { number, line in
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { return }
            let object: Any
            do { object = try JSONSerialization.jsonObject(with: Data(line)) } catch {
                throw UnKDError.malformedLine(file: source.name, line: number, reason: "not a JSON object")
            }
            guard let review = object as? [String: Any] else {
                throw UnKDError.malformedLine(file: source.name, line: number, reason: "not a JSON object")
            }
            guard let user = review["reviewerID"] as? String, let item = review["asin"] as? String else {
                throw UnKDError.malformedLine(file: source.name, line: number, reason: "a review needs string fields 'reviewerID' and 'asin'")
            }
            let overall = (review["overall"] as? NSNumber)?.doubleValue ?? 1
            if overall > 0 { records.append(user: user, item: item) }
        }
    }

    static func parseTable(_ source: TextSource, columns: TableColumns, into records: inout RawInteractions) throws {
        var userColumn = -1, itemColumn = -1, width = 0
        var separator: UInt8 = 0x2C
        try source.forEachLine { number, line in
            if line.isEmpty { return }
            if width == 0 {
                separator = line.contains(0x09) ? 0x09 : (line.contains(0x2C) ? 0x2C : 0x3B)
                let header = splitRow(line, separator).map { Fields.text($0).trimmingCharacters(in: .whitespaces) }
                width = header.count
                userColumn = try column(columns.user, guesses: InputFormat.userColumnGuesses, in: header, role: "user", file: source.name)
                itemColumn = try column(columns.item, guesses: InputFormat.itemColumnGuesses, in: header, role: "item", file: source.name)
                return
            }
            let row = splitRow(line, separator)
            guard row.count == width else {
                throw UnKDError.malformedLine(file: source.name, line: number, reason: "expected \(width) fields as in the header, found \(row.count)")
            }
            let user = Fields.text(row[userColumn]).trimmingCharacters(in: .whitespaces)
            let item = Fields.text(row[itemColumn]).trimmingCharacters(in: .whitespaces)
            guard !user.isEmpty, !item.isEmpty else {
                throw UnKDError.malformedLine(file: source.name, line: number, reason: "empty user or item field")
            }
            records.append(user: user, item: item)
        }
    }

    private static func column(_ name: String?, guesses: [String], in header: [String], role: String, file: String) throws -> Int {
        let unquoted = header.map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
        if let name {
            guard let index = unquoted.firstIndex(of: name) else {
                throw UnKDError.unreadableFile(file: file, reason: "no column named '\(name)' in the header (\(unquoted.joined(separator: ", ")))")
            }
            return index
        }
        for guess in guesses { if let index = unquoted.firstIndex(of: guess) { return index } }
        throw UnKDError.unreadableFile(
            file: file,
            reason: "cannot tell which column holds the \(role) (header: \(unquoted.joined(separator: ", "))); name it with --\(role)-column")
    }

    /// Splits a table row on `separator`, honouring double-quoted fields.
    private static func splitRow(_ line: ArraySlice<UInt8>, _ separator: UInt8) -> [ArraySlice<UInt8>] {
        var fields: [ArraySlice<UInt8>] = []
        var start = line.startIndex, inQuotes = false
        for i in line.indices {
            if line[i] == 0x22 { inQuotes.toggle() }
            else if line[i] == separator && !inQuotes {
                fields.append(trimQuotes(line[start..<i]))
                start = i + 1
            }
        }
        fields.append(trimQuotes(line[start..<line.endIndex]))
        return fields
    }

    private static func trimQuotes(_ field: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        if field.count >= 2, field.first == 0x22, field.last == 0x22 { return field.dropFirst().dropLast() }
        return field
    }
}
