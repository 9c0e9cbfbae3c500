import FoodbankCalendar
import Foundation

/// Realistic food bank activity for the six sources, with the dirty cases planted on purpose, and
/// the truth it implies. Pure and deterministic for a seed: the executable applies the actions.
public struct Simulation: Sendable {
    public struct Configuration: Sendable {
        public var seed: UInt64 = 42
        /// Distinguishes this run's ids and file names from every other run's.
        public var tag = "S1"
        /// Business days simulated, ending at `endDate` (back-dating builds history).
        public var days = 3
        public var endDate = "2026-11-20"
        public var movementsPerDay = 200
        public var donationsPerDay = 30
        public var ordersPerDay = 10
        public var feedRowsPerFile = 20
        public var sites = ["HAY", "SJO"]
        /// Item codes are `<prefix>-0001`...: a run with its own prefix has positions of its own.
        public var skuPrefix = "SKU"
        public var dirty = true
        /// First ids to use: the executable reads the sources' current maxima.
        public var firstTransactionID: Int64 = 1
        public var firstIntakeID: Int64 = 1

        public init() {}
    }

    public enum Action: Sendable, Equatable {
        /// Rows for `database`.`table`; `nil` is SQL NULL. Existing keys are left alone.
        case insert(database: String, table: String, columns: [String], rows: [[String?]])
        /// A parameterized statement (updates and deletes of past rows).
        case statement(database: String, sql: String, parameters: [String?])
        /// A file dropped into the inbox folder `folder` (written again for a re-delivery).
        case file(folder: String, name: String, content: String)
    }

    public private(set) var actions: [Action] = []
    public private(set) var truth = Truth()
    public let configuration: Configuration

    /// The local folder the SFTP server serves, where the simulator drops feed files.
    public static let inboxVariable = "FOODBANK_SFTP_INBOX"
    public static let warehouses = ["OAK-MAIN", "OAK-COLD"]
    public static let skuCount = 120

    /// One case of `sku`, in pounds (known SKUs only; unknown ones weigh 0 by the contract).
    public static func unitWeight(_ index: Int) -> Decimal { Decimal(500 + (index * 37) % 4000) / 1000 * 10 }
    public static func sku(_ index: Int, prefix: String = "SKU") -> String { "\(prefix)-" + String(format: "%04d", index) }
    func sku(_ index: Int) -> String { Self.sku(index, prefix: configuration.skuPrefix) }

    public init(_ configuration: Configuration) {
        self.configuration = configuration
        var rng = SplitMix64(seed: configuration.seed)
        masterData()
        for offset in (0..<configuration.days).reversed() {
            let date = Self.date(configuration.endDate, minusDays: offset)
            day(date, &rng)
        }
        if configuration.dirty, configuration.days > 1,
           let first = actions.firstIndex(where: { if case .file(let folder, _, _) = $0 { return folder == "adjustments" }; return false }) {
            // A late file: the first day's adjustments arrive after every later day's activity.
            actions.append(actions.remove(at: first))
        }
        markNegativeBalances()
        // An unknown sku is a finding while a live movement names it (a deleted one no longer does).
        for movement in liveMovements where movement.sku.hasPrefix("UNKNOWN-") { truth.plant("missing_sku", movement.sku) }
    }

    // MARK: master data

    private mutating func masterData() {
        actions.append(.insert(database: "warehouse", table: "wms.items", columns: ["sku", "description", "category", "unit_weight_lbs", "perishable"],
                               rows: (1...Self.skuCount).map { i in
                                   [sku(i), "item \(i)", ["produce", "dairy", "protein", "dry_goods", "frozen"][i % 5],
                                    "\(Self.unitWeight(i))", i % 5 < 2 ? "true" : "false"]
                               }))
        actions.append(.insert(database: "warehouse", table: "wms.locations", columns: ["location_id", "name", "kind"],
                               rows: [["OAK-MAIN", "Oakland main", "warehouse"], ["OAK-COLD", "Oakland cold", "cold_storage"]]
                                   + configuration.sites.map { ["\($0)-SAT", "\($0) satellite", "satellite"] }))
        actions.append(.insert(database: "agency", table: "agency.agencies", columns: ["agency_id", "name", "county", "status"],
                               rows: (1...12).map { ["AG-\($0)", "agency \($0)", ["Alameda", "Contra Costa"][$0 % 2], "active"] }))
        actions.append(.insert(database: "donations", table: "intake.donors", columns: ["donor_id", "name", "donor_type"],
                               rows: (1...20).map { ["D-\($0)", "donor \($0)", ["individual", "grocery_rescue", "farm", "manufacturer", "food_drive", "government"][$0 % 6]] }))
    }

