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
import FoodbankJSON
import FoodbankKafka
import FoodbankPostgres
import FoodbankStreaming
import FoodbankTopics
import Foundation
import Logging

@main
struct DQCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "dq", abstract: "Run the data-quality checks into ops.dq_violations.")

    @Option(help: "Consumer group.") var group = "dq"
    @Option(help: "Suffix appended to every topic name (tests run beside each other on one broker).") var topicSuffix = ""
    @Option(help: "Records per database transaction.") var batch = 5000
    @Option(help: "Seconds a shipment may wait for its order before it is orphaned (the contract's default: 15 minutes).")
    var graceSeconds = 900.0
    @Option(help: "Seconds between sweeps for shipments whose grace period ran out.") var sweepSeconds = 30.0

    func run() throws {
        var logger = Logger(label: "foodbank.dq")
        logger.logLevel = .info
        let stop = StopSignal()
        stop.installSignalHandlers()
        let names = TopicNames(catalog: try TopicCatalog.loadDefault(), suffix: topicSuffix)
        let inputs: [String: DQFacts.Input] = [
            try names.name("foodbank.unique.inventory_events"): .inventoryEvents,
            try names.name("foodbank.unique.donations"): .donations,
            try names.name("foodbank.unique.agency_orders"): .agencyOrders,
            try names.name("foodbank.unique.fulfillment_line_items"): .fulfillment,
            try names.name("foodbank.cdc.warehouse.wms.items"): .items,
            try names.name("foodbank.ops.inventory_balances"): .balances,
        ]
        let findingsTopic = try names.name("foodbank.ops.dq_findings")
        func published(_ findings: [DQFinding]) -> [KafkaRecord] {
            for finding in findings {
                logger.info("finding \(finding.status.rawValue)", metadata: ["check": "\(finding.check)", "entity": "\(finding.entityKey)"])
            }
            return findings.map { KafkaRecord(topic: findingsTopic, key: Array($0.key.utf8), value: $0.json().encoded()) }
        }

        var configuration = PostgresSink.Configuration(stage: "dq", groupID: group, inputTopics: inputs.keys.sorted())
        configuration.maxBatchRecords = batch
        configuration.deadLetterTopic = try names.name("foodbank.dlq.dq")
        configuration.housekeepingInterval = .milliseconds(Int64(sweepSeconds * 1000))
        let grace = graceSeconds
        let sink = PostgresSink(kafka: try KafkaConfiguration.fromEnvironment(clientID: "dq"), databaseURL: try PostgresConfiguration.url(),
                                configuration: configuration, logger: logger,
                                housekeeping: { db in published(try DQStore.sweep(in: db, now: Date(), gracePeriod: grace)) }) { batch, db in
            let facts = DQFacts.collect(batch.map { (inputs[$0.topic]!, $0.value) })
            let findings = try DQStore.apply(facts, in: db, now: Date(), gracePeriod: grace)
            return SinkOutcome(rejected: facts.rejected.map { (batch[$0.index], $0.reason) }, published: published(findings))
        }
        try sink.run(until: stop)
    }
}
