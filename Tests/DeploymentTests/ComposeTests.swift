import FoodbankCDC
import FoodbankEnvironment
import FoodbankJSON
import FoodbankKafka
import FoodbankPostgres
import FoodbankSFTP
import FoodbankSimulator
import FoodbankStreaming
import FoodbankTopics
import Foundation
import Testing

/// docker-compose.yml cannot run here (no Docker engine), so what can be known of it statically is
/// checked: it parses as YAML, every executable has a service, environment names match what the
/// code reads, and topics match topics/.
@Suite struct ComposeTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The compose file through a real YAML parser (PyYAML in the project's virtualenv, installed by
    /// scripts/setup.sh), as JSON.
    static func compose() throws -> JSONValue {
        let python = root.appendingPathComponent(".local/venv/bin/python").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-c", "import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))",
                             root.appendingPathComponent("docker-compose.yml").path]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "docker-compose.yml is not valid YAML")
        return try JSONValue.parse(Array(data))
    }

    static func services() throws -> [String: JSONValue] {
        try #require(try compose()["services"]?.objectValue)
    }

    /// Executable targets declared in Package.swift.
    static func executables() throws -> [String] {
        let manifest = try String(contentsOf: root.appendingPathComponent("Package.swift"), encoding: .utf8)
        return manifest.matches(of: #/\.executableTarget\(\s*name:\s*"([^"]+)"/#).map { String($0.1) }
    }

    /// The words of a service's command and entrypoint.
    static func invocation(_ service: JSONValue) -> String {
        ["entrypoint", "command"].compactMap { key -> String? in
            switch service[key] {
            case .string(let s)?: return s
            case .array(let items)?: return items.compactMap(\.stringValue).joined(separator: " ")
            default: return nil
            }
        }.joined(separator: " ")
    }

    static func platformServices() throws -> [String: JSONValue] {
        try services().filter { $0.value["image"]?.stringValue?.hasPrefix("foodbank-platform") == true }
    }

    @Test func everyExecutableHasAService() throws {
        let executables = try Self.executables()
        #expect(executables.count >= 2)
        let invocations = try Self.platformServices().values.map(Self.invocation)
        for executable in executables {
            #expect(invocations.contains { $0.split(whereSeparator: { " ;&|".contains($0) }).contains(Substring(executable)) },
                    "no service runs \(executable)")
        }
    }

    @Test func everyPlatformServiceRunsAnExecutableThatExists() throws {
        let executables = Set(try Self.executables())
        for (name, service) in try Self.platformServices() {
            let words = Self.invocation(service).split(whereSeparator: { " ;&|".contains($0) }).map(String.init)
            #expect(words.contains { executables.contains($0) }, "service \(name) runs none of \(executables.sorted())")
        }
    }

    @Test func environmentNamesMatchWhatTheCodeReads() throws {
        let fileVariable = PostgresConfiguration.urlVariable + SecretVariable.fileSuffix
        let known = Set<String>([KafkaConfiguration.bootstrapVariable, PostgresConfiguration.urlVariable, fileVariable,
                                  TopicCatalog.pathVariable, StageIdentity.instanceIDVariable,
                                  CDCConfiguration.sourceURLTemplateVariable,
                                  SFTPClient.Configuration.hostVariable, SFTPClient.Configuration.portVariable,
                                  SFTPClient.Configuration.userVariable, SFTPClient.Configuration.keyFileVariable,
                                  SFTPClient.Configuration.passphraseVariable, SFTPClient.Configuration.hostKeyVariable,
                                  Simulation.inboxVariable]).union(ConsumerRole.all.map { $0.urlVariable + SecretVariable.fileSuffix })
        for (name, service) in try Self.platformServices() {
            let environment = try #require(service["environment"]?.objectValue, "service \(name) has no environment")
            for key in environment.keys {
                #expect(known.contains(key) || key.hasPrefix(KafkaConfiguration.propertyPrefix), "service \(name) sets \(key), which no code reads")
            }
            #expect(environment[KafkaConfiguration.bootstrapVariable] != nil, "service \(name) lacks the brokers")
            // The operator's password is interpolated from the operator's environment, never written here.
            if let url = environment[PostgresConfiguration.urlVariable]?.stringValue {
                #expect(url.contains("${REPORTING_DB_PASSWORD}"), "service \(name) has a literal database password")
            }
        }
    }

    /// Least privilege: each consumer connects with its own role's URL, read from its own secret
    /// file, never the operator's; provision gives every role its login from those same files.
    @Test func eachConsumerConnectsAsItsOwnRole() throws {
        let services = try Self.services()
        for role in ConsumerRole.all {
            let service = try #require(services[role.stage], "no service \(role.stage)")
            let secret = role.stage.replacingOccurrences(of: "-", with: "_") + "_db_url"
            let environment = service["environment"]?.objectValue ?? [:]
            #expect(environment[PostgresConfiguration.urlVariable] == nil, "\(role.stage) connects as the operator")
            #expect(environment[PostgresConfiguration.urlVariable + SecretVariable.fileSuffix]?.stringValue == "/run/secrets/\(secret)",
                    "\(role.stage) does not read its own URL file")
            #expect(service["secrets"]?.arrayValue?.contains(.string(secret)) == true, "\(role.stage) is not given the secret \(secret)")
            #expect(try Self.compose()["secrets"]?[secret]?["file"]?.stringValue == "./secrets/\(secret)", "secret \(secret) is not declared")
            let provision = try #require(services["provision"])
            #expect(provision["environment"]?[role.urlVariable + SecretVariable.fileSuffix]?.stringValue == "/run/secrets/\(secret)",
                    "provision cannot give \(role.name) its login")
            #expect(provision["secrets"]?.arrayValue?.contains(.string(secret)) == true)
        }
        #expect(Self.invocation(try #require(services["provision"])).contains("foodbank-ctl migrate && foodbank-ctl roles"))
        #expect(services["dedupe"]?["environment"]?[PostgresConfiguration.urlVariable] == nil, "dedupe uses no database")
    }

    @Test func topicNamesInTheDeploymentAreDeclared() throws {
        let catalog = try TopicCatalog.load(path: Self.root.appendingPathComponent("topics/topics.json").path)
        let text = try String(contentsOf: Self.root.appendingPathComponent("docker-compose.yml"), encoding: .utf8)
        let mentioned = Set(text.matches(of: #/foodbank\.[a-z_]+\.[a-z_.]+/#).map { String($0.0) })
        #expect(!mentioned.isEmpty)
        for topic in mentioned { #expect((try? catalog.topic(topic)) != nil, "docker-compose.yml names undeclared topic \(topic)") }
    }

    @Test func debeziumConnectorsProduceExactlyTheDeclaredCDCTopics() throws {
        let catalog = try TopicCatalog.load(path: Self.root.appendingPathComponent("topics/topics.json").path)
        let folder = Self.root.appendingPathComponent("deploy/debezium")
        var produced = Set<String>()
        for file in try FileManager.default.contentsOfDirectory(atPath: folder.path) where file.hasSuffix(".json") {
            let config = try JSONValue.parse(Array(try Data(contentsOf: folder.appendingPathComponent(file))))
            #expect(config["decimal.handling.mode"]?.stringValue == "string", "\(file): numerics must arrive as strings")
            #expect(config["tombstones.on.delete"]?.stringValue == "true", "\(file): deletes must be followed by tombstones")
            #expect(config["database.password"]?.stringValue?.hasPrefix("${env:") == true, "\(file): password must come from the environment")
            let prefix = try #require(config["topic.prefix"]?.stringValue)
            for table in (config["table.include.list"]?.stringValue ?? "").split(separator: ",") {
                produced.insert("\(prefix).\(table)")
            }
        }
        #expect(produced == Set(catalog.names(withPrefix: "foodbank.cdc.")))
    }

    /// What a connector needs beside its CDC topics: its heartbeat topic declared (the brokers create
    /// no topic themselves), a heartbeat that writes WAL without a table (four databases on one server:
    /// a quiet one would pin WAL), a Kafka signal channel for incremental snapshots (read-only: the
    /// platform may not add a signal table to a source), and no worker-only setting.
    @Test func debeziumConnectorsHaveTheirHeartbeatsAndSignalsDeclared() throws {
        let catalog = try TopicCatalog.load(path: Self.root.appendingPathComponent("topics/topics.json").path)
        let folder = Self.root.appendingPathComponent("deploy/debezium")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".json") }
        #expect(files.count == 4)
        for file in files {
            let config = try JSONValue.parse(Array(try Data(contentsOf: folder.appendingPathComponent(file))))
            let prefix = try #require(config["topic.prefix"]?.stringValue)
            #expect(config["topic.creation.enable"] == nil, "\(file): topic.creation.enable is a worker setting")
            #expect((config["heartbeat.interval.ms"]?.stringValue.flatMap(Int.init) ?? 0) > 0, "\(file): no heartbeat")
            let heartbeat = "\(config["topic.heartbeat.prefix"]?.stringValue ?? "__debezium-heartbeat").\(prefix)"
            #expect((try? catalog.topic(heartbeat)) != nil, "\(file): heartbeat topic \(heartbeat) is not declared")
            #expect(config["heartbeat.action.query"]?.stringValue?.contains("pg_logical_emit_message") == true, "\(file): the heartbeat writes no WAL")
            #expect(config["signal.enabled.channels"]?.stringValue?.split(separator: ",").contains("kafka") == true, "\(file): no Kafka signal channel")
            let signals = try #require(config["signal.kafka.topic"]?.stringValue, "\(file): no signal topic")
            #expect((try? catalog.topic(signals)) != nil, "\(file): signal topic \(signals) is not declared")
            #expect(config["read.only"]?.stringValue == "true", "\(file): incremental snapshots would need a signal table in the source")
        }
    }

    /// atmoz/sftp chroots each account of its command (`user:password:uid:gid:folders`) to its home,
    /// where the session starts: the watcher must name the inbox folder the account was given.
    @Test func theWatcherReadsTheInboxOfTheChrootedFeedAccount() throws {
        let services = try Self.services()
        let account = try #require(services["sftp"]?["command"]?.stringValue).split(separator: ":", omittingEmptySubsequences: false)
        #expect(account.count == 5, "the sftp command is one account, user:password:uid:gid:folders")
        let folders = account.last.map { $0.split(separator: ",").map(String.init) } ?? []
        let watcher = try #require(services["sftp-watcher"])
        let arguments = watcher["command"]?.arrayValue?.compactMap(\.stringValue) ?? []
        let root = arguments.firstIndex(of: "--root").flatMap { arguments.indices.contains($0 + 1) ? arguments[$0 + 1] : nil }
        #expect(root.map(folders.contains) == true, "sftp-watcher --root \(root ?? "none") is not one of the feed account's folders \(folders)")
        #expect(watcher["environment"]?["FOODBANK_SFTP_USER"]?.stringValue == account.first.map(String.init))
    }

    @Test func theImageBuildsEveryExecutable() throws {
        let dockerfile = try String(contentsOf: Self.root.appendingPathComponent("Dockerfile"), encoding: .utf8)
        for executable in try Self.executables() { #expect(dockerfile.contains("/\(executable)"), "Dockerfile does not install \(executable)") }
    }
}
