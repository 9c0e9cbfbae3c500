// reconcile: the unique inventory events into ops.inventory_on_hand (through the event-id ledger
// ops.inventory_movements), the item master for pounds, and ops.pipeline_freshness; Kafka to
// PostgreSQL exactly once (offsets stored with the rows, sought on assignment); bad records to
// foodbank.dlq.reconcile; every balance a batch changed to the compacted foodbank.ops.inventory_balances.
//
// Environment: KAFKA_BOOTSTRAP_SERVERS, KAFKA_PROPERTY_*, FOODBANK_DATABASE_URL, FOODBANK_TOPICS_FILE.
import ArgumentParser
import FoodbankKafka
import FoodbankMetrics
import FoodbankPostgres
import FoodbankReconcile
import FoodbankStreaming
import FoodbankTopics
import Foundation
import Logging

@main
struct Reconcile: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "reconcile", abstract: "Maintain on-hand balances and freshness from the unique topics.")

    @Option(help: "Consumer group.") var group = "reconcile"
    @Option(help: "Suffix appended to every topic name (tests run beside each other on one broker).") var topicSuffix = ""
    @Option(help: "Records per database transaction.") var batch = 5000
    @Option(help: "Port of /metrics, /healthz and /readyz (default: $FOODBANK_METRICS_PORT, else 9400).") var metricsPort: Int?

    func run() throws {
        var logger = Logger(label: "foodbank.reconcile")
        logger.logLevel = .info
        let stop = StopSignal()
        stop.installSignalHandlers()
        let sink = try ReconcileStage.sink(kafka: try KafkaConfiguration.fromEnvironment(clientID: "reconcile"), databaseURL: try PostgresConfiguration.url(),
                                           names: TopicNames(catalog: try TopicCatalog.loadDefault(), suffix: topicSuffix), group: group, batch: batch,
                                           logger: logger)
        sink.observer = try StageMetrics.serve(stage: "reconcile", port: metricsPort, logger: logger)
        try sink.run(until: stop)
    }
}
