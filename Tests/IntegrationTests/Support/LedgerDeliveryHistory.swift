import FoodbankCanonical
import FoodbankJSON
import FoodbankReconcile
import FoodbankSimulator
import Foundation

/// A seeded history of ledger versions and item changes for a handful of rows and skus, delivered
/// to reconcile's store in a random order, with repeats, in random batches. What the rows count in
/// the end is worked out here from the versions alone, by the contract's rule (each holder's latest
/// version; the live holder with the highest position counts), not by the fold under test.
struct LedgerDeliveryHistory {
    /// One thing delivered: a version of a source row, or a change of the item master.
    enum Delivery {
        case version(LedgerVersion)
        case item(ItemVersion)

        /// One line of a failure's account.
        var line: String {
            switch self {
            case .item(let item): return "item \(item.sku) @\(item.position) " + (item.deleted ? "deleted" : "weighs \(item.unitWeightLbs)")
            case .version(let version):
                let leg = version.leg.map { " \($0.leg) \($0.sku) \($0.locationID)|\($0.lotCode) \($0.deltaCases) cases" + ($0.ownLbs.map { " own \($0) lbs" } ?? "") } ?? ""
                return "\(version.rowID) [\(version.holder)] @\(version.position) \(version.change.rawValue)\(leg)"
            }
        }
    }

    let tag: String
    var skus: [String]
    private(set) var deliveries: [Delivery] = []
    private(set) var batches: [[Delivery]] = []

    init(seed: UInt64, tag: String) throws {
        self.tag = tag
        skus = (1...4).map { "\(tag)-S\($0)" }
        var random = SplitMix64(seed: seed)
        var position: Int64 = 1_000
        func next() -> Int64 { position += Int64.random(in: 1...1_000, using: &random); return position }
        var versions: [Delivery] = []
        for row in 1...10 {
            let rowID = "\(tag):r\(row)"
            let holders = row % 3 == 0 ? [""] : ["f1.csv", "f2.csv", "f3.csv"]
            for _ in 0..<Int.random(in: 1...5, using: &random) {
                let holder = holders.randomElement(using: &random)!
                let at = next()
                switch Int.random(in: 0..<10, using: &random) {
                case 0..<2: versions.append(.version(LedgerVersion(rowID: rowID, holder: holder, position: at, change: .retract, leg: nil)))
                case 2: versions.append(.version(LedgerVersion(rowID: rowID, holder: holder, position: at, change: .unreadable, leg: nil)))
                default:
                    for leg in Self.legs(rowID: rowID, holder: holder, at: at, skus: skus, &random) {
                        versions.append(.version(LedgerVersion(rowID: rowID, holder: holder, position: at, change: .assert, leg: leg)))
                    }
                }
            }
        }
        var items: [Delivery] = []
        for sku in skus.dropLast() {
            for _ in 0..<Int.random(in: 1...4, using: &random) {
                let deleted = Int.random(in: 0..<6, using: &random) == 0
                let weight = ["0", "0.125", "1.5", "4", "33.333"].randomElement(using: &random)!
                let row = JSONValue.object(["sku": .string(sku), "unit_weight_lbs": .string(weight)])
                let envelope = JSONValue.object(["op": .string(deleted ? "d" : "u"), "before": deleted ? row : .null, "after": deleted ? .null : row,
                                                 "source": .object(["lsn": .int(next())])])
                items.append(.item(try ItemVersion(changeEvent: envelope)!))
            }
        }
        deliveries = (versions + items).shuffled(using: &random)
        // A consumer killed mid-way reads a stretch again: some deliveries come twice.
        var delivered = deliveries
        for _ in 0..<3 {
            let start = Int.random(in: 0..<delivered.count, using: &random)
            let end = min(delivered.count, start + Int.random(in: 1...8, using: &random))
            delivered.insert(contentsOf: delivered[start..<end], at: min(delivered.count, end + Int.random(in: 0...10, using: &random)))
        }
        var rest = delivered[...]
        while !rest.isEmpty {
            let size = Int.random(in: 1...12, using: &random)
            batches.append(Array(rest.prefix(size)))
            rest = rest.dropFirst(size)
        }
    }

