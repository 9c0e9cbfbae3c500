import FoodbankPostgres
import Foundation
import Testing

extension Integration {
    /// The PostgreSQL layer against the stack's real server.
    @Suite struct PostgresLayer {
        /// Runs `body` against a fresh database, dropped afterwards.
        func withScratchDatabase(_ body: (PostgresConnection) throws -> Void) throws {
            let scratch = try ScratchDatabase()
            defer { scratch.drop() }
            try body(scratch.connection)
        }

        final class ScratchDatabase {
            let name: String
            let admin: PostgresConnection
            let connection: PostgresConnection

            init() throws {
                name = "scratch_" + TestStack.uniqueName("db").replacingOccurrences(of: "-", with: "_")
                admin = try TestStack.database()
                // An identifier cannot be a parameter; the name is generated from [a-z0-9_] only.
                try admin.execute("CREATE DATABASE \(name)")
                let url = try TestStack.databaseURL.replacingOccurrences(of: "/reporting", with: "/\(name)")
                connection = try PostgresConnection(url: url)
            }

            func drop() {
                connection.close()
                _ = try? admin.execute("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
            }
        }

        /// The consumers' session settings hold on a new connection and on a reconnected one.
        @Test func sessionSettingsSurviveAReconnect() throws {
            let db = try PostgresConnection(url: try TestStack.databaseURL, settings: PostgresConnection.consumerSettings)
            defer { db.close() }
            #expect(try db.execute("SHOW jit").scalar == "off")
            try db.reconnect()
            #expect(try db.execute("SHOW jit").scalar == "off")
            let plain = try PostgresConnection(url: try TestStack.databaseURL)
            defer { plain.close() }
            #expect(try plain.execute("SELECT setting = reset_val FROM pg_settings WHERE name = 'jit'").scalar == "t", "another connection keeps the server's own")
        }

        @Test func parametersAreNeverSQL() throws {
            try withScratchDatabase { (db: PostgresConnection) throws in
                try db.execute("CREATE TABLE t (v text)")
                let hostile = "x'); DROP TABLE t; --"
                try db.execute("INSERT INTO t (v) VALUES ($1)", [.text(hostile)])
                #expect(try db.execute("SELECT v FROM t").scalar == hostile)
            }
        }

        @Test func aThrowingTransactionLeavesNothing() throws {
            try withScratchDatabase { (db: PostgresConnection) throws in
                try db.execute("CREATE TABLE t (v int)")
                struct Boom: Error {}
                #expect(throws: Boom.self) {
                    try db.transaction { db in
                        try db.execute("INSERT INTO t VALUES (1)")
                        throw Boom()
                    }
                }
                #expect(try db.execute("SELECT count(*) FROM t").scalar == "0")
                _ = try db.transaction { db in try db.execute("INSERT INTO t VALUES (2)") }
                #expect(try db.execute("SELECT count(*) FROM t").scalar == "1")
            }
        }

        @Test func bulkPathsKeepAwkwardTextIntact() throws {
            try withScratchDatabase { (db: PostgresConnection) throws in
                try db.execute("CREATE TABLE t (id int PRIMARY KEY, v text)")
                let awkward = ["tab\there", "line\nbreak", "back\\slash", "comma, \"quote\"", "ünï 🥫", "", "\\N"]
                try db.copyIn(table: "t", columns: ["id", "v"], rows: awkward.enumerated().map { [String($0.offset), $0.element] } + [["100", nil]])
                let inserted = try db.insertRows(into: "t", columns: ["id", "v"],
                                                 rows: awkward.enumerated().map { [.int(Int64($0.offset + 200)), .text($0.element)] },
                                                 suffix: "ON CONFLICT (id) DO NOTHING")
                #expect(inserted == awkward.count)
                // Idempotent by key: the same rows again change nothing.
                let again = try db.insertRows(into: "t", columns: ["id", "v"],
                                              rows: awkward.enumerated().map { [.int(Int64($0.offset + 200)), .text($0.element)] },
                                              suffix: "ON CONFLICT (id) DO NOTHING")
                #expect(again == 0)
                for (i, text) in awkward.enumerated() {
                    #expect(try db.execute("SELECT v FROM t WHERE id = $1", [.int(Int64(i))]).scalar == text)
                    #expect(try db.execute("SELECT v FROM t WHERE id = $1", [.int(Int64(i + 200))]).scalar == text)
                }
                #expect(try db.execute("SELECT v IS NULL FROM t WHERE id = 100").scalar == "t")
            }
        }

