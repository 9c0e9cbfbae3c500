import FoodbankCDC
import FoodbankDQ
import FoodbankKafka
import FoodbankPostgres
import FoodbankTopics
import Foundation
import Testing

extension Integration {
    /// The whole chain on the real stack, driven by the simulator with its dirty cases: cdc and
    /// sftp-watcher into Kafka, normalize, dedupe, reconcile and dq, with reconcile and dq SIGKILLed
    /// and restarted along the way. On-hand must equal the simulator's truth for every position of
    /// this run, and the open findings exactly the problems it planted.
    @Suite struct QualityChain {
        @Test func onHandAndFindingsMatchTheSimulatorsTruthThroughKills() throws {
            let run = try QualityChainRun()
            defer { run.cleanUp() }
            try run.createTopics()
            let processes = try ["cdc", "sftp-watcher", "normalize", "dedupe"].map { try run.start($0) }
            var reconcile = try run.start("reconcile")
            var dq = try run.start("dq")
            defer { (processes + [reconcile, dq]).forEach { _ = $0.terminate() } }
            // The slots must exist before the simulator writes: their snapshot is what came before.
            let capturing = eventually(timeout: .seconds(60)) { processes[0].log.contains("capturing") }
            try #require(capturing, "cdc did not start:\n\(processes[0].logTail)")

            let simulator = try run.simulate()
            for round in 0..<3 {
                Thread.sleep(forTimeInterval: 4)
                // Each round kills one of the two mid-stream; they restart from their stored offsets.
                if round % 2 == 0 { reconcile.crash(); reconcile = try run.start("reconcile") } else { dq.crash(); dq = try run.start("dq") }
            }
            try #require(simulator.waitForExit(timeout: 120) == 0, "simulator failed:\n\(simulator.logTail)")
            let truth = try run.truth()
            #expect(truth.onHand.count > 100 && truth.planted.count >= 4 * 2, "the simulation is too small to prove anything")

            var onHand: [String: String] = [:]
            let balanced = try eventually(timeout: .seconds(240), every: .seconds(2)) {
                onHand = try run.onHand()
                return onHand == truth.onHand
            }
            let differing = Set(onHand.keys).symmetricDifference(truth.onHand.keys).union(truth.onHand.keys.filter { onHand[$0] != nil && onHand[$0] != truth.onHand[$0] })
            #expect(balanced, "on-hand differs from the truth at \(differing.count) positions, e.g. \(differing.sorted().prefix(3).map { "\($0): \(onHand[$0] ?? "none") vs \(truth.onHand[$0] ?? "none")" })\nreconcile:\n\(reconcile.logTail)")

            var open: [String] = []
            let found = try eventually(timeout: .seconds(120), every: .seconds(2)) {
                open = try run.openFindings()
                return open == truth.planted
            }
            #expect(found, "open findings \(Set(open).symmetricDifference(truth.planted).sorted().prefix(6)) differ from what was planted\ndq:\n\(dq.logTail)")
            #expect(open.count == Set(open).count, "a problem has more than one open finding")
            let stopped = (processes + [reconcile, dq]).filter { !$0.isRunning }.map(\.logTail)
            #expect(stopped.isEmpty, "a stage stopped:\n\(stopped.joined(separator: "\n"))")
        }
    }
}
