import FoodbankCanonical
@testable import FoodbankReconcile
import Foundation
import Testing

/// The counting rule, over values: each source row counts once, with its latest version, whatever
/// path its versions take.
@Suite struct LedgerFoldTests {
    static func leg(_ cases: Decimal, leg: String = "", sku: String = "SKU-1", location: String = "OAK", date: String = "2026-11-20") -> LedgerLeg {
        LedgerLeg(leg: leg, eventID: "e", sku: sku, locationID: location, lotCode: "", movementType: leg == "out" ? "transfer_out" : "receipt",
                  deltaCases: cases, ownLbs: nil, referenceType: nil, referenceID: nil, occurredAt: "2026-11-20T18:00:00Z", businessDate: date,
                  sourceSystem: "warehouse")
    }

    static func assert(_ cases: Decimal, at position: Int64, row: String = "r1", holder: String = "", leg: String = "", sku: String = "SKU-1") -> LedgerVersion {
        LedgerVersion(rowID: row, holder: holder, position: position, change: .assert, leg: Self.leg(cases, leg: leg, sku: sku))
    }

    static func retract(at position: Int64, row: String = "r1", holder: String = "") -> LedgerVersion {
        LedgerVersion(rowID: row, holder: holder, position: position, change: .retract, leg: nil)
    }

    /// What the row counts after folding `versions` from nothing, one batch each (or all in one).
    static func counted(_ versions: [LedgerVersion], batches: Bool) -> [Decimal] {
        var stored: [String: [String: HolderState]] = [:]
        for batch in (batches ? versions.map { [$0] } : [versions]) {
            let result = LedgerFold.fold(batch, stored: stored)
            for (row, holders) in result.states { for (holder, state) in holders { stored[row, default: [:]][holder] = state } }
        }
        return HolderState.counted(stored["r1"] ?? [:]).map(\.deltaCases)
    }

    @Test(arguments: [false, true]) func twoChangesInOneTransactionCountTheLater(batches: Bool) {
        // An insert then an update in one transaction: two LSNs.
        #expect(Self.counted([Self.assert(10, at: 100), Self.assert(12, at: 101)], batches: batches) == [12])
    }

    @Test(arguments: [false, true]) func anOlderOrEqualVersionChangesNothing(batches: Bool) {
        #expect(Self.counted([Self.assert(12, at: 101), Self.assert(10, at: 100), Self.assert(12, at: 101)], batches: batches) == [12])
    }

    @Test(arguments: [false, true]) func aDeleteRemovesTheRowAndAReplayBeforeItDoesNotBringItBack(batches: Bool) {
        #expect(Self.counted([Self.assert(10, at: 100), Self.retract(at: 120), Self.assert(10, at: 100)], batches: batches) == [])
        #expect(Self.counted([Self.retract(at: 120), Self.assert(10, at: 100)], batches: batches) == [], "the delete read first")
    }

    @Test(arguments: [false, true]) func anUnreadableCorrectionStopsTheOldNumber(batches: Bool) {
        let unreadable = LedgerVersion(rowID: "r1", holder: "", position: 101, change: .unreadable, leg: nil)
        #expect(Self.counted([Self.assert(10, at: 100), unreadable], batches: batches) == [])
        #expect(Self.counted([Self.assert(10, at: 100), unreadable, Self.assert(11, at: 102)], batches: batches) == [11])
    }

    @Test(arguments: [false, true]) func aTransfersLegsArriveApartAndCountTogether(batches: Bool) {
        #expect(Self.counted([Self.assert(-5, at: 100, leg: "out"), Self.assert(5, at: 100, leg: "in")], batches: batches).sorted() == [-5, 5])
        // Corrected to a receipt: both legs go.
        #expect(Self.counted([Self.assert(-5, at: 100, leg: "out"), Self.assert(5, at: 100, leg: "in"), Self.assert(7, at: 110)],
                             batches: batches) == [7])
    }

    @Test(arguments: [false, true]) func aFeedRowCountsWithTheLatestDeliveredLiveFileHoldingIt(batches: Bool) {
        let a1 = FeedPosition.line(3, delivery: 1), b1 = FeedPosition.line(1, delivery: 2)
        // The same movement in two files: once, with the later file's version.
        #expect(Self.counted([Self.assert(4, at: a1, holder: "A"), Self.assert(6, at: b1, holder: "B")], batches: batches) == [6])
        // B corrected without the row (v2 at delivery 3): A's version counts again.
        let dropped = [Self.assert(4, at: a1, holder: "A"), Self.assert(6, at: b1, holder: "B"), Self.retract(at: FeedPosition.retraction(delivery: 2), holder: "B")]
        #expect(Self.counted(dropped, batches: batches) == [4])
        // And once neither holds it, nothing.
        #expect(Self.counted(dropped + [Self.retract(at: FeedPosition.retraction(delivery: 1), holder: "A")], batches: batches) == [])
        // A retraction read before the assertion it retracts still wins.
        #expect(Self.counted([Self.retract(at: FeedPosition.retraction(delivery: 2), holder: "B"), Self.assert(6, at: b1, holder: "B")],
                             batches: batches) == [])
        // A newer version of B read before the retraction of the older one.
        let b2 = FeedPosition.line(1, delivery: 3)
        #expect(Self.counted([Self.assert(9, at: b2, holder: "B"), Self.retract(at: FeedPosition.retraction(delivery: 2), holder: "B")],
                             batches: batches) == [9])
    }

    @Test func withinAFileTheLaterLineWins() {
        #expect(Self.counted([Self.assert(4, at: FeedPosition.line(7, delivery: 1), holder: "A"),
                              Self.assert(6, at: FeedPosition.line(3, delivery: 1), holder: "A")], batches: true) == [4])
    }

    @Test func recountsSayWhatARowCountedBeforeAndNow() {
        let first = LedgerFold.fold([Self.assert(10, at: 100)], stored: [:])
        #expect(first.recounted["r1"] == LedgerFold.Recount(before: [], after: [Self.leg(10)]))
        let moved = LedgerFold.fold([Self.assert(10, at: 110, sku: "SKU-2")], stored: first.states)
        #expect(moved.recounted["r1"]?.before.map(\.sku) == ["SKU-1"], "a key change takes the old position's number away")
        #expect(moved.recounted["r1"]?.after.map(\.sku) == ["SKU-2"])
        #expect(LedgerFold.fold([Self.assert(10, at: 100)], stored: first.states) == LedgerFold.Result(), "a replay writes nothing")
    }
}
