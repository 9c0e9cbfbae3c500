import FoodbankCanonical
import FoodbankFeeds
import FoodbankJSON
import Foundation

/// A delivered file's bytes, as sftp-watcher and normalize handle them: parsed as each feed (the
/// header decides which one takes it), and a complete file's rows turned into the feed records
/// sftp-watcher publishes and normalized as normalize reads them. Quarantine and rejections are
/// answers; only a crash is a defect.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    // A fixed clock: the same input must take the same path on every run.
    let processedAt = Date(timeIntervalSince1970: 1_795_362_716)
    for (feed, source) in [(FeedDefinition.legacyWMS, RawSource.legacyFeed), (.adjustments, .adjustmentsFeed)] {
        guard case .complete(let rows) = FeedParser.parse(bytes, feed: feed) else { continue }
        for change in [FeedRecords.Change.assert, .retract] {
            let records = FeedRecords.records(feed: feed, file: "fuzz.csv", version: 2, delivery: 7, sha256: "00", rows: rows, change: change)
            for record in records {
                guard let outputs = try? source.outputs(record.value, processedAt: processedAt, keyOf: { _ in nil }) else { continue }
                switch outputs {
                case .outputs(let published), .unreadable(let published, _):
                    for output in published { _ = output.value.encoded() }
                case .waitingFor:
                    break
                }
            }
        }
    }
    return 0
}