    // MARK: one business day

    private var nextTransactionID: Int64 { configuration.firstTransactionID + Int64(movementCount) }
    private var movementCount = 0
    private var intakeCount = 0
    private var liveMovements: [(id: Int64, kind: Truth.Kind, sku: String, location: String, toLocation: String?, lot: String, quantity: Decimal, lbs: Decimal, date: String)] = []

    private mutating func day(_ date: String, _ rng: inout SplitMix64) {
        var rows: [[String?]] = []
        for n in 0..<configuration.movementsPerDay {
            let id = nextTransactionID
            movementCount += 1
            let unknown = configuration.dirty && n == 0
            let skuIndex = Int(rng.next(below: UInt64(Self.skuCount))) + 1
            let sku = unknown ? "UNKNOWN-\(configuration.tag)-\(date)" : self.sku(skuIndex)
            let location = Self.warehouses[Int(rng.next(below: 2))]
            let lot = rng.next(below: 3) == 0 ? "" : "L\(rng.next(below: 5) + 1)"
            let quantity = Decimal(Int(rng.next(below: 4000)) + 25) / 100
            let roll = rng.next(below: 100)
            let type: String
            var kind: Truth.Kind
            var signed = quantity
            var toLocation: String?
            switch roll {
            case 0..<35: type = "receipt"; kind = .receipt
            case 35..<70: type = "distribution"; kind = .distribution
            case 70..<80: type = "transfer"; kind = .transferOut; toLocation = location == "OAK-MAIN" ? "OAK-COLD" : "OAK-MAIN"
            case 80..<90: type = "adjustment"; kind = .adjustment; signed = rng.next(below: 2) == 0 ? quantity : -quantity
            default: type = "spoilage"; kind = .spoilage
            }
            let givenLbs: Decimal? = rng.next(below: 10) < 3 ? Decimal(Int(rng.next(below: 90000)) + 100) / 100 : nil
            let lbs = givenLbs ?? (unknown ? 0 : abs(signed) * Self.unitWeight(skuIndex))
            let time = String(format: "%02d:%02d:00", 6 + Int(rng.next(below: 14)), Int(rng.next(below: 60)))
            rows.append([String(id), type, sku, location, toLocation, lot.isEmpty ? nil : lot, "\(signed)", givenLbs.map { "\($0)" },
                         nil, nil, nil, "\(date) \(time) America/Los_Angeles", "sim-\(configuration.tag)"])
            record(id: id, kind: kind, sku: sku, location: location, toLocation: toLocation, lot: lot, quantity: signed, lbs: lbs, date: date)
        }
        actions.append(.insert(database: "warehouse", table: "wms.inventory_transactions",
                               columns: ["txn_id", "txn_type", "sku", "location_id", "to_location_id", "lot_code", "quantity_cases", "weight_lbs",
                                         "reason_code", "reference_type", "reference_id", "occurred_at", "recorded_by"], rows: rows))
        if configuration.dirty { correctAndDeletePastMovements(&rng) }
        donations(date, &rng)
        ordersAndShipments(date, &rng)
        legacyFiles(date, &rng)
        adjustmentFile(date, &rng)
    }

    private mutating func record(id: Int64, kind: Truth.Kind, sku: String, location: String, toLocation: String?, lot: String,
                                 quantity: Decimal, lbs: Decimal, date: String) {
        truth.apply(kind, sku: sku, location: location, lot: lot, quantity: quantity, lbs: lbs, date: date)
        if let toLocation { truth.apply(.transferIn, sku: sku, location: toLocation, lot: lot, quantity: quantity, lbs: lbs, date: date) }
        liveMovements.append((id, kind, sku, location, toLocation, lot, quantity, lbs, date))
    }

    private mutating func unrecord(_ index: Int) {
        let m = liveMovements.remove(at: index)
        truth.apply(m.kind, sku: m.sku, location: m.location, lot: m.lot, quantity: m.quantity, lbs: m.lbs, date: m.date, sign: -1)
        if let to = m.toLocation { truth.apply(.transferIn, sku: m.sku, location: to, lot: m.lot, quantity: m.quantity, lbs: m.lbs, date: m.date, sign: -1) }
    }

