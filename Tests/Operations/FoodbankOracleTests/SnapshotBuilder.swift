@testable import FoodbankOracle

/// A ``SourceSnapshot`` written the way the contract talks about the sources: each helper adds one
/// source row (text form, in its ``SourceTable``'s column order) or one delivered feed file version.
/// Defaults: sku `SKU-1`, location `OAK-MAIN`, and 2026-03-08 18:00 UTC (11:00 in Los Angeles).
struct SnapshotBuilder {
    static let defaultTime = "2026-03-08 18:00:00+00"

    private(set) var snapshot = SourceSnapshot()

    private func adding(_ table: SourceTable, _ row: [String?]) -> SnapshotBuilder {
        var copy = self
        copy.snapshot.rows[table, default: []].append(row)
        return copy
    }

    /// `wms.items`: a sku the item master holds, with the weight of one case.
    func item(_ sku: String = "SKU-1", weight: String) -> SnapshotBuilder {
        adding(.items, [sku, weight])
    }

    /// `wms.inventory_transactions`.
    func movement(id: Int, type: String, sku: String = "SKU-1", location: String = "OAK-MAIN", to: String? = nil,
                  lot: String? = nil, qty: String, lbs: String? = nil, refType: String? = nil, ref: String? = nil,
                  at: String = defaultTime) -> SnapshotBuilder {
        adding(.inventoryTransactions, [String(id), type, sku, location, to, lot, qty, lbs, refType, ref, at])
    }

    /// `intake.donors`.
    func donor(_ id: String, type: String) -> SnapshotBuilder {
        adding(.donors, [id, type])
    }

    /// `intake.donations`: one intake (a keying of a paper receipt `donation`).
    func intake(_ id: Int, donation: String, donor: String = "DONOR-1", location: String = "OAK-MAIN",
                receivedAt: String = defaultTime, status: String = "received") -> SnapshotBuilder {
        adding(.donations, [String(id), donation, donor, location, receivedAt, status])
    }

    /// `intake.donation_lines`.
    func donationLine(intake: Int, line: Int = 1, sku: String = "SKU-1", cases: String, lbs: String = "0",
                      lot: String? = nil, fmv: String? = nil) -> SnapshotBuilder {
        adding(.donationLines, [String(intake), String(line), sku, cases, lbs, lot, fmv])
    }

    /// `agency.orders`.
    func order(_ id: String, agency: String = "AG-1", status: String = "approved") -> SnapshotBuilder {
        adding(.orders, [id, agency, status])
    }

    /// `agency.order_lines`.
    func orderLine(order: String, line: Int = 1, sku: String = "SKU-1", requested: String) -> SnapshotBuilder {
        adding(.orderLines, [order, String(line), sku, requested])
    }

    /// `pick.shipments`.
    func shipment(_ id: String, order: String, location: String = "OAK-MAIN", shippedAt: String? = defaultTime,
                  status: String = "shipped") -> SnapshotBuilder {
        adding(.shipments, [id, order, location, shippedAt, status])
    }

    /// `pick.shipment_lines`.
    func shipmentLine(shipment: String, line: Int = 1, orderLine: Int = 1, sku: String = "SKU-1", lot: String? = nil,
                      cases: String, lbs: String? = nil) -> SnapshotBuilder {
        adding(.shipmentLines, [shipment, String(line), String(orderLine), sku, lot, cases, lbs])
    }

    /// One feed file version, delivered after every file added before it.
    func delivered(_ file: DeliveredFile) -> SnapshotBuilder {
        var copy = self
        copy.snapshot.deliveries.append(file)
        return copy
    }
}
