import FoodbankJSON
import FoodbankKafka
import FoodbankStreaming
import Foundation
import Testing

extension Integration {
    /// The normalize executable on the real broker: raw records in, canonical events and dead letters out.
    @Suite struct NormalizeRuns {
        @Test func movementsBecomeCanonicalEventsAndBadRecordsDeadLetters() throws {
            let run = try CanonicalPipelineRun()
            try run.createTopics()
            let topics = (warehouse: run.topic("foodbank.cdc.warehouse.wms.inventory_transactions"), legacy: run.topic("foodbank.files.legacy_wms"),
                          output: run.topic("foodbank.canonical.inventory_events"), dlq: run.topic("foodbank.dlq.normalize"))
            let kafka = run.kafka
            let row = #"{"txn_id":7,"txn_type":"transfer","sku":"SKU-9","location_id":"OAK-MAIN","to_location_id":"OAK-COLD","lot_code":null,"quantity_cases":"3.00","weight_lbs":null,"reason_code":null,"reference_type":null,"reference_id":null,"occurred_at":"2026-11-20T18:00:00Z","recorded_by":null,"updated_at":"2026-11-20T18:00:00Z"}"#
            let producer = try KafkaProducer(configuration: kafka)
            func send(_ topic: String, _ key: String, _ value: String?) throws {
                try producer.send(KafkaRecord(topic: topic, key: Array(key.utf8), value: value.map { Array($0.utf8) }))
            }
            try send(topics.warehouse, #"{"txn_id":7}"#, #"{"op":"c","before":null,"after":\#(row),"source":{"txId":900,"lsn":1,"ts_ms":1}}"#)
            try send(topics.warehouse, #"{"txn_id":7}"#, #"{"op":"d","before":\#(row),"after":null,"source":{"txId":901,"lsn":2,"ts_ms":2}}"#)
            try send(topics.warehouse, #"{"txn_id":7}"#, nil)
            try send(topics.legacy, "HAY-SAT|HAY-1", #"{"feed":"legacy_wms","file":"movements_HAY_202611200800.csv","file_version":1,"file_sha256":"s","record":1,"delivery":1,"change":"assert","row":{"movement_id":"HAY-1","movement_type":"RECEIPT","sku":"SKU-9","site_code":"HAY-SAT","lot":"","cases":"5","lbs":"","occurred_at":"11/20/2026 07:15","reference":"R-1"}}"#)
            try send(topics.warehouse, #"{"txn_id":8}"#, "{not json")
            try send(topics.legacy, "HAY-SAT|HAY-2", #"{"feed":"legacy_wms","file":"f.csv","file_version":1,"file_sha256":"s","record":2,"delivery":2,"change":"assert","row":{"movement_id":"HAY-2","movement_type":"LOST","sku":"SKU-9","site_code":"HAY-SAT","lot":"","cases":"5","lbs":"","occurred_at":"11/20/2026 07:15","reference":""}}"#)
            try producer.flush()

            let process = try run.start("normalize", instance: "a")
            defer { process.terminate() }

            // create transfer (out + in) + its deletion (two retractions, ids by the change's LSN) + one feed receipt.
            let events = try readTopic(topics.output, kafka: kafka) { Set($0.compactMap { $0.header("foodbank.event_id") }).count >= 6 }
            let byID = Dictionary(events.map { (String(decoding: $0.header("foodbank.event_id") ?? [], as: UTF8.self), $0) }) { a, _ in a }
            #expect(Set(byID.keys) == [
                "warehouse:wms.inventory_transactions:7:1:new:out", "warehouse:wms.inventory_transactions:7:1:new:in",
                "warehouse:wms.inventory_transactions:7:2:del:out", "warehouse:wms.inventory_transactions:7:2:del:in",
                "legacy_wms:movements_HAY_202611200800.csv:v1:d1:1:assert",
                "legacy_wms:f.csv:v1:d2:2:assert", // the unreadable row, still held by its file (and dead-lettered)
            ], "normalize log:\n\(process.logTail)")
            // Records are row states: the deletion retracts both legs, and what stays asserted is the feed receipt.
            var asserted = Decimal(0)
            var changes: [String: String] = [:]
            for message in events where message.key == Array("SKU-9".utf8) {
                let value = try JSONValue.parse(message.value ?? [])
                let id = String(decoding: message.header("foodbank.event_id") ?? [], as: UTF8.self)
                changes[id] = value["change"]?.stringValue
                if id.contains(":new:") || id.hasSuffix(":assert") { asserted += Decimal(string: value["delta_cases"]?.stringValue ?? "0") ?? 0 }
            }
            #expect(changes.filter { $0.key.contains(":del:") }.values.allSatisfy { $0 == "retract" }, "\(changes)")
            #expect(changes["legacy_wms:f.csv:v1:d2:2:assert"] == "unreadable", "\(changes)")
            #expect(asserted == 5, "the transfer's legs cancel; the feed receipt remains")

            let dead = try readTopic(topics.dlq, kafka: kafka) { $0.count >= 2 }
            let reasons = dead.compactMap { $0.header(DeadLetter.reasonHeader).map { String(decoding: $0, as: UTF8.self) } }
            #expect(reasons.count == 2)
            #expect(reasons.contains { $0.contains("invalid JSON") }, "\(reasons)")
            #expect(reasons.contains { $0.contains("unknown movement_type LOST") }, "\(reasons)")
            #expect(dead.allSatisfy { $0.header(DeadLetter.stageHeader) == Array("normalize".utf8) && $0.header(DeadLetter.sourceOffsetHeader) != nil })
            #expect(process.isRunning, "normalize stopped on bad input:\n\(process.logTail)")
        }
    }
}
