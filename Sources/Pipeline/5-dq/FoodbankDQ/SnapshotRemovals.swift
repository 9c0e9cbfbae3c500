import FoodbankCanonical
import FoodbankJSON
import FoodbankPostgres

/// What a completed snapshot removes from dq's facts (decision 32): every record of its table dq
/// holds at an older position becomes a removal at the snapshot's removal position, added to the
/// batch's facts unless the batch has a newer version of it. The checks then judge the entities
/// those records named, as for any other change.
enum SnapshotRemovals {
    /// The table dq keeps each record type's rows in, for the fields a removal must still name.
    static let keptTables = ["intake": "dq.intakes", "order": "dq.orders", "order_line": "dq.order_lines",
                             "shipment": "dq.shipments", "shipment_line": "dq.shipment_lines"]

    static let completionTable = SnapshotCompletionTable.dq
    /// The record types whose rows name a sku (dq.sku_references).
    static let skuNaming: Set<String> = DQFacts.skuNamingTypes.union(["inventory_event"])

    static func add(to facts: inout DQFacts, _ db: PostgresConnection) throws {
        let completions = facts.completedSnapshots.compactMap { completion in completion.recordType.map { (recordType: $0, completion: completion) } }
            .sorted { ($0.completion.table, $0.completion.position) < ($1.completion.table, $1.completion.position) }
        let written = Set(facts.skuReferences.keys.compactMap(SnapshotCompletion.table(of:)))
            .union(facts.rows.values.flatMap(\.values).compactMap { SnapshotCompletion.table(of: $0.recordID) })
            .union(facts.items.isEmpty ? [] : ["warehouse:wms.items"])
        try completionTable.lock(exclusive: Set(completions.map(\.completion.table)), shared: written, db)
        let latest = try completionTable.record(completions.map { ($0.completion.table, $0.completion.position) }, db)
        if !latest.isEmpty { removeBelowSnapshots(latest, &facts) }
        for (recordType, completion) in completions {
            if recordType == "item" {
                try removeItems(completion, &facts, db)
                continue
            }
            if skuNaming.contains(recordType) { try removeSkuReferences(completion, &facts, db) }
            if let table = keptTables[recordType] { try removeRows(recordType, table, completion, &facts, db) }
        }
    }

    /// The batch's versions older than their table's latest complete snapshot: rows it lacked.
    static func removeBelowSnapshots(_ latest: [String: Int64], _ facts: inout DQFacts) {
        func removal(_ recordID: String, _ position: Int64) -> Int64? { SnapshotCompletion.removal(of: recordID, at: position, latest: latest) }
        for (id, reference) in facts.skuReferences {
            guard let position = removal(id, reference.position) else { continue }
            facts.skuReferences[id] = DQFacts.SkuReference(recordID: id, recordType: reference.recordType, sku: reference.sku, live: false,
                                                           position: position)
        }
        for (recordType, rows) in facts.rows {
            for (sourceID, row) in rows {
                guard let position = removal(row.recordID, row.position) else { continue }
                facts.rows[recordType]![sourceID]!.live = false
                facts.rows[recordType]![sourceID]!.position = position
            }
        }
        for (sku, item) in facts.items {
            guard let position = removal("warehouse:wms.items:\(sku)", item.position) else { continue }
            facts.items[sku] = ItemVersion(removedSku: sku, position: position)
        }
    }

    private static func removeItems(_ completion: SnapshotCompletion, _ facts: inout DQFacts, _ db: PostgresConnection) throws {
        let result = try db.execute("SELECT sku FROM dq.items WHERE NOT deleted AND position < $1", [.int(completion.removalPosition)])
        for row in 0..<result.count {
            let item = ItemVersion(removedSku: result.value(row, "sku")!, position: completion.removalPosition)
            if (facts.items[item.sku]?.position ?? .min) < item.position { facts.items[item.sku] = item }
        }
    }

    private static func removeSkuReferences(_ completion: SnapshotCompletion, _ facts: inout DQFacts, _ db: PostgresConnection) throws {
        let result = try db.execute("""
            SELECT record_id, sku, record_type FROM dq.sku_references WHERE live AND position < $2 AND starts_with(record_id, $1)
            """, [.text(completion.rowIDPrefix), .int(completion.removalPosition)])
        for row in 0..<result.count {
            facts.name(result.value(row, "sku")!, by: DQFacts.SkuReference(
                recordID: result.value(row, "record_id")!, recordType: result.value(row, "record_type")!, sku: result.value(row, "sku")!,
                live: false, position: completion.removalPosition))
        }
    }

    /// `table` is one of ``keptTables``' constants, never input.
    private static func removeRows(_ recordType: String, _ table: String, _ completion: SnapshotCompletion, _ facts: inout DQFacts,
                                   _ db: PostgresConnection) throws {
        guard let spec = RecordSpec.all.first(where: { $0.recordType == recordType }) else { return }
        let result = try db.execute("SELECT to_jsonb(t)::text AS fields FROM \(table) t WHERE live AND position < $1",
                                    [.int(completion.removalPosition)])
        for row in 0..<result.count {
            guard let fields = try JSONValue.parse(Array(result.value(row, "fields")!.utf8)).objectValue else { continue }
            let sourceID = spec.primaryKey.map { fields[$0].map(RecordSpec.plainText) ?? "" }.joined(separator: "/")
            guard (facts.rows[recordType]?[sourceID]?.position ?? .min) < completion.removalPosition else { continue }
            facts.rows[recordType, default: [:]][sourceID] = CanonicalRowVersion(
                recordType: recordType, sourceID: sourceID, recordID: completion.rowIDPrefix + sourceID, live: false,
                position: completion.removalPosition, fields: fields, businessDate: nil)
        }
    }
}
