import FoodbankHistories
import Foundation
import FoodbankKafka
import FoodbankPostgres
import Testing

/// The local stack the tests run against, started by `scripts/stack.sh start` (the README's test
/// command does that). Its settings are read from `.local/stack/env`.
enum TestStack {
    static var packageRoot: URL { LocalStackEnvironment.packageRoot }

    /// The stack's environment merged over the process's (`FB_STATE` picks a second stack).
    static let environment: [String: String] = {
        var env = LocalStackEnvironment.variables
        // Stages started side by side serve their metrics on free ports of their own.
        env["FOODBANK_METRICS_PORT"] = ProcessInfo.processInfo.environment["FOODBANK_METRICS_PORT"] ?? "0"
        return env
    }()

    static func require(_ name: String) throws -> String {
        guard let value = environment[name], !value.isEmpty else {
            throw StackNotRunning(variable: name)
        }
        return value
    }

    static var databaseURL: String { get throws { try require(PostgresConfiguration.urlVariable) } }

    static var kafka: KafkaConfiguration {
        get throws { KafkaConfiguration(bootstrapServers: try require(KafkaConfiguration.bootstrapVariable), clientID: "tests") }
    }

    static func database() throws -> PostgresConnection { try PostgresConnection(url: try databaseURL) }

    /// The suite's tests share one reporting database, each as a deployment of its own. A complete
    /// snapshot an earlier test's cdc took (decision 32) would make this test's hand-written
    /// versions, at small positions, removals of their rows: tests that write such versions forget
    /// the completions first (the suite runs one test at a time).
    static func forgetSnapshotCompletions() throws {
        let db = try database()
        defer { db.close() }
        for table in ["ops.snapshot_completions", "dq.snapshot_completions", "nightly.snapshot_completions"] { try db.execute("DELETE FROM \(table)") }
    }

    /// Where `swift build` put the executables.
    static let binDirectory: URL = {
        let candidates = [URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
                          packageRoot.appendingPathComponent(".build/debug")]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.appendingPathComponent("relay-check").path) }
            ?? candidates[1]
    }()

    /// A name no earlier run used, for topics, groups and rows.
    static func uniqueName(_ prefix: String) -> String {
        "\(prefix)-\(UInt32(Date().timeIntervalSince1970) % 1_000_000)-\(UInt32.random(in: 0..<1_000_000))"
    }
}

/// Polls `condition` until it holds or `timeout` passes; returns whether it held.
func eventually(timeout: Duration, every interval: Duration = .milliseconds(250), _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try condition() { return true }
        Thread.sleep(forTimeInterval: interval.inSeconds)
    }
    return try condition()
}

/// Reads `topic` from the beginning with a fresh group until `done` holds for what was read, or
/// `timeout` passes; returns what was read.
func readTopic(_ topic: String, kafka: KafkaConfiguration, group: String = TestStack.uniqueName("reader"),
               timeout: Duration = .seconds(60), until done: ([KafkaMessage]) -> Bool) throws -> [KafkaMessage] {
    var config = KafkaConsumerConfiguration(groupID: group, topics: [topic])
    config.sessionTimeout = .seconds(6)
    let consumer = try KafkaConsumer(configuration: kafka, consumer: config)
    defer { consumer.close() }
    var messages: [KafkaMessage] = []
    let deadline = ContinuousClock.now + timeout
    while !done(messages), ContinuousClock.now < deadline {
        messages += try consumer.pollBatch(maxRecords: 10_000, timeout: .milliseconds(300))
    }
    return messages
}

/// Every record of `topic`, from its beginning to each partition's end (a reader outside any
/// group: no join to wait for, nothing left unread).
func readWholeTopic(_ topic: String, kafka: KafkaConfiguration, timeout: Duration = .seconds(60)) throws -> [KafkaMessage] {
    let partitions = try KafkaAdmin(configuration: kafka).partitions(of: [topic])
    let reader = try KafkaConsumer(configuration: kafka, consumer: KafkaConsumerConfiguration(groupID: TestStack.uniqueName("reader"), topics: []),
                                   reading: Dictionary(uniqueKeysWithValues: partitions.map { ($0, KafkaOffset.beginning) }))
    defer { reader.close() }
    var messages: [KafkaMessage] = []
    try reader.readToEnd(timeout: timeout) { messages.append($0) }
    return messages
}

/// Runs a program that leaves no daemon behind and returns its exit status and combined output.
func runCapturing(_ executable: URL, _ arguments: [String], environment: [String: String]) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    process.environment = environment
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    return (process.terminationStatus, output)
}
