import Logging

/// One versioned change to the reporting database's schema. Applied migrations are never edited:
/// the migrator refuses to run when an applied migration's text no longer matches its checksum.
public struct Migration: Sendable {
    public let version: Int
    public let name: String
    public let sql: String

    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }
}

/// Applies ``Migration``s in order, each in its own transaction, under an advisory lock so that
/// several containers starting at once do not race.
public struct Migrator {
    /// Arbitrary, fixed: the advisory lock every migrator instance takes.
    static let lockKey: Int64 = 0x466F_6F64_4261_6E6B  // "FoodBank"

    public let migrations: [Migration]
    private let logger: Logger

    public init(migrations: [Migration] = ReportingSchema.migrations, logger: Logger = Logger(label: "foodbank.migrate")) {
        precondition(Set(migrations.map(\.version)).count == migrations.count, "duplicate migration versions")
        self.migrations = migrations.sorted { $0.version < $1.version }
        self.logger = logger
    }

    /// Applies what is pending; returns the versions applied now.
    @discardableResult
    public func migrate(_ db: PostgresConnection) throws -> [Int] {
        try db.transaction { db in
            try db.execute("SELECT pg_advisory_xact_lock($1)", [.int(Self.lockKey)])
            try db.execute("CREATE SCHEMA IF NOT EXISTS platform")
            try db.execute("""
                CREATE TABLE IF NOT EXISTS platform.schema_migrations (
                    version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now())
                """)
            let applied = try db.execute("SELECT version, checksum FROM platform.schema_migrations ORDER BY version")
            var appliedChecksums: [Int: String] = [:]
            for row in 0..<applied.count {
                appliedChecksums[Int(applied.int(row, "version")!)] = applied.value(row, "checksum")
            }
            var appliedNow: [Int] = []
            for migration in migrations {
                let checksum = try db.execute("SELECT md5($1)", [.text(migration.sql)]).scalar ?? ""
                if let existing = appliedChecksums[migration.version] {
                    guard existing == checksum else {
                        throw PostgresError(sqlState: nil,
                                            message: "migration \(migration.version) (\(migration.name)) was changed after it was applied; add a new migration instead",
                                            context: "checking migrations", isConnectionFailure: false)
                    }
                    continue
                }
                logger.info("applying migration", metadata: ["version": "\(migration.version)", "name": "\(migration.name)"])
                do {
                    try db.executeScript(migration.sql)
                } catch let error as PostgresError {
                    throw PostgresError(sqlState: error.sqlState, message: error.message,
                                        context: "applying migration \(migration.version) (\(migration.name))",
                                        isConnectionFailure: error.isConnectionFailure)
                }
                try db.execute("INSERT INTO platform.schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
                               [.int(Int64(migration.version)), .text(migration.name), .text(checksum)])
                appliedNow.append(migration.version)
            }
            return appliedNow
        }
    }
}
