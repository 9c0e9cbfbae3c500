@testable import FoodbankOracle
import FoodbankFeeds
import Foundation
import Testing

/// The oracle's own reading of feed files against the contract, and beside the watcher's parser:
/// two readings written apart must take the same files, with the same rows.
@Suite struct FeedFileReadingTests {
    static let header = FeedDefinition.adjustments.columns.joined(separator: ",")

    static func file(_ lines: String...) -> [UInt8] { Array(lines.joined(separator: "\r\n").utf8) }

    @Test func quotedCommasQuotesAndLineBreaksAreOneField() throws {
        let rows = try #require(FeedFileReading.rows(Self.file(Self.header,
            "A-1,S1,OAK-MAIN,,-2,DAMAGE,Pat,2026-11-16,\"said \"\"dropped\"\", pallet 3\nsecond line\"", "TRAILER,1", ""),
            columns: FeedDefinition.adjustments.columns))
        #expect(rows.map { $0["notes"] } == ["said \"dropped\", pallet 3\nsecond line"])
    }

    @Test func whatIsNotACompleteFileHasNoRows() {
        let columns = FeedDefinition.adjustments.columns
        let row = "A-1,S1,OAK-MAIN,,-2,DAMAGE,Pat,2026-11-16,"
        for (bytes, why) in [(Self.file(Self.header, row), "no trailer"), (Self.file(Self.header, row, "TRAILER,2"), "a wrong count"),
                             (Self.file(Self.header, row, "TRAILER,+1"), "a signed count"), (Self.file(Self.header, row + ",x", "TRAILER,1"), "a ragged row"),
                             (Self.file(Self.header, row + "\"open", "TRAILER,1"), "a stray quote"),
                             (Self.file(Self.header.uppercased(), row, "TRAILER,1"), "another header"), ([0xFF] + Self.file(Self.header, row, "TRAILER,1"), "invalid UTF-8")] {
            #expect(FeedFileReading.rows(bytes, columns: columns) == nil, "\(why)")
        }
    }

    @Test func aByteOrderMarkAndEmptyLinesAreNothing() {
        let row = "A-1,S1,OAK-MAIN,,-2,DAMAGE,Pat,2026-11-16,"
        let rows = FeedFileReading.rows([0xEF, 0xBB, 0xBF] + Self.file(Self.header, "", row, "", "TRAILER,1", "", ""), columns: FeedDefinition.adjustments.columns)
        #expect(rows?.count == 1)
    }

    /// The committed fuzz corpus, and seeded mutations of it (bytes dropped, doubled, replaced by
    /// the characters CSV is made of): both readings agree on every one.
    @Test func theWatchersParserAndTheOracleAgree() throws {
        let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../Fuzz/corpus/feed-parser").standardized
        let files = try FileManager.default.contentsOfDirectory(atPath: corpus.path).sorted().map { Array(try Data(contentsOf: corpus.appendingPathComponent($0))) }
        try #require(!files.isEmpty)
        var state: UInt64 = 20_261_203
        func next(_ n: Int) -> Int { state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407; return Int(state >> 33) % n }
        let alphabet = Array("\",\r\nT0".utf8)
        var cases = files
        for _ in 0..<3000 {
            var bytes = files[next(files.count)]
            for _ in 0...next(3) where !bytes.isEmpty {
                let at = next(bytes.count)
                switch next(3) {
                case 0: bytes.remove(at: at)
                case 1: bytes.insert(bytes[at], at: at)
                default: bytes[at] = alphabet[next(alphabet.count)]
                }
            }
            cases.append(bytes)
        }
        var disagreements: [String] = []
        for bytes in cases {
            for feed in [FeedDefinition.legacyWMS, .adjustments] {
                var watcher: [[String: String]]?
                if case .complete(let rows) = FeedParser.parse(bytes, feed: feed) { watcher = rows }
                let oracle = FeedFileReading.rows(bytes, columns: feed.columns)
                if watcher != oracle { disagreements.append("watcher \(watcher.map { "\($0.count) rows" } ?? "none"), oracle \(oracle.map { "\($0.count) rows" } ?? "none"): \(String(decoding: bytes, as: UTF8.self).debugDescription.prefix(300))") }
            }
        }
        #expect(disagreements.isEmpty, "\(disagreements.count) of \(cases.count * 2) readings differ, e.g.\n\(disagreements.prefix(5).joined(separator: "\n"))")
    }
}
