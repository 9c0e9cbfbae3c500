import FoodbankPostgres
import Foundation
import Testing

extension Integration {
    /// Least privilege on the real server: each consumer's role (migration 17, logins from the local
    /// stack) writes its own stage's tables and its own group's offsets, and nothing else; nightly can
    /// add finance versions but not change or remove one. What every role can do is proven by the
    /// chain tests, whose stages run as their roles (QualityChainRun).
    @Suite struct DatabaseRoles {
        func connect(_ stage: String) throws -> PostgresConnection {
            try PostgresConnection(url: try TestStack.require(ConsumerRole(stage: stage).urlVariable))
        }

        /// The SQLSTATE of running `sql` in a transaction that is rolled back; nil when it succeeded.
        func outcome(_ db: PostgresConnection, _ sql: String, _ parameters: [PostgresValue] = []) -> String? {
            do {
                try db.execute("BEGIN")
                defer { _ = try? db.execute("ROLLBACK") }
                try db.execute(sql, parameters)
                return nil
            } catch let error as PostgresError {
                return error.sqlState ?? "no state: \(error)"
            } catch {
                return "\(error)"
            }
        }

        @Test func oneConsumersRoleCannotWriteAnothersTables() throws {
            let tag = TestStack.uniqueName("roles")
            let reconcile = try connect("reconcile"), dq = try connect("dq"), nightly = try connect("nightly"), normalize = try connect("normalize")
            defer { [reconcile, dq, nightly, normalize].forEach { $0.close() } }
            let position = "INSERT INTO ops.inventory_on_hand (sku, location_id, lot_code, on_hand_cases, on_hand_lbs) VALUES ($1, 'RICH', '', 1, 1)"
            let finding = """
                INSERT INTO ops.dq_violations (violation_id, check_name, severity, entity_type, entity_key, details, first_seen_at, last_seen_at)
                VALUES ($1, 'missing_sku', 'error', 'sku', $1, '{}', now(), now())
                """
            #expect(outcome(reconcile, position, [.text(tag)]) == nil, "reconcile writes on-hand")
            #expect(outcome(dq, position, [.text(tag)]) == "42501", "dq must not write on-hand")
            #expect(outcome(nightly, position, [.text(tag)]) == "42501", "nightly must not write on-hand")
            #expect(outcome(dq, finding, [.text(tag)]) == nil, "dq writes findings")
            #expect(outcome(reconcile, finding, [.text(tag)]) == "42501", "reconcile must not write findings")
            #expect(outcome(normalize, "DELETE FROM ops.items") == "42501", "normalize must not touch reconcile's items")
            #expect(outcome(normalize, "SELECT count(*) FROM finance.daily_inventory") == "42501", "normalize reads no finance")
            #expect(outcome(reconcile, "DELETE FROM nightly.records WHERE source_id = $1", [.text(tag)]) == "42501")
        }

        @Test func nightlyAddsFinanceVersionsButCannotChangeOrRemoveOne() throws {
            let nightly = try connect("nightly")
            defer { nightly.close() }
            #expect(outcome(nightly, "INSERT INTO finance.snapshot_versions (business_date, snapshot_version, reason, input_fingerprint) VALUES ('1999-01-01', 1, 'test', 'x')") == nil)
            #expect(outcome(nightly, "UPDATE finance.daily_inventory SET closing_cases = 0 WHERE business_date = '1999-01-01'") == "42501")
            #expect(outcome(nightly, "DELETE FROM finance.snapshot_versions WHERE business_date = '1999-01-01'") == "42501")
            #expect(outcome(nightly, "TRUNCATE finance.daily_donations") == "42501")
        }

        @Test func aGroupsStoredOffsetsAreItsOwnRoles() throws {
            let tag = TestStack.uniqueName("roles")
            let owner = try TestStack.database(), reconcile = try connect("reconcile"), dq = try connect("dq")
            defer { [owner, reconcile, dq].forEach { $0.close() } }
            try owner.execute("INSERT INTO platform.consumer_offsets (consumer_group, topic, partition, next_offset) VALUES ($1, 't', 0, 7)", [.text("dq-\(tag)")])
            defer { _ = try? owner.execute("DELETE FROM platform.consumer_offsets WHERE consumer_group LIKE $1", [.text("%\(tag)")]) }
            let insert = "INSERT INTO platform.consumer_offsets (consumer_group, topic, partition, next_offset) VALUES ($1, 't', 1, 1)"
            #expect(outcome(reconcile, insert, [.text("reconcile-\(tag)")]) == nil, "reconcile stores its own group's offsets")
            #expect(outcome(reconcile, insert, [.text("dq-\(tag)")]) == "42501", "reconcile must not store dq's offsets")
            #expect(try reconcile.execute("SELECT count(*) FROM platform.consumer_offsets WHERE consumer_group = $1", [.text("dq-\(tag)")]).scalar == "0",
                    "reconcile sees dq's offsets")
            #expect(try reconcile.execute("UPDATE platform.consumer_offsets SET next_offset = 0 WHERE consumer_group = $1", [.text("dq-\(tag)")]).affectedRows == 0)
            #expect(try dq.execute("SELECT next_offset FROM platform.consumer_offsets WHERE consumer_group = $1", [.text("dq-\(tag)")]).scalar == "7")
        }

        /// The operator's command that gives each role its login reads the role and password from the
        /// stage's own URL, and prints no password.
        @Test func rolesCommandGivesEachStageItsLoginFromItsURL() throws {
            let url = try TestStack.require(ConsumerRole(stage: "dq").urlVariable)
            var environment = TestStack.environment.filter { !$0.key.hasSuffix("_DATABASE_URL") || $0.key == PostgresConfiguration.urlVariable }
            environment[ConsumerRole(stage: "dq").urlVariable] = url
            let result = try runCapturing(TestStack.binDirectory.appendingPathComponent("foodbank-ctl"), ["roles"], environment: environment)
            #expect(result.status == 0 && result.output.contains("foodbank_dq: login set") && result.output.contains("foodbank_reconcile: skipped"), "\(result.output)")
            let password = try #require(URLComponents(string: url)?.password)
            #expect(!result.output.contains(password), "the command printed a password")
            #expect(try connect("dq").execute("SELECT current_user").scalar == "foodbank_dq")

            environment[ConsumerRole(stage: "dq").urlVariable] = url.replacingOccurrences(of: "foodbank_dq:", with: "foodbank_reconcile:")
            let mismatched = try runCapturing(TestStack.binDirectory.appendingPathComponent("foodbank-ctl"), ["roles"], environment: environment)
            #expect(mismatched.status != 0 && mismatched.output.contains("names user foodbank_reconcile, not foodbank_dq") && !mismatched.output.contains(password),
                    "\(mismatched.output)")
        }
    }
}
