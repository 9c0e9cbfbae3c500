@testable import FoodbankOracle

/// Feed files as the contract describes them: the feed's header line, data rows (RFC 4180 quoting),
/// and a last line `TRAILER,<number of data rows>`.
enum FeedCSV {
    static let movementsHeader = ["movement_id", "movement_type", "sku", "site_code", "lot", "cases", "lbs", "occurred_at", "reference"]
    static let adjustmentsHeader = ["adjustment_id", "sku", "location_id", "lot_code", "delta_cases", "reason", "approved_by",
                                    "effective_date", "notes"]

    /// A feed-5 data row; `at` is local Pacific time, `MM/DD/YYYY HH:MM`.
    static func movement(_ id: String, type: String = "RECEIPT", cases: String, sku: String = "SKU-1", site: String = "HAY-SAT",
                         lot: String = "", lbs: String = "", at: String = "03/08/2026 10:00", ref: String = "") -> [String] {
        [id, type, sku, site, lot, cases, lbs, at, ref]
    }

    /// A feed-6 data row.
    static func adjustment(_ id: String, delta: String, reason: String = "RECOUNT", sku: String = "SKU-1", location: String = "OAK-MAIN",
                           lot: String = "", date: String = "2026-03-08", notes: String = "") -> [String] {
        [id, sku, location, lot, delta, reason, "Pat Lee", date, notes]
    }

    /// A feed-5 file version; `trailer: false` leaves the trailer off (an incomplete file).
    static func movements(_ name: String, _ rows: [[String]], trailer: Bool = true) -> DeliveredFile {
        DeliveredFile(feed: .legacyWMS, name: name, content: bytes(header: movementsHeader, rows: rows, trailer: trailer))
    }

    /// A feed-5 file version named `movements_HAY-SAT_202603080900.csv`.
    static func movements(_ rows: [[String]], trailer: Bool = true) -> DeliveredFile {
        movements("movements_HAY-SAT_202603080900.csv", rows, trailer: trailer)
    }

    /// A feed-6 file version.
    static func adjustments(_ name: String, _ rows: [[String]], trailer: Bool = true) -> DeliveredFile {
        DeliveredFile(feed: .adjustments, name: name, content: bytes(header: adjustmentsHeader, rows: rows, trailer: trailer))
    }

    /// A feed-6 file version named `adjustments_20260308_1.csv`.
    static func adjustments(_ rows: [[String]], trailer: Bool = true) -> DeliveredFile {
        adjustments("adjustments_20260308_1.csv", rows, trailer: trailer)
    }

    static func bytes(header: [String], rows: [[String]], trailer: Bool = true) -> [UInt8] {
        var lines = ([header] + rows).map { $0.map(quoted).joined(separator: ",") }
        if trailer { lines.append("TRAILER,\(rows.count)") }
        return Array((lines.joined(separator: "\n") + "\n").utf8)
    }

    static func quoted(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
