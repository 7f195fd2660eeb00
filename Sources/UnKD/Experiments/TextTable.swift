/// How a notebook prints its table.
public enum TableFormat: String, CaseIterable, Codable, Sendable {
    /// A GitHub-flavoured Markdown table, aligned for reading in a terminal.
    case markdown
    /// Comma-separated values with a header row.
    case csv
}

/// A table of strings with a header, printed as Markdown or CSV.
public struct TextTable: Sendable {
    /// Column titles.
    public var header: [String]
    /// Rows; each has as many cells as the header.
    public var rows: [[String]] = []

    /// An empty table with these column titles.
    public init(header: [String]) { self.header = header }

    /// Adds a row (padded or cut to the header's width).
    public mutating func append(_ row: [String]) {
        rows.append(Array((row + Array(repeating: "", count: max(0, header.count - row.count))).prefix(header.count)))
    }

    /// The table in the given format, ending with a newline.
    public func rendered(_ format: TableFormat) -> String {
        switch format {
        case .csv:
            return ([header] + rows).map { $0.map(Self.csvField).joined(separator: ",") }.joined(separator: "\n") + "\n"
        case .markdown:
            // A "|" inside a cell would end the cell: it is escaped.
            let escaped = ([header] + rows).map { $0.map { $0.replacingOccurrences(of: "|", with: "\\|") } }
            let widths = header.indices.map { c in escaped.map { $0[c].count }.max() ?? 0 }
            func line(_ cells: [String]) -> String {
                "| " + cells.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }
                    .joined(separator: " | ") + " |"
            }
            let rule = "|" + widths.map { String(repeating: "-", count: $0 + 2) }.joined(separator: "|") + "|"
            return ([line(escaped[0]), rule] + escaped.dropFirst().map(line)).joined(separator: "\n") + "\n"
        }
    }

    /// Reads a table back from CSV as `rendered(.csv)` writes it (quoted fields may hold commas, quotes and line
    /// breaks). The first record is the header; a record with a different number of fields is an error naming its line.
    public init(csv text: String) throws {
        var records: [[String]] = [], record: [String] = [], field = "", quoted = false, line = 1, recordLine = 1
        var characters = Array(text).makeIterator(), pending: Character? = nil
        func next() -> Character? {
            if let c = pending { pending = nil; return c }
            return characters.next()
        }
        while let c = next() {
            if quoted {
                if c == "\"" {
                    if let following = next() {
                        if following == "\"" { field.append("\"") } else { quoted = false; pending = following }
                    } else { quoted = false }
                } else {
                    if c == "\n" { line += 1 }
                    field.append(c)
                }
            } else if c == "\"" && field.isEmpty {
                quoted = true
            } else if c == "," {
                record.append(field)
                field = ""
            } else if c == "\n" {
                record.append(field)
                records.append(record)
                if record.count != records[0].count {
                    throw UnKDError.invalidArgument("CSV line \(recordLine): \(record.count) fields, the header has \(records[0].count)")
                }
                record = []
                field = ""
                line += 1
                recordLine = line
            } else if c != "\r" {
                field.append(c)
            }
        }
        if quoted { throw UnKDError.invalidArgument("CSV line \(recordLine): a quoted field is not closed") }
        if !field.isEmpty || !record.isEmpty {
            record.append(field)
            records.append(record)
            if record.count != records[0].count {
                throw UnKDError.invalidArgument("CSV line \(recordLine): \(record.count) fields, the header has \(records[0].count)")
            }
        }
        guard let header = records.first else { throw UnKDError.invalidArgument("CSV: no header line") }
        self.header = header
        self.rows = Array(records.dropFirst())
    }

    private static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

extension String {
    func padding(toLength length: Int, withPad pad: String, startingAt: Int) -> String {
        count >= length ? self : self + String(repeating: pad, count: length - count)
    }
}
