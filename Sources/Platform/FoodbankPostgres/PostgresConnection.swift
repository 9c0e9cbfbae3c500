import CLibPQ
import Foundation
import Logging

/// One libpq connection. Every statement is parameterized (`$1`, `$2`, ...): values never become SQL text.
///
/// Not thread-safe: a connection belongs to one loop. After a connection failure, ``reconnect(timeout:)``
/// restores it; the caller retries its whole unit of work (transactions are never resumed halfway).
public final class PostgresConnection: @unchecked Sendable {
    private var conn: OpaquePointer?
    private let url: String
    private let logger: Logger
    private var transactionDepth = 0
    /// Session settings (name, value) applied on every connect, reconnects included.
    private let settings: [(name: String, value: String)]

    /// What the consumers' sessions run with: many small statements a batch, for which the planner
    /// overestimates `jsonb_array_elements` (100 rows a call) and so, past `jit_above_cost`, JIT-
    /// compiles them: dq's unknown-sku count took 62 ms a call in scripts/bench-sinks.sh's statement
    /// log, and EXPLAIN ANALYZE showed 163 ms of compiling for 0.05 ms of execution (4 ms without).
    public static let consumerSettings: [(name: String, value: String)] = [("jit", "off")]

    /// Connects to `url` (`postgresql://user:password@host:port/db?...`), waiting up to `timeout`
    /// for a server that is starting.
    public init(url: String, timeout: Duration = .seconds(30), settings: [(name: String, value: String)] = [],
                logger: Logger = Logger(label: "foodbank.postgres")) throws {
        self.url = url
        self.logger = logger
        self.settings = settings
        try connect(timeout: timeout)
        try applySettings()
    }

    deinit {
        close()
    }

    /// Closes the connection; later statements fail as connection failures.
    public func close() {
        PQfinish(conn)
        conn = nil
    }

    /// The database and host, with any password removed, for logs.
    public var redactedURL: String { PostgresConfiguration.redact(url) }

    public var isConnected: Bool { PQstatus(conn) == CONNECTION_OK }

    /// Drops the current connection and opens a new one, retrying with backoff until `timeout`.
    public func reconnect(timeout: Duration = .seconds(60)) throws {
        PQfinish(conn)
        conn = nil
        transactionDepth = 0
        try connect(timeout: timeout)
        try applySettings()
    }

    private func applySettings() throws {
        for setting in settings { try execute("SELECT set_config($1, $2, false)", [.text(setting.name), .text(setting.value)]) }
    }

    private func connect(timeout: Duration) throws {
        let deadline = ContinuousClock.now + timeout
        var delay = 0.1  // seconds, doubled up to 5
        while true {
            let candidate = PQconnectdb(url)
            if PQstatus(candidate) == CONNECTION_OK {
                // Server NOTICEs ("already exists, skipping") are not errors: keep them out of stderr.
                PQsetNoticeProcessor(candidate, { _, _ in }, nil)
                conn = candidate
                return
            }
            let message = Self.errorMessage(candidate)
            PQfinish(candidate)
            guard ContinuousClock.now + .seconds(delay) < deadline else {
                throw PostgresError(sqlState: nil, message: message, context: "connecting to \(redactedURL)", isConnectionFailure: true)
            }
            logger.warning("database not reachable, retrying", metadata: ["database": "\(redactedURL)", "reason": "\(message)"])
            Thread.sleep(forTimeInterval: delay)
            delay = min(delay * 2, 5)
        }
    }

    /// Runs one statement with parameters bound by libpq.
    @discardableResult
    public func execute(_ sql: String, _ parameters: [PostgresValue] = []) throws -> PostgresResult {
        let texts = parameters.map(\.textValue)
        let cStrings = texts.map { $0.map { strdup($0)! } }
        defer { cStrings.forEach { free($0) } }
        let pointers = cStrings.map { UnsafePointer($0) }
        let result = pointers.withUnsafeBufferPointer { buffer in
            PQexecParams(conn, sql, Int32(buffer.count), nil, buffer.baseAddress, nil, nil, 0)
        }
        return try consume(result, context: Self.summary(sql))
    }

    /// Runs a script of several statements with no parameters (the simple query protocol): for the
    /// project's own migrations and for replication commands, never for text that contains data.
    /// Returns the last statement's result.
    @discardableResult
    public func executeScript(_ sql: String) throws -> PostgresResult {
        try consume(PQexec(conn, sql), context: Self.summary(sql))
    }

    /// `name` as a quoted SQL identifier, for catalog names that cannot be parameters.
    public static func quoteIdentifier(_ name: String) -> String {
        "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// Runs `body` in a transaction (nested calls join the outer one). Commits when `body` returns,
    /// rolls back when it throws.
    public func transaction<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        if transactionDepth > 0 { return try body(self) }
        try execute("BEGIN")
        transactionDepth = 1
        defer { transactionDepth = 0 }
        do {
            let result = try body(self)
            try execute("COMMIT")
            return result
        } catch {
            if isConnected { _ = try? execute("ROLLBACK") }
            throw error
        }
    }