        @Test func byteaRoundTrips() throws {
            try withScratchDatabase { (db: PostgresConnection) throws in
                let bytes: [UInt8] = Array(0...255) + Array("ünï,\n\"x\"".utf8)
                let result = try db.execute("SELECT $1::bytea AS b", [.bytes(bytes)])
                #expect(result.bytes(0, "b") == bytes)
                #expect(try db.execute("SELECT ''::bytea AS b").bytes(0, "b") == [])
                #expect(try db.execute("SELECT 'plain' AS b").bytes(0, "b") == nil, "text is not bytea")
            }
        }

        @Test func manyRowsAreChunkedBelowTheParameterLimit() throws {
            try withScratchDatabase { (db: PostgresConnection) throws in
                try db.execute("CREATE TABLE t (a int, b text, c text)")
                let rows = (0..<30_000).map { [PostgresValue.int(Int64($0)), .text("b\($0)"), .text("c")] }
                #expect(try db.insertRows(into: "t", columns: ["a", "b", "c"], rows: rows) == 30_000)
            }
        }

        @Test func migrationsApplyOnceAndRefuseEditedHistory() throws {
            try withScratchDatabase { (db: PostgresConnection) throws in
                #expect(try Migrator().migrate(db) == ReportingSchema.migrations.map(\.version))
                #expect(try Migrator().migrate(db).isEmpty)
                for table in ["ops.inventory_on_hand", "ops.dq_violations", "ops.pipeline_freshness", "finance.daily_inventory",
                              "finance.daily_donations", "finance.daily_fulfillment", "finance.reconciliation_exceptions",
                              "platform.consumer_offsets", "platform.file_manifest"] {
                    #expect(try db.execute("SELECT to_regclass($1) IS NOT NULL", [.text(table)]).scalar == "t", "\(table) missing")
                }
                var edited = ReportingSchema.migrations
                edited[0] = Migration(version: 1, name: edited[0].name, sql: edited[0].sql + "\n-- edited")
                #expect(throws: PostgresError.self) { try Migrator(migrations: edited).migrate(db) }
            }
        }

        @Test func finalizedFinanceRowsCannotBeChanged() throws {
            try withScratchDatabase { (db: PostgresConnection) throws in
                try Migrator().migrate(db)
                try db.execute("""
                    INSERT INTO finance.daily_inventory VALUES ('2026-11-20','SKU-1','OAK-MAIN',10,5,0,0,0,1,2,12,120,1,now())
                    """)
                let update = #expect(throws: PostgresError.self) {
                    try db.execute("UPDATE finance.daily_inventory SET closing_cases = 13 WHERE sku = 'SKU-1'")
                }
                #expect(update?.message.contains("append-only") == true)
                #expect(throws: PostgresError.self) { try db.execute("DELETE FROM finance.daily_inventory") }
                // A correction is a new version beside the old one.
                try db.execute("""
                    INSERT INTO finance.daily_inventory VALUES ('2026-11-20','SKU-1','OAK-MAIN',10,6,0,0,0,1,2,13,130,2,now())
                    """)
                #expect(try db.execute("SELECT count(*) FROM finance.daily_inventory").scalar == "2")
                // The closing identity is enforced.
                #expect(throws: PostgresError.self) {
                    try db.execute("INSERT INTO finance.daily_inventory VALUES ('2026-11-21','SKU-1','OAK-MAIN',1,1,0,0,0,0,0,5,0,1,now())")
                }
            }
        }

        @Test func oneOpenViolationPerProblem() throws {
            try withScratchDatabase { (db: PostgresConnection) throws in
                try Migrator().migrate(db)
                let insert = "INSERT INTO ops.dq_violations (violation_id, check_name, severity, entity_type, entity_key, resolved_at) VALUES ($1, 'missing_sku', 'error', 'sku', 'SKU-X', $2)"
                try db.execute(insert, [.text("v1"), .text("2026-11-01T00:00:00Z")])
                try db.execute(insert, [.text("v2"), .null])
                let duplicate = #expect(throws: PostgresError.self) { try db.execute(insert, [.text("v3"), .null]) }
                #expect(duplicate?.isUniqueViolation == true)
            }
        }

        @Test func unreachableServerIsAConnectionFailure() {
            let error = #expect(throws: PostgresError.self) {
                _ = try PostgresConnection(url: "postgresql://nobody:pw@127.0.0.1:\(PrivateBroker.freePort())/x", timeout: .seconds(1))
            }
            #expect(error?.isConnectionFailure == true)
            #expect(error?.description.contains("pw") == false, "the password leaked into the error")
        }
    }
}
