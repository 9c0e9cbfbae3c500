import FoodbankCanonical
import FoodbankJSON
import FoodbankPostgres

/// Where normalize keeps what header rows say their lines are keyed by.
public protocol ParentKeyStore {
    /// Stores facts; a fact older (by source position) than the stored one changes nothing.
    func record(_ facts: [ParentFact]) throws
    /// The keys known for `parents`; unknown ones are absent.
    func keys(for parents: Set<ParentReference>) throws -> [ParentReference: String]
}

/// The `platform.parent_keys` table: shared by every normalize instance, since a header and its
/// lines arrive on different topics and partitions. Each call is one statement.
public struct ParentKeys: ParentKeyStore {
    private let db: PostgresConnection

    public init(db: PostgresConnection) { self.db = db }

    public func record(_ facts: [ParentFact]) throws {
        // One row per parent per statement: ON CONFLICT cannot touch a row twice.
        let newest = Dictionary(facts.map { ($0.parent, $0) }) { a, b in a.position >= b.position ? a : b }
        try db.insertRows(into: "platform.parent_keys", columns: ["kind", "parent_id", "key", "position"],
                          rows: newest.values.map { [.text($0.parent.kind), .text($0.parent.id), .text($0.key), .int($0.position)] },
                          suffix: """
                              ON CONFLICT (kind, parent_id) DO UPDATE SET key = EXCLUDED.key, position = EXCLUDED.position, updated_at = now()
                              WHERE platform.parent_keys.position < EXCLUDED.position
                              """)
    }

    public func keys(for parents: Set<ParentReference>) throws -> [ParentReference: String] {
        guard !parents.isEmpty else { return [:] }
        let wanted = JSONValue.array(parents.map { .array([.string($0.kind), .string($0.id)]) })
        let result = try db.execute("""
            SELECT p.kind, p.parent_id, p.key FROM platform.parent_keys p
            JOIN jsonb_array_elements($1::jsonb) w ON p.kind = w->>0 AND p.parent_id = w->>1
            """, [.text(wanted.encodedString())])
        var keys: [ParentReference: String] = [:]
        for row in 0..<result.count {
            keys[ParentReference(kind: result.value(row, "kind")!, id: result.value(row, "parent_id")!)] = result.value(row, "key")
        }
        return keys
    }
}
