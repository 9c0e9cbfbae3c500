import FoodbankPostgres

/// Warehouse movements and the item master.
extension HistoryScript {
    static let insertMovementSQL = """
        INSERT INTO wms.inventory_transactions (txn_id, txn_type, sku, location_id, to_location_id, lot_code, quantity_cases, weight_lbs,
                                                reference_type, reference_id, occurred_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
        """

    /// A quantity for `type`: 1 to 40 cases (some halves), or for an adjustment -20 to 20.
    func quantity(_ c: Codes, _ i: Int, type: String) -> String {
        let half = c[i + 1, 4] == 0 ? ".5" : ""
        guard type == "adjustment" else { return "\(c[i, 40] + 1)\(half)" }
        let delta = c[i, 41] - 20
        return "\(delta)\(delta == 0 ? "" : half)"
    }

    mutating func movementValues(_ c: Codes, id: Int) -> (type: String, values: [PostgresValue]) {
        let type = c.pick(1, HistoryVocabulary.warehouseTypes)
        var reference: (String, String)?
        if c[9, 3] != 0, let target = referenceTarget(c[10, 8], type: type) { reference = target }
        let weights: [String?] = [nil, nil, "12.5", "-7"]
        let values: [PostgresValue] = [
            .int(Int64(id)), .text(type), .text(c.pick(2, HistoryVocabulary.skus)), .text(c.pick(3, HistoryVocabulary.locations)),
            type == "transfer" ? .text(c.pick(4, HistoryVocabulary.locations)) : .null, .optional(c.pick(5, HistoryVocabulary.lots)),
            .text(quantity(c, 6, type: type)), .optional(c.pick(8, weights)), .optional(reference?.0), .optional(reference?.1),
            .text(Self.local(c, day: 11, time: 7)),
        ]
        return (type, values)
    }

    /// What a receipt or distribution references: any id where witnesses may be missing, else one that has a witness now.
    mutating func referenceTarget(_ pick: Int, type: String) -> (String, String)? {
        if type == "receipt" { return ("donation", HistoryVocabulary.donationIDs[pick % HistoryVocabulary.donationIDs.count]) }
        if type == "distribution" { return ("agency_order", HistoryVocabulary.orderIDs[pick % HistoryVocabulary.orderIDs.count]) }
        return nil
    }

    mutating func insertMovement(_ c: Codes) {
        let id = newID()
        let (type, values) = movementValues(c, id: id)
        movements.append((id, type))
        run("warehouse", "movement \(id) \(type)", [(Self.insertMovementSQL, values)])
    }

    mutating func correctMovementQuantity(_ c: Codes) {
        guard !movements.isEmpty else { return }
        let movement = movements[c[1, movements.count]]
        let cases = quantity(c, 2, type: movement.type)
        run("warehouse", "movement \(movement.id) corrected to \(cases) cases",
            [("UPDATE wms.inventory_transactions SET quantity_cases = $2, updated_at = now() WHERE txn_id = $1", [.int(Int64(movement.id)), .text(cases)])])
    }

    /// A movement's sku, location or lot corrected (its key moves), or its time.
    mutating func correctMovementOther(_ c: Codes) {
        guard !movements.isEmpty else { return }
        let movement = movements[c[1, movements.count]]
        let columns = ["sku", "location_id", "lot_code", "occurred_at"]
        let column = columns[c[2, 4]]
        let value: PostgresValue = switch column {
        case "sku": .text(c.pick(3, HistoryVocabulary.skus))
        case "location_id": .text(c.pick(3, HistoryVocabulary.locations))
        case "lot_code": .optional(c.pick(3, HistoryVocabulary.lots))
        default: .text(Self.local(c, day: 3, time: 4))
        }
        run("warehouse", "movement \(movement.id) \(column) corrected to \(value.textValue ?? "NULL")",
            [("UPDATE wms.inventory_transactions SET \(column) = $2, updated_at = now() WHERE txn_id = $1", [.int(Int64(movement.id)), value])])
    }

    mutating func deleteMovement(_ c: Codes) {
        guard !movements.isEmpty else { return insertMovement(c) }
        let movement = movements.remove(at: c[1, movements.count])
        run("warehouse", "movement \(movement.id) deleted",
            [("DELETE FROM wms.inventory_transactions WHERE txn_id = $1", [.int(Int64(movement.id))])])
    }

    /// A movement inserted and corrected in the same source transaction.
    mutating func twoChangesInOneTransaction(_ c: Codes) {
        let id = newID()
        let (type, values) = movementValues(c, id: id)
        movements.append((id, type))
        let cases = quantity(c, 2, type: type)
        run("warehouse", "movement \(id) \(type) inserted and corrected to \(cases) in one transaction", [
            (Self.insertMovementSQL, values),
            ("UPDATE wms.inventory_transactions SET quantity_cases = $2 WHERE txn_id = $1", [.int(Int64(id)), .text(cases)]),
        ])
    }

    /// A receipt, spoilage, distribution or transfer corrected to zero cases: that version cannot be read.
    mutating func unreadableCorrection(_ c: Codes) {
        let candidates = movements.filter { $0.type != "adjustment" }
        guard !candidates.isEmpty else { return insertMovement(c) }
        let movement = candidates[c[1, candidates.count]]
        run("warehouse", "movement \(movement.id) corrected to 0 cases (unreadable)",
            [("UPDATE wms.inventory_transactions SET quantity_cases = 0, updated_at = now() WHERE txn_id = $1", [.int(Int64(movement.id))])])
    }

    /// An item deleted from the master (or put back), or its unit weight changed.
    mutating func changeItem(_ c: Codes) {
        let item = c.pick(1, HistoryVocabulary.items)
        if deletedItems.contains(item.sku) {
            deletedItems.remove(item.sku)
            return run("warehouse", "item \(item.sku) back", [
                ("INSERT INTO wms.items (sku, description, category, unit_weight_lbs) VALUES ($1, $1, 'dry_goods', $2)", [.text(item.sku), .text(item.weight)]),
            ])
        }
        if c[2, 2] == 0 {
            deletedItems.insert(item.sku)
            return run("warehouse", "item \(item.sku) deleted", [("DELETE FROM wms.items WHERE sku = $1", [.text(item.sku)])])
        }
        let weight = ["1.5", "4", "0.125"][c[3, 3]]
        run("warehouse", "item \(item.sku) weighs \(weight)",
            [("UPDATE wms.items SET unit_weight_lbs = $2, updated_at = now() WHERE sku = $1", [.text(item.sku), .text(weight)])])
    }
}
