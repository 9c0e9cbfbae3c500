import Foundation

/// What the simulated sources mean, computed by the contract's rules as the simulator writes them:
/// the answer the platform's tables must reach.
public struct Truth: Sendable, Equatable {
    public struct Position: Hashable, Sendable, Comparable {
        public var sku: String
        public var location: String
        /// "" for no lot.
        public var lot: String

        public static func < (a: Position, b: Position) -> Bool { (a.sku, a.location, a.lot) < (b.sku, b.location, b.lot) }
    }

    public struct Balance: Sendable, Equatable {
        public var cases: Decimal = 0
        public var lbs: Decimal = 0
    }

    public struct DayKey: Hashable, Sendable, Comparable {
        public var date: String   // YYYY-MM-DD, America/Los_Angeles
        public var sku: String
        public var location: String

        public static func < (a: DayKey, b: DayKey) -> Bool { (a.date, a.sku, a.location) < (b.date, b.sku, b.location) }
    }

    public struct DayTotals: Sendable, Equatable {
        public var receipts: Decimal = 0
        public var transfersIn: Decimal = 0
        public var transfersOut: Decimal = 0
        public var adjustments: Decimal = 0
        public var spoilage: Decimal = 0
        public var distributions: Decimal = 0
    }

    public enum Kind: Sendable { case receipt, transferIn, transferOut, adjustment, spoilage, distribution }

    public private(set) var onHand: [Position: Balance] = [:]
    public private(set) var daily: [DayKey: DayTotals] = [:]
    /// Problems planted on purpose, by check name, each once: what the DQ stage must find.
    public var planted: [String: Set<String>] = [:]

    public init() {}

    /// Applies one movement (or, with `sign` -1, takes it back: a corrected or deleted row).
    public mutating func apply(_ kind: Kind, sku: String, location: String, lot: String, quantity: Decimal, lbs: Decimal,
                               date: String, sign: Decimal = 1) {
        let effect: Decimal
        switch kind {
        case .receipt, .transferIn: effect = quantity
        case .adjustment: effect = quantity   // signed already
        case .transferOut, .spoilage, .distribution: effect = -quantity
        }
        // A movement's weight carries the movement's direction; callers give its size.
        let weight = effect < 0 ? -abs(lbs) : abs(lbs)
        onHand[Position(sku: sku, location: location, lot: lot), default: Balance()].cases += sign * effect
        onHand[Position(sku: sku, location: location, lot: lot), default: Balance()].lbs += sign * weight
        var totals = daily[DayKey(date: date, sku: sku, location: location), default: DayTotals()]
        switch kind {
        case .receipt: totals.receipts += sign * quantity
        case .transferIn: totals.transfersIn += sign * quantity
        case .transferOut: totals.transfersOut += sign * quantity
        case .adjustment: totals.adjustments += sign * quantity
        case .spoilage: totals.spoilage += sign * quantity
        case .distribution: totals.distributions += sign * quantity
        }
        daily[DayKey(date: date, sku: sku, location: location)] = totals
    }

    public mutating func plant(_ check: String, _ entity: String) {
        planted[check, default: []].insert(entity)
    }

    /// Tab-separated on-hand rows, sorted: `sku, location, lot, cases, lbs`.
    public var onHandReport: String {
        onHand.sorted { $0.key < $1.key }.map { "\($0.key.sku)\t\($0.key.location)\t\($0.key.lot)\t\($0.value.cases)\t\($0.value.lbs)" }
            .joined(separator: "\n")
    }
}
