import FoodbankPostgres
import FoodbankReconcile
import Foundation
import Testing

extension Integration {
    /// reconcile's store on the real database, fed versions and item changes in any order, with
    /// repeats, in batches of any size. After every batch each position holds what its counted legs
    /// add up to at the items' current weights; at the end, what the rows' final versions say.
    /// (A CI history once ended with pounds off by one legacy movement's cases times its weight.)
    @Suite struct ReconcileDeliveryOrders {
        static let baseSeed = UInt64(ProcessInfo.processInfo.environment["FOODBANK_DELIVERY_SEED"] ?? "") ?? 20_261_203

        @Test(arguments: 0..<32) func positionsHoldWhateverOrderVersionsArriveIn(_ index: Int) throws {
            try TestStack.forgetSnapshotCompletions()
            let seed = Self.baseSeed + UInt64(index)
            let tag = TestStack.uniqueName("rd").replacingOccurrences(of: "-", with: "_")
            let history = try LedgerDeliveryHistory(seed: seed, tag: tag)
            let db = try TestStack.database()
            defer { db.close() }
            for (number, batch) in history.batches.enumerated() {
                try db.transaction { db in _ = try ReconcileStore.apply(LedgerDeliveryHistory.plan(batch), in: db) }
                let drift = try inconsistentPositions(tag, db)
                let account = history.batches.prefix(number + 1).enumerated().map { "batch \($0.offset):\n" + $0.element.map { "  " + $0.line }.joined(separator: "\n") }
                let report = (drift + account).joined(separator: "\n")
                try #require(drift.isEmpty, "seed \(seed), after batch \(number) of \(history.batches.count): positions differ from their legs\n\(report)")
            }
            let expected = history.expectedPositions().filter { $0.value.cases != 0 || $0.value.lbs != 0 }
            let rows = try db.execute("""
                SELECT sku || '|' || location_id || '|' || lot_code AS key, on_hand_cases::text AS cases, on_hand_lbs::text AS lbs
                FROM ops.inventory_on_hand WHERE sku LIKE $1 AND (on_hand_cases <> 0 OR on_hand_lbs <> 0)
                """, [.text("\(tag)-%")])
            let actual = Dictionary(uniqueKeysWithValues: (0..<rows.count).map {
                (rows.value($0, "key")!, "\(Decimal(string: rows.value($0, "cases")!)!) cases \(Decimal(string: rows.value($0, "lbs")!)!) lbs")
            })
            #expect(actual == expected.mapValues { "\($0.cases) cases \($0.lbs) lbs" }, "seed \(seed)")
        }

        /// Positions whose cases or pounds are not what their counted legs add up to now.
        private func inconsistentPositions(_ tag: String, _ db: PostgresConnection) throws -> [String] {
            try db.execute("""
                SELECT h.sku || '|' || h.location_id || '|' || h.lot_code || ' holds ' || h.on_hand_cases || ' cases ' || h.on_hand_lbs
                       || ' lbs, its legs ' || coalesce(s.cases, 0) || ' cases ' || coalesce(s.lbs, 0) || ' lbs' AS drift
                FROM ops.inventory_on_hand h
                LEFT JOIN (SELECT m.sku, m.location_id, m.lot_code, sum(m.delta_cases) AS cases,
                                  sum(coalesce(m.own_lbs, m.delta_cases * coalesce(i.unit_weight_lbs, 0))) AS lbs
                           FROM ops.inventory_movements m LEFT JOIN ops.items i ON i.sku = m.sku AND NOT i.deleted
                           WHERE m.sku LIKE $1 GROUP BY 1, 2, 3) s USING (sku, location_id, lot_code)
                WHERE h.sku LIKE $1 AND (h.on_hand_cases <> coalesce(s.cases, 0) OR h.on_hand_lbs <> coalesce(s.lbs, 0))
                ORDER BY 1
                """, [.text("\(tag)-%")]).rows.map { $0[0] ?? "" }
        }
    }
}
