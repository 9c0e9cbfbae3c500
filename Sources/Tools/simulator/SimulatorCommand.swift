// simulator: drives the four source databases and the SFTP inbox with realistic activity and the
// dirty cases on purpose, and writes the truth it implies (on-hand, daily totals, planted problems).
//
// Environment: FOODBANK_SOURCE_DATABASE_URL_TEMPLATE, FOODBANK_SFTP_INBOX (a local folder the SFTP
// server serves).
import ArgumentParser
import FoodbankCDC
import FoodbankPostgres
import FoodbankSimulator
import Foundation

@main
struct SimulatorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "simulator", abstract: "Simulate the food bank's six sources and record the truth.")

    @Option(help: "Random seed: the same seed gives the same activity.") var seed: UInt64 = 42
    @Option(help: "Tag that keeps this run's ids and file names apart (letters and digits).") var tag = "S1"
    @Option(help: "Business days to simulate, ending at --end-date (back-dating).") var days = 3
    @Option(help: "Last business day, YYYY-MM-DD.") var endDate = "2026-11-20"
    @Option(help: "Warehouse movements per day (the mission's scale is about 267,000).") var movementsPerDay = 200
    @Option(help: "Donations per day (mission: about 40,000).") var donationsPerDay = 30
    @Option(help: "Agency orders per day.") var ordersPerDay = 10
    @Option(help: "Item code prefix: codes are <prefix>-0001... (a run with its own prefix has positions of its own).") var skuPrefix = "SKU"
    @Flag(help: "Leave out the dirty cases.") var clean = false
    @Option(help: "Folder to write the truth into (on_hand.tsv, daily.tsv, planted.tsv).") var truth = ".local/simulator"
    @Option(help: "Inbox folder for the feed files (default: $FOODBANK_SFTP_INBOX).") var inbox: String?
    @Option(help: "Spread the activity over this many seconds of wall time (0: as fast as possible); the rate is the volume over it.")
    var overSeconds = 0.0

    func validate() throws {
        guard !tag.isEmpty, tag.allSatisfy({ $0.isASCII && ($0.isUppercase || $0.isNumber) }) else {
            throw ValidationError("--tag must be upper-case letters and digits (it goes into file names)")
        }
    }

    func run() throws {
        let environment = ProcessInfo.processInfo.environment
        guard let inboxPath = inbox ?? environment[Simulation.inboxVariable] else { throw ValidationError("give --inbox or set \(Simulation.inboxVariable)") }
        var connections: [String: PostgresConnection] = [:]
        func db(_ name: String) throws -> PostgresConnection {
            if let existing = connections[name] { return existing }
            let connection = try PostgresConnection(url: try CDCConfiguration.sourceURL(for: name))
            connections[name] = connection
            return connection
        }
        var configuration = Simulation.Configuration()
        configuration.seed = seed
        configuration.tag = tag
        configuration.days = days
        configuration.endDate = endDate
        configuration.movementsPerDay = movementsPerDay
        configuration.donationsPerDay = donationsPerDay
        configuration.ordersPerDay = ordersPerDay
        configuration.dirty = !clean
        configuration.skuPrefix = skuPrefix
        configuration.firstTransactionID = Int64(try db("warehouse").execute("SELECT coalesce(max(txn_id), 0) + 1 FROM wms.inventory_transactions").scalar ?? "1")!
        configuration.firstIntakeID = Int64(try db("donations").execute("SELECT coalesce(max(intake_id), 0) + 1 FROM intake.donations").scalar ?? "1")!

        let simulation = Simulation(configuration)
        var counts: [String: Int] = [:]
        let started = Date()
        for (index, action) in simulation.actions.enumerated() {
            if overSeconds > 0 {
                let due = started.addingTimeInterval(overSeconds * Double(index) / Double(simulation.actions.count))
                if due > Date() { Thread.sleep(until: due) }
            }
            switch action {
            case .insert(let database, let table, let columns, let rows):
                try db(database).insertRows(into: table, columns: columns, rows: rows.map { $0.map(PostgresValue.optional) }, suffix: "ON CONFLICT DO NOTHING")
                counts[table, default: 0] += rows.count
            case .statement(let database, let sql, let parameters):
                try db(database).execute(sql, parameters.map(PostgresValue.optional))
                counts["updates and deletes", default: 0] += 1
            case .file(let folder, let name, let content):
                let directory = URL(fileURLWithPath: inboxPath).appendingPathComponent(folder)
                try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
                try Data(content.utf8).write(to: directory.appendingPathComponent(name), options: .atomic)
                counts["files", default: 0] += 1
            }
        }
        // Keep the sequences ahead of the explicit ids, so the applications' own inserts go on working.
        try db("warehouse").execute("SELECT setval(pg_get_serial_sequence('wms.inventory_transactions', 'txn_id'), (SELECT max(txn_id) FROM wms.inventory_transactions))")
        try db("donations").execute("SELECT setval(pg_get_serial_sequence('intake.donations', 'intake_id'), (SELECT max(intake_id) FROM intake.donations))")
        try writeTruth(simulation.truth)
        for (what, count) in counts.sorted(by: { $0.key < $1.key }) { print("\(what): \(count)") }
        print("truth: \(simulation.truth.onHand.count) positions, planted \(simulation.truth.planted.mapValues(\.count)) -> \(truth)")
    }

    private func writeTruth(_ truth: Truth) throws {
        let folder = URL(fileURLWithPath: self.truth)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data((truth.onHandReport + "\n").utf8).write(to: folder.appendingPathComponent("on_hand.tsv"))
        let daily = truth.daily.sorted { $0.key < $1.key }.map { key, t in
            "\(key.date)\t\(key.sku)\t\(key.location)\t\(t.receipts)\t\(t.transfersIn)\t\(t.transfersOut)\t\(t.adjustments)\t\(t.spoilage)\t\(t.distributions)"
        }
        try Data((daily.joined(separator: "\n") + "\n").utf8).write(to: folder.appendingPathComponent("daily.tsv"))
        let planted = truth.planted.sorted { $0.key < $1.key }.flatMap { check, entities in entities.sorted().map { "\(check)\t\($0)" } }
        try Data((planted.joined(separator: "\n") + "\n").utf8).write(to: folder.appendingPathComponent("planted.tsv"))
    }
}
