import FoodbankPostgres
import Foundation

/// A hold on one nightly group's finance while its inputs are rebuilt (`nightly.finance_holds`):
/// its rounds finalize nothing, not even due days, until a backfill, run once the fleet has caught
/// up, re-finalizes the days from the rebuilt inputs and releases it. Without it, every round of a
/// rebuild would append a version of each day from half-read inputs (seen in
/// `Integration/RowStateConversion`: two versions a day).
public enum FinanceHold {
    public struct Held: Sendable, Equatable {
        public var reason: String
        public var heldAt: String
    }

    public static func hold(_ group: String, reason: String, _ db: PostgresConnection) throws {
        try db.execute("""
            INSERT INTO nightly.finance_holds (nightly_group, reason) VALUES ($1, $2)
            ON CONFLICT (nightly_group) DO UPDATE SET reason = EXCLUDED.reason, held_at = now()
            """, [.text(group), .text(reason)])
    }

    public static func current(_ group: String, _ db: PostgresConnection) throws -> Held? {
        let result = try db.execute("SELECT reason, held_at::text AS held_at FROM nightly.finance_holds WHERE nightly_group = $1", [.text(group)])
        guard result.count == 1 else { return nil }
        return Held(reason: result.value(0, "reason") ?? "", heldAt: result.value(0, "held_at") ?? "")
    }

    /// Releases a hold taken before `moment` (one taken during the backfill stays: its rebuild is
    /// newer than what the backfill read).
    public static func release(_ group: String, heldBefore moment: Date, _ db: PostgresConnection) throws -> Held? {
        let result = try db.execute("""
            DELETE FROM nightly.finance_holds WHERE nightly_group = $1 AND held_at <= to_timestamp($2::float8)
            RETURNING reason, held_at::text AS held_at
            """, [.text(group), .text(String(moment.timeIntervalSince1970))])
        guard result.count == 1 else { return nil }
        return Held(reason: result.value(0, "reason") ?? "", heldAt: result.value(0, "held_at") ?? "")
    }
}
