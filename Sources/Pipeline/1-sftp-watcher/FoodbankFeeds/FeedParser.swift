import CSV
import Foundation

/// What a delivered file turned out to be.
public enum ParsedFeedFile: Sendable, Equatable {
    /// Header, rows and a trailer that counts them: ready to publish.
    case complete(rows: [[String: String]])
    /// No trailer (still being written, or cut short): held back, looked at again later.
    case incomplete(reason: String)
    /// Cannot be published as it is: quarantined with the reason.
    case broken(reason: String)
}

/// Parses a feed file per RFC 4180 (quotes, commas and newlines inside quotes, CRLF, a UTF-8 BOM)
/// and checks its shape: the feed's exact header, every row as wide as the header, and a last line
/// `TRAILER,<data rows>`. Values are not judged here: that is normalize's work, row by row.
public enum FeedParser {
    public static func parse(_ bytes: [UInt8], feed: FeedDefinition) -> ParsedFeedFile {
        var body = bytes[...]
        if body.starts(with: [0xEF, 0xBB, 0xBF]) { body = body.dropFirst(3) }
        guard let text = String(validating: body, as: UTF8.self) else {
            return .broken(reason: "not valid UTF-8")
        }
        if let line = strayQuoteLine(body) {
            return .broken(reason: "a quote inside an unquoted field, or text after a closing quote, on line \(line) (RFC 4180)")
        }
        let rows: [[String]]
        do {
            let reader = try CSVReader(string: text, hasHeaderRow: false, trimFields: false)
            var all: [[String]] = []
            while let row = reader.next() { all.append(row) }
            if let error = reader.error { return .broken(reason: "not parseable as CSV: \(error)") }
            rows = all.filter { $0 != [""] }
        } catch {
            return .broken(reason: "not parseable as CSV: \(error)")
        }
        guard let header = rows.first else { return .incomplete(reason: "empty file") }
        guard header == feed.columns else {
            return .broken(reason: "expected columns \(feed.columns.joined(separator: ",")), found \(header.joined(separator: ","))")
        }
        guard let last = rows.last, rows.count >= 2, last.first == "TRAILER" else {
            return .incomplete(reason: "no TRAILER line")
        }
        let data = rows.dropFirst().dropLast()
        // Plain digits (decision 36): Int() would also read "+3".
        guard last.count == 2, !last[1].isEmpty, last[1].utf8.allSatisfy({ (48...57).contains($0) }), let declared = Int(last[1]) else { return .broken(reason: "malformed trailer \(last.joined(separator: ","))") }
        guard declared == data.count else {
            return .broken(reason: "trailer counts \(declared) rows, the file has \(data.count)")
        }
        var parsed: [[String: String]] = []
        for (index, row) in data.enumerated() {
            guard row.count == header.count else {
                return .broken(reason: "data row \(index + 1) has \(row.count) fields, the header \(header.count)")
            }
            parsed.append(Dictionary(uniqueKeysWithValues: zip(header, row)))
        }
        return .complete(rows: parsed)
    }

    /// The line of the first quote RFC 4180 does not allow: inside a field that does not start with
    /// one, or followed by anything but a comma or a line's end after it closes a field. CSV.swift
    /// reads those as text; the contract's quoting does not (decision 36).
    static func strayQuoteLine(_ bytes: ArraySlice<UInt8>) -> Int? {
        let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","), cr = UInt8(ascii: "\r"), lf = UInt8(ascii: "\n")
        var line = 1, inQuotes = false, fieldStart = true, justClosed = false
        var previous: UInt8 = 0
        for byte in bytes {
            defer { previous = byte }
            if inQuotes {
                if byte == quote { inQuotes = false; justClosed = true } else if byte == lf || (byte == cr) { line += byte == lf && previous == cr ? 0 : 1 }
                continue
            }
            if justClosed {
                justClosed = false
                if byte == quote { inQuotes = true; continue }  // a doubled quote inside the quoted field
                guard byte == comma || byte == cr || byte == lf else { return line }
            }
            switch byte {
            case quote:
                guard fieldStart else { return line }
                inQuotes = true
                fieldStart = false
            case comma:
                fieldStart = true
            case cr, lf:
                if !(byte == lf && previous == cr) { line += 1 }
                fieldStart = true
            default:
                fieldStart = false
            }
        }
        return nil
    }
}
