import FoodbankCanonical
import FoodbankJSON
import FoodbankPostgres

/// Where normalize keeps what header rows say their lines are keyed by.
public protocol ParentKeyStore {
    /// Stores facts (every version; storing one again changes nothing).
    func record(_ facts: [ParentFact]) throws
    /// Each lookup's answer: the key of the newest fact at or before its position; absent if none.
    func keys(for lookups: Set<ParentLookup>) throws -> [ParentLookup: String]
}

/// The `platform.parent_keys` table: shared by every normalize instance, since a header and its
/// lines arrive on different topics and partitions. Each call is one statement.
public struct ParentKeys: ParentKeyStore {
    private let db: PostgresConnection

    public init(db: PostgresConnection) { self.db = db }

    public func record(_ facts: [ParentFact]) throws {
        let distinct = Dictionary(facts.map { ("\($0.parent.kind)\u{0}\($0.parent.id)\u{0}\($0.position)", $0) }) { a, _ in a }.values
        try db.insertRows(into: "platform.parent_keys", columns: ["kind", "parent_id", "position", "key"],
                          rows: distinct.map { [.text($0.parent.kind), .text($0.parent.id), .int($0.position), .text($0.key)] },
                          suffix: "ON CONFLICT (kind, parent_id, position) DO NOTHING")
    }

    public func keys(for lookups: Set<ParentLookup>) throws -> [ParentLookup: String] {
        guard !lookups.isEmpty else { return [:] }
        let wanted = JSONValue.array(lookups.map { .array([.string($0.parent.kind), .string($0.parent.id), .int($0.asOf)]) })
        let result = try db.execute("""
            SELECT w->>0 AS kind, w->>1 AS parent_id, (w->>2)::bigint AS as_of, f.key
            FROM jsonb_array_elements($1::jsonb) w
            CROSS JOIN LATERAL (
                SELECT p.key FROM platform.parent_keys p
                WHERE p.kind = w->>0 AND p.parent_id = w->>1 AND p.position <= (w->>2)::bigint
                ORDER BY p.position DESC LIMIT 1) f
            """, [.text(wanted.encodedString())])
        var keys: [ParentLookup: String] = [:]
        for row in 0..<result.count {
            let parent = ParentReference(kind: result.value(row, "kind")!, id: result.value(row, "parent_id")!)
            keys[ParentLookup(parent: parent, asOf: result.int(row, "as_of")!)] = result.value(row, "key")
        }
        return keys
    }
}
