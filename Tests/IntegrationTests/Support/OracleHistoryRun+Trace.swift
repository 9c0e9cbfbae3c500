import FoodbankJSON
import FoodbankKafka
import FoodbankPostgres
import FoodbankTopics
import Foundation

extension OracleHistoryRun {
    /// Where the movements of the skus a difference names are, stage by stage: the canonical and
    /// unique inventory topics, the ledger's versions and its counted legs. A rare failure of a
    /// killed run is then told by where a movement stopped, not only by the numbers it left wrong.
    func trace(differences: [String]) -> String {
        let skus = Set(differences.compactMap { line -> String? in
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count > 2, ["ops.inventory_on_hand", "finance.daily_inventory"].contains(fields[1]) else { return nil }
            let key = fields[2].split(separator: "|", omittingEmptySubsequences: false)
            return fields[1] == "ops.inventory_on_hand" ? key.first.map(String.init) : key.dropFirst().first.map(String.init)
        }).sorted()
        guard !skus.isEmpty else { return "" }
        do {
            let names = TopicNames(catalog: try TopicCatalog.loadDefault(), suffix: tag)
            var lines = ["trace of \(skus.joined(separator: ", ")):"]
            for declared in ["foodbank.canonical.inventory_events", "foodbank.unique.inventory_events"] {
                let messages = try readTopic(try names.name(declared), kafka: try TestStack.kafka, timeout: .seconds(10)) { _ in false }
                for message in messages {
                    guard let value = message.value, let json = try? JSONValue.parse(value), let sku = json["sku"]?.stringValue, skus.contains(sku) else { continue }
                    let source = json["source"]
                    lines.append("  \(declared) [\(message.partition)]@\(message.offset) \(source?["system"]?.stringValue ?? "?"):\(source?["source_id"]?.stringValue ?? "?") "
                                 + "position \(source?["position"]?.stringValue ?? "?") holder \(source?["holder"]?.stringValue ?? "") \(json["change"]?.stringValue ?? "?") "
                                 + "\(json["movement_type"]?.stringValue ?? "?") \(json["location_id"]?.stringValue ?? "?") \(json["delta_cases"]?.stringValue ?? "?")")
                }
            }
            let db = try PostgresConnection(url: deployment.reportingURL)
            defer { db.close() }
            let skuList = JSONValue.array(skus.map(JSONValue.string)).encodedString()
            let versions = try db.execute("""
                SELECT v.row_id, v.holder, v.position::text, v.live::text, v.legs::text FROM ops.ledger_versions v
                WHERE EXISTS (SELECT 1 FROM jsonb_array_elements(v.legs) l WHERE l->>'sku' IN (SELECT jsonb_array_elements_text($1::jsonb)))
                   OR v.legs = '[]'::jsonb ORDER BY v.row_id, v.holder
                """, [.text(skuList)])
            lines += versions.rows.map { "  ops.ledger_versions " + $0.map { $0 ?? "NULL" }.joined(separator: " ") }
            let legs = try db.execute("""
                SELECT row_id, leg, location_id, lot_code, delta_cases::text, occurred_at::text FROM ops.inventory_movements
                WHERE sku IN (SELECT jsonb_array_elements_text($1::jsonb)) ORDER BY row_id, leg
                """, [.text(skuList)])
            lines += legs.rows.map { "  ops.inventory_movements " + $0.map { $0 ?? "NULL" }.joined(separator: " ") }
            return lines.joined(separator: "\n")
        } catch {
            return "trace failed: \(error)"
        }
    }
}
