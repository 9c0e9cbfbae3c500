@testable import FoodbankPostgres
import Testing

@Suite struct ConsumerRoleTests {
    @Test func namesFollowTheStage() {
        let watcher = ConsumerRole(stage: "sftp-watcher")
        #expect(watcher.name == "foodbank_sftp_watcher")
        #expect(watcher.urlVariable == "FOODBANK_SFTP_WATCHER_DATABASE_URL")
    }

    /// The migration cannot read the Swift list (applied migrations never change), so the two are
    /// tied here: every role the code gives a login to is one the migration makes and grants.
    @Test func theMigrationMakesAndGrantsEveryRole() throws {
        let migration = try #require(ReportingSchema.migrations.first { $0.name == "consumer roles" })
        for role in ConsumerRole.all {
            #expect(migration.sql.contains("'\(role.name)'"), "\(role.name) is not made by the migration")
            #expect(migration.sql.contains("TO \(role.name)") || migration.sql.contains(", \(role.name)"), "\(role.name) is granted nothing")
        }
    }

    @Test func aURLWithoutItsRolesUserOrPasswordIsRefusedWithoutThePassword() {
        #expect(throws: PostgresError.self) { try ConsumerRole(stage: "dq").loginPassword(from: "postgresql://foodbank_dq@host/reporting") }
        do {
            _ = try ConsumerRole(stage: "dq").loginPassword(from: "postgresql://foodbank:s3cret@host/reporting")
            Issue.record("another role's URL was accepted")
        } catch {
            #expect("\(error)".contains("names user foodbank, not foodbank_dq") && !"\(error)".contains("s3cret"))
        }
        #expect((try? ConsumerRole(stage: "dq").loginPassword(from: "postgresql://foodbank_dq:p%40ss@host/reporting")) == "p@ss")
    }
}
