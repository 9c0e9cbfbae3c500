import FoodbankJSON
import Foundation

/// One data-quality check: what it is called in `ops.dq_violations`, how bad it is, what kind of
/// entity a finding names, and the function that judges the evidence dq loaded for it.
public struct DQCheck: Sendable {
    public enum Severity: String, Sendable { case info, warning, error, critical }

    public let name: String
    public let severity: Severity
    public let entityType: String
    public let description: String
    /// Judges the entities the evidence covers; pure.
    public let evaluate: @Sendable (DQEvidence) -> DQVerdict
}

/// What one check concluded for the entities it examined: each examined entity is either a problem
/// (opened, or seen again) or not (its open finding, if any, is resolved). Entities the check could
/// not decide yet (a shipment inside its grace period) are simply not examined.
public struct DQVerdict: Equatable, Sendable {
    public var examined: Set<String> = []
    /// Entity key -> details of the problem.
    public var problems: [String: JSONValue] = [:]

    public init(examined: Set<String> = [], problems: [String: JSONValue] = [:]) {
        self.examined = examined.union(problems.keys)
        self.problems = problems
    }
}

/// Every check dq runs, declared in one place: adding a check is adding a declaration here, its
/// function below, and the evidence it needs in ``DQEvidence``.
public enum DQChecks {
    public static let missingSku = DQCheck(
        name: "missing_sku", severity: .error, entityType: "sku",
        description: "A movement, donation line, order line or shipment line names a sku the item master does not have; resolved when the item appears or no live record names it any more.",
        evaluate: DQRules.missingSkus)
    public static let negativeBalance = DQCheck(
        name: "negative_balance", severity: .warning, entityType: "position",
        description: "On-hand below zero for a sku, location and lot (sku|location|lot); resolved when the balance is back at zero or above.",
        evaluate: DQRules.negativeBalances)
    public static let duplicateDonationID = DQCheck(
        name: "duplicate_donation_id", severity: .error, entityType: "donation",
        description: "One donation receipt number keyed as two or more intakes that are not voided; finance counts only the newest.",
        evaluate: DQRules.duplicateDonations)
    public static let orphanedFulfillment = DQCheck(
        name: "orphaned_fulfillment", severity: .error, entityType: "shipment",
        description: "A shipment (or one of its lines) whose order (or order line) has not arrived within the grace period; resolved when it arrives or the shipment is voided or deleted.",
        evaluate: DQRules.orphanedShipments)

    public static let implausibleValue = DQCheck(
        name: "implausible_value", severity: .warning, entityType: "record",
        description: "A movement, donation line, order line or shipment line states a quantity at or above its plausible limit (cases, pounds or dollars in one line); counted as the source states it, flagged for a person to confirm; resolved when corrected below the limit or removed.",
        evaluate: DQRules.implausibleValues)

    public static let all = [missingSku, negativeBalance, duplicateDonationID, orphanedFulfillment, implausibleValue]

    public static func named(_ name: String) -> DQCheck? { all.first { $0.name == name } }
}

/// What dq knows about the entities one batch (or one housekeeping round) touched, loaded from its
/// state tables after the batch's facts were written.
public struct DQEvidence: Sendable, Equatable {
    public struct Sku: Sendable, Equatable {
        public var known: Bool
        /// Live records that named it while it was unknown.
        public var references: Int
        public init(known: Bool, references: Int) { (self.known, self.references) = (known, references) }
    }

    public struct Shipment: Sendable, Equatable {
        public var orderID: String
        /// Deleted at the source, or status `void`: nothing is owed.
        public var cancelled: Bool
        public var orderArrived: Bool
        /// Order line numbers its lines name that have not arrived.
        public var missingOrderLines: [Int64]
        public var firstSeenAt: Date

        public init(orderID: String, cancelled: Bool, orderArrived: Bool, missingOrderLines: [Int64], firstSeenAt: Date) {
            (self.orderID, self.cancelled, self.orderArrived, self.missingOrderLines, self.firstSeenAt) =
                (orderID, cancelled, orderArrived, missingOrderLines, firstSeenAt)
        }
    }

    public var skus: [String: Sku] = [:]
    /// The latest balance per position key.
    public var balances: [String: Decimal] = [:]
    /// Donation id -> the intake ids keyed with it that are live and not voided.
    public var intakes: [String: [Int64]] = [:]
    public var shipments: [String: Shipment] = [:]
    /// Record id -> the quantities its latest version states (empty: not live).
    public var quantities: [String: [String: Decimal]] = [:]
    public var limits = PlausibleLimits()
    public var now = Date()
    public var gracePeriod: TimeInterval = 15 * 60

