import FoodbankKafka
import FoodbankPostgres
import FoodbankStreaming
import Foundation
import Testing

extension Integration {
    /// The foundation's central guarantee: a consume-transform-produce loop with transactional
    /// offset commits, and a PostgreSQL sink that stores offsets with its rows, lose and double
    /// nothing while both are killed with SIGKILL at random moments and restarted.
    @Suite struct ExactlyOnceUnderCrashes {
        @Test func hundredThousandRecordsSurviveRandomSIGKILLs() throws {
            let inputs = 100_000
            let poisonEvery = 10_000
            let run = SelfCheckRun(bootstrap: try TestStack.require(KafkaConfiguration.bootstrapVariable))
            try run.createTopics()
            try run.produce(count: inputs, poisonEvery: poisonEvery)
            let db = try TestStack.database()

            var relay = try run.start("relay", batch: 2000)
            var sink = try run.start("sink", batch: 2000)
            // Five SIGKILLs of each process at random moments while data flows: each lands when the
            // sink has reached a random share of the input, so every kill hits a stage mid-stream.
            let moments = (0..<10).map { _ in Int.random(in: inputs / 20...inputs * 9 / 10) }.sorted()
            var killedAt: [Int] = []
            for (index, moment) in moments.enumerated() {
                let reached = try eventually(timeout: .seconds(120), every: .milliseconds(100)) { try run.sinkCount(db) >= moment }
                #expect(reached, "no progress to \(moment)\nrelay:\n\(relay.logTail)\nsink:\n\(sink.logTail)")
                killedAt.append(try run.sinkCount(db))
                if index % 2 == 0 {
                    relay.crash()
                    relay = try run.start("relay", batch: 2000)
                } else {
                    sink.crash()
                    sink = try run.start("sink", batch: 2000)
                }
            }
            #expect(killedAt.count == 10)
            #expect(killedAt.allSatisfy { $0 < inputs }, "a kill landed after the work was done: \(killedAt)")

            let finished = try eventually(timeout: .seconds(240), every: .seconds(1)) { try run.sinkCount(db) >= inputs }
            let held = try run.sinkCount(db)
            #expect(finished, "sink holds \(held) of \(inputs)\nrelay:\n\(relay.logTail)\nsink:\n\(sink.logTail)")
            // Let any straggling duplicate delivery land before counting.
            Thread.sleep(forTimeInterval: 2)
            #expect(relay.isRunning, "relay died:\n\(relay.logTail)")
            #expect(sink.isRunning, "sink died (a Kafka offset applied twice fails its primary key):\n\(sink.logTail)")

            // Nothing lost, nothing doubled: exactly one row per input, and every input id present.
            let rows = try db.execute("""
                SELECT count(*) AS n, count(DISTINCT event_id) AS ids,
                       min(substring(event_id from 5)::int) AS lo, max(substring(event_id from 5)::int) AS hi
                FROM selfcheck.events WHERE run_id = $1
                """, [.text(run.runID)])
            #expect(rows.int(0, "n") == Int64(inputs))
            #expect(rows.int(0, "ids") == Int64(inputs))
            #expect(rows.int(0, "lo") == 0)
            #expect(rows.int(0, "hi") == Int64(inputs - 1))
            #expect(try db.execute("SELECT count(*) FROM selfcheck.events WHERE run_id = $1 AND value NOT LIKE 'relayed|rec-%'",
                                   [.text(run.runID)]).scalar == "0")

            // Every input reached the output topic.
            let output = try run.distinctKeys(in: run.output, expected: inputs)
            #expect(output.keys.count == inputs)

            // Every poison record is in the dead-letter topic with its reason, none in the output.
            let poison = inputs / poisonEvery
            let dead = try run.distinctKeys(in: run.deadLetters, expected: poison, timeout: .seconds(30))
            #expect(dead.keys.count == poison)
            #expect(dead.records.allSatisfy { $0.header(DeadLetter.reasonHeader) != nil && $0.header(DeadLetter.sourceOffsetHeader) != nil })
            #expect(!output.keys.contains { $0.hasPrefix("poison") })

            relay.terminate()
            sink.terminate()
            print("exactly-once crash test: SIGKILLs (relay, sink alternately) when the sink held \(killedAt) rows; "
                  + "\(output.records.count) output records read for \(inputs) inputs (duplicates on Tansu are aborted transactions it does not hide)")
        }
    }
}
