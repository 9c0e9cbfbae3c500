import FoodbankCanonical
import FoodbankJSON
import Foundation

/// Runs normalize's real rule for a raw topic over one record and gives the reason it refused the
/// record with (a thrown rejection, or an unreadable version's), or nil if it accepted it.
enum CanonicalJudge {
    static let now = Date(timeIntervalSince1970: 1_795_400_000)

    static func normalize(_ topic: String, _ value: JSONValue?) -> String? {
        normalize(topic, bytes: value.map { Array($0.encoded()) })
    }

    static func normalize(_ topic: String, bytes: [UInt8]?) -> String? {
        guard let source = RawSource.forTopic(topic) else { return "no rule for \(topic)" }
        do {
            switch try source.outputs(bytes, processedAt: now, keyOf: { _ in "ORDER-1" }) {
            case .outputs: return nil
            case .unreadable(_, let rejection): return rejection.reason
            case .waitingFor(let parent): return "waits for \(parent)"
            }
        } catch {
            return "\(error)"
        }
    }

    static func reason(_ judge: () throws -> Void) -> String? {
        do {
            try judge()
            return nil
        } catch {
            return "\(error)"
        }
    }
}
