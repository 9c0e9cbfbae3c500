import FoodbankPostgres

/// Donation intake, agency orders and pick/pack/ship.
extension HistoryScript {
    mutating func insertIntake(_ c: Codes) {
        let id = newID()
        let donation = c.pick(1, HistoryVocabulary.donationIDs)
        intakes.append((id, donation, false))
        var statements: [(String, [PostgresValue])] = [(
            "INSERT INTO intake.donations (intake_id, donation_id, donor_id, location_id, received_at, status) VALUES ($1, $2, $3, $4, $5, 'received')",
            [.int(Int64(id)), .text(donation), .text(c.pick(2, HistoryVocabulary.donorIDs)), .text(c.pick(3, HistoryVocabulary.locations)),
             .text(Self.local(c, day: 4, time: 5))]
        )]
        for line in 1...(c[6, 3] + 1) {
            var value: String? = c[7 + line, 3] == 0 ? nil : "\(c[8 + line, 90] + 10).25"
            // A truckload worth more than a million dollars: a value the source holds.
            if c[7, 12] == 0 {
                value = "1200000.00"
            }
            statements.append((
                "INSERT INTO intake.donation_lines (intake_id, line_no, sku, quantity_cases, weight_lbs, lot_code, fair_market_value_usd) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                [.int(Int64(id)), .int(Int64(line)), .text(c.pick(line + 1, HistoryVocabulary.skus)), .text("\(c[line + 4, 30] + 1)"),
                 .text("\(c[line + 5, 200] + 1).5"), .optional(c.pick(line, HistoryVocabulary.lots)), .optional(value)]
            ))
        }
        if c[11, 5] == 0 {
            statements.append(("UPDATE intake.donations SET location_id = $2 WHERE intake_id = $1", [.int(Int64(id)), .text(c.pick(10, HistoryVocabulary.locations))]))
        }
        run("donations", "intake \(id) of \(donation) with \(statements.count - 1) changes", statements)
    }

    mutating func voidIntake(_ c: Codes) {
        guard !intakes.isEmpty else { return }
        let index = c[1, intakes.count]
        intakes[index].voided = true
        run("donations", "intake \(intakes[index].id) voided",
            [("UPDATE intake.donations SET status = 'voided', updated_at = now() WHERE intake_id = $1", [.int(Int64(intakes[index].id))])])
    }

    /// A receipt number keyed wrongly, corrected: the intake moves to another donation id.
    mutating func moveIntake(_ c: Codes) {
        guard !intakes.isEmpty else { return voidIntake(c) }
        let index = c[1, intakes.count]
        let donation = c.pick(2, HistoryVocabulary.donationIDs)
        intakes[index].donation = donation
        run("donations", "intake \(intakes[index].id) moved to \(donation)",
            [("UPDATE intake.donations SET donation_id = $2, updated_at = now() WHERE intake_id = $1", [.int(Int64(intakes[index].id)), .text(donation)])])
    }

    mutating func insertOrder(_ c: Codes) {
        let order = c.pick(1, HistoryVocabulary.orderIDs)
        let existing = orders[order] ?? 0
        var statements: [(String, [PostgresValue])] = []
        if existing == 0 {
            statements.append(("INSERT INTO agency.orders (order_id, agency_id, requested_for, status) VALUES ($1, $2, $3::date, 'approved')",
                               [.text(order), .text(c.pick(2, HistoryVocabulary.agencies)), .text(c.pick(3, HistoryVocabulary.days))]))
        }
        let lines = c[4, 2] + 1
        for line in (existing + 1)...(existing + lines) {
            statements.append(("INSERT INTO agency.order_lines (order_id, line_no, sku, quantity_cases_requested) VALUES ($1, $2, $3, $4)",
                               [.text(order), .int(Int64(line)), .text(c.pick(4 + line, HistoryVocabulary.skus)), .text("\(c[5 + line, 30] + 1)")]))
        }
        orders[order] = existing + lines
        run("agency", "order \(order) lines \(existing + 1)...\(existing + lines)", statements)
    }

    mutating func insertShipment(_ c: Codes) {
        let id = "SH\(newID())"
        let order = c.pick(1, HistoryVocabulary.shippedOrderIDs)
        let shipped = c[2, 4] != 0
        shipments.append((id, order, shipped, false))
        var statements: [(String, [PostgresValue])] = [(
            "INSERT INTO pick.shipments (shipment_id, order_id, location_id, shipped_at, status) VALUES ($1, $2, $3, $4, $5)",
            [.text(id), .text(order), .text(c.pick(3, HistoryVocabulary.locations)), shipped ? .text(Self.local(c, day: 4, time: 5)) : .null,
             .text(shipped ? "shipped" : "picked")]
        )]
        for line in 1...(c[6, 2] + 1) {
            // Order lines 1 to 3: a shipment line may name one its order never had (an orphan).
            statements.append((
                "INSERT INTO pick.shipment_lines (shipment_id, line_no, order_line_no, sku, lot_code, quantity_cases, weight_lbs) VALUES ($1, $2, $3, $4, $5, $6, NULL)",
                [.text(id), .int(Int64(line)), .int(Int64(c[6 + line, 3] + 1)), .text(c.pick(8 + line, HistoryVocabulary.skus)),
                 .optional(c.pick(line, HistoryVocabulary.lots)), .text("\(c[9 + line, 20] + 1)")]
            ))
        }
        run("fulfillment", "shipment \(id) for \(order)\(shipped ? "" : ", picked")", statements)
    }

    mutating func shipShipment(_ c: Codes) {
        guard let index = shipments.indices.first(where: { !shipments[$0].shipped }) else { return insertShipment(c) }
        shipments[index].shipped = true
        run("fulfillment", "shipment \(shipments[index].id) shipped", [(
            "UPDATE pick.shipments SET shipped_at = $2, status = 'shipped', updated_at = now() WHERE shipment_id = $1",
            [.text(shipments[index].id), .text(Self.local(c, day: 1, time: 2))]
        )])
    }

    /// A shipment voided, or its wrong order id corrected (its key moves).
    mutating func voidOrMoveShipment(_ c: Codes) {
        guard !shipments.isEmpty else { return }
        let index = c[1, shipments.count]
        let id = shipments[index].id
        if c[2, 2] == 0 {
            let order = c.pick(3, HistoryVocabulary.shippedOrderIDs)
            shipments[index].order = order
            return run("fulfillment", "shipment \(id) moved to \(order)",
                       [("UPDATE pick.shipments SET order_id = $2, updated_at = now() WHERE shipment_id = $1", [.text(id), .text(order)])])
        }
        shipments[index].void = true
        run("fulfillment", "shipment \(id) void", [("UPDATE pick.shipments SET status = 'void', updated_at = now() WHERE shipment_id = $1", [.text(id)])])
    }
}