    /// Rows corrected in place (new quantity) and voided by DELETE, days after they happened.
    private mutating func correctAndDeletePastMovements(_ rng: inout SplitMix64) {
        guard liveMovements.count > 10 else { return }
        for _ in 0..<2 {
            let index = Int(rng.next(below: UInt64(liveMovements.count)))
            let m = liveMovements[index]
            unrecord(index)
            let newQuantity = m.kind == .adjustment ? m.quantity * 2 : m.quantity + 1
            let newLbs = m.quantity == 0 ? m.lbs : m.lbs / abs(m.quantity) * abs(newQuantity)
            // weight_lbs is set explicitly so the corrected row's weight is unambiguous.
            actions.append(.statement(database: "warehouse", sql: "UPDATE wms.inventory_transactions SET quantity_cases = $2, weight_lbs = $3 WHERE txn_id = $1",
                                      parameters: [String(m.id), "\(newQuantity)", "\(Self.rounded(abs(newLbs)))"]))
            record(id: m.id, kind: m.kind, sku: m.sku, location: m.location, toLocation: m.toLocation, lot: m.lot, quantity: newQuantity,
                   lbs: Self.rounded(abs(newLbs)) * (m.kind == .adjustment && newQuantity < 0 ? -1 : 1), date: m.date)
        }
        let index = Int(rng.next(below: UInt64(liveMovements.count)))
        actions.append(.statement(database: "warehouse", sql: "DELETE FROM wms.inventory_transactions WHERE txn_id = $1",
                                  parameters: [String(liveMovements[index].id)]))
        unrecord(index)
    }

    private mutating func donations(_ date: String, _ rng: inout SplitMix64) {
        var intakes: [[String?]] = []
        var lines: [[String?]] = []
        for n in 0..<configuration.donationsPerDay {
            let intake = configuration.firstIntakeID + Int64(intakeCount)
            intakeCount += 1
            // A paper receipt keyed twice: the second intake reuses the previous one's number.
            let duplicate = configuration.dirty && n == 1
            let donationID = duplicate ? "R-\(configuration.tag)-\(date)-0" : "R-\(configuration.tag)-\(date)-\(n)"
            if duplicate { truth.plant("duplicate_donation_id", donationID) }
            intakes.append([String(intake), donationID, "D-\(rng.next(below: 20) + 1)", Self.warehouses[Int(rng.next(below: 2))],
                            "\(date) 09:\(String(format: "%02d", n % 60)):00 America/Los_Angeles", "received"])
            let skuIndex = Int(rng.next(below: UInt64(Self.skuCount))) + 1
            lines.append([String(intake), "1", sku(skuIndex), "\(Decimal(Int(rng.next(below: 3000)) + 100) / 100)",
                          "\(Decimal(Int(rng.next(below: 90000)) + 100) / 100)", nil, "\(Decimal(Int(rng.next(below: 50000))) / 100)"])
        }
        actions.append(.insert(database: "donations", table: "intake.donations",
                               columns: ["intake_id", "donation_id", "donor_id", "location_id", "received_at", "status"], rows: intakes))
        actions.append(.insert(database: "donations", table: "intake.donation_lines",
                               columns: ["intake_id", "line_no", "sku", "quantity_cases", "weight_lbs", "lot_code", "fair_market_value_usd"], rows: lines))
    }

