// sftp-watcher: polls the SFTP inbox for the two CSV feeds and publishes each complete file's rows
// to Kafka in one transaction (see FeedWatcher for the rules).
//
// Environment: FOODBANK_SFTP_HOST, FOODBANK_SFTP_PORT, FOODBANK_SFTP_USER, FOODBANK_SFTP_KEY_FILE,
// FOODBANK_SFTP_KEY_PASSPHRASE, FOODBANK_DATABASE_URL (manifest), KAFKA_BOOTSTRAP_SERVERS,
// KAFKA_PROPERTY_*, FOODBANK_INSTANCE_ID, FOODBANK_METRICS_PORT.
import ArgumentParser
import FoodbankFeeds
import FoodbankKafka
import FoodbankMetrics
import FoodbankPostgres
import FoodbankSFTP
import FoodbankStreaming
import FoodbankTopics
import Foundation
import Logging

@main
struct SFTPWatcher: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "sftp-watcher", abstract: "Publish the SFTP feeds to Kafka.")

    @Option(help: "Seconds between polls.") var interval = 10.0
    @Flag(help: "Poll once and exit.") var once = false
    @Option(help: "Inbox folder holding the feed folders (default: the inbox itself).") var root: String?
    @Option(help: "Suffix appended to every topic name (tests run beside each other on one broker).") var topicSuffix = ""
    @Option(help: "Port of /metrics, /healthz and /readyz (default: $FOODBANK_METRICS_PORT, else 9400).") var metricsPort: Int?

    func run() throws {
        var logger = Logger(label: "foodbank.sftp-watcher")
        logger.logLevel = .info
        let stop = StopSignal()
        stop.installSignalHandlers()
        let sftpConfiguration = try SFTPClient.Configuration.fromEnvironment()
        let db = try PostgresConnection(url: try PostgresConfiguration.url(), logger: logger)
        let producer = try KafkaTransactionalProducer(configuration: try KafkaConfiguration.fromEnvironment(clientID: "sftp-watcher"),
                                                      transactionalID: "sftp-watcher-\(StageIdentity.instanceID())", logger: logger)
        try producer.initTransactions()
        var configuration = FeedWatcher.Configuration()
        configuration.root = root
        configuration.topicName = { [names = TopicNames(catalog: try TopicCatalog.loadDefault(), suffix: topicSuffix)] in names.applied($0) }
        let metrics = FeedMetrics()
        configuration.fileOutcome = { metrics.fileDecided(feed: $0, outcome: $1.rawValue) }
        let watcher = FeedWatcher(configuration: configuration, producer: producer, db: db, logger: logger)
        // Not alive once three polls in a row could not read the inbox (or one took that long).
        try MetricsServer(port: MetricsServer.port(option: metricsPort), routes: metrics.routes(stall: max(60, interval * 3)), logger: logger).start()
        repeat {
            do {
                let sftp = try SFTPClient(sftpConfiguration)
                let summary = try watcher.poll(sftp)
                metrics.polled(at: Date())
                var counts = Logger.Metadata(uniqueKeysWithValues: FileOutcome.allCases.map { ($0.rawValue, "\(summary[$0])") })
                counts["rows"] = "\(summary.rows)"
                counts["retracted"] = "\(summary.retracted)"
                logger.info("poll done", metadata: counts)
            } catch let error as SFTPError {
                // The inbox being unreachable is an outage to wait out, not a reason to stop.
                logger.error("SFTP poll failed; retrying next interval", metadata: ["error": "\(error)"])
                if once { throw error }
            }
            if !once { Thread.sleep(forTimeInterval: interval) }
        } while !once && !stop.isStopped
    }
}
