import FoodbankCanonical
import FoodbankJSON
import FoodbankPostgres
import Foundation

/// A finding that opened or resolved: the value of `foodbank.ops.dq_findings`, keyed
/// `check|entity_type|entity_key` (compacted: the latest state of every problem).
public struct DQFinding: Sendable, Equatable {
    public enum Status: String, Sendable { case open, resolved }

    public var violationID: String
    public var check: String
    public var severity: String
    public var entityType: String
    public var entityKey: String
    public var status: Status
    public var details: JSONValue
    public var at: Date

    public var key: String { "\(check)|\(entityType)|\(entityKey)" }

    public func json() -> JSONValue {
        .object(["violation_id": .string(violationID), "check_name": .string(check), "severity": .string(severity),
                 "entity_type": .string(entityType), "entity_key": .string(entityKey), "status": .string(status.rawValue),
                 "details": details, "at": .string(BusinessTime.iso8601(at))])
    }
}

/// dq's state in PostgreSQL: the facts it has seen (schema `dq`), the evidence loaded from them, and
/// `ops.dq_violations`. Everything runs inside the sink's transaction; statements are parameterized.
public enum DQStore {
    /// Writes one batch's facts, judges every entity they touched, and records the verdicts.
    public static func apply(_ batch: DQFacts, in db: PostgresConnection, now: Date, gracePeriod: TimeInterval,
                             limits: PlausibleLimits = PlausibleLimits()) throws -> [DQFinding] {
        var facts = batch
        try SnapshotRemovals.add(to: &facts, db)
        var evidence = DQEvidence()
        evidence.now = now
        evidence.gracePeriod = gracePeriod
        evidence.limits = limits
        try applyItems(facts, db)
        // The item master after this batch's items, for every sku the batch names or changes: read once.
        let checked = facts.namedSkus.union(facts.items.keys)
        let known = try knownSkus(checked, db)
        let skuCandidates = try applySkuReferences(facts, db).union(facts.items.keys)
        let donationCandidates = try applyIntakes(facts, db)
        let shipmentCandidates = try applyFulfillment(facts, db, now: now)
        evidence.skus = try skuEvidence(skuCandidates, known: known.union(try knownSkus(skuCandidates.subtracting(checked), db)), db)
        evidence.intakes = try intakeEvidence(donationCandidates, db)
        evidence.quantities = try quantityEvidence(Set(facts.skuReferences.keys), db)
        evidence.shipments = try shipmentEvidence(shipmentCandidates, db)
        evidence.balances = facts.balances.mapValues(\.onHandCases)
        return try record(evidence, db)
    }

    /// Time-driven: shipments whose grace period ran out without new input.
    public static func sweep(in db: PostgresConnection, now: Date, gracePeriod: TimeInterval, limit: Int = 10_000) throws -> [DQFinding] {
        let due = try db.execute("SELECT shipment_id FROM dq.shipments WHERE pending AND first_seen_at <= $1 ORDER BY first_seen_at LIMIT $2",
                                 [.timestamp(now.addingTimeInterval(-gracePeriod)), .int(Int64(limit))])
        guard due.count > 0 else { return [] }
        var evidence = DQEvidence()
        evidence.now = now
        evidence.gracePeriod = gracePeriod
        evidence.shipments = try shipmentEvidence(Set((0..<due.count).map { due.value($0, "shipment_id")! }), db)
        return try record(evidence, db, checks: [DQChecks.orphanedFulfillment])
    }

    /// Open findings per check (every declared check, 0 included).
    public static func openCounts(in db: PostgresConnection) throws -> [String: Int] {
        let result = try db.execute("SELECT check_name, count(*)::text AS n FROM ops.dq_violations WHERE resolved_at IS NULL GROUP BY 1")
        var counts = Dictionary(uniqueKeysWithValues: DQChecks.all.map { ($0.name, 0) })
        for row in 0..<result.count { counts[result.value(row, "check_name")!] = Int(result.value(row, "n")!) ?? 0 }
        return counts
    }

    // MARK: facts