    private mutating func ordersAndShipments(_ date: String, _ rng: inout SplitMix64) {
        var orders: [[String?]] = []
        var orderLines: [[String?]] = []
        var shipments: [[String?]] = []
        var shipmentLines: [[String?]] = []
        for n in 0..<configuration.ordersPerDay {
            let order = "O-\(configuration.tag)-\(date)-\(n)"
            orders.append([order, "AG-\(rng.next(below: 12) + 1)", date, "approved"])
            orderLines.append([order, "1", sku(Int(rng.next(below: UInt64(Self.skuCount))) + 1), "\(Decimal(Int(rng.next(below: 2000)) + 100) / 100)"])
            guard rng.next(below: 10) < 8 else { continue }
            let shipment = "S-\(configuration.tag)-\(date)-\(n)"
            shipments.append([shipment, order, Self.warehouses[0], "\(date) 15:00:00 America/Los_Angeles", "shipped"])
            shipmentLines.append([shipment, "1", "1", sku(Int(rng.next(below: UInt64(Self.skuCount))) + 1), nil, "\(Decimal(Int(rng.next(below: 2000)) + 100) / 100)", nil])
        }
        if configuration.dirty {
            // A shipment whose order never arrives.
            let orphan = "S-\(configuration.tag)-\(date)-orphan"
            shipments.append([orphan, "O-\(configuration.tag)-\(date)-missing", Self.warehouses[0], "\(date) 16:00:00 America/Los_Angeles", "shipped"])
            shipmentLines.append([orphan, "1", "1", sku(1), nil, "2", nil])
            truth.plant("orphaned_fulfillment", orphan)
        }
        // Shipments reach the platform before their orders (late CDC of the ordering system).
        actions.append(.insert(database: "fulfillment", table: "pick.shipments", columns: ["shipment_id", "order_id", "location_id", "shipped_at", "status"], rows: shipments))
        actions.append(.insert(database: "fulfillment", table: "pick.shipment_lines",
                               columns: ["shipment_id", "line_no", "order_line_no", "sku", "lot_code", "quantity_cases", "weight_lbs"], rows: shipmentLines))
        actions.append(.insert(database: "agency", table: "agency.orders", columns: ["order_id", "agency_id", "requested_for", "status"], rows: orders))
        actions.append(.insert(database: "agency", table: "agency.order_lines", columns: ["order_id", "line_no", "sku", "quantity_cases_requested"], rows: orderLines))
    }

    // MARK: files

    static let legacyHeader = "movement_id,movement_type,sku,site_code,lot,cases,lbs,occurred_at,reference"
    static let adjustmentsHeader = "adjustment_id,sku,location_id,lot_code,delta_cases,reason,approved_by,effective_date,notes"

    private mutating func legacyFiles(_ date: String, _ rng: inout SplitMix64) {
        let compact = date.replacingOccurrences(of: "-", with: "")
        let usDate = "\(date.dropFirst(5).prefix(2))/\(date.suffix(2))/\(date.prefix(4))"
        for (siteIndex, site) in configuration.sites.enumerated() {
            let location = "\(site)-SAT"
            let name = "movements_\(site)\(configuration.tag)_\(compact)0800.csv"
            var rows: [LegacyRow] = []
            for n in 0..<configuration.feedRowsPerFile {
                let skuIndex = Int(rng.next(below: UInt64(Self.skuCount))) + 1
                let (type, kind): (String, Truth.Kind) = [("RECEIPT", .receipt), ("DISTRIBUTION", .distribution), ("TRANSFER_IN", .transferIn),
                                                          ("TRANSFER_OUT", .transferOut), ("SPOILAGE", .spoilage)][Int(rng.next(below: 5))]
                let cases = Decimal(Int(rng.next(below: 3000)) + 50) / 100
                let lot = rng.next(below: 2) == 0 ? "" : "L\(rng.next(below: 3) + 1)"
                let lbs: Decimal? = rng.next(below: 4) == 0 ? Decimal(Int(rng.next(below: 50000)) + 100) / 100 : nil
                rows.append(LegacyRow(id: "\(site)\(configuration.tag)-\(compact)-\(n)", type: type, kind: kind, skuIndex: skuIndex, sku: sku(skuIndex), lot: lot,
                                      cases: cases, givenLbs: lbs, time: "\(usDate) \(String(format: "%02d:%02d", 7 + n % 10, n % 60))"))
            }
            func content(_ rows: [LegacyRow], trailer: Bool) -> String {
                ([Self.legacyHeader] + rows.map { $0.line(location: location) }).joined(separator: "\n") + "\n"
                    + (trailer ? "TRAILER,\(rows.count)\n" : "")
            }
            let incomplete = configuration.dirty && siteIndex == 1 && date == configuration.endDate
            if configuration.dirty && siteIndex == 0 && date == configuration.endDate {
                // Delivered, then delivered again identically, then corrected: the last row's cases change.
                actions.append(.file(folder: "legacy_wms", name: name, content: content(rows, trailer: true)))
                actions.append(.file(folder: "legacy_wms", name: name, content: content(rows, trailer: true)))
                rows[rows.count - 1].cases += 1
            }
            actions.append(.file(folder: "legacy_wms", name: name, content: content(rows, trailer: !incomplete)))
            // A file without its trailer is held back: it does not count.
            if incomplete { continue }
            for row in rows {
                truth.apply(row.kind, sku: sku(row.skuIndex), location: location, lot: row.lot, quantity: row.cases, lbs: row.lbs, date: date)
            }
        }
    }