    /// Inserts many rows in multi-row statements (chunked below PostgreSQL's parameter limit).
    /// `suffix` follows the VALUES list, e.g. `ON CONFLICT (event_id) DO NOTHING`. Returns rows affected.
    @discardableResult
    public func insertRows(into table: String, columns: [String], rows: [[PostgresValue]], suffix: String = "") throws -> Int {
        try executeChunked(rows: rows, columns: columns.count) { values in
            "INSERT INTO \(table) (\(columns.joined(separator: ","))) VALUES \(values) \(suffix)"
        }
    }

    /// Runs a statement built around a multi-row VALUES list, once per chunk of `rows` (below
    /// PostgreSQL's parameter limit): `statement` gets the list (`($1,$2),($3,$4)`) to place.
    /// Returns rows affected.
    @discardableResult
    public func executeChunked(rows: [[PostgresValue]], columns: Int, _ statement: (String) -> String) throws -> Int {
        guard !rows.isEmpty else { return 0 }
        let rowsPerStatement = max(1, min(1000, 65_000 / max(columns, 1)))
        var affected = 0
        for start in stride(from: 0, to: rows.count, by: rowsPerStatement) {
            let chunk = rows[start..<min(start + rowsPerStatement, rows.count)]
            var placeholders: [String] = []
            placeholders.reserveCapacity(chunk.count)
            var parameter = 0
            for row in chunk {
                precondition(row.count == columns, "row has \(row.count) values for \(columns) columns")
                let slots = (0..<columns).map { _ in parameter += 1; return "$\(parameter)" }
                placeholders.append("(" + slots.joined(separator: ",") + ")")
            }
            affected += try execute(statement(placeholders.joined(separator: ",")), chunk.flatMap { $0 }).affectedRows
        }
        return affected
    }

    /// Streams rows into `table` with `COPY ... FROM STDIN` (text format): the fastest bulk path,
    /// for loads that need no conflict handling (or into a staging table).
    public func copyIn(table: String, columns: [String], rows: [[String?]]) throws {
        let sql = "COPY \(table) (\(columns.joined(separator: ","))) FROM STDIN"
        let start = PQexec(conn, sql)
        guard PQresultStatus(start) == PGRES_COPY_IN else { _ = try consume(start, context: Self.summary(sql)); return }
        PQclear(start)
        var buffer = ""
        buffer.reserveCapacity(1 << 16)
        func send() throws {
            guard !buffer.isEmpty else { return }
            let length = Int32(buffer.utf8.count)
            let ok = buffer.withCString { PQputCopyData(conn, $0, length) }
            buffer.removeAll(keepingCapacity: true)
            if ok != 1 { throw connectionError(context: "streaming COPY into \(table)") }
        }
        for row in rows {
            buffer += row.map { $0.map(Self.copyEscape) ?? "\\N" }.joined(separator: "\t")
            buffer += "\n"
            if buffer.utf8.count > 1 << 16 { try send() }
        }
        try send()
        if PQputCopyEnd(conn, nil) != 1 { throw connectionError(context: "ending COPY into \(table)") }
        _ = try consume(PQgetResult(conn), context: "COPY into \(table)")
        while let extra = PQgetResult(conn) { PQclear(extra) }
    }

    static func copyEscape(_ value: String) -> String {
        var out = ""
        out.reserveCapacity(value.utf8.count)
        for ch in value.unicodeScalars {
            switch ch {
            case "\\": out += "\\\\"
            case "\t": out += "\\t"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            default: out.unicodeScalars.append(ch)
            }
        }
        return out
    }

    private func consume(_ result: OpaquePointer?, context: String) throws -> PostgresResult {
        defer { PQclear(result) }
        guard let result else { throw connectionError(context: context) }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            break
        default:
            let state = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) }
            let message = PQresultErrorField(result, Int32(UInt8(ascii: "M"))).map { String(cString: $0) }
                ?? String(cString: PQresultErrorMessage(result))
            throw PostgresError(sqlState: state, message: message, context: context,
                                isConnectionFailure: PQstatus(conn) != CONNECTION_OK || PostgresError.isConnectionState(state))
        }
        let columnCount = Int(PQnfields(result))
        let rowCount = Int(PQntuples(result))
        let columns = (0..<columnCount).map { String(cString: PQfname(result, Int32($0))) }
        var rows: [[String?]] = []
        rows.reserveCapacity(rowCount)
        for r in 0..<rowCount {
            rows.append((0..<columnCount).map { c in
                PQgetisnull(result, Int32(r), Int32(c)) == 1 ? nil : String(cString: PQgetvalue(result, Int32(r), Int32(c)))
            })
        }
        let affected = Int(String(cString: PQcmdTuples(result))) ?? 0
        return PostgresResult(columns: columns, rows: rows, affectedRows: affected)
    }

    private func connectionError(context: String) -> PostgresError {
        PostgresError(sqlState: nil, message: Self.errorMessage(conn), context: context, isConnectionFailure: PQstatus(conn) != CONNECTION_OK)
    }

    private static func errorMessage(_ conn: OpaquePointer?) -> String {
        guard let conn, let message = PQerrorMessage(conn) else { return "no connection" }
        return String(cString: message).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The first line of a statement, shortened, to say what failed without dumping it all.
    static func summary(_ sql: String) -> String {
        let line = sql.split(whereSeparator: \.isNewline).first.map(String.init) ?? sql
        return line.count > 120 ? String(line.prefix(120)) + "..." : line
    }
}
