import FoodbankOracle

/// Files for the two feeds: new ones, resent ones, corrected ones, held ones.
extension HistoryScript {
    mutating func uploadLegacyFile(_ c: Codes) {
        let site = c.pick(1, HistoryVocabulary.sites)
        let day = c.pick(2, HistoryVocabulary.days).replacingOccurrences(of: "-", with: "")
        let name = "movements_\(site)_\(day)09\(String(format: "%02d", c[3, 60])).csv"
        let rows = (0...c[4, 3]).map { legacyRow(c.derived($0 + 1), site: site, file: name, index: $0) }
        upload(.legacyWMS, name, rows)
    }

    mutating func legacyRow(_ c: Codes, site: String, file: String, index: Int) -> [String] {
        let type = c.pick(1, HistoryVocabulary.legacyTypes)
        // Few ids, so the same movement turns up in two files.
        let id = "M\(c[2, 6] + 1)"
        var cases = "\(c[3, 25] + 1)"
        if c[4, 12] == 0 { cases = "0" }
        let reference = type == "RECEIPT" || type == "DISTRIBUTION" ? referenceTarget(c[5, 8], type: type.lowercased())?.1 : nil
        let date = c.pick(6, HistoryVocabulary.days).split(separator: "-")
        return [id, type, c.pick(7, HistoryVocabulary.skus), site, c[8, 2] == 0 ? "" : "L1", cases, c[9, 3] == 0 ? "8.5" : "",
                "\(date[1])/\(date[2])/\(date[0]) \(c.pick(10, HistoryVocabulary.times))", reference ?? ""]
    }

    mutating func uploadAdjustmentFile(_ c: Codes) {
        let name = "adjustments_\(c.pick(1, HistoryVocabulary.days).replacingOccurrences(of: "-", with: ""))_\(c[2, 4] + 1).csv"
        let rows = (0...c[3, 2]).map { adjustmentRow(c.derived($0 + 1), file: name, index: $0) }
        upload(.adjustments, name, rows)
    }

    mutating func adjustmentRow(_ c: Codes, file: String, index: Int) -> [String] {
        let id = "ADJ-\(c[1, 5] + 1)"
        let delta = c[2, 21] - 10
        return [id, c.pick(3, HistoryVocabulary.skus), c.pick(4, HistoryVocabulary.locations), c[5, 2] == 0 ? "" : "L2", "\(delta)",
                c.pick(6, HistoryVocabulary.adjustmentReasons), "Pat O'Neil", c.pick(7, HistoryVocabulary.days), c.pick(8, HistoryVocabulary.notes)]
    }

    mutating func redeliverFile(_ c: Codes) {
        guard !files.isEmpty else { return uploadLegacyFile(c) }
        let file = files[c[1, files.count]]
        upload(file.feed, file.name, file.rows)
    }

    /// The same file name again with other content: a row dropped, a row's cases changed, or a row added.
    mutating func correctFile(_ c: Codes) {
        guard !files.isEmpty else { return uploadAdjustmentFile(c) }
        let file = files[c[1, files.count]]
        var rows = file.rows
        let casesColumn = file.feed == .legacyWMS ? 5 : 4
        let change = rows.isEmpty ? 2 : c[2, 3]
        // A dropped row is retracted: its position's last movement may move back.
        switch change {
        case 0:
            rows.remove(at: c[3, rows.count])
        case 1: rows[c[3, rows.count]][casesColumn] = "\(c[4, 30] + 1)"
        default:
            let site = String(file.name.split(separator: "_")[1])
            rows.append(file.feed == .legacyWMS ? legacyRow(c.derived(9), site: site, file: file.name, index: rows.count)
                                                : adjustmentRow(c.derived(9), file: file.name, index: rows.count))
        }
        upload(file.feed, file.name, rows)
    }

    /// A file written without its trailer (held back), or a held one finished.
    mutating func holdOrCompleteFile(_ c: Codes) {
        if !heldFiles.isEmpty, c[1, 2] == 0 {
            let held = heldFiles.removeFirst()
            return upload(held.feed, held.name, held.rows)
        }
        let name = "movements_RICH_2026110\(c[2, 2] + 1)0\(c[3, 10])00.csv"
        let rows = (0...c[4, 2]).map { legacyRow(c.derived($0 + 3), site: "RICH", file: name, index: $0) }
        heldFiles.append((.legacyWMS, name, rows))
        actions.append(.upload(DeliveredFile(feed: .legacyWMS, name: name, content: Self.csv(.legacyWMS, rows, trailer: false))))
        log.append("\(log.count): \(name) without its trailer")
    }

    mutating func upload(_ feed: DeliveredFile.Feed, _ name: String, _ rows: [[String]]) {
        files.removeAll { $0.name == name && $0.feed == feed }
        files.append((feed, name, rows))
        actions.append(.upload(DeliveredFile(feed: feed, name: name, content: Self.csv(feed, rows, trailer: true))))
        log.append("\(log.count): \(name) with \(rows.count) rows")
    }

    /// RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled.
    static func csv(_ feed: DeliveredFile.Feed, _ rows: [[String]], trailer: Bool) -> [UInt8] {
        let quote = { (field: String) in
            field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
                ? "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : field
        }
        var lines = [feed.definition.columns.joined(separator: ",")] + rows.map { $0.map(quote).joined(separator: ",") }
        if trailer { lines.append("TRAILER,\(rows.count)") }
        return Array((lines.joined(separator: "\r\n") + "\r\n").utf8)
    }
}

extension HistoryScript.Codes {
    /// Another set of choices from the same numbers, for the rows of one file.
    func derived(_ salt: Int) -> HistoryScript.Codes {
        guard !values.isEmpty else { return self }
        return HistoryScript.Codes(values.indices.map { values[($0 + salt) % values.count] &+ salt &* 31 })
    }
}
