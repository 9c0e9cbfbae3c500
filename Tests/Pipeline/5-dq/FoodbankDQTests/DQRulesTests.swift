import FoodbankCanonical
@testable import FoodbankDQ
import FoodbankJSON
import Foundation
import Testing

@Suite struct DQChecksTests {
    @Test func theContractsFourChecksAndImplausibleValueAreDeclaredOnceEach() {
        let names = DQChecks.all.map(\.name)
        #expect(Set(names) == ["missing_sku", "negative_balance", "duplicate_donation_id", "orphaned_fulfillment", "implausible_value"])
        #expect(Set(names).count == names.count)
        #expect(DQChecks.all.allSatisfy { !$0.description.isEmpty && !$0.entityType.isEmpty })
    }

    @Test func anUnknownSkuIsAProblemWhileALiveRecordNamesIt() {
        var evidence = DQEvidence()
        evidence.skus = ["X-1": .init(known: false, references: 2), "X-2": .init(known: true, references: 1), "X-3": .init(known: false, references: 0)]
        let verdict = DQRules.missingSkus(evidence)
        #expect(Set(verdict.problems.keys) == ["X-1"])
        #expect(verdict.examined == ["X-1", "X-2", "X-3"], "known again, or no longer named: resolved")
    }

    @Test func negativeBalancesAreProblemsAndZeroIsNot() {
        var evidence = DQEvidence()
        evidence.balances = ["A|L|": -1.5, "B|L|": 0, "C|L|x": 3]
        let verdict = DQRules.negativeBalances(evidence)
        #expect(Set(verdict.problems.keys) == ["A|L|"])
        #expect(verdict.examined.count == 3)
    }

    @Test func aDonationIDKeyedTwiceIsADuplicateCountedAsItsNewestIntake() {
        var evidence = DQEvidence()
        evidence.intakes = ["R-1": [7, 3], "R-2": [5], "R-3": []]
        let verdict = DQRules.duplicateDonations(evidence)
        #expect(Set(verdict.problems.keys) == ["R-1"])
        #expect(verdict.problems["R-1"]?["counted_intake_id"] == .int(7))
        #expect(verdict.examined == ["R-1", "R-2", "R-3"])
    }

    @Test func aShipmentWithoutItsOrderWaitsOutTheGracePeriod() {
        var evidence = DQEvidence()
        evidence.gracePeriod = 900
        let seen = Date(timeIntervalSince1970: 1_000_000)
        evidence.shipments = [
            "S-waiting": .init(orderID: "O-1", cancelled: false, orderArrived: false, missingOrderLines: [1], firstSeenAt: seen),
            "S-complete": .init(orderID: "O-2", cancelled: false, orderArrived: true, missingOrderLines: [], firstSeenAt: seen),
            "S-void": .init(orderID: "O-3", cancelled: true, orderArrived: false, missingOrderLines: [], firstSeenAt: seen),
            "S-line": .init(orderID: "O-4", cancelled: false, orderArrived: true, missingOrderLines: [2], firstSeenAt: seen),
        ]
        evidence.now = seen.addingTimeInterval(899)
        let early = DQRules.orphanedShipments(evidence)
        #expect(early.problems.isEmpty)
        #expect(early.examined == ["S-complete", "S-void"], "undecided shipments are neither opened nor resolved")
        evidence.now = seen.addingTimeInterval(900)
        let due = DQRules.orphanedShipments(evidence)
        #expect(Set(due.problems.keys) == ["S-waiting", "S-line"])
        #expect(due.problems["S-line"]?["missing_order_lines"] == .array([.int(2)]))
    }
}

@Suite struct DQFactsTests {
    static func canonical(_ table: String, system: String, _ row: [String: JSONValue], op: String = "c", before: [String: JSONValue]? = nil,
                          lsn: Int64) throws -> [[UInt8]] {
        let spec = try #require(RecordSpec.forTopic("foodbank.cdc.\(system).\(table)"))
        let envelope = JSONValue.object(["op": .string(op), "before": before.map(JSONValue.object) ?? .null, "after": op == "d" ? .null : .object(row),
                                         "source": .object(["txId": .int(lsn), "lsn": .int(lsn), "ts_ms": .int(1_795_362_716_373)])])
        guard case .records(let records) = try spec.normalize(envelope, processedAt: Date(), keyOf: { _ in "O-1" }) else { return [] }
        return records.map { $0.json().encoded() }
    }