    static func applyItems(_ facts: DQFacts, _ db: PostgresConnection) throws {
        _ = try db.insertRows(into: "dq.items", columns: ["sku", "deleted", "position"],
                              rows: facts.items.values.sorted { $0.sku < $1.sku }.map { [.text($0.sku), .bool($0.deleted), .int($0.position)] },
                              suffix: "ON CONFLICT (sku) DO UPDATE SET deleted = EXCLUDED.deleted, position = EXCLUDED.position WHERE dq.items.position <= EXCLUDED.position")
    }

    /// Keeps the latest version of every record that names a sku (a retraction or unreadable
    /// version: no longer live); returns the skus to judge again, those named before and after.
    static func applySkuReferences(_ facts: DQFacts, _ db: PostgresConnection) throws -> Set<String> {
        guard !facts.skuReferences.isEmpty else { return [] }
        let references = facts.skuReferences.values.sorted { $0.recordID < $1.recordID }
        var candidates = facts.namedSkus
        // The skus these records named before, and those the row's other holders name: a later
        // holder arriving or going decides whether theirs count (decision 22).
        let previous = try db.execute("""
            SELECT sku FROM dq.sku_references WHERE live AND record_id IN (SELECT jsonb_array_elements_text($1::jsonb))
            UNION SELECT sku FROM dq.sku_references WHERE live AND row_id IN (SELECT jsonb_array_elements_text($2::jsonb))
            """, [.jsonList(references.map(\.recordID)), .jsonList(Set(references.compactMap(\.rowID)).sorted())])
        for row in 0..<previous.count { candidates.insert(previous.value(row, "sku")!) }
        _ = try db.insertRows(into: "dq.sku_references", columns: ["record_id", "sku", "record_type", "live", "position", "quantities", "row_id"],
                              rows: references.map { reference in
                                  [.text(reference.recordID), .text(reference.sku), .text(reference.recordType), .bool(reference.live),
                                   .int(reference.position), .text(JSONValue.object(reference.quantities.mapValues(JSONValue.string)).encodedString()),
                                   .optional(reference.rowID)]
                              },
                              suffix: latestWins("dq.sku_references", key: "record_id", ["sku", "record_type", "live", "position", "quantities", "row_id"]))
        return candidates
    }

    /// Returns the donation ids whose intakes changed (before and after the change).
    static func applyIntakes(_ facts: DQFacts, _ db: PostgresConnection) throws -> Set<String> {
        let intakes = (facts.rows["intake"] ?? [:]).values.compactMap { row -> (id: Int64, donation: String, row: CanonicalRowVersion)? in
            guard let id = row.int("intake_id"), let donation = row.text("donation_id") else { return nil }
            return (id, donation, row)
        }.sorted { $0.id < $1.id }
        guard !intakes.isEmpty else { return [] }
        var candidates = Set(intakes.map(\.donation))
        let previous = try db.execute("SELECT donation_id FROM dq.intakes WHERE intake_id IN (SELECT jsonb_array_elements_text($1::jsonb)::bigint)",
                                      [.jsonList(intakes.map { String($0.id) })])
        for row in 0..<previous.count { candidates.insert(previous.value(row, "donation_id")!) }
        _ = try db.insertRows(into: "dq.intakes", columns: ["intake_id", "donation_id", "voided", "live", "position"],
                              rows: intakes.map { [.int($0.id), .text($0.donation), .bool($0.row.text("status") == "voided"), .bool($0.row.live), .int($0.row.position)] },
                              suffix: latestWins("dq.intakes", key: "intake_id", ["donation_id", "voided", "live", "position"]))
        return candidates
    }

