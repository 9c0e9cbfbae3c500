import FoodbankOracle
import FoodbankPostgres

/// Turns generated steps (arrays of small numbers, so that shrinking can drop and simplify them
/// freely) into source actions. It keeps just enough of the sources' state to aim a step at a row
/// that exists ("the k-th movement"); a step with no row to aim at does nothing. Every edge the
/// contract allows is one a step may take.
public struct HistoryScript: Sendable {
    public internal(set) var actions: [SourceAction] = []
    /// One line per step, for a failure message.
    public internal(set) var log: [String] = []
    /// How many generated steps the history has.
    public let steps: Int

    var nextID = 1
    var movements: [(id: Int, type: String)] = []
    var deletedItems: Set<String> = []
    var intakes: [(id: Int, donation: String, voided: Bool)] = []
    var orders: [String: Int] = [:]
    var shipments: [(id: String, order: String, shipped: Bool, void: Bool)] = []
    var files: [(feed: DeliveredFile.Feed, name: String, rows: [[String]])] = []
    var heldFiles: [(feed: DeliveredFile.Feed, name: String, rows: [[String]])] = []

    public init(steps: [[Int]]) {
        self.steps = steps.count
        setUp()
        for (index, codes) in steps.enumerated() {
            let before = actions.count
            step(Codes(codes))
            if actions.count == before { log.append("\(index): (nothing to aim at)") }
        }
    }

    /// A history written by hand, each action with its line for the log: the sources exactly as
    /// the caller wrote them, with no item master or other set-up added.
    public init(written: [(note: String, action: SourceAction)]) {
        steps = written.count
        actions = written.map(\.action)
        log = written.enumerated().map { "\($0.offset): \($0.element.note)" }
    }

    /// A step's numbers, read as choices: `c[i, n]` is the i-th number reduced to 0..<n.
    struct Codes {
        let values: [Int]
        init(_ values: [Int]) { self.values = values }
        subscript(_ i: Int, _ n: Int) -> Int { i < values.count ? abs(values[i]) % n : 0 }
        func pick<T>(_ i: Int, _ options: [T]) -> T { options[self[i, options.count]] }
    }

    mutating func step(_ c: Codes) {
        switch c[0, 40] {
        case 0..<10, 38, 39: insertMovement(c)
        case 10, 11: correctMovementQuantity(c)
        case 12: correctMovementOther(c)
        case 13: deleteMovement(c)
        case 14: twoChangesInOneTransaction(c)
        case 15: unreadableCorrection(c)
        case 16: changeItem(c)
        case 17, 18, 19: insertIntake(c)
        case 20: voidIntake(c)
        case 21: moveIntake(c)
        case 22, 23: insertOrder(c)
        case 24, 25, 26: insertShipment(c)
        case 27: shipShipment(c)
        case 28: voidOrMoveShipment(c)
        case 29, 30, 31, 32: uploadLegacyFile(c)
        case 33, 34: uploadAdjustmentFile(c)
        case 35: redeliverFile(c)
        case 36: correctFile(c)
        default: holdOrCompleteFile(c)
        }
    }

    mutating func newID() -> Int {
        defer { nextID += 1 }
        return nextID
    }

    mutating func run(_ database: String, _ note: String, _ statements: [(String, [PostgresValue])]) {
        actions.append(.transaction(database: database, statements: statements.map { .init(sql: $0.0, parameters: $0.1) }))
        log.append("\(log.count): \(note)")
    }

    /// The item master, the locations, donors and agencies every history starts from.
    mutating func setUp() {
        run("warehouse", "item master and locations",
            HistoryVocabulary.items.map { ("INSERT INTO wms.items (sku, description, category, unit_weight_lbs) VALUES ($1, $1, 'dry_goods', $2)",
                                           [.text($0.sku), .text($0.weight)]) }
            + HistoryVocabulary.locations.map { ("INSERT INTO wms.locations (location_id, name, kind) VALUES ($1, $1, 'warehouse')", [.text($0)]) })
        run("donations", "donors", HistoryVocabulary.donors.map {
            ("INSERT INTO intake.donors (donor_id, name, donor_type) VALUES ($1, $1, $2)", [.text($0.id), .text($0.type)])
        })
        run("agency", "agencies", HistoryVocabulary.agencies.map {
            ("INSERT INTO agency.agencies (agency_id, name, county, status) VALUES ($1, $1, 'Alameda', 'active')", [.text($0)])
        })
    }

    static func local(_ c: Codes, day: Int, time: Int) -> String {
        "\(c.pick(day, HistoryVocabulary.days)) \(c.pick(time, HistoryVocabulary.times)):00 America/Los_Angeles"
    }
}
