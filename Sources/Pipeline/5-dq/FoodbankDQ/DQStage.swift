import FoodbankCanonical
import FoodbankJSON
import FoodbankKafka
import FoodbankStreaming
import FoodbankTopics
import Foundation
import Logging

/// dq wired to its topics: the unique topics, the item master and reconcile's balances into
/// ``DQFacts``, judged by ``DQChecks`` into `ops.dq_violations`; every opened or resolved finding
/// to `foodbank.ops.dq_findings`; bad records to `foodbank.dlq.dq`; a periodic sweep for shipments
/// whose grace period ran out. The executable and the benchmark run this.
public enum DQStage {
    public struct Settings: Sendable {
        public var group = "dq"
        public var batch = 5000
        /// How long a shipment may wait for its order (the contract's default: 15 minutes).
        public var gracePeriod: TimeInterval = 900
        public var sweepInterval: TimeInterval = 30
        /// At or above these, a quantity opens implausible_value.
        public var limits = PlausibleLimits()
        /// Told of every finding opened or resolved (metrics).
        public var onFindings: (@Sendable ([DQFinding]) -> Void)?
        /// Told of the open findings per check after each sweep (metrics).
        public var onOpenCounts: (@Sendable ([String: Int]) -> Void)?

        public init() {}
    }

    public static func inputs(_ names: TopicNames) throws -> [String: DQFacts.Input] {
        [
            try names.name("foodbank.unique.inventory_events"): .inventoryEvents,
            try names.name("foodbank.unique.donations"): .donations,
            try names.name("foodbank.unique.agency_orders"): .agencyOrders,
            try names.name("foodbank.unique.fulfillment_line_items"): .fulfillment,
            try names.name("foodbank.cdc.warehouse.wms.items"): .items,
            try names.name("foodbank.ops.inventory_balances"): .balances,
        ]
    }

    public static func sink(kafka: KafkaConfiguration, databaseURL: String, names: TopicNames, settings: Settings, logger: Logger) throws -> PostgresSink {
        let inputs = try inputs(names)
        let findingsTopic = try names.name("foodbank.ops.dq_findings")
        func published(_ findings: [DQFinding]) -> [KafkaRecord] {
            settings.onFindings?(findings)
            for finding in findings {
                logger.info("finding \(finding.status.rawValue)", metadata: ["check": "\(finding.check)", "entity": "\(finding.entityKey)"])
            }
            return findings.map { KafkaRecord(topic: findingsTopic, key: Array($0.key.utf8), value: $0.json().encoded()) }
        }
        var configuration = PostgresSink.Configuration(stage: "dq", groupID: settings.group, inputTopics: inputs.keys.sorted())
        configuration.maxBatchRecords = settings.batch
        configuration.deadLetterTopic = try names.name("foodbank.dlq.dq")
        configuration.housekeepingInterval = .milliseconds(Int64(settings.sweepInterval * 1000))
        let grace = settings.gracePeriod
        return PostgresSink(kafka: kafka, databaseURL: databaseURL, configuration: configuration, logger: logger,
                            housekeeping: { db in
                                let findings = published(try DQStore.sweep(in: db, now: Date(), gracePeriod: grace))
                                if let report = settings.onOpenCounts { report(try DQStore.openCounts(in: db)) }
                                return findings
                            }) { batch, db in
            let facts = DQFacts.collect(batch.map { (inputs[$0.topic]!, $0.value) })
            let findings = try DQStore.apply(facts, in: db, now: Date(), gracePeriod: grace, limits: settings.limits)
            return SinkOutcome(rejected: facts.rejected.map { (batch[$0.index], $0.reason) }, published: published(findings))
        }
    }
}
