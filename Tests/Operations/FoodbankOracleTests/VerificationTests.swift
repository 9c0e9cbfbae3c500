import FoodbankHistories
import FoodbankPostgres
@testable import FoodbankOracle
import Testing

/// How verify classifies what differs, on a reporting database of its own with finance rows written
/// by hand: a day whose inputs changed after its latest version (recently) is pending, one that
/// still differs long after is wrong, a day never finalized is unfinalized; and every run is
/// recorded and exported as the metric.
@Suite(.serialized) struct VerificationTests {
    /// One receipt on each of three days: 5 cases of SKU-1 at OAK-MAIN (11:00 in Los Angeles).
    static let sources = SnapshotBuilder().item(weight: "2")
        .movement(id: 1, type: "receipt", qty: "5", at: "2026-03-07 19:00:00+00")
        .movement(id: 2, type: "receipt", qty: "5", at: "2026-03-08 18:00:00+00")
        .movement(id: 3, type: "receipt", qty: "5", at: "2026-03-09 18:00:00+00")

    @Test func differencesAreWrongPendingOrUnfinalizedAndEveryRunIsRecorded() throws {
        try HistoryDeployment.dropLeftovers(prefix: "ohverify")
        let deployment = try HistoryDeployment(tag: "ohverify\(UInt32.random(in: 0..<1_000_000))")
        defer { deployment.drop() }
        try deployment.createReporting()
        let db = try PostgresConnection(url: deployment.reportingURL)
        defer { db.close() }
        _ = try Migrator().migrate(db)
        // On-hand as the sources say; 03-07 finalized right; 03-08 finalized wrong two hours ago, with a
        // ledger row applied since (pending); 03-09 never finalized.
        try db.execute("""
            INSERT INTO ops.inventory_on_hand (sku, location_id, lot_code, on_hand_cases, on_hand_lbs, last_movement_at)
            VALUES ('SKU-1', 'OAK-MAIN', '', 15, 30, '2026-03-09 18:00:00+00')
            """)
        for (day, opening, receipts, age) in [("2026-03-07", "0", "5", "3 hours"), ("2026-03-08", "5", "4", "2 hours")] {
            try db.execute("""
                INSERT INTO finance.snapshot_versions (business_date, snapshot_version, finalized_at, reason, input_fingerprint)
                VALUES ($1::date, 1, now() - $2::interval, 'complete', 'x')
                """, [.text(day), .text(age)])
            try db.execute("""
                INSERT INTO finance.daily_inventory VALUES ($1::date, 'SKU-1', 'OAK-MAIN', $2::numeric, $3::numeric, 0, 0, 0, 0, 0,
                    $2::numeric + $3::numeric, ($2::numeric + $3::numeric) * 2, 1, now())
                """, [.text(day), .text(opening), .text(receipts)])
        }
        try db.execute("""
            INSERT INTO ops.inventory_movements (row_id, leg, event_id, sku, location_id, lot_code, movement_type, delta_cases,
                                                 occurred_at, business_date, source_system, applied_at)
            VALUES ('warehouse:wms.inventory_transactions:1', '', 'e-1', 'SKU-1', 'OAK-MAIN', '', 'receipt', 5, '2026-03-08 18:00:00+00', '2026-03-08',
                    'warehouse', now() - interval '30 minutes')
            """)
        try db.execute("INSERT INTO ops.ledger_changed_dates (business_date, changed_at) VALUES ('2026-03-08', now() - interval '30 minutes')")

        let verification = try Verification.run(snapshot: Self.sources.snapshot, reporting: db, from: "2026-03-07", to: "2026-03-09")
        let kinds = Dictionary(grouping: verification.differences) { $0.key[0] }.mapValues { Set($0.map(\.kind)) }
        #expect(kinds["2026-03-07"] == nil, "03-07 is right")
        #expect(kinds["2026-03-08"] == [.pendingRefinalization], "03-08 predates a ledger row applied half an hour ago")
        #expect(kinds["2026-03-09"] == [.unfinalized])
        #expect(verification.differences.filter { !$0.table.hasPrefix("finance.") }.isEmpty, "on-hand and findings match")
        let wrongReceipts = verification.differences.first { $0.key == ["2026-03-08", "SKU-1", "OAK-MAIN"] && $0.column == "receipts_cases" }
        #expect(wrongReceipts?.expected == "5" && wrongReceipts?.actual == "4")

        // Long after the input, the same day is wrong: nightly has had its rounds.
        let later = try Verification.run(snapshot: Self.sources.snapshot, reporting: db, from: "2026-03-08", to: "2026-03-08", settleMinutes: 20)
        #expect(!later.differences.isEmpty && later.differences.allSatisfy { $0.kind == .wrong })

        let run = try later.record(in: db)
        let recorded = try db.execute("SELECT count(*) FROM platform.verify_differences WHERE run_id = $1 AND kind = 'wrong'", [.int(run)]).scalar
        #expect(recorded == String(later.differences.count))
        let metrics = try Verification.prometheus(db)
        #expect(metrics.contains("foodbank_verify_differences{kind=\"wrong\"} \(later.differences.count)\n"))
        #expect(metrics.contains("foodbank_verify_differences{kind=\"pending_refinalization\"} 0\n"))
        #expect(metrics.contains("foodbank_verify_last_run_timestamp_seconds "))
    }
}
