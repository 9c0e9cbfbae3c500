/// The contract's column rules for the two feeds, applied to a row's counted version: a value the
/// contract does not allow makes the version unreadable (it counts not at all, whatever an earlier
/// version said). Values are taken exactly as written: no trimming, no other formats.
enum FeedRowReading {
    static let movementTypes: Set<String> = ["RECEIPT", "TRANSFER_OUT", "TRANSFER_IN", "DISTRIBUTION", "SPOILAGE"]
    static let adjustmentReasons: Set<String> = ["SPOILAGE", "DAMAGE", "RECOUNT", "EXPIRED", "THEFT", "OTHER"]

    /// Feed 5: the scratch row (`SourceTable.feedMovements`' columns), or why it cannot be read.
    static func movement(_ row: [String: String]) -> Result<[String?], Unreadable> {
        let value = { (column: String) in row[column] ?? "" }
        guard movementTypes.contains(value("movement_type")) else { return .failure(.init("unknown movement_type \(value("movement_type"))")) }
        guard !value("sku").isEmpty else { return .failure(.init("sku is empty")) }
        guard isDecimal(value("cases"), signed: false), !isZero(value("cases")) else {
            return .failure(.init("cases \(value("cases")) is not a positive decimal"))
        }
        guard value("lbs").isEmpty || isDecimal(value("lbs"), signed: true) else { return .failure(.init("lbs \(value("lbs")) is not a decimal")) }
        guard let occurred = localTime(value("occurred_at")) else {
            return .failure(.init("occurred_at \(value("occurred_at")) is not MM/DD/YYYY HH:MM"))
        }
        return .success([value("site_code"), value("movement_id"), value("movement_type"), value("sku"), value("lot"), value("cases"),
                         value("lbs").isEmpty ? nil : value("lbs"), occurred, value("reference").isEmpty ? nil : value("reference")])
    }

    /// Feed 6: the scratch row (`SourceTable.feedAdjustments`' columns), or why it cannot be read.
    static func adjustment(_ row: [String: String]) -> Result<[String?], Unreadable> {
        let value = { (column: String) in row[column] ?? "" }
        guard !value("sku").isEmpty else { return .failure(.init("sku is empty")) }
        guard !value("location_id").isEmpty else { return .failure(.init("location_id is empty")) }
        guard isDecimal(value("delta_cases"), signed: true) else { return .failure(.init("delta_cases \(value("delta_cases")) is not a decimal")) }
        guard adjustmentReasons.contains(value("reason")) else { return .failure(.init("unknown reason \(value("reason"))")) }
        guard isDate(value("effective_date")) else { return .failure(.init("effective_date \(value("effective_date")) is not YYYY-MM-DD")) }
        return .success([value("adjustment_id"), value("sku"), value("location_id"), value("lot_code"), value("delta_cases"), value("reason"),
                         value("effective_date")])
    }

    struct Unreadable: Error, Equatable {
        let reason: String
        init(_ reason: String) { self.reason = reason }
    }

    // MARK: values

    /// Digits, optionally a point and more digits; a leading minus where `signed`.
    static func isDecimal(_ text: String, signed: Bool) -> Bool {
        text.wholeMatch(of: signed ? #/-?[0-9]+(\.[0-9]+)?/# : #/[0-9]+(\.[0-9]+)?/#) != nil
    }

    static func isZero(_ text: String) -> Bool { text.allSatisfy { $0 == "0" || $0 == "." || $0 == "-" } }

    /// `MM/DD/YYYY HH:MM` as `YYYY-MM-DD HH:MM` (a PostgreSQL timestamp without zone), if it is a real time.
    static func localTime(_ text: String) -> String? {
        guard let m = text.wholeMatch(of: #/([0-9]{2})\/([0-9]{2})\/([0-9]{4}) ([0-9]{2}):([0-9]{2})/#),
              isCalendarDate(year: Int(m.3)!, month: Int(m.1)!, day: Int(m.2)!), Int(m.4)! < 24, Int(m.5)! < 60 else { return nil }
        return "\(m.3)-\(m.1)-\(m.2) \(m.4):\(m.5)"
    }

    static func isDate(_ text: String) -> Bool {
        guard let m = text.wholeMatch(of: #/([0-9]{4})-([0-9]{2})-([0-9]{2})/#) else { return false }
        return isCalendarDate(year: Int(m.1)!, month: Int(m.2)!, day: Int(m.3)!)
    }

    static func isCalendarDate(year: Int, month: Int, day: Int) -> Bool {
        guard (1...12).contains(month), year >= 1 else { return false }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        return (1...days).contains(day)
    }
}
