import FoodbankOracle
import FoodbankPostgres

/// One thing a history does to the sources: a transaction in one source database, or a file
/// written into the SFTP inbox.
public enum SourceAction: Sendable, CustomStringConvertible {
    public struct Statement: Sendable {
        public var sql: String
        public var parameters: [PostgresValue]

        public init(sql: String, parameters: [PostgresValue] = []) {
            self.sql = sql
            self.parameters = parameters
        }
    }

    case transaction(database: String, statements: [Statement])
    case upload(DeliveredFile)

    public var description: String {
        switch self {
        case .transaction(let database, let statements):
            return "\(database): " + statements.map { s in
                s.sql + (s.parameters.isEmpty ? "" : " " + s.parameters.map { $0.textValue ?? "NULL" }.description)
            }.joined(separator: "; ")
        case .upload(let file):
            return "upload \(file.feed.definition.folder)/\(file.name):\n" + String(decoding: file.content ?? [], as: UTF8.self)
        }
    }
}
