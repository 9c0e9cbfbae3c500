@testable import FoodbankFeeds
import FoodbankJSON
@testable import FoodbankSFTP
import Testing

@Suite struct FeedParserTests {
    let header = "adjustment_id,sku,location_id,lot_code,delta_cases,reason,approved_by,effective_date,notes"

    func parse(_ text: String, feed: FeedDefinition = .adjustments) -> ParsedFeedFile {
        FeedParser.parse(Array(text.utf8), feed: feed)
    }

    @Test func quotedCommasNewlinesCRLFAndUnicodeSurvive() {
        let text = "\u{FEFF}" + header + "\r\n"
            + "ADJ-1,SKU-1,OAK-MAIN,,-2.5,SPOILAGE,Ana,2026-11-20,\"leaking, \"\"cold\"\" room\r\nsecond line ✓ 🥫\"\r\n"
            + "ADJ-2,SKU-2,OAK-COLD,L9,4,RECOUNT,Bo,2026-11-20,\r\n"
            + "TRAILER,2\r\n"
        guard case .complete(let rows) = parse(text) else { Issue.record("not complete: \(parse(text))"); return }
        #expect(rows.count == 2)
        #expect(rows[0]["notes"] == "leaking, \"cold\" room\r\nsecond line ✓ 🥫")
        #expect(rows[0]["lot_code"] == "")
        #expect(rows[1]["delta_cases"] == "4")
    }

    @Test func missingTrailerIsHeldNotBroken() {
        #expect(parse(header + "\nADJ-1,SKU-1,OAK,,1,OTHER,Ana,2026-11-20,x\n") == .incomplete(reason: "no TRAILER line"))
        #expect(parse("") == .incomplete(reason: "empty file"))
    }

    @Test func shapeProblemsAreBrokenWithAReason() {
        if case .broken(let why) = parse("a,b\nTRAILER,0\n") { #expect(why.contains("expected columns")) } else { Issue.record("wrong header accepted") }
        if case .broken(let why) = parse(header + "\nADJ-1,SKU-1\nTRAILER,1\n") { #expect(why.contains("data row 1 has 2 fields")) } else { Issue.record("ragged row accepted") }
        if case .broken(let why) = parse(header + "\nTRAILER,3\n") { #expect(why.contains("trailer counts 3 rows, the file has 0")) } else { Issue.record("bad count accepted") }
        if case .broken(let why) = parse(header + "\nTRAILER,x\n") { #expect(why.contains("malformed trailer")) } else { Issue.record("bad trailer accepted") }
        let invalidUTF8 = Array((header + "\nADJ-1,SKU-1,OAK,,1,OTHER,").utf8) + [0xC3, 0x28] + Array(",2026-11-20,x\nTRAILER,1\n".utf8)
        #expect(FeedParser.parse(invalidUTF8, feed: .adjustments) == .broken(reason: "not valid UTF-8"))
    }

    @Test func fileNamesFollowTheContract() {
        #expect(FeedDefinition.legacyWMS.accepts(fileName: "movements_HAY_202611220800.csv"))
        // <SITE> is a location id: letters, digits and hyphens, as the contract's own HAY-SAT.
        #expect(FeedDefinition.legacyWMS.accepts(fileName: "movements_HAY-SAT_202611220800.csv"))
        #expect(!FeedDefinition.legacyWMS.accepts(fileName: "movements_HAY SAT_202611220800.csv"))
        #expect(!FeedDefinition.legacyWMS.accepts(fileName: "movements_HAY_2026112208.csv"))
        #expect(FeedDefinition.adjustments.accepts(fileName: "adjustments_20261122_3.csv"))
        #expect(!FeedDefinition.adjustments.accepts(fileName: "../adjustments_20261122_3.csv"))
    }

    @Test func inboxEscapesAreRefused() {
        for name in ["..", "../etc/passwd", ".hidden", "a/b", "", "a\\b"] {
            #expect(throws: SFTPError.self) { try SFTPClient.checkPathPart(name) }
        }
        #expect(throws: Never.self) { try SFTPClient.checkPathPart("movements_HAY_202611220800.csv") }
    }
}

@Suite struct FileActionTests {
    let complete = ParsedFeedFile.complete(rows: [["a": "1"]])

    @Test func firstDeliveryPublishesVersionOne() {
        #expect(FileAction.decide(latest: nil, latestPublished: nil, sha256: "s1", parsed: complete) == .publish(version: 1, retracting: nil))
    }

    @Test func identicalRedeliveryDoesNothing() {
        let v1 = ManifestEntry(version: 1, sha256: "s1", status: .published)
        #expect(FileAction.decide(latest: v1, latestPublished: v1, sha256: "s1", parsed: complete) == .alreadyPublished)
    }

    @Test func changedContentIsACorrectionThatRetractsTheLivePublishedVersion() {
        let v1 = ManifestEntry(version: 1, sha256: "s1", status: .published)
        #expect(FileAction.decide(latest: v1, latestPublished: v1, sha256: "s2", parsed: complete) == .publish(version: 2, retracting: 1))
        // A broken correction in between does not change which version is live.
        let v2 = ManifestEntry(version: 2, sha256: "s2", status: .quarantined)
        #expect(FileAction.decide(latest: v2, latestPublished: v1, sha256: "s3", parsed: complete) == .publish(version: 3, retracting: 1))
        // Going back to the live content is a re-delivery.
        #expect(FileAction.decide(latest: v2, latestPublished: v1, sha256: "s1", parsed: complete) == .alreadyPublished)
    }

    @Test func incompleteIsHeldThenPublishedWhenComplete() {
        #expect(FileAction.decide(latest: nil, latestPublished: nil, sha256: "s1", parsed: .incomplete(reason: "no TRAILER line"))
                == .hold(version: 1, reason: "no TRAILER line"))
        let held = ManifestEntry(version: 1, sha256: "s1", status: .heldIncomplete)
        #expect(FileAction.decide(latest: held, latestPublished: nil, sha256: "s1", parsed: .incomplete(reason: "no TRAILER line")) == .unchanged)
        #expect(FileAction.decide(latest: held, latestPublished: nil, sha256: "s2", parsed: complete) == .publish(version: 2, retracting: nil))
    }

    @Test func brokenIsQuarantined() {
        #expect(FileAction.decide(latest: nil, latestPublished: nil, sha256: "s1", parsed: .broken(reason: "r")) == .quarantine(version: 1, reason: "r"))
    }

    @Test func recordsAreKeyedByBusinessIDAndCarryTheirFileIdentity() throws {
        let records = FeedRecords.records(feed: .legacyWMS, file: "movements_HAY_202611220800.csv", version: 2, delivery: 7, sha256: "abc",
                                          rows: [["movement_id": "HAY-1", "site_code": "HAY-SAT"]], change: .retract)
        #expect(records.count == 1)
        #expect(records[0].key == Array("HAY-SAT|HAY-1".utf8))
        #expect(records[0].topic == "foodbank.files.legacy_wms")
        let value = try JSONValue.parse(records[0].value ?? [])
        #expect(value["change"] == .string("retract"))
        #expect(value["file_version"] == .int(2))
        #expect(value["record"] == .int(1))
        #expect(value["delivery"] == .int(7), "the order in which the platform first saw the version: the row's position")
        #expect(value["row"]?["movement_id"] == .string("HAY-1"))
    }
}