    @Test func aCorrectedLineKeepsOnlyItsNewSkuAndNamesBoth() throws {
        let line: [String: JSONValue] = ["order_id": .string("O-1"), "line_no": .int(1), "sku": .string("SKU-A"), "quantity_cases_requested": .string("2")]
        var corrected = line
        corrected["sku"] = .string("SKU-B")
        let values = try Self.canonical("agency.order_lines", system: "agency", line, lsn: 10)
            + Self.canonical("agency.order_lines", system: "agency", corrected, op: "u", before: line, lsn: 20)
        let facts = DQFacts.collect(values.map { (.agencyOrders, $0) })
        #expect(facts.rejected.isEmpty)
        #expect(facts.namedSkus == ["SKU-A", "SKU-B"])
        #expect(facts.skuReferences.values.map(\.sku) == ["SKU-B"])
        #expect(facts.skuReferences.values.first?.live == true)
        #expect(facts.rows["order_line"]?["O-1/1"]?.position == 20)
    }

    @Test func aDeletedShipmentIsNoLongerLiveAndItsLineKnowsItsOrder() throws {
        let shipment: [String: JSONValue] = ["shipment_id": .string("S-1"), "order_id": .string("O-1"), "location_id": .string("OAK-MAIN"),
                                             "shipped_at": .string("2026-11-20T18:00:00Z"), "status": .string("shipped")]
        let line: [String: JSONValue] = ["shipment_id": .string("S-1"), "line_no": .int(1), "order_line_no": .int(3), "sku": .string("SKU-A"),
                                         "lot_code": .null, "quantity_cases": .string("2"), "weight_lbs": .null]
        let values = try Self.canonical("pick.shipments", system: "fulfillment", shipment, lsn: 10)
            + Self.canonical("pick.shipment_lines", system: "fulfillment", line, lsn: 11)
            + Self.canonical("pick.shipments", system: "fulfillment", shipment, op: "d", before: shipment, lsn: 30)
        let facts = DQFacts.collect(values.map { (.fulfillment, $0) })
        #expect(facts.rows["shipment"]?["S-1"]?.live == false)
        #expect(facts.rows["shipment_line"]?["S-1/1"]?.text("order_id") == "O-1")
        #expect(facts.rows["shipment_line"]?["S-1/1"]?.int("order_line_no") == 3)
    }

    @Test func badRecordsAreRejectedWithTheirReasonAndTombstonesIgnored() throws {
        let balance = InventoryBalance(sku: "S", locationID: "L", lotCode: "", onHandCases: -2, onHandLbs: -4, lastMovementAt: nil)
        let facts = DQFacts.collect([(.inventoryEvents, Array("{oops".utf8)), (.items, nil), (.balances, balance.json().encoded()),
                                     (.donations, Array("{\"retraction\": false}".utf8))])
        #expect(facts.rejected.map(\.index) == [0, 3])
        #expect(facts.rejected.last?.reason == "record_type missing")
        #expect(facts.balances["S|L|"] == balance)
    }

    /// A $1.2M truckload is counted (the source of record holds it) and flagged; at the limit
    /// counts as over it; a negative movement is judged by its size.
    @Test func aQuantityAtOrAboveItsLimitIsFlaggedWhateverItsSign() {
        var evidence = DQEvidence()
        evidence.quantities = [
            "donations:intake.donation_lines:1|1": ["quantity_cases": 400, "fair_market_value_usd": 1_200_000],
            "warehouse:wms.inventory_transactions:9": ["delta_cases": -10_000],
            "warehouse:wms.inventory_transactions:10": ["delta_cases": 9_999.5, "weight_lbs": 249_999],
            "warehouse:wms.inventory_transactions:11": [:],
        ]
        let verdict = DQRules.implausibleValues(evidence)
        #expect(Set(verdict.problems.keys) == ["donations:intake.donation_lines:1|1", "warehouse:wms.inventory_transactions:9"])
        #expect(verdict.problems["donations:intake.donation_lines:1|1"] == .object([
            "fair_market_value_usd": .object(["value": .string("1200000"), "limit": .string("250000")])]))
        #expect(verdict.examined.count == 4, "plausible again, or no longer live: resolved")
        evidence.limits.usd = 2_000_000
        #expect(DQRules.implausibleValues(evidence).problems["donations:intake.donation_lines:1|1"] == nil, "the limits are settings")
    }

    @Test func factsCarryTheQuantitiesOfALiveVersionOnly() throws {
        func line(retraction: Bool) -> [UInt8] {
            JSONValue.object(["record_type": .string("donation_line"), "retraction": .bool(retraction), "sku": .string("S1"),
                              "quantity_cases": .string("12.5"), "fair_market_value_usd": .string("1500000.00"), "weight_lbs": .string("not a number"),
                              "source": .object(["system": .string("donations"), "object": .string("intake.donation_lines"),
                                                 "source_id": .string("1|1"), "position": .string("\(retraction ? 20 : 10)")])]).encoded()
        }
        let live = DQFacts.collect([(.donations, line(retraction: false))])
        #expect(live.skuReferences.values.first?.quantities == ["quantity_cases": "12.5", "fair_market_value_usd": "1500000.00"])
        let retracted = DQFacts.collect([(.donations, line(retraction: true))])
        #expect(retracted.skuReferences.values.first?.quantities == [:])
    }
}
