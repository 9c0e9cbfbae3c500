import FoodbankOracle
import FoodbankPostgres
import Foundation

/// A deployment of the platform's databases of one history's own on the local PostgreSQL server:
/// four source databases created from the contract's schemas and a reporting database, all
/// suffixed with the history's tag, so the oracle and verify see exactly this history.
public struct HistoryDeployment: Sendable {
    public static let sourceDatabases = ["warehouse", "donations", "agency", "fulfillment"]
    public let tag: String
    let serverURL: String

    public init(tag: String) throws {
        self.tag = tag
        serverURL = try LocalStackEnvironment.require(PostgresConfiguration.urlVariable)
    }

    public func databaseName(_ database: String) -> String { "\(database)_\(tag)" }

    public func url(_ database: String) -> String {
        guard let slash = serverURL.lastIndex(of: "/") else { return serverURL }
        return serverURL[..<slash] + "/" + databaseName(database)
    }

    /// For `FOODBANK_SOURCE_DATABASE_URL_TEMPLATE`.
    public var sourceURLTemplate: String { url("{db}") }
    public var reportingURL: String { url("reporting") }

    /// Creates the reporting database alone (empty: the caller migrates it).
    public func createReporting() throws {
        let server = try PostgresConnection(url: serverURL)
        defer { server.close() }
        try server.execute("CREATE DATABASE \(PostgresConnection.quoteIdentifier(databaseName("reporting")))")
    }

    /// Creates the five databases, the source schemas from `contract/sources/`.
    public func create() throws {
        let server = try PostgresConnection(url: serverURL)
        defer { server.close() }
        for database in Self.sourceDatabases + ["reporting"] {
            try server.execute("CREATE DATABASE \(PostgresConnection.quoteIdentifier(databaseName(database)))")
        }
        for database in Self.sourceDatabases {
            let source = try PostgresConnection(url: url(database))
            defer { source.close() }
            let schema = LocalStackEnvironment.packageRoot.appendingPathComponent("contract/sources/\(database).sql")
            _ = try source.executeScript(try String(contentsOf: schema, encoding: .utf8))
        }
    }

    /// Drops the databases and their replication slots.
    public func drop() {
        Self.drop(databases: (Self.sourceDatabases + ["reporting"]).map(databaseName), serverURL: serverURL)
    }

    /// Drops what an earlier run that died left behind (its slots would hold WAL and use up the server's slots).
    public static func dropLeftovers(prefix: String) throws {
        let serverURL = try LocalStackEnvironment.require(PostgresConfiguration.urlVariable)
        let server = try PostgresConnection(url: serverURL)
        let names = try server.execute("SELECT datname FROM pg_database WHERE datname LIKE $1", [.text("%\\_\(prefix)%")]).rows.compactMap { $0[0] }
        server.close()
        drop(databases: names, serverURL: serverURL)
    }

    static func drop(databases: [String], serverURL: String) {
        guard let server = try? PostgresConnection(url: serverURL) else { return }
        defer { server.close() }
        for name in databases {
            // Backends first (an active slot cannot be dropped), then the slots (they would hold WAL), then the database.
            _ = try? server.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", [.text(name)])
            _ = try? server.execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE database = $1 AND NOT active", [.text(name)])
            _ = try? server.execute("DROP DATABASE IF EXISTS \(PostgresConnection.quoteIdentifier(name)) WITH (FORCE)")
        }
    }

    /// Applies one action: a transaction in its source database, or a file written into `inbox`
    /// (written beside the feed folder and renamed into it, so the watcher never reads half a file).
    public func apply(_ action: SourceAction, inbox: URL, connections: inout [String: PostgresConnection]) throws {
        switch action {
        case .transaction(let database, let statements):
            if connections[database] == nil { connections[database] = try PostgresConnection(url: url(database)) }
            try connections[database]!.transaction { db in
                for statement in statements { try db.execute(statement.sql, statement.parameters) }
            }
        case .upload(let file):
            let folder = inbox.appendingPathComponent(file.feed.definition.folder)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let staging = inbox.appendingPathComponent(".\(file.name).part")
            try Data(file.content ?? []).write(to: staging)
            let target = folder.appendingPathComponent(file.name)
            _ = try? FileManager.default.removeItem(at: target)
            try FileManager.default.moveItem(at: staging, to: target)
        }
    }
}
