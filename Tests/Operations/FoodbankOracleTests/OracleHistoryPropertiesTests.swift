import FoodbankHistories
import FoodbankPostgres
@testable import FoodbankOracle
import Foundation
import PropertyBased
import Testing

/// The oracle over generated histories (every edge the contract allows), without the chain: what
/// must hold for any sources. A failure shrinks to a short history here, where each try costs
/// milliseconds, not a whole chain run.
@Suite(.serialized) struct OracleHistoryPropertiesTests {
    /// Sources of the tests' own (four databases from the contract's schemas), emptied before each history.
    static let deployment: HistoryDeployment? = {
        try? HistoryDeployment.dropLeftovers(prefix: "ohprop")
        guard let deployment = try? HistoryDeployment(tag: "ohprop\(UInt32.random(in: 0..<1_000_000))") else { return nil }
        return (try? deployment.create()) != nil ? deployment : nil
    }()

    @Test func booksBalanceOnAnyHistory() async throws {
        let deployment = try #require(Self.deployment, "the local stack's PostgreSQL is needed")
        await propertyCheck(count: 25, input: HistoryGenerator.steps(length: 1...40)) { steps in
            let history = HistoryScript(steps: steps)
            let tables = try Self.apply(history, to: deployment)
            let snapshot = SourceSnapshot(rows: tables, deliveries: history.actions.compactMap {
                if case .upload(let file) = $0 { return file } else { return nil }
            })
            let db = try LocalStackEnvironment.reportingDatabase()
            defer { db.close() }
            let oracle = try Oracle(snapshot: snapshot, session: db)
            let (first, last) = ("2026-03-01", "2026-11-05")
            let daily = try oracle.compute(OracleQueries.dailyInventory, from: first, to: last).rows
            let onHand = try oracle.compute(OracleQueries.inventoryOnHand).rows
            let findings = try oracle.compute(OracleQueries.openFindings).rows

            // Each row balances; each day opens at the previous closing (0 where the previous day has no row).
            for (key, v) in daily {
                let n = v.map { Decimal(string: $0 ?? "") ?? 0 }
                #expect(n[0] + n[1] + n[2] - n[3] + n[4] - n[5] - n[6] == n[7], "\(key) does not balance: \(v)")
                let previous = CivilDay.previous(key[0])
                let before = daily[[previous, key[1], key[2]]]?[7].flatMap { Decimal(string: $0 ?? "") } ?? 0
                if previous >= first { #expect(n[0] == before, "\(key) opens at \(n[0]), the day before closed at \(before)") }
            }
            // The last day's closing is on-hand, summed over lots.
            var closing: [String: Decimal] = [:], stock: [String: Decimal] = [:]
            for (key, v) in daily where key[0] == last { closing["\(key[1])|\(key[2])"] = Decimal(string: v[7] ?? "") }
            for (key, v) in onHand { stock["\(key[0])|\(key[1])", default: 0] += Decimal(string: v[0] ?? "") ?? 0 }
            #expect(closing.filter { $0.value != 0 } == stock.filter { $0.value != 0 }, "the last closing is not on-hand")
            // A negative balance is a finding exactly where on-hand is below zero.
            let negative = Set(onHand.filter { (Decimal(string: $0.value[0] ?? "") ?? 0) < 0 }.keys.map { $0.joined(separator: "|") })
            #expect(Set(findings.keys.filter { $0[0] == "negative_balance" }.map { $0[1] }) == negative)
        }
    }

    /// Empties the sources, applies the history's transactions, reads the tables back.
    static func apply(_ history: HistoryScript, to deployment: HistoryDeployment) throws -> [SourceTable: [[String?]]] {
        var connections: [String: PostgresConnection] = [:]
        defer { connections.values.forEach { $0.close() } }
        for database in HistoryDeployment.sourceDatabases {
            let db = try PostgresConnection(url: deployment.url(database))
            connections[database] = db
            let tables = try db.execute("""
                SELECT string_agg(quote_ident(schemaname) || '.' || quote_ident(tablename), ', ') FROM pg_tables
                WHERE schemaname IN ('wms', 'intake', 'agency', 'pick')
                """).scalar
            if let tables { try db.execute("TRUNCATE \(tables) CASCADE") }
        }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("oracle-history-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: scratch) }
        for action in history.actions { try deployment.apply(action, inbox: scratch, connections: &connections) }
        return try LiveSources.tables(sourceURL: { deployment.url($0) })
    }
}

/// The day before a `YYYY-MM-DD` date.
enum CivilDay {
    static func previous(_ date: String) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let formatter = DateFormatter()
        formatter.calendar = calendar
        formatter.timeZone = calendar.timeZone
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter.string(from: calendar.date(byAdding: .day, value: -1, to: formatter.date(from: date)!)!)
    }
}
