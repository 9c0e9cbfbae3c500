import FoodbankCanonical
import FoodbankDQ
import FoodbankNightly
import FoodbankReconcile

/// A canonical record's value (empty: no value) as each consumer of the canonical topics reads it:
/// reconcile's plan of every input and the ledger fold of its versions, dq's facts of every input,
/// nightly's row versions. The readers answer with rejections; only a crash is a defect. (dedupe
/// reads only the event id header, never the value.)
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let value: [UInt8]? = size == 0 ? nil : Array(UnsafeBufferPointer(start: data, count: size))
    let plan = ReconcileRules.plan([ReconcileRules.Input.inventoryEvents, .items, .otherCanonical].map { ($0, value) })
    let folded = LedgerFold.fold(plan.versions, stored: [:])
    for leg in folded.touchedLegs { _ = leg.json().encoded() }
    _ = DQFacts.collect([DQFacts.Input.inventoryEvents, .donations, .agencyOrders, .fulfillment, .items, .balances].map { ($0, value) })
    _ = NightlyRecords.versions([NightlyRecords.Input.canonical, .donors].map { ($0, value) })
    return 0
}