    /// Orders, order lines, shipments and shipment lines; returns the shipments to judge again.
    static func applyFulfillment(_ facts: DQFacts, _ db: PostgresConnection, now: Date) throws -> Set<String> {
        let orders = (facts.rows["order"] ?? [:]).values.compactMap { row in row.text("order_id").map { (row, $0) } }
        let orderLines = (facts.rows["order_line"] ?? [:]).values.compactMap { row in
            row.text("order_id").flatMap { order in row.int("line_no").map { (row, order, $0) } }
        }
        let shipments = (facts.rows["shipment"] ?? [:]).values.compactMap { row in
            row.text("shipment_id").flatMap { id in row.text("order_id").map { (row, id, $0) } }
        }
        let shipmentLines = (facts.rows["shipment_line"] ?? [:]).values.compactMap { row in
            row.text("shipment_id").flatMap { id in row.int("line_no").flatMap { line in row.int("order_line_no").map { (row, id, line, $0) } } }
        }
        _ = try db.insertRows(into: "dq.orders", columns: ["order_id", "live", "position"],
                              rows: orders.map { [.text($0.1), .bool($0.0.live), .int($0.0.position)] },
                              suffix: latestWins("dq.orders", key: "order_id", ["live", "position"]))
        _ = try db.insertRows(into: "dq.order_lines", columns: ["order_id", "line_no", "live", "position"],
                              rows: orderLines.map { [.text($0.1), .int($0.2), .bool($0.0.live), .int($0.0.position)] },
                              suffix: latestWins("dq.order_lines", key: "order_id, line_no", ["live", "position"]))
        _ = try db.insertRows(into: "dq.shipments", columns: ["shipment_id", "order_id", "void", "live", "position", "first_seen_at"],
                              rows: shipments.map { [.text($0.1), .text($0.2), .bool($0.0.text("status") == "void"), .bool($0.0.live), .int($0.0.position), .timestamp(now)] },
                              suffix: latestWins("dq.shipments", key: "shipment_id", ["order_id", "void", "live", "position"]))
        _ = try db.insertRows(into: "dq.shipment_lines", columns: ["shipment_id", "line_no", "order_line_no", "live", "position"],
                              rows: shipmentLines.map { [.text($0.1), .int($0.2), .int($0.3), .bool($0.0.live), .int($0.0.position)] },
                              suffix: latestWins("dq.shipment_lines", key: "shipment_id, line_no", ["order_line_no", "live", "position"]))
        var candidates = Set(shipments.map(\.1)).union(shipmentLines.map(\.1))
        let orderIDs = Set(orders.map(\.1)).union(orderLines.map(\.1))
        if !orderIDs.isEmpty {
            let affected = try db.execute("SELECT shipment_id FROM dq.shipments WHERE order_id IN (SELECT jsonb_array_elements_text($1::jsonb))",
                                          [.jsonList(orderIDs.sorted())])
            for row in 0..<affected.count { candidates.insert(affected.value(row, "shipment_id")!) }
        }
        return candidates
    }

    /// Newer source versions replace older ones, whatever order the topics are read in; an equal
    /// position is the same version again (a replay) and changes nothing.
    static func latestWins(_ table: String, key: String, _ columns: [String]) -> String {
        "ON CONFLICT (\(key)) DO UPDATE SET \(columns.map { "\($0) = EXCLUDED.\($0)" }.joined(separator: ", ")) WHERE \(table).position < EXCLUDED.position"
    }

    // MARK: evidence

    static func knownSkus(_ skus: Set<String>, _ db: PostgresConnection) throws -> Set<String> {
        guard !skus.isEmpty else { return [] }
        let result = try db.execute("SELECT sku FROM dq.items WHERE NOT deleted AND sku IN (SELECT jsonb_array_elements_text($1::jsonb))",
                                    [.jsonList(skus.sorted())])
        return Set((0..<result.count).map { result.value($0, "sku")! })
    }

    /// `known`: the skus of the item master among `skus`.
    static func skuEvidence(_ skus: Set<String>, known: Set<String>, _ db: PostgresConnection) throws -> [String: DQEvidence.Sku] {
        guard !skus.isEmpty else { return [:] }
        // Only an unknown sku's references matter (missing_sku); a known one can have millions, and
        // counting them every batch was dq's largest cost (scripts/bench-sinks.sh, statement log).
        let unknown = skus.subtracting(known)
        var references: [String: Int] = [:]
        if !unknown.isEmpty {
            let counts = try db.execute("""
                SELECT r.sku, count(*)::text AS n FROM dq.sku_references r
                WHERE r.live AND r.sku IN (SELECT jsonb_array_elements_text($1::jsonb))
                  -- A feed row's version in an earlier file than its latest live holder counts nowhere.
                  AND NOT (r.row_id IS NOT NULL AND EXISTS (SELECT 1 FROM dq.sku_references o
                           WHERE o.row_id = r.row_id AND o.live AND o.position > r.position))
                GROUP BY r.sku
                """, [.jsonList(unknown.sorted())])
            for row in 0..<counts.count { references[counts.value(row, "sku")!] = Int(counts.value(row, "n")!) }
        }
        return Dictionary(uniqueKeysWithValues: skus.map { ($0, DQEvidence.Sku(known: known.contains($0), references: references[$0] ?? 0)) })
    }

