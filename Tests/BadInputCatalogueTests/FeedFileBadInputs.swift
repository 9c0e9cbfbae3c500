import FoodbankFeeds
@testable import FoodbankSFTP
import Foundation

/// Files in the SFTP inbox, as sftp-watcher judges them before publishing a row.
enum FeedFileBadInputs {
    static let header = "movement_id,movement_type,sku,site_code,lot,cases,lbs,occurred_at,reference"
    static let row = "M-1,RECEIPT,SKU-1,HAY-SAT,,4,40,11/02/2026 09:15,D-1"
    static let name = "movements_HAY-SAT_202611020915.csv"

    static func file(_ kind: String, _ reason: String, name: String = name, refusal: String? = nil, _ content: [UInt8]) -> BadInput {
        BadInput(layer: .feedFile, kind: kind, outcome: reason.hasPrefix("held: ") ? .held : .quarantined, reason: reason) {
            switch FeedDefinition.legacyWMS.judge(fileName: name, content: content, refusal: refusal) {
            case .complete: return nil
            case .incomplete(let reason): return "held: \(reason)"
            case .broken(let reason): return reason
            }
        }
    }

    static func file(_ kind: String, _ reason: String, name: String = name, _ lines: [String]) -> BadInput {
        file(kind, reason, name: name, Array((lines.joined(separator: "\n") + "\n").utf8))
    }

    static func entry(_ kind: String, _ reason: String, _ entry: SFTPClient.Entry) -> BadInput {
        file(kind, reason, name: entry.name, refusal: entry.refusal, [])
    }

    static let all: [BadInput] = [
        file("a file that is not UTF-8", "not valid UTF-8", Array(header.utf8) + [0x0A, 0xC3, 0x28, 0x0A]),
        file("an empty file", "held: empty file", [UInt8]()),
        file("a file without its trailer", "held: no TRAILER line", [header, row]),
        file("an unterminated quote (it swallows the trailer)", "held: no TRAILER line", [header, "\"M-1,RECEIPT", "TRAILER,1"]),
        file("columns other than the feed's", "expected columns movement_id,movement_type", ["movement_id,type,sku", row, "TRAILER,1"]),
        file("a trailer whose count is not a number", "malformed trailer TRAILER,one", [header, row, "TRAILER,one"]),
        file("a trailer with extra fields", "malformed trailer TRAILER,1,x", [header, row, "TRAILER,1,x"]),
        file("a trailer with a signed count", "malformed trailer TRAILER,+1", [header, row, "TRAILER,+1"]),
        file("a quote inside an unquoted field", "a quote inside an unquoted field, or text after a closing quote, on line 2",
             [header, "M-1,RECEIPT,SKU-1,HAY-SAT,,4,40,11/02/2026 09:15,said \"D-1\"", "TRAILER,1"]),
        file("text after a closing quote", "a quote inside an unquoted field, or text after a closing quote, on line 3",
             [header, row, "M-2,RECEIPT,SKU-1,HAY-SAT,\"L1\"x,4,40,11/02/2026 09:15,D-1", "TRAILER,2"]),
        file("a trailer counting other rows than the file has", "trailer counts 3 rows, the file has 1", [header, row, "TRAILER,3"]),
        file("a row narrower than the header", "data row 1 has 8 fields, the header 9", [header, "M-1,RECEIPT,SKU-1,HAY-SAT,,4,40,x", "TRAILER,1"]),
        file("a row wider than the header", "data row 2 has 10 fields, the header 9", [header, row, row + ",extra", "TRAILER,2"]),
        file("a name that fits no feed", "the file name fits no feed: legacy_wms/ takes movements_<SITE>_<YYYYMMDDHHMM>.csv",
             name: "movements_HAY_SAT_2026.csv", [header, row, "TRAILER,1"]),
        file("a site code with characters the contract does not allow", "the file name fits no feed",
             name: "movements_HAY.SAT_202611020915.csv", [header, row, "TRAILER,1"]),
        entry("a symbolic link", "refused without reading: a symbolic link, not a regular file",
              .init(name: name, kind: .symbolicLink, size: 0, modifiedAt: Date())),
        entry("a folder", "refused without reading: a folder, not a regular file", .init(name: "old", kind: .folder, size: 0, modifiedAt: Date())),
        entry("a name with a path separator", "refused without reading: refusing path component",
              .init(name: "..\\movements_X_202611020915.csv", kind: .file, size: 10, modifiedAt: Date())),
        entry("a hidden name", "refused without reading: refusing path component", .init(name: ".movements_X_202611020915.csv", kind: .file, size: 10, modifiedAt: Date())),
    ]
}
