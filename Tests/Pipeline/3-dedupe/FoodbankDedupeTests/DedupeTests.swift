@testable import FoodbankDedupe
import FoodbankKafka
import Foundation
import Logging
import Testing

@Suite struct EventDigestTests {
    @Test func matchesThePublishedFNV1a128Vectors() {
        #expect(EventDigest("").description == "6c62272e07bb014262b821756295c58d")
        #expect(EventDigest("a").description == "d228cb696f1a8caf78912b704e4a8964")
    }

    @Test func roundTripsThroughItsHexForm() {
        let digest = EventDigest("warehouse:wms.inventory_transactions:42:754:new")
        #expect(EventDigest(hex: digest.description) == digest)
        #expect(EventDigest(hex: "xyz") == nil)
    }
}

@Suite struct SeenWindowTests {
    @Test func forgetsByAgeOldestFirst() {
        var window = SeenWindow(capacity: 100)
        for i in 0..<10 { window.insert(EventDigest("e\(i)"), at: SeenWindow.Minute(i)) }
        let evicted = window.evict(before: 4)
        #expect(evicted == (0..<4).map { EventDigest("e\($0)") })
        #expect(!window.contains(EventDigest("e3")) && window.contains(EventDigest("e4")) && window.count == 6)
    }

    @Test func staysWithinItsCapacity() {
        var window = SeenWindow(capacity: 1000)
        for i in 0..<50_000 {
            window.insert(EventDigest("e\(i)"), at: 1)
            _ = window.evict(before: 0)
        }
        #expect(window.count == 1000)
        #expect(window.contains(EventDigest("e49999")) && !window.contains(EventDigest("e48999")))
    }
}

@Suite struct DedupeStageTests {
    static let input = TopicPartition(topic: "canonical.inventory_events", partition: 3)

    final class Changelog {
        var records: [(key: [UInt8]?, value: [UInt8]?)] = []
        func restore(_ partitions: [Int32], _ handle: (ChangelogEntry.Decoded) -> Void) {
            for record in records { if let decoded = ChangelogEntry.decode(key: record.key, value: record.value) { handle(decoded) } }
        }
    }

    static func stage(_ changelog: Changelog, now: @escaping () -> Date = Date.init) -> DedupeStage {
        var configuration = DedupeStage.Configuration(outputs: [input.topic: "unique.inventory_events"], changelogTopic: "changelog", changelogPartitions: 12)
        configuration.window = .seconds(3600)
        return DedupeStage(configuration: configuration, logger: Logger(label: "test"), clock: now) { changelog.restore($0, $1) }
    }

    static func message(_ offset: Int64, id: String?) -> KafkaMessage {
        KafkaMessage(topic: input.topic, partition: input.partition, offset: offset, key: Array("SKU-1".utf8), value: Array("{}".utf8),
                     timestampMillis: nil, headers: id.map { [KafkaHeader(name: "foodbank.event_id", string: $0)] } ?? [])
    }

    /// Runs a batch as the relay would and keeps what a committed transaction would have written.
    static func commit(_ stage: DedupeStage, _ batch: [KafkaMessage], into changelog: Changelog) throws -> [String] {
        let output = try stage.process(batch)
        stage.committed()
        changelog.records += output.records.filter { $0.topic == "changelog" }.map { ($0.key, $0.value) }
        return output.records.filter { $0.topic == "unique.inventory_events" }.compactMap {
            $0.headers.first { $0.name == "foodbank.event_id" }?.value.map { String(decoding: $0, as: UTF8.self) }
        }
    }

    @Test func passesEachIDOnceWithinAndAcrossBatches() throws {
        let changelog = Changelog()
        let stage = Self.stage(changelog)
        try stage.assignmentChanged(to: [:], assigned: [Self.input])
        #expect(try Self.commit(stage, [Self.message(0, id: "a"), Self.message(1, id: "b"), Self.message(2, id: "a")], into: changelog) == ["a", "b"])
        #expect(try Self.commit(stage, [Self.message(3, id: "b"), Self.message(4, id: "c")], into: changelog) == ["c"])
        #expect(stage.duplicatesDropped == 2)
        let output = try stage.process([Self.message(5, id: nil)])
        #expect(output.rejected.map(\.reason) == ["no foodbank.event_id header"])
    }

    @Test func anAbortedBatchLeavesNoTrace() throws {
        let stage = Self.stage(Changelog())
        try stage.assignmentChanged(to: [:], assigned: [Self.input])
        _ = try stage.process([Self.message(0, id: "a")])
        stage.aborted()
        let retry = try stage.process([Self.message(0, id: "a")])
        #expect(retry.records.filter { $0.topic == "unique.inventory_events" }.count == 1, "the retry passes the id the aborted batch did not")
    }

    @Test func aNewOwnerRebuildsFromCommittedEntriesOnly() throws {
        let changelog = Changelog()
        let first = Self.stage(changelog)
        try first.assignmentChanged(to: [:], assigned: [Self.input])
        _ = try Self.commit(first, [Self.message(0, id: "a"), Self.message(1, id: "b")], into: changelog)
        // A transaction that was aborted, but whose changelog record a broker still shows (as the local one does).
        changelog.records += try first.process([Self.message(2, id: "c")]).records.filter { $0.topic == "changelog" }.map { ($0.key, $0.value) }
        first.aborted()

        let second = Self.stage(changelog)
        try second.assignmentChanged(to: [Self.input: 2], assigned: [Self.input])
        #expect(second.heldIDs[Self.input] == 2)
        #expect(try Self.commit(second, [Self.message(2, id: "c"), Self.message(3, id: "a")], into: changelog) == ["c"],
                "c's aborted entry is ignored (offset 2 not committed), a's committed one is kept")
    }

    @Test func keepsItsWindowWhenNobodyElseMovedThePartition() throws {
        let changelog = Changelog()
        let stage = Self.stage(changelog)
        try stage.assignmentChanged(to: [:], assigned: [Self.input])
        _ = try Self.commit(stage, [Self.message(0, id: "a")], into: changelog)
        changelog.records.removeAll()  // a rebuild would now forget "a"
        try stage.assignmentChanged(to: [Self.input: 1], assigned: [Self.input])
        #expect(try Self.commit(stage, [Self.message(1, id: "a")], into: changelog).isEmpty)
        try stage.assignmentChanged(to: [Self.input: 7], assigned: [Self.input])
        #expect(stage.heldIDs[Self.input] == 0, "another member committed further: rebuilt from the changelog")
    }

    @Test func idsLeaveAfterTheWindowWithATombstone() throws {
        let changelog = Changelog()
        var now = Date(timeIntervalSince1970: 1_800_000_000)
        let stage = Self.stage(changelog, now: { now })
        try stage.assignmentChanged(to: [:], assigned: [Self.input])
        _ = try Self.commit(stage, [Self.message(0, id: "a")], into: changelog)
        now += 2 * 3600
        _ = try Self.commit(stage, [Self.message(1, id: "b")], into: changelog)
        #expect(stage.heldIDs[Self.input] == 1, "a left the one-hour window")
        _ = try Self.commit(stage, [Self.message(2, id: "c")], into: changelog)
        #expect(changelog.records.contains { $0.key == Array(EventDigest("a").description.utf8) && $0.value == nil })
    }
}