    /// The stored (latest) quantities of these records; a record no longer live states none.
    static func quantityEvidence(_ records: Set<String>, _ db: PostgresConnection) throws -> [String: [String: Decimal]] {
        guard !records.isEmpty else { return [:] }
        let result = try db.execute("""
            SELECT record_id, CASE WHEN live THEN quantities::text ELSE '{}' END AS quantities FROM dq.sku_references
            WHERE record_id IN (SELECT jsonb_array_elements_text($1::jsonb))
            """, [.jsonList(records.sorted())])
        var evidence: [String: [String: Decimal]] = [:]
        for row in 0..<result.count {
            let stated = (try? JSONValue.parse(Array((result.value(row, "quantities") ?? "{}").utf8)))?.objectValue ?? [:]
            evidence[result.value(row, "record_id")!] = stated.compactMapValues { $0.stringValue.flatMap { Decimal(string: $0) } }
        }
        return evidence
    }

    static func intakeEvidence(_ donations: Set<String>, _ db: PostgresConnection) throws -> [String: [Int64]] {
        guard !donations.isEmpty else { return [:] }
        let result = try db.execute("""
            SELECT donation_id, intake_id::text AS intake_id FROM dq.intakes
            WHERE live AND NOT voided AND donation_id IN (SELECT jsonb_array_elements_text($1::jsonb))
            """, [.jsonList(donations.sorted())])
        var intakes = Dictionary(uniqueKeysWithValues: donations.map { ($0, [Int64]()) })
        for row in 0..<result.count { intakes[result.value(row, "donation_id")!, default: []].append(Int64(result.value(row, "intake_id")!)!) }
        return intakes
    }

    static func shipmentEvidence(_ shipments: Set<String>, _ db: PostgresConnection) throws -> [String: DQEvidence.Shipment] {
        guard !shipments.isEmpty else { return [:] }
        let result = try db.execute("""
            SELECT s.shipment_id, s.order_id, (NOT s.live OR s.void) AS cancelled, extract(epoch FROM s.first_seen_at)::text AS first_seen_epoch,
                   EXISTS (SELECT 1 FROM dq.orders o WHERE o.order_id = s.order_id AND o.live) AS order_arrived,
                   coalesce((SELECT string_agg(DISTINCT l.order_line_no::text, ',') FROM dq.shipment_lines l
                             WHERE l.shipment_id = s.shipment_id AND l.live
                               AND NOT EXISTS (SELECT 1 FROM dq.order_lines ol WHERE ol.order_id = s.order_id AND ol.line_no = l.order_line_no AND ol.live)), '') AS missing
            FROM dq.shipments s WHERE s.shipment_id IN (SELECT jsonb_array_elements_text($1::jsonb))
            """, [.jsonList(shipments.sorted())])
        var evidence: [String: DQEvidence.Shipment] = [:]
        for row in 0..<result.count {
            evidence[result.value(row, "shipment_id")!] = DQEvidence.Shipment(
                orderID: result.value(row, "order_id")!, cancelled: result.value(row, "cancelled") == "t",
                orderArrived: result.value(row, "order_arrived") == "t",
                missingOrderLines: result.value(row, "missing")!.split(separator: ",").compactMap { Int64($0) },
                firstSeenAt: Date(timeIntervalSince1970: Double(result.value(row, "first_seen_epoch")!) ?? 0))
        }
        return evidence
    }

    // MARK: verdicts

