import FoodbankCanonical
import FoodbankJSON
import Foundation

/// Every raw topic normalize reads, one per rule: the warehouse movements, the two feeds, and each
/// table of the donations, agency and fulfillment systems.
let sources = ["foodbank.cdc.warehouse.wms.inventory_transactions", "foodbank.files.legacy_wms", "foodbank.files.adjustments"]
    .compactMap(RawSource.forTopic) + RecordSpec.all.compactMap { RawSource.forTopic("foodbank.cdc.\($0.cdcTopicSuffix)") }

/// A raw record's value (empty: a tombstone) as normalize reads it, under every raw source's rule:
/// the facts a header establishes, then its canonical records, encoded as they are published. A
/// line's header key is known for some ids and not yet for others, so both of normalize's answers
/// are taken. normalize dead-letters a ``Rejection``; any other error would fail its whole batch,
/// so that is a defect here too, like a crash.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let value: [UInt8]? = size == 0 ? nil : Array(UnsafeBufferPointer(start: data, count: size))
    // A fixed clock: the same input must take the same path on every run.
    let processedAt = Date(timeIntervalSince1970: 1_795_362_716)
    for source in sources {
        do {
            _ = try source.parentFacts(value)
            switch try source.outputs(value, processedAt: processedAt, keyOf: { $0.parent.id.hasSuffix("7") ? nil : "K-\($0.parent.id)" }) {
            case .outputs(let outputs), .unreadable(let outputs, _):
                for output in outputs { _ = output.value.encoded() }
            case .waitingFor:
                break
            }
        } catch is Rejection {
        } catch {
            fatalError("\(source) threw \(type(of: error)), not a Rejection: \(error)")
        }
    }
    return 0
}
