import FoodbankJSON
import FoodbankKafka
import FoodbankPostgres
import Foundation
import Testing

extension Integration {
    /// sftp-watcher against the stack's real SFTP server, inbox folder and reporting database.
    @Suite struct FeedWatcherCases {
        struct Inbox {
            let tag = TestStack.uniqueName("T").replacingOccurrences(of: "-", with: "")
            let root: URL

            init() throws {
                root = URL(fileURLWithPath: try TestStack.require("FOODBANK_SFTP_INBOX")).appendingPathComponent(tag)
                for folder in ["legacy_wms", "adjustments"] {
                    try FileManager.default.createDirectory(at: root.appendingPathComponent(folder), withIntermediateDirectories: true)
                }
                let admin = try KafkaAdmin(configuration: try TestStack.kafka)
                _ = try admin.createTopics([legacyTopic, adjustmentsTopic, deadLetterTopic].map { .init(name: $0, partitions: 3) })
            }

            var legacyTopic: String { "foodbank.files.legacy_wms.\(tag)" }
            var adjustmentsTopic: String { "foodbank.files.adjustments.\(tag)" }
            var deadLetterTopic: String { "foodbank.dlq.sftp_watcher.\(tag)" }

            func drop(_ folder: String, _ name: String, _ text: String) throws {
                try Data(text.utf8).write(to: root.appendingPathComponent(folder).appendingPathComponent(name))
            }

            /// One poll of the watcher, as its own process.
            func poll() throws {
                let result = try runCapturing(TestStack.binDirectory.appendingPathComponent("sftp-watcher"),
                                              ["--once", "--root", tag, "--topic-suffix", tag],
                                              environment: TestStack.environment.merging(["FOODBANK_INSTANCE_ID": "test-\(tag)"]) { _, new in new })
                #expect(result.status == 0, "sftp-watcher failed:\n\(result.output)")
            }

            /// Every record of `topic` so far (waiting for `count`, or a few seconds when none is expected), as parsed values.
            func records(_ topic: String, atLeast count: Int) throws -> [JSONValue] {
                let messages = try readTopic(topic, kafka: try TestStack.kafka, timeout: .seconds(count == 0 ? 4 : 30)) { count > 0 && $0.count >= count }
                return messages.compactMap { m in m.value.flatMap { try? JSONValue.parse($0) } }
            }

            /// The reason header of the dead letter the watcher wrote for `key` (feed/file).
            func deadLetterReason(for key: String) throws -> String? {
                let messages = try readTopic(deadLetterTopic, kafka: try TestStack.kafka, timeout: .seconds(30)) {
                    $0.contains { $0.key == Array(key.utf8) }
                }
                return messages.first { $0.key == Array(key.utf8) }?.header("foodbank.dlq.reason").map { String(decoding: $0, as: UTF8.self) }
            }

            func manifest(_ file: String) throws -> [String] {
                let db = try TestStack.database()
                return try db.execute("SELECT status FROM platform.file_manifest WHERE file_name = $1 ORDER BY version", [.text(file)]).rows.compactMap { $0[0] }
            }

            func cleanUp() { try? FileManager.default.removeItem(at: root) }
        }

