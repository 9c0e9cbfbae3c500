// reconcile: the unique inventory events into ops.inventory_on_hand (through the event-id ledger
// ops.inventory_movements), the item master for pounds, and ops.pipeline_freshness; Kafka to
// PostgreSQL exactly once (offsets stored with the rows, sought on assignment); bad records to
// foodbank.dlq.reconcile; every balance a batch changed to the compacted foodbank.ops.inventory_balances.
//
// Environment: KAFKA_BOOTSTRAP_SERVERS, KAFKA_PROPERTY_*, FOODBANK_DATABASE_URL, FOODBANK_TOPICS_FILE.
import ArgumentParser
import FoodbankCanonical
import FoodbankJSON
import FoodbankKafka
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

    func run() throws {
        var logger = Logger(label: "foodbank.reconcile")
        logger.logLevel = .info
        let stop = StopSignal()
        stop.installSignalHandlers()
        let names = TopicNames(catalog: try TopicCatalog.loadDefault(), suffix: topicSuffix)
        var inputs: [String: ReconcileRules.Input] = [
            try names.name("foodbank.unique.inventory_events"): .inventoryEvents,
            try names.name("foodbank.cdc.warehouse.wms.items"): .items,
        ]
        for model in ["donations", "agency_orders", "fulfillment_line_items"] { inputs[try names.name("foodbank.unique.\(model)")] = .otherCanonical }

        var configuration = PostgresSink.Configuration(stage: "reconcile", groupID: group, inputTopics: inputs.keys.sorted())
        configuration.maxBatchRecords = batch
        configuration.deadLetterTopic = try names.name("foodbank.dlq.reconcile")
        let balanceTopic = try names.name("foodbank.ops.inventory_balances")
        let sink = PostgresSink(kafka: try KafkaConfiguration.fromEnvironment(clientID: "reconcile"), databaseURL: try PostgresConfiguration.url(),
                                configuration: configuration, logger: logger) { batch, db in
            let plan = ReconcileRules.plan(batch.map { (inputs[$0.topic] ?? .otherCanonical, $0.value) })
            let balances = try ReconcileStore.apply(plan, in: db)
            return SinkOutcome(rejected: plan.rejected.map { (batch[$0.index], $0.reason) },
                               published: balances.map { KafkaRecord(topic: balanceTopic, key: Array($0.positionKey.utf8), value: $0.json().encoded()) })
        }
        try sink.run(until: stop)
    }
}
