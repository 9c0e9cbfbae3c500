extension PostgresConnection {
    /// Takes transaction-scoped advisory locks on `namespace:key`, all in one order (by hash), so
    /// two transactions locking overlapping keys take turns instead of deadlocking each other.
    /// Run it as a statement of its own: under READ COMMITTED the statements after it see what the
    /// transaction that held a lock committed before releasing it.
    public func lockAdvisory(keys: [String], namespace: String) throws {
        guard !keys.isEmpty else { return }
        try execute("""
            SELECT count(pg_advisory_xact_lock(k)) FROM (
                SELECT DISTINCT hashtextextended($2 || ':' || r, 0) AS k FROM jsonb_array_elements_text($1::jsonb) r ORDER BY k OFFSET 0) keys
            """, [.jsonList(keys), .text(namespace)])
    }
}
