/// The contract's feed-file shape read a second time, byte by byte, without the watcher's parser:
/// UTF-8, RFC 4180 (quoted fields may hold commas, quotes doubled, and line breaks), a header line
/// that is the feed's columns, and a last line `TRAILER,<number of data rows>`. So a misreading in
/// the parser the watcher uses shows as a difference, not as agreement. Decision 36 gives the
/// choices the contract leaves open: a UTF-8 byte-order mark is ignored, a lone CR ends a line as
/// CRLF and LF do, an empty line is no row and not counted, the trailer's count is plain digits.
enum FeedFileReading {
    /// The data rows of a complete file, each by column; nil for a file that is not one (no
    /// trailer yet, a wrong header or count, a ragged row, a stray quote, invalid UTF-8).
    static func rows(_ bytes: [UInt8], columns: [String]) -> [[String: String]]? {
        let body = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(bytes.dropFirst(3)) : bytes
        guard String(validating: body, as: UTF8.self) != nil, let lines = records(body)?.filter({ $0 != [""] }),
              let header = lines.first, header == columns, lines.count >= 2, let trailer = lines.last,
              trailer.count == 2, trailer[0] == "TRAILER", !trailer[1].isEmpty, trailer[1].allSatisfy(\.isASCII), trailer[1].allSatisfy(\.isNumber),
              Int(trailer[1]) == lines.count - 2 else { return nil }
        let data = lines.dropFirst().dropLast()
        guard data.allSatisfy({ $0.count == columns.count }) else { return nil }
        return data.map { Dictionary(uniqueKeysWithValues: zip(columns, $0)) }
    }

    /// RFC 4180 records: fields split at commas outside quotes, records at CRLF, LF or a lone CR
    /// outside quotes (decision 36).
    static func records(_ bytes: [UInt8]) -> [[String]]? {
        let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","), cr = UInt8(ascii: "\r"), lf = UInt8(ascii: "\n")
        var records: [[String]] = [], fields: [String] = [], field: [UInt8] = []
        var index = 0, quoted = false, closed = false
        func endField() { fields.append(String(decoding: field, as: UTF8.self)); field = []; quoted = false; closed = false }
        while index < bytes.count {
            let byte = bytes[index]
            if quoted && !closed {
                if byte == quote {
                    if index + 1 < bytes.count, bytes[index + 1] == quote { field.append(quote); index += 2; continue }
                    closed = true
                } else {
                    field.append(byte)
                }
            } else if byte == comma {
                endField()
            } else if byte == lf || byte == cr {
                endField()
                records.append(fields)
                fields = []
                if byte == cr, index + 1 < bytes.count, bytes[index + 1] == lf { index += 1 }
            } else if byte == quote && field.isEmpty && !quoted {
                quoted = true
            } else if closed || byte == quote {
                return nil  // text after a closing quote, or a quote inside an unquoted field
            } else {
                field.append(byte)
            }
            index += 1
        }
        if quoted && !closed { return nil }  // a quote never closed: the file is cut short
        if !field.isEmpty || !fields.isEmpty || quoted { endField(); records.append(fields) }
        return records
    }
}