        @Test func anUnexpectedHostKeyIsRefused() throws {
            let inbox = try Inbox()
            defer { inbox.cleanUp() }
            let result = try runCapturing(TestStack.binDirectory.appendingPathComponent("sftp-watcher"), ["--once", "--root", inbox.tag],
                                          environment: TestStack.environment.merging([
                                              "FOODBANK_SFTP_HOST_KEY_SHA256": "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                                          ]) { _, new in new })
            #expect(result.status != 0)
            #expect(result.output.contains("refusing to connect"), "\(result.output)")
        }

        /// Feed accounts are outside uploaders: a link in the inbox could point at anything the
        /// server's account reads. Links, folders and names that are not one plain path component are
        /// quarantined with their reason without being opened, and the good file beside them publishes.
        @Test func linksFoldersAndOddNamesAreRefusedUnread() throws {
            let inbox = try Inbox()
            defer { inbox.cleanUp() }
            let site = inbox.tag
            let folder = inbox.root.appendingPathComponent("legacy_wms")
            let good = "movements_\(site)_202611220800.csv"
            try inbox.drop("legacy_wms", good, Self.legacyHeader + "\(site)-1,RECEIPT,SKU-1,\(site),,3,,11/22/2026 08:00,\nTRAILER,1\n")
            let link = "movements_\(site)_202611220900.csv"
            try FileManager.default.createSymbolicLink(atPath: folder.appendingPathComponent(link).path, withDestinationPath: "/etc/hostname")
            let subfolder = "movements_\(site)_202611221000.csv"
            try FileManager.default.createDirectory(at: folder.appendingPathComponent(subfolder), withIntermediateDirectories: false)
            let backslashed = "movements_\(site)\\x_202611221100.csv"
            try inbox.drop("legacy_wms", backslashed, Self.legacyHeader + "TRAILER,0\n")
            let hidden = ".movements_\(site)_202611221200.csv"
            try inbox.drop("legacy_wms", hidden, Self.legacyHeader + "TRAILER,0\n")

            try inbox.poll()
            #expect(try inbox.manifest(good) == ["published"])
            for (name, expected) in [(link, "a symbolic link"), (subfolder, "a folder"), (backslashed, "refusing path component"),
                                     (hidden, "refusing path component")] {
                #expect(try inbox.manifest(name) == ["quarantined"], "\(name)")
                let reason = try inbox.deadLetterReason(for: "legacy_wms/\(name)")
                #expect(reason?.contains("refused without reading") == true && reason?.contains(expected) == true, "\(name): \(String(describing: reason))")
            }
            let db = try TestStack.database()
            let read = try db.execute("SELECT coalesce(length(content), 0)::text FROM platform.file_manifest WHERE file_name = $1", [.text(link)]).scalar
            #expect(read == "0", "the link's target was read: \(String(describing: read)) bytes stored")
            let published = try inbox.records(inbox.legacyTopic, atLeast: 1)
            #expect(published.count == 1 && published.allSatisfy { $0["file"] == .string(good) }, "\(published)")

            try inbox.poll()
            #expect(try inbox.manifest(link) == ["quarantined"], "seen again, a refused entry is not recorded again")
        }

        static let legacyHeader = "movement_id,movement_type,sku,site_code,lot,cases,lbs,occurred_at,reference\n"
        static let adjustmentsHeader = "adjustment_id,sku,location_id,lot_code,delta_cases,reason,approved_by,effective_date,notes\n"

        @Test func goodRedeliveredCorrectedIncompleteBrokenAndLateFiles() throws {
            let inbox = try Inbox()
            defer { inbox.cleanUp() }
            let site = inbox.tag
            let legacy = "movements_\(site)_202611220800.csv"
            let original = Self.legacyHeader
                + "\(site)-1,RECEIPT,SKU-1,HAY-SAT,L1,10,,11/22/2026 07:15,R-1\n"
                + "\(site)-2,DISTRIBUTION,SKU-1,HAY-SAT,L1,4,40.5,11/22/2026 07:45,O-9\n"
                + "\(site)-3,SPOILAGE,SKU-2,HAY-SAT,,1,,11/22/2026 07:50,\n"
                + "TRAILER,3\n"
            try inbox.drop("legacy_wms", legacy, original)
            let broken = "adjustments_20261122_\(abs(site.hashValue % 1000) + 1).csv"
            try inbox.drop("adjustments", broken, "id,what\nA,1\nTRAILER,1\n")
            let incomplete = "adjustments_20261122_\(abs(site.hashValue % 1000) + 1001).csv"
            let incompleteBody = Self.adjustmentsHeader + "ADJ-\(site)-9,SKU-1,OAK-MAIN,,-1,DAMAGE,Ana,2026-11-22,\"crushed, \"\"badly\"\"\"\n"
            try inbox.drop("adjustments", incomplete, incompleteBody)
            // Late: a file about a day weeks ago, delivered now.
            let late = "adjustments_20261101_\(abs(site.hashValue % 1000) + 2001).csv"
            try inbox.drop("adjustments", late, Self.adjustmentsHeader + "ADJ-\(site)-1,SKU-1,OAK-MAIN,,-2.5,SPOILAGE,Bo,2026-11-01,\"multi\nline ✓\"\nTRAILER,1\n")

            // A site code with a hyphen, as the contract's own location ids have; a name that fits no feed.
            let hyphenated = "movements_\(site)-SAT_202611220900.csv"
            try inbox.drop("legacy_wms", hyphenated, Self.legacyHeader + "\(site)-7,RECEIPT,SKU-1,\(site)-SAT,,3,,11/22/2026 09:00,\nTRAILER,1\n")
            let stray = "movements-\(site).csv"
            try inbox.drop("legacy_wms", stray, original)

            try inbox.poll()
            var legacyRecords = try inbox.records(inbox.legacyTopic, atLeast: 4)
            #expect(try inbox.manifest(hyphenated) == ["published"])
            #expect(legacyRecords.contains { $0["file"] == .string(hyphenated) }, "the hyphenated site's file was not published")
            #expect(try inbox.manifest(stray) == ["quarantined"])
            let strayReason = try inbox.deadLetterReason(for: "legacy_wms/\(stray)")
            #expect(strayReason?.contains("fits no feed") == true, "dead letter reason: \(String(describing: strayReason))")
            legacyRecords.removeAll { $0["file"] == .string(hyphenated) }
            #expect(legacyRecords.count == 3)
            #expect(legacyRecords.allSatisfy { $0["change"] == .string("assert") && $0["file_version"] == .int(1) })
            var adjustments = try inbox.records(inbox.adjustmentsTopic, atLeast: 1)
            #expect(adjustments.count == 1)
            #expect(adjustments.first?["row"]?["notes"] == .string("multi\nline ✓"))
            #expect(try inbox.manifest(legacy) == ["published"])
            #expect(try inbox.manifest(broken) == ["quarantined"])
            let reason = try inbox.deadLetterReason(for: "adjustments/\(broken)")
            #expect(reason?.contains("expected columns") == true, "dead letter reason: \(String(describing: reason))")
            #expect(try inbox.manifest(incomplete) == ["held_incomplete"])
            #expect(try inbox.manifest(late) == ["published"])

            // Nothing changed, and an identical re-delivery: no new records.
            try inbox.poll()
            try inbox.drop("legacy_wms", legacy, original)
            try inbox.poll()
            #expect(try inbox.records(inbox.legacyTopic, atLeast: 0).count == 4)
            #expect(try inbox.manifest(stray) == ["quarantined"], "a quarantined name is recorded once, not on every poll")

            // A correction: new content under the same name retracts the three rows and asserts the new two.
            let corrected = Self.legacyHeader
                + "\(site)-1,RECEIPT,SKU-1,HAY-SAT,L1,12,,11/22/2026 07:15,R-1\n"
                + "\(site)-2,DISTRIBUTION,SKU-1,HAY-SAT,L1,4,40.5,11/22/2026 07:45,O-9\n"
                + "TRAILER,2\n"
            try inbox.drop("legacy_wms", legacy, corrected)
            try inbox.poll()
            legacyRecords = try inbox.records(inbox.legacyTopic, atLeast: 9).filter { $0["file"] != .string(hyphenated) }
            #expect(legacyRecords.count == 8)
            let retracted = legacyRecords.filter { $0["change"] == .string("retract") }
            #expect(retracted.count == 3 && retracted.allSatisfy { $0["file_version"] == .int(1) })
            let reasserted = legacyRecords.filter { $0["change"] == .string("assert") && $0["file_version"] == .int(2) }
            #expect(reasserted.sorted { ($0["record"]?.intValue ?? 0) < ($1["record"]?.intValue ?? 0) }.map { $0["row"]?["cases"] }
                    == [.string("12"), .string("4")])
            #expect(try inbox.manifest(legacy) == ["superseded", "published"])

            // The incomplete file gets its trailer: published once, whole.
            try inbox.drop("adjustments", incomplete, incompleteBody + "TRAILER,1\n")
            try inbox.poll()
            adjustments = try inbox.records(inbox.adjustmentsTopic, atLeast: 2)
            #expect(adjustments.count == 2)
            #expect(adjustments.contains { $0["row"]?["notes"] == .string("crushed, \"badly\"") })
            #expect(try inbox.manifest(incomplete) == ["held_incomplete", "published"])
        }
    }
}
