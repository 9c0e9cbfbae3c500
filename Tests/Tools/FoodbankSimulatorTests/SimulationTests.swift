import Foundation
@testable import FoodbankSimulator
import Testing

@Suite struct TruthTests {
    @Test func movementsFollowTheContractsSigns() {
        var truth = Truth()
        truth.apply(.receipt, sku: "A", location: "OAK", lot: "", quantity: 10, lbs: 100, date: "2026-11-20")
        truth.apply(.transferOut, sku: "A", location: "OAK", lot: "", quantity: 4, lbs: 40, date: "2026-11-20")
        truth.apply(.transferIn, sku: "A", location: "COLD", lot: "", quantity: 4, lbs: 40, date: "2026-11-20")
        truth.apply(.adjustment, sku: "A", location: "OAK", lot: "", quantity: -1.5, lbs: 15, date: "2026-11-20")
        truth.apply(.spoilage, sku: "A", location: "OAK", lot: "", quantity: 0.5, lbs: 5, date: "2026-11-20")
        truth.apply(.distribution, sku: "A", location: "OAK", lot: "", quantity: 2, lbs: 20, date: "2026-11-21")
        let oak = truth.onHand[Truth.Position(sku: "A", location: "OAK", lot: "")]
        #expect(oak?.cases == 2)
        #expect(oak?.lbs == 20)
        #expect(truth.onHand[Truth.Position(sku: "A", location: "COLD", lot: "")]?.cases == 4)
        let day = truth.daily[Truth.DayKey(date: "2026-11-20", sku: "A", location: "OAK")]
        #expect(day?.receipts == 10 && day?.transfersOut == 4 && day?.adjustments == -1.5 && day?.spoilage == 0.5)
    }

    @Test func aCorrectionCountsWithItsNewValuesOnly() {
        var truth = Truth()
        truth.apply(.receipt, sku: "A", location: "OAK", lot: "L1", quantity: 10, lbs: 100, date: "2026-11-20")
        truth.apply(.receipt, sku: "A", location: "OAK", lot: "L1", quantity: 10, lbs: 100, date: "2026-11-20", sign: -1)
        truth.apply(.receipt, sku: "A", location: "OAK", lot: "L1", quantity: 12, lbs: 120, date: "2026-11-20")
        #expect(truth.onHand[Truth.Position(sku: "A", location: "OAK", lot: "L1")] == Truth.Balance(cases: 12, lbs: 120))
    }
}

@Suite struct SimulationTests {
    func simulation(dirty: Bool = true, seed: UInt64 = 7) -> Simulation {
        var configuration = Simulation.Configuration()
        configuration.seed = seed
        configuration.tag = "UT"
        configuration.days = 2
        configuration.movementsPerDay = 50
        configuration.dirty = dirty
        return Simulation(configuration)
    }

    @Test func theSameSeedGivesTheSameActivity() {
        #expect(simulation().actions == simulation().actions)
        #expect(simulation().truth == simulation().truth)
        #expect(simulation(seed: 8).actions != simulation().actions)
    }

    /// File names must not depend on the process: a re-run with the same seed rewrites the same files.
    @Test func fileNamesAreTheSameInEveryProcess() {
        let names = simulation().actions.compactMap { action -> String? in
            if case .file(_, let name, _) = action { return name }
            return nil
        }
        #expect(names.contains("adjustments_20261120_\(Simulation.stableNumber("UT") % 900 + 100).csv"))
        #expect(Simulation.stableNumber("a") == 0xaf63_dc4c_8601_ec8c, "FNV-1a 64 of \"a\"")
    }

    @Test func dirtyCasesArePlantedAndRecorded() {
        let truth = simulation().truth
        for check in ["missing_sku", "duplicate_donation_id", "orphaned_fulfillment", "negative_balance"] {
            #expect(!(truth.planted[check] ?? []).isEmpty, "\(check) not planted")
        }
        #expect(truth.planted["negative_balance"]?.contains("\(Simulation.sku(Simulation.skuCount))|OAK-MAIN|NEGUT") == true)
        let clean = simulation(dirty: false).truth
        #expect(clean.planted["missing_sku"] == nil && clean.planted["orphaned_fulfillment"] == nil)
    }

    @Test func feedFilesIncludeRedeliveredCorrectedAndIncompleteOnes() {
        let files = simulation().actions.compactMap { action -> (String, String)? in
            if case .file(_, let name, let content) = action { return (name, content) }
            return nil
        }
        let byName = Dictionary(grouping: files, by: \.0)
        let redelivered = byName.values.first { $0.count == 3 }
        #expect(redelivered != nil, "a file delivered twice identically and then corrected")
        if let versions = redelivered {
            #expect(versions[0].1 == versions[1].1)
            #expect(versions[1].1 != versions[2].1)
        }
        #expect(files.contains { !$0.1.contains("TRAILER,") }, "a file without its trailer")
        #expect(files.allSatisfy { $0.1.hasSuffix("\n") })
        // The late file: the first day's adjustments are the last action.
        if case .file(let folder, let name, _)? = simulation().actions.last {
            #expect(folder == "adjustments" && name.contains("20261119"), "last action is \(name)")
        } else {
            Issue.record("the last action is not the late file")
        }
    }

    @Test func updatesAndDeletesOfPastMovementsAreEmitted() {
        let statements = simulation().actions.compactMap { action -> String? in
            if case .statement(_, let sql, _) = action { return sql }
            return nil
        }
        #expect(statements.contains { $0.hasPrefix("UPDATE wms.inventory_transactions") })
        #expect(statements.contains { $0.hasPrefix("DELETE FROM wms.inventory_transactions") })
    }
}