    /// A readable movement: one leg, or a transfer's two at one position.
    private static func legs(rowID: String, holder: String, at position: Int64, skus: [String], _ random: inout SplitMix64) -> [LedgerLeg] {
        let sku = skus.randomElement(using: &random)!
        let cases = Decimal(Int.random(in: 0...80, using: &random)) / 2
        let ownLbs: Decimal? = Int.random(in: 0..<3, using: &random) == 0 ? Decimal(Int.random(in: 1...400, using: &random)) / 8 : nil
        let lot = ["", "L1"].randomElement(using: &random)!
        func leg(_ name: String, _ type: String, _ location: String, _ delta: Decimal) -> LedgerLeg {
            LedgerLeg(leg: name, eventID: "\(rowID):\(holder):\(position):\(name)", sku: sku, locationID: location, lotCode: lot, movementType: type,
                      deltaCases: delta, ownLbs: ownLbs.map { delta < 0 ? -$0 : delta > 0 ? $0 : 0 }, referenceType: nil, referenceID: nil,
                      occurredAt: "2026-11-0\(position % 9 + 1)T18:00:00Z", businessDate: "2026-11-0\(position % 9 + 1)", sourceSystem: "test")
        }
        switch Int.random(in: 0..<4, using: &random) {
        case 0: return [leg("out", "transfer_out", "RICH", -cases), leg("in", "transfer_in", "HAY-SAT", cases)]
        case 1: return [leg("", "receipt", "RICH", cases)]
        case 2: return [leg("", "distribution", "RICH", -cases)]
        default: return [leg("", "adjustment", "HAY-SAT", Bool.random(using: &random) ? cases : -cases)]
        }
    }

    /// The batch as reconcile's plan has it: versions in order, the newest item per sku.
    static func plan(_ batch: [Delivery]) -> ReconcilePlan {
        var plan = ReconcilePlan()
        for delivery in batch {
            switch delivery {
            case .version(let version): plan.versions.append(version)
            case .item(let item): if (plan.items[item.sku]?.position ?? .min) <= item.position { plan.items[item.sku] = item }
            }
        }
        return plan
    }

    /// Cases and pounds per "sku|location|lot", from the rows' final versions and the items' final weights.
    func expectedPositions() -> [String: (cases: Decimal, lbs: Decimal)] {
        var weights: [String: (position: Int64, weight: Decimal)] = [:]
        var latest: [String: [String: [LedgerVersion]]] = [:]
        for delivery in deliveries {
            switch delivery {
            case .item(let item):
                if (weights[item.sku]?.position ?? .min) < item.position { weights[item.sku] = (item.position, item.deleted ? 0 : item.unitWeightLbs) }
            case .version(let version):
                let held = latest[version.rowID]?[version.holder] ?? []
                if held.isEmpty || held[0].position < version.position {
                    latest[version.rowID, default: [:]][version.holder] = [version]
                } else if held[0].position == version.position {
                    latest[version.rowID, default: [:]][version.holder]!.append(version)
                }
            }
        }
        var positions: [String: (cases: Decimal, lbs: Decimal)] = [:]
        for holders in latest.values {
            // A holder's latest position: dead if it retracts there, else live (legs: its assertions).
            let live = holders.values.filter { !$0.contains { $0.change == .retract } }
            guard let counted = live.max(by: { $0[0].position < $1[0].position }) else { continue }
            for leg in counted.compactMap(\.leg) {
                let key = leg.positionKey.joined(separator: "|")
                let lbs = leg.ownLbs ?? leg.deltaCases * (weights[leg.sku]?.weight ?? 0)
                positions[key] = ((positions[key]?.cases ?? 0) + leg.deltaCases, (positions[key]?.lbs ?? 0) + lbs)
            }
        }
        return positions
    }
}
