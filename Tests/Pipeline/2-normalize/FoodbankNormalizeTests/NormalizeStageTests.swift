import FoodbankCanonical
import FoodbankJSON
import FoodbankKafka
@testable import FoodbankNormalize
import FoodbankStreaming
import Foundation
import Testing

/// The parent-key table in memory, for the stage's logic without a database.
final class MemoryParentKeys: ParentKeyStore {
    var facts: [ParentFact] = []
    func record(_ facts: [ParentFact]) throws {
        for fact in facts where !self.facts.contains(fact) { self.facts.append(fact) }
    }
    func keys(for lookups: Set<ParentLookup>) throws -> [ParentLookup: String] {
        var keys: [ParentLookup: String] = [:]
        for lookup in lookups {
            keys[lookup] = facts.filter { $0.parent == lookup.parent && $0.position <= lookup.asOf }.max { $0.position < $1.position }?.key
        }
        return keys
    }
}

@Suite struct NormalizeStageTests {
    static let shipments = "foodbank.cdc.fulfillment.pick.shipments"
    static let lines = "foodbank.cdc.fulfillment.pick.shipment_lines"
    static let topics = NormalizeStage.Topics(
        sources: Dictionary(uniqueKeysWithValues: [shipments, lines, "foodbank.files.legacy_wms"].map { ($0, RawSource.forTopic($0)!) }),
        outputs: Dictionary(uniqueKeysWithValues: CanonicalOutput.models.map { ($0, "out.\($0)") }))

    static func change(_ after: String, txID: Int = 5, lsn: Int = 100) -> [UInt8] {
        Array(#"{"op":"c","before":null,"after":\#(after),"source":{"txId":\#(txID),"lsn":\#(lsn),"ts_ms":1}}"#.utf8)
    }
    static func shipment(_ id: String, order: String, lsn: Int = 100) -> [UInt8] {
        change(#"{"shipment_id":"\#(id)","order_id":"\#(order)","location_id":"OAK-MAIN","shipped_at":null,"status":"picked"}"#, lsn: lsn)
    }
    static func line(_ shipment: String, _ number: Int) -> [UInt8] {
        change(#"{"shipment_id":"\#(shipment)","line_no":\#(number),"order_line_no":1,"sku":"SKU-1","lot_code":null,"quantity_cases":"2","weight_lbs":null}"#)
    }
    static func message(_ topic: String, _ partition: Int32, _ offset: Int64, _ value: [UInt8]?) -> KafkaMessage {
        KafkaMessage(topic: topic, partition: partition, offset: offset, key: nil, value: value, timestampMillis: nil, headers: [])
    }

    @Test func aLineWhoseHeaderIsInTheSameBatchIsKeyedByItsOrder() throws {
        let stage = NormalizeStage(topics: Self.topics, parents: MemoryParentKeys())
        let output = try stage.process([Self.message(Self.lines, 0, 0, Self.line("SH-1", 1)), Self.message(Self.shipments, 1, 0, Self.shipment("SH-1", order: "ORD-7"))])
        #expect(output.heldFrom.isEmpty && output.rejected.isEmpty)
        #expect(output.records.map(\.topic) == ["out.fulfillment_line_items", "out.fulfillment_line_items"])
        #expect(output.records.allSatisfy { $0.key == Array("ORD-7".utf8) }, "a shipment and its lines share the order's partition")
        #expect(output.records.first?.headers.first { $0.name == CanonicalHeaders.eventID }?.value == Array("fulfillment:pick.shipment_lines:SH-1/1:100:new".utf8))
    }

    @Test func aLineWithoutItsHeaderHoldsItsPartitionAndOthersFlow() throws {
        let parents = MemoryParentKeys()
        var now = Date(timeIntervalSince1970: 1_000_000)
        let stage = NormalizeStage(topics: Self.topics, parents: parents, maxWait: .seconds(60), clock: { now })
        let batch = [Self.message(Self.lines, 0, 10, Self.line("SH-2", 1)), Self.message(Self.lines, 0, 11, Self.line("SH-1", 1)),
                     Self.message(Self.lines, 1, 3, Self.line("SH-1", 2))]
        try parents.record([ParentFact(parent: ParentReference(kind: "shipment", id: "SH-1"), key: "ORD-1", position: 1)])
        let first = try stage.process(batch)
        #expect(first.heldFrom == [TopicPartition(topic: Self.lines, partition: 0): 10], "offset 11 waits behind 10: versions stay in order")
        #expect(first.records.count == 1, "the other partition is not held back")

        // The header arrives on another instance: the held line goes through.
        try parents.record([ParentFact(parent: ParentReference(kind: "shipment", id: "SH-2"), key: "ORD-2", position: 2)])
        now += 30
        let second = try stage.process(Array(batch.prefix(2)))
        #expect(second.heldFrom.isEmpty && second.records.map(\.key) == [Array("ORD-2".utf8), Array("ORD-1".utf8)])
    }

    @Test func aLineWaitingLongerThanTheLimitIsDeadLetteredNotStalled() throws {
        var now = Date(timeIntervalSince1970: 1_000_000)
        let stage = NormalizeStage(topics: Self.topics, parents: MemoryParentKeys(), maxWait: .seconds(60), clock: { now })
        let held = [Self.message(Self.lines, 0, 10, Self.line("SH-404", 1))]
        #expect(try stage.process(held).heldFrom.count == 1)
        now += 59
        #expect(try stage.process(held).heldFrom.count == 1)
        now += 2
        let output = try stage.process(held)
        #expect(output.heldFrom.isEmpty)
        #expect(output.rejected.map(\.reason) == ["its shipment SH-404 was not seen within 60.0 seconds"])
    }

    @Test func badRecordsAndUnknownTopicsAreRejectedWithReasons() throws {
        let stage = NormalizeStage(topics: Self.topics, parents: MemoryParentKeys())
        let output = try stage.process([Self.message(Self.shipments, 0, 0, Array("{oops".utf8)), Self.message("foodbank.cdc.elsewhere", 0, 0, Self.line("S", 1)),
                                        Self.message(Self.shipments, 0, 1, nil)])
        #expect(output.rejected.count == 2)
        #expect(output.rejected.contains { $0.reason.contains("invalid JSON") })
        #expect(output.rejected.contains { $0.reason == "no normalization rule for topic foodbank.cdc.elsewhere" })
        #expect(output.records.isEmpty, "a tombstone is no event")
    }

    @Test func aLineTakesItsHeadersKeyAsOfItsOwnPositionWhateverTheHeaderBecameLater() throws {
        let parents = MemoryParentKeys()
        let stage = NormalizeStage(topics: Self.topics, parents: parents)
        _ = try stage.process([Self.message(Self.shipments, 0, 1, Self.shipment("SH-1", order: "ORD-OLD", lsn: 50)),
                               Self.message(Self.shipments, 0, 2, Self.shipment("SH-1", order: "ORD-NEW", lsn: 200))])
        // The line was written at LSN 100, when its shipment belonged to ORD-OLD: so it stays, on every replay.
        let output = try stage.process([Self.message(Self.lines, 0, 0, Self.line("SH-1", 1))])
        #expect(output.records.map(\.key) == [Array("ORD-OLD".utf8)])
    }
}
