import FoodbankCanonical
import FoodbankJSON
import FoodbankKafka
import FoodbankStreaming
import FoodbankTopics
import Foundation
import Logging

/// reconcile wired to its topics: the unique inventory events and the item master into the
/// database through ``ReconcileRules`` and ``ReconcileStore``, changed balances to the compacted
/// balance topic, bad records to `foodbank.dlq.reconcile`. The executable and the benchmark run this.
public enum ReconcileStage {
    public static func inputs(_ names: TopicNames) throws -> [String: ReconcileRules.Input] {
        var inputs: [String: ReconcileRules.Input] = [
            try names.name("foodbank.unique.inventory_events"): .inventoryEvents,
            try names.name("foodbank.cdc.warehouse.wms.items"): .items,
        ]
        // The other unique topics only tell freshness.
        for model in CanonicalModel.allCases { inputs[try names.name("foodbank.unique.\(model.rawValue)")] = .otherCanonical }
        return inputs
    }

    public static func sink(kafka: KafkaConfiguration, databaseURL: String, names: TopicNames, group: String, batch: Int, logger: Logger) throws -> PostgresSink {
        let inputs = try inputs(names)
        var configuration = PostgresSink.Configuration(stage: "reconcile", groupID: group, inputTopics: inputs.keys.sorted())
        configuration.maxBatchRecords = batch
        configuration.deadLetterTopic = try names.name("foodbank.dlq.reconcile")
        let balanceTopic = try names.name("foodbank.ops.inventory_balances")
        return PostgresSink(kafka: kafka, databaseURL: databaseURL, configuration: configuration, logger: logger) { batch, db in
            let plan = ReconcileRules.plan(batch.map { (inputs[$0.topic] ?? .otherCanonical, $0.value) })
            let balances = try ReconcileStore.apply(plan, in: db)
            for completion in plan.completedSnapshots {
                logger.info("a complete snapshot: its table's rows held at an older position are removed",
                            metadata: ["table": "\(completion.system):\(completion.object)", "position": "\(completion.position)"])
            }
            return SinkOutcome(rejected: plan.rejected.map { (batch[$0.index], $0.reason) },
                               published: balances.map { KafkaRecord(topic: balanceTopic, key: Array($0.positionKey.utf8), value: $0.json().encoded()) })
        }
    }
}