    public init() {}
}

/// The largest quantity one line or movement plausibly states, per unit. A regional food bank's
/// largest single receipts are a few truckloads: a 53-foot trailer carries about 2,000 cases and
/// 45,000 lbs. A value at or above its limit is counted as the source states it (the source of
/// record holds it) and flagged for a person to confirm.
public struct PlausibleLimits: Sendable, Equatable {
    public var cases: Decimal = 10_000
    public var lbs: Decimal = 250_000
    public var usd: Decimal = 250_000

    public init() {}

    func limit(_ unit: DQRules.QuantityUnit) -> Decimal {
        switch unit {
        case .cases: return cases
        case .lbs: return lbs
        case .usd: return usd
        }
    }
}

/// The checks' functions: plain functions over the evidence.
public enum DQRules {
    public enum QuantityUnit: String, Sendable { case cases, lbs, usd }

    /// The canonical fields that state a quantity, with their unit.
    public static let quantityFields: [String: QuantityUnit] = [
        "delta_cases": .cases, "quantity_cases": .cases, "quantity_cases_requested": .cases,
        "weight_lbs": .lbs, "fair_market_value_usd": .usd,
    ]

    @Sendable public static func implausibleValues(_ evidence: DQEvidence) -> DQVerdict {
        var problems: [String: JSONValue] = [:]
        for (record, quantities) in evidence.quantities {
            let over = quantities.filter { field, value in
                quantityFields[field].map { abs(value) >= evidence.limits.limit($0) } ?? false
            }
            guard !over.isEmpty else { continue }
            problems[record] = .object(Dictionary(uniqueKeysWithValues: over.map { field, value in
                (field, JSONValue.object(["value": .string("\(value)"), "limit": .string("\(evidence.limits.limit(quantityFields[field]!))")]))
            }))
        }
        return DQVerdict(examined: Set(evidence.quantities.keys), problems: problems)
    }

    @Sendable public static func missingSkus(_ evidence: DQEvidence) -> DQVerdict {
        var problems: [String: JSONValue] = [:]
        for (sku, state) in evidence.skus where !state.known && state.references > 0 {
            problems[sku] = .object(["sku": .string(sku), "live_references": .int(Int64(state.references))])
        }
        return DQVerdict(examined: Set(evidence.skus.keys), problems: problems)
    }

    @Sendable public static func negativeBalances(_ evidence: DQEvidence) -> DQVerdict {
        var problems: [String: JSONValue] = [:]
        for (position, cases) in evidence.balances where cases < 0 {
            problems[position] = .object(["on_hand_cases": .string("\(cases)")])
        }
        return DQVerdict(examined: Set(evidence.balances.keys), problems: problems)
    }

    @Sendable public static func duplicateDonations(_ evidence: DQEvidence) -> DQVerdict {
        var problems: [String: JSONValue] = [:]
        for (donationID, intakes) in evidence.intakes where intakes.count > 1 {
            let sorted = intakes.sorted()
            problems[donationID] = .object(["intake_ids": .array(sorted.map(JSONValue.int)), "counted_intake_id": .int(sorted.last!)])
        }
        return DQVerdict(examined: Set(evidence.intakes.keys), problems: problems)
    }

    /// A shipment missing its order waits out the grace period (orders often arrive after their
    /// shipments); until then it is not examined, neither opened nor resolved.
    @Sendable public static func orphanedShipments(_ evidence: DQEvidence) -> DQVerdict {
        var examined = Set<String>()
        var problems: [String: JSONValue] = [:]
        for (shipmentID, shipment) in evidence.shipments {
            let complete = shipment.orderArrived && shipment.missingOrderLines.isEmpty
            if shipment.cancelled || complete {
                examined.insert(shipmentID)
            } else if evidence.now.timeIntervalSince(shipment.firstSeenAt) >= evidence.gracePeriod {
                problems[shipmentID] = .object(["order_id": .string(shipment.orderID), "order_arrived": .bool(shipment.orderArrived),
                                                "missing_order_lines": .array(shipment.missingOrderLines.sorted().map(JSONValue.int))])
            }
        }
        return DQVerdict(examined: examined, problems: problems)
    }
}