    /// Runs the checks over the evidence and brings `ops.dq_violations` in line with their verdicts.
    static func record(_ evidence: DQEvidence, _ db: PostgresConnection, checks: [DQCheck] = DQChecks.all) throws -> [DQFinding] {
        let verdicts = checks.map { ($0, $0.evaluate(evidence)) }
        // Another instance (its batch or its sweep) may judge the same entity at the same moment. A
        // finding's id counts the entity's earlier findings, so both would take the same id and
        // one would fail on the key: each entity's findings are written by one transaction at a time.
        try db.lockAdvisory(keys: verdicts.flatMap { check, verdict in
            verdict.examined.union(verdict.problems.keys).map { "\(check.name):\(check.entityType):\($0)" }
        }, namespace: "finding")
        var findings: [DQFinding] = []
        for (check, verdict) in verdicts {
            findings += try resolve(check, verdict.examined.subtracting(verdict.problems.keys), at: evidence.now, db)
            findings += try open(check, verdict.problems, at: evidence.now, db)
            if check.name == DQChecks.orphanedFulfillment.name, !evidence.shipments.isEmpty {
                // Decided (complete, cancelled, or open): no longer swept; anything that changes it
                // makes it a candidate again. Undecided (in its grace period): swept until decided,
                // also when it was decided once and a later change made it incomplete again.
                let undecided = Set(evidence.shipments.keys).subtracting(verdict.examined).subtracting(verdict.problems.keys)
                try db.execute("""
                    UPDATE dq.shipments SET pending = shipment_id IN (SELECT jsonb_array_elements_text($2::jsonb))
                    WHERE shipment_id IN (SELECT jsonb_array_elements_text($1::jsonb))
                    """, [.jsonList(evidence.shipments.keys.sorted()), .jsonList(undecided.sorted())])
            }
        }
        return findings
    }

    static func resolve(_ check: DQCheck, _ entities: Set<String>, at now: Date, _ db: PostgresConnection) throws -> [DQFinding] {
        guard !entities.isEmpty else { return [] }
        let result = try db.execute("""
            UPDATE ops.dq_violations SET resolved_at = $4, last_seen_at = $4
            WHERE check_name = $1 AND entity_type = $2 AND resolved_at IS NULL AND entity_key IN (SELECT jsonb_array_elements_text($3::jsonb))
            RETURNING violation_id, entity_key, details::text AS details
            """, [.text(check.name), .text(check.entityType), .jsonList(entities.sorted()), .timestamp(now)])
        return try findings(result, check, .resolved, now)
    }

    /// Opens a finding per new problem (ids `check:entity_type:entity_key:n`, n counting the entity's
    /// findings), or marks an open one seen again: one open row per problem.
    static func open(_ check: DQCheck, _ problems: [String: JSONValue], at now: Date, _ db: PostgresConnection) throws -> [DQFinding] {
        guard !problems.isEmpty else { return [] }
        let incoming = JSONValue.array(problems.sorted { $0.key < $1.key }.map { .array([.string($0.key), $0.value]) })
        let result = try db.execute("""
            WITH incoming AS (SELECT e->>0 AS entity_key, e->1 AS details FROM jsonb_array_elements($3::jsonb) e)
            INSERT INTO ops.dq_violations AS v (violation_id, check_name, severity, entity_type, entity_key, details, first_seen_at, last_seen_at)
            SELECT $1 || ':' || $2 || ':' || i.entity_key || ':' ||
                   (1 + (SELECT count(*) FROM ops.dq_violations p WHERE p.check_name = $1 AND p.entity_type = $2 AND p.entity_key = i.entity_key)),
                   $1, $4, $2, i.entity_key, i.details, $5, $5
            FROM incoming i
            ON CONFLICT (check_name, entity_type, entity_key) WHERE resolved_at IS NULL
            DO UPDATE SET last_seen_at = EXCLUDED.last_seen_at, details = EXCLUDED.details
            RETURNING violation_id, entity_key, details::text AS details, (xmax = 0) AS opened
            """, [.text(check.name), .text(check.entityType), .text(incoming.encodedString()), .text(check.severity.rawValue), .timestamp(now)])
        return try findings(result, check, .open, now, rows: (0..<result.count).filter { result.value($0, "opened") == "t" })
    }

    private static func findings(_ result: PostgresResult, _ check: DQCheck, _ status: DQFinding.Status, _ now: Date,
                                 rows: [Int]? = nil) throws -> [DQFinding] {
        try (rows ?? Array(0..<result.count)).map { row in
            DQFinding(violationID: result.value(row, "violation_id")!, check: check.name, severity: check.severity.rawValue,
                      entityType: check.entityType, entityKey: result.value(row, "entity_key")!, status: status,
                      details: try JSONValue.parse(Array(result.value(row, "details")!.utf8)), at: now)
        }
    }
}
