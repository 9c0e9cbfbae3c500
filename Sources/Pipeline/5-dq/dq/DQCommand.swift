// dq: the data-quality checks (FoodbankDQ.DQChecks: missing_sku, negative_balance,
// duplicate_donation_id, orphaned_fulfillment) over the unique topics, the item master and
// reconcile's balances; one open row per problem in ops.dq_violations, every opened or resolved
// finding published to foodbank.ops.dq_findings. Kafka to PostgreSQL exactly once (offsets stored
// with the rows); bad records to foodbank.dlq.dq; a sweep opens orphaned shipments whose grace
// period ran out while no input came.
//
// Environment: KAFKA_BOOTSTRAP_SERVERS, KAFKA_PROPERTY_*, FOODBANK_DATABASE_URL, FOODBANK_TOPICS_FILE.
import ArgumentParser
import FoodbankDQ
import Foundation
import FoodbankKafka
import FoodbankMetrics
import FoodbankPostgres
import FoodbankStreaming
import FoodbankTopics
import Logging
import Prometheus

@main
struct DQCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "dq", abstract: "Run the data-quality checks into ops.dq_violations.")

    @Option(help: "Consumer group.") var group = "dq"
    @Option(help: "Suffix appended to every topic name (tests run beside each other on one broker).") var topicSuffix = ""
    @Option(help: "Records per database transaction.") var batch = 5000
    @Option(help: "Seconds a shipment may wait for its order before it is orphaned (the contract's default: 15 minutes).")
    var graceSeconds = 900.0
    @Option(help: "Seconds between sweeps for shipments whose grace period ran out.") var sweepSeconds = 30.0
    @Option(help: "Cases in one movement or line at or above which implausible_value opens.") var implausibleCases = 10_000.0
    @Option(help: "Pounds in one movement or line at or above which implausible_value opens.") var implausibleLbs = 250_000.0
    @Option(help: "Dollars of fair market value in one donation line at or above which implausible_value opens.")
    var implausibleUsd = 250_000.0
    @Option(help: "Port of /metrics, /healthz and /readyz (default: $FOODBANK_METRICS_PORT, else 9400).") var metricsPort: Int?

    func run() throws {
        var logger = Logger(label: "foodbank.dq")
        logger.logLevel = .info
        let stop = StopSignal()
        stop.installSignalHandlers()
        var settings = DQStage.Settings()
        settings.group = group
        settings.batch = batch
        settings.gracePeriod = graceSeconds
        settings.sweepInterval = sweepSeconds
        settings.limits.cases = Decimal(implausibleCases)
        settings.limits.lbs = Decimal(implausibleLbs)
        settings.limits.usd = Decimal(implausibleUsd)
        let metrics = try StageMetrics.serve(stage: "dq", port: metricsPort, logger: logger)
        let findings = MetricNameDescriptor(namespace: "foodbank", metricName: "dq_findings", unitName: "total", helpText: "Findings opened and resolved, by check")
        let open = MetricNameDescriptor(namespace: "foodbank", metricName: "dq_open_findings", unitName: "count", helpText: "Open findings by check, after each sweep")
        let openGauges = Dictionary(uniqueKeysWithValues: DQChecks.all.map { ($0.name, metrics.registry.makeGauge(descriptor: open, labels: [("check", $0.name)])) })
        var counters: [String: Counter] = [:]
        for check in DQChecks.all {
            for status in [DQFinding.Status.open, .resolved] {
                counters["\(check.name)|\(status.rawValue)"] = metrics.registry.makeCounter(descriptor: findings, labels: [("check", check.name), ("status", status.rawValue)])
            }
        }
        settings.onFindings = { [counters] changed in
            for finding in changed { counters["\(finding.check)|\(finding.status.rawValue)"]?.increment() }
        }
        settings.onOpenCounts = { counts in for (check, count) in counts { openGauges[check]?.set(to: Double(count)) } }
        let sink = try DQStage.sink(kafka: try KafkaConfiguration.fromEnvironment(clientID: "dq"), databaseURL: try PostgresConfiguration.url(),
                                    names: TopicNames(catalog: try TopicCatalog.loadDefault(), suffix: topicSuffix), settings: settings, logger: logger)
        sink.observer = metrics
        try sink.run(until: stop)
    }
}
