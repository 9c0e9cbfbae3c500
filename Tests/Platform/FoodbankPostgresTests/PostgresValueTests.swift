@testable import FoodbankPostgres
import Testing

@Suite struct PostgresValueTests {
    @Test func valuesUseTheTextFormat() {
        #expect(PostgresValue.int(-42).textValue == "-42")
        #expect(PostgresValue.bool(true).textValue == "t")
        #expect(PostgresValue.null.textValue == nil)
        #expect(PostgresValue.bytes([0x00, 0xff]).textValue == "\\x00ff")
        #expect(PostgresValue.optional(nil) == .null)
    }

    @Test func copyEscapingKeepsTabsNewlinesAndBackslashesInsideTheField() {
        #expect(PostgresConnection.copyEscape("a\tb\nc\\d\re") == "a\\tb\\nc\\\\d\\re")
        #expect(PostgresConnection.copyEscape("plain, \"quoted\" ünïcode") == "plain, \"quoted\" ünïcode")
    }

    @Test func passwordsAreRedactedFromURLs() {
        #expect(PostgresConfiguration.redact("postgresql://foodbank:s3cret@db:5432/reporting") == "postgresql://foodbank:[redacted]@db:5432/reporting")
        #expect(PostgresConfiguration.redact("postgresql://db/reporting?user=x&password=s3cret&sslmode=require")
                == "postgresql://db/reporting?user=x&password=[redacted]&sslmode=require")
        #expect(PostgresConfiguration.redact("postgresql://db/reporting") == "postgresql://db/reporting")
    }

    @Test func missingURLIsAClearError() {
        let error = #expect(throws: PostgresError.self) { try PostgresConfiguration.url(from: [:]) }
        #expect(error?.description.contains("FOODBANK_DATABASE_URL") == true)
    }

    @Test func connectionClassSQLStatesAreConnectionFailures() {
        #expect(PostgresError.isConnectionState("08006"))
        #expect(PostgresError.isConnectionState("57P01"))
        #expect(!PostgresError.isConnectionState("23505"))
    }

    @Test func migrationsAreOrderedAndUnique() {
        let versions = ReportingSchema.migrations.map(\.version)
        #expect(versions == versions.sorted())
        #expect(Set(versions).count == versions.count)
        #expect(Migrator().migrations.map(\.version) == versions)
    }
}
