import FoodbankHistories
import Foundation
import PropertyBased
import Testing

extension Integration {
    /// Generated histories of all six sources (seeded; every edge the contract allows) through the
    /// real chain, with consumers SIGKILLed while they run, in every other history a source database
    /// snapshotted again, and, for some, two instances in every group; once the chain is quiet, `foodbank-ctl verify` must find no difference from the oracle.
    /// Every history must match exactly: no edge is marked as known to be wrong. `FOODBANK_HISTORIES`
    /// (default 6), `FOODBANK_HISTORY_STEPS` (default 120) and `FOODBANK_HISTORY_SEED` (default fixed)
    /// size and fix the run (`scripts/verify-soak.sh` runs many).
    @Suite struct OracleHistories {
        static let count = Int(ProcessInfo.processInfo.environment["FOODBANK_HISTORIES"] ?? "") ?? 6
        static let steps = Int(ProcessInfo.processInfo.environment["FOODBANK_HISTORY_STEPS"] ?? "") ?? 120
        /// The suite's histories are the same every run (a random seed is the soak's work).
        static let baseSeed = UInt64(ProcessInfo.processInfo.environment["FOODBANK_HISTORY_SEED"] ?? "") ?? 20_261_202

        @Test(arguments: 0..<count)
        func historyMatchesTheOracleThroughKills(_ index: Int) throws {
            let seed = Self.baseSeed + UInt64(index)
            // The seed alone decides a history and its instances (FOODBANK_HISTORY_SEED=<seed>
            // FOODBANK_HISTORIES=1 runs it again): every third runs two instances of each consumer group.
            let run = try OracleHistoryRun(seed: seed, steps: (Self.steps / 2)...Self.steps, instances: seed % 3 == 2 ? 2 : 1)
            defer { run.cleanUp() }
            try run.setUp()
            try run.startAll()
            let capturing = eventually(timeout: .seconds(60)) { run.processes["cdc"]![0].log.contains("capturing") }
            try #require(capturing, "cdc did not start:\n\(run.processes["cdc"]![0].logTail)")

            var random = HistoryGenerator.random(seed: seed, stream: 1)
            let kills = Set((0..<3).map { _ in Int.random(in: 0..<max(1, run.history.actions.count), using: &random) })
            // A re-snapshot of one source database in every other history, from a stream of its own so
            // the kills stay where they were.
            var faults = HistoryGenerator.random(seed: seed, stream: 2)
            let resnapshots = seed % 2 == 1 && !run.history.actions.isEmpty
                ? [Int.random(in: 0..<run.history.actions.count, using: &faults): HistoryDeployment.sourceDatabases.randomElement(using: &faults)!]
                : [:]
            try run.write(killAt: kills, resnapshotAt: resnapshots, random: &random)
            if let database = resnapshots.values.first {
                try run.resnapshot(database, at: "the end of the history", deletingHeader: true)
            }
            try run.killOne(random: &random, at: "the end of the history")
            try #require(try run.waitUntilQuiet(), "the chain did not settle: \(run.pending.prefix(10))\n\(run.report)")

            var differences: [String] = []
            for (from, to) in HistoryVocabulary.dayRanges {
                let verified = try run.backfillAndVerify(from: from, to: to)
                differences += verified.differences
                if verified.differences.isEmpty {
                    #expect(verified.status == 0, "verify failed without a difference:\n\(verified.output)")
                }
            }
            print("history seed=\(seed) instances=\(run.instances) steps=\(run.history.steps) actions=\(run.history.actions.count) "
                  + "kills=\(run.kills.count - run.resnapshots) resnapshots=\(run.resnapshots) differences=\(differences.count)")
            let stopped = run.processes.values.joined().filter { !$0.isRunning }.map { "\($0.name):\n\($0.logTail)" }
            #expect(stopped.isEmpty, "a stage stopped:\n\(stopped.joined(separator: "\n"))")
            #expect(differences.isEmpty, "\(differences.count) differences, e.g.\n\(differences.prefix(25).joined(separator: "\n"))\n\(run.report)\n\(differences.isEmpty ? "" : run.trace(differences: differences))")
        }
    }
}
