import FoodbankKafka
import FoodbankPostgres
import Foundation

/// One run of the relay-check harness with topics, groups and rows of its own.
struct SelfCheckRun {
    let runID: String
    let input: String
    let output: String
    let deadLetters: String
    let bootstrap: String
    let partitions: Int

    init(bootstrap: String, partitions: Int = 6) {
        runID = TestStack.uniqueName("run")
        input = "foodbank.selfcheck.input.\(runID)"
        output = "foodbank.selfcheck.output.\(runID)"
        deadLetters = "foodbank.dlq.selfcheck.\(runID)"
        self.bootstrap = bootstrap
        self.partitions = partitions
    }

    var kafka: KafkaConfiguration { KafkaConfiguration(bootstrapServers: bootstrap, clientID: "tests") }

    func createTopics() throws {
        let admin = try KafkaAdmin(configuration: kafka)
        _ = try admin.createTopics([input, output, deadLetters].map { KafkaAdmin.NewTopic(name: $0, partitions: partitions) })
    }

    var environment: [String: String] {
        var env = TestStack.environment
        env[KafkaConfiguration.bootstrapVariable] = bootstrap
        // A killed member's partitions move after its session times out: keep that short in tests.
        env["KAFKA_PROPERTY_SESSION_TIMEOUT_MS"] = "6000"
        return env
    }

    private var arguments: [String] {
        ["--run-id", runID, "--input-topic", input, "--output-topic", output, "--dead-letter-topic", deadLetters]
    }

    func start(_ role: String, batch: Int = 2000, instance: String = "a") throws -> ChildProcess {
        var env = environment
        env["FOODBANK_INSTANCE_ID"] = instance
        return try ChildProcess(TestStack.binDirectory.appendingPathComponent("relay-check"),
                                [role, "--batch", String(batch)] + arguments, environment: env, name: "\(role)-\(runID)")
    }

    /// Writes `count` keyed records (`rec-0` ...) and a poison record every `poisonEvery`.
    func produce(count: Int, poisonEvery: Int = 0, startingAt first: Int = 0) throws {
        let producer = try KafkaProducer(configuration: kafka)
        for n in first..<(first + count) {
            let key = "rec-\(n)"
            try producer.send(KafkaRecord(topic: input, key: Array(key.utf8), value: Array("\(key)|payload-\(n)".utf8)))
            if poisonEvery > 0, n % poisonEvery == 0 {
                try producer.send(KafkaRecord(topic: input, key: Array("poison-\(n)".utf8), value: Array("POISON".utf8)))
            }
        }
        try producer.flush()
    }

    /// Distinct event ids the sink holds for this run.
    func sinkCount(_ db: PostgresConnection) throws -> Int {
        Int(try db.execute("SELECT count(*) FROM selfcheck.events WHERE run_id = $1", [.text(runID)]).scalar ?? "0") ?? 0
    }

    /// Reads `topic` from the beginning until `expected` distinct keys are seen or `timeout` passes.
    func distinctKeys(in topic: String, expected: Int, timeout: Duration = .seconds(60)) throws -> (keys: Set<String>, records: [KafkaMessage]) {
        func keys(_ messages: [KafkaMessage]) -> Set<String> { Set(messages.map { String(decoding: $0.key ?? [], as: UTF8.self) }) }
        let records = try readTopic(topic, kafka: kafka, timeout: timeout) { keys($0).count >= expected }
        return (keys(records), records)
    }
}