    private mutating func adjustmentFile(_ date: String, _ rng: inout SplitMix64) {
        let compact = date.replacingOccurrences(of: "-", with: "")
        var lines: [String] = []
        for n in 0..<5 {
            let skuIndex = Int(rng.next(below: UInt64(Self.skuCount))) + 1
            let location = Self.warehouses[Int(rng.next(below: 2))]
            let reason = ["SPOILAGE", "DAMAGE", "RECOUNT", "EXPIRED", "THEFT", "OTHER"][Int(rng.next(below: 6))]
            var delta = Decimal(Int(rng.next(below: 1000)) + 25) / 100
            if reason != "RECOUNT" || rng.next(below: 2) == 0 { delta = -delta }
            let lbs = delta * Self.unitWeight(skuIndex)
            lines.append("ADJ-\(configuration.tag)-\(compact)-\(n),\(sku(skuIndex)),\(location),,\(delta),\(reason),Ana López,\(date),\"count, \"\"checked\"\"\nby two ✓\"")
            // Feed 6: SPOILAGE and EXPIRED are spoilage (of -delta); the rest adjustments of delta.
            if reason == "SPOILAGE" || reason == "EXPIRED" {
                truth.apply(.spoilage, sku: sku(skuIndex), location: location, lot: "", quantity: -delta, lbs: -lbs, date: date)
            } else {
                truth.apply(.adjustment, sku: sku(skuIndex), location: location, lot: "", quantity: delta, lbs: lbs, date: date)
            }
        }
        let fileName = "adjustments_\(compact)_\(Self.stableNumber(configuration.tag) % 900 + 100).csv"
        if configuration.dirty && date == configuration.endDate {
            // An adjustment that drives a position negative, by an implausible 100,000 cases.
            let sku = self.sku(Self.skuCount)
            let delta = Decimal(-100000)
            let id = "ADJ-\(configuration.tag)-\(compact)-neg"
            lines.append("\(id),\(sku),OAK-MAIN,NEG\(configuration.tag),\(delta),OTHER,Ana,\(date),recount error")
            truth.apply(.adjustment, sku: sku, location: "OAK-MAIN", lot: "NEG\(configuration.tag)", quantity: delta,
                        lbs: delta * Self.unitWeight(Self.skuCount), date: date)
            truth.plant("implausible_value", "adjustments:adjustments:\(id)@\(fileName)")
        }
        let content = ([Self.adjustmentsHeader] + lines).joined(separator: "\n") + "\nTRAILER,\(lines.count)\n"
        actions.append(.file(folder: "adjustments", name: fileName, content: content))
    }

    private mutating func markNegativeBalances() {
        for (position, balance) in truth.onHand where balance.cases < 0 {
            truth.plant("negative_balance", "\(position.sku)|\(position.location)|\(position.lot)")
        }
    }

    /// FNV-1a of `text`: the same in every process (Swift's `hashValue` is seeded per process, so a
    /// file name built from it would differ from run to run).
    static func stableNumber(_ text: String) -> UInt64 {
        text.utf8.reduce(0xcbf2_9ce4_8422_2325 as UInt64) { ($0 ^ UInt64($1)) &* 0x0000_0100_0000_01b3 }
    }

    static func rounded(_ value: Decimal) -> Decimal {
        var input = value
        var result = Decimal()
        NSDecimalRound(&result, &input, 2, .plain)
        return result
    }

    /// `date` minus `days`, both `YYYY-MM-DD`.
    static func date(_ date: String, minusDays days: Int) -> String { CivilDate.shifted(date, by: -days)! }
}

/// One feed-5 row as the simulator writes it.
struct LegacyRow {
    var id: String
    var type: String
    var kind: Truth.Kind
    var skuIndex: Int
    var sku: String
    var lot: String
    var cases: Decimal
    /// The row's own weight; nil leaves the lbs column empty.
    var givenLbs: Decimal?
    /// `MM/DD/YYYY HH:MM`, local Pacific time.
    var time: String

    /// The weight the contract counts: the row's own, else cases times the item's unit weight.
    var lbs: Decimal { givenLbs ?? cases * Simulation.unitWeight(skuIndex) }

    func line(location: String) -> String {
        "\(id),\(type),\(sku),\(location),\(lot),\(cases),\(givenLbs.map { "\($0)" } ?? ""),\(time),"
    }
}

/// A small, fast, seedable generator (SplitMix64): the same seed gives the same simulation.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    public mutating func next(below bound: UInt64) -> UInt64 { next() % bound }
}
