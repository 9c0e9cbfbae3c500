import FoodbankPostgres
import Foundation
import Testing

extension Integration {
    /// With `sslmode=verify-full` in the database URL, libpq checks the server's certificate against
    /// the given CA and host name: the stack's CA is accepted, a stranger's refused, and a consumer
    /// executable runs over it unchanged.
    @Suite struct PostgresTLS {
        static func url(rootCertificate: String) throws -> String {
            let base = try TestStack.databaseURL
            return base + (base.contains("?") ? "&" : "?") + "sslmode=verify-full&sslrootcert=\(rootCertificate)"
        }

        @Test func verifyFullAcceptsTheStacksCAAndRefusesAnother() throws {
            let ca = try TestStack.require("FOODBANK_PG_CA_FILE")
            let db = try PostgresConnection(url: try Self.url(rootCertificate: ca))
            #expect(try db.execute("SELECT ssl::text FROM pg_stat_ssl WHERE pid = pg_backend_pid()").scalar == "true", "the connection is not encrypted")

            let scratch = FileManager.default.temporaryDirectory.appendingPathComponent(TestStack.uniqueName("ca"))
            try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: scratch) }
            let stranger = scratch.appendingPathComponent("stranger.crt").path
            let made = try runCapturing(URL(fileURLWithPath: "/usr/bin/openssl"), [
                "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1", "-subj", "/CN=stranger",
                "-keyout", scratch.appendingPathComponent("stranger.key").path, "-out", stranger,
            ], environment: ProcessInfo.processInfo.environment)
            #expect(made.status == 0, "\(made.output)")
            #expect(throws: PostgresError.self, "a server certificate from another CA was accepted") {
                _ = try PostgresConnection(url: try Self.url(rootCertificate: stranger), timeout: .seconds(5))
            }

            let migrate = try runCapturing(TestStack.binDirectory.appendingPathComponent("foodbank-ctl"), ["migrate"],
                                           environment: TestStack.environment.merging([PostgresConfiguration.urlVariable: try Self.url(rootCertificate: ca)]) { _, new in new })
            #expect(migrate.status == 0, "foodbank-ctl over verify-full failed:\n\(migrate.output)")
        }
    }
}
