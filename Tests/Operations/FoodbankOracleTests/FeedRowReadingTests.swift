@testable import FoodbankOracle
import Testing

/// The feeds' column rules, row by row, without a database: a value the contract does not allow makes the
/// version unreadable.
@Suite struct FeedRowReadingTests {
    static func movement(_ fields: [String]) -> [String: String] { Dictionary(uniqueKeysWithValues: zip(FeedCSV.movementsHeader, fields)) }
    static func adjustment(_ fields: [String]) -> [String: String] {
        Dictionary(uniqueKeysWithValues: zip(FeedCSV.adjustmentsHeader, fields))
    }

    static func readable(_ result: Result<[String?], FeedRowReading.Unreadable>) -> [String?]? {
        if case .success(let row) = result { return row }
        return nil
    }

    /// Feed 5 as read: `occurred_at` `MM/DD/YYYY HH:MM` becomes a zoneless local time, empty `lbs` and `reference`
    /// become NULL, an empty `lot` stays `''` ("lot code or empty").
    @Test func aFeedFiveRowAsRead() {
        let read = FeedRowReading.movement(Self.movement(FeedCSV.movement("HAY-1", type: "TRANSFER_OUT", cases: "2.50", at: "03/08/2026 23:30")))
        #expect(Self.readable(read) == ["HAY-SAT", "HAY-1", "TRANSFER_OUT", "SKU-1", "", "2.50", nil, "2026-03-08 23:30", nil])
        let full = FeedRowReading.movement(Self.movement(FeedCSV.movement("HAY-2", cases: "1", lot: "L1", lbs: "12.5", ref: "DN-1")))
        #expect(Self.readable(full) == ["HAY-SAT", "HAY-2", "RECEIPT", "SKU-1", "L1", "1", "12.5", "2026-03-08 10:00", "DN-1"])
    }

    /// "cases: positive decimal". Decision: values are read exactly as written (no spaces, no sign, no exponent).
    @Test(arguments: ["0", "0.00", "-1", "+1", " 1", "1e3", "1,5", "", "abc", ".5"])
    func casesMustBeAPositiveDecimal(cases: String) {
        #expect(Self.readable(FeedRowReading.movement(Self.movement(FeedCSV.movement("HAY-1", cases: cases)))) == nil)
    }

    /// `movement_type` is one of the five. Decision: case-sensitive (`receipt` is unknown).
    @Test(arguments: ["RETURN", "receipt", "TRANSFER", ""])
    func anUnknownMovementTypeIsUnreadable(type: String) {
        #expect(Self.readable(FeedRowReading.movement(Self.movement(FeedCSV.movement("HAY-1", type: type, cases: "1")))) == nil)
    }

    /// "occurred_at: `MM/DD/YYYY HH:MM`": a malformed or impossible time is unreadable; 02/29 of a leap year is fine.
    @Test(arguments: ["13/45/2026 10:00", "02/30/2026 10:00", "03/08/2026 24:00", "03/08/2026 10:60", "2026-03-08 10:00",
                      "3/8/2026 10:00", "03/08/2026", "03/08/2026 10:00:00"])
    func aMalformedTimeIsUnreadable(at: String) {
        #expect(Self.readable(FeedRowReading.movement(Self.movement(FeedCSV.movement("HAY-1", cases: "1", at: at)))) == nil)
    }

    @Test func aLeapDayIsATime() {
        let read = FeedRowReading.movement(Self.movement(FeedCSV.movement("HAY-1", cases: "1", at: "02/29/2028 00:00")))
        #expect(Self.readable(read)?[7] == "2028-02-29 00:00")
    }

    /// "lbs: decimal or empty". Decision: a signed lbs is readable (its magnitude is the weight); a non-number is not;
    /// an empty sku is unreadable.
    @Test func lbsIsADecimalOrEmptyAndSkuIsRequired() {
        #expect(Self.readable(FeedRowReading.movement(Self.movement(FeedCSV.movement("HAY-1", cases: "1", lbs: "-4"))))?[6] == "-4")
        #expect(Self.readable(FeedRowReading.movement(Self.movement(FeedCSV.movement("HAY-1", cases: "1", lbs: "heavy")))) == nil)
        #expect(Self.readable(FeedRowReading.movement(Self.movement(FeedCSV.movement("HAY-1", cases: "1", sku: ""))))  == nil)
    }

    /// Feed 6 as read: "delta_cases: signed decimal", a zero delta included; the reason one of the six; `effective_date`
    /// `YYYY-MM-DD`; `approved_by` and `notes` are not read.
    @Test func aFeedSixRowAsRead() {
        let read = FeedRowReading.adjustment(Self.adjustment(FeedCSV.adjustment("ADJ-1", delta: "-2.5", reason: "EXPIRED", lot: "L1")))
        #expect(Self.readable(read) == ["ADJ-1", "SKU-1", "OAK-MAIN", "L1", "-2.5", "EXPIRED", "2026-03-08"])
        #expect(Self.readable(FeedRowReading.adjustment(Self.adjustment(FeedCSV.adjustment("ADJ-1", delta: "0")))) != nil)
    }

    @Test(arguments: [
        FeedCSV.adjustment("ADJ-1", delta: "+2"), FeedCSV.adjustment("ADJ-1", delta: ""), FeedCSV.adjustment("ADJ-1", delta: "two"),
        FeedCSV.adjustment("ADJ-1", delta: "1", reason: "LOST"), FeedCSV.adjustment("ADJ-1", delta: "1", reason: "spoilage"),
        FeedCSV.adjustment("ADJ-1", delta: "1", date: "2026-02-30"), FeedCSV.adjustment("ADJ-1", delta: "1", date: "03/08/2026"),
        FeedCSV.adjustment("ADJ-1", delta: "1", sku: ""), FeedCSV.adjustment("ADJ-1", delta: "1", location: ""),
    ])
    func anUnreadableFeedSixRow(fields: [String]) {
        #expect(Self.readable(FeedRowReading.adjustment(Self.adjustment(fields))) == nil)
    }

    /// A row without its id cannot be told from any other: it counts nowhere and is reported unreadable.
    @Test func aRowWithoutItsIdIsUnreadable() {
        let file = FeedCSV.movements([FeedCSV.movement("", cases: "1"), FeedCSV.movement("HAY-2", cases: "1", site: "")])
        let counted = FeedFold.fold([file])
        #expect(counted.movements.isEmpty)
        #expect(counted.unreadable.map(\.reason) == ["row without its id", "row without its id"])
    }
}
