import FoodbankCanonical
import FoodbankDQ
import FoodbankDedupe
import FoodbankNightly
import FoodbankNormalize
import FoodbankReconcile
import FoodbankTopics
import Foundation

/// The platform's consumer groups, declared once for the operator commands: what each reads, where
/// its progress lives, and the derived state a replay from the beginning rebuilds.
public struct FleetGroup: Sendable, Equatable {
    public enum OffsetStore: String, Sendable {
        /// Committed in Kafka (in the group's transactions): normalize, dedupe.
        case kafka
        /// In `platform.consumer_offsets`, in the same transaction as the rows: reconcile, dq.
        case postgres
    }

    public var stage: String
    public var group: String
    public var offsets: OffsetStore
    public var inputs: [String]
    /// Tables only this group writes, emptied when it replays from the beginning.
    public var ownedTables: [String]

    public init(stage: String, group: String, offsets: OffsetStore, inputs: [String], ownedTables: [String]) {
        (self.stage, self.group, self.offsets, self.inputs, self.ownedTables) = (stage, group, offsets, inputs, ownedTables)
    }
}

public enum Fleet {
    public static let stages = ["normalize", "dedupe", "reconcile", "dq", "nightly"]

    /// The groups as deployed (group name = stage name), or as tests run them (suffixes).
    public static func groups(_ names: TopicNames, groupSuffix: String = "") throws -> [FleetGroup] {
        [
            FleetGroup(stage: "normalize", group: "normalize" + groupSuffix, offsets: .kafka,
                       inputs: try NormalizeStage.Topics.declared(names).sources.keys.sorted(), ownedTables: []),
            FleetGroup(stage: "dedupe", group: "dedupe" + groupSuffix, offsets: .kafka,
                       inputs: try DedupeStage.Configuration.declared(names, models: CanonicalOutput.models)
                           .outputs.keys.sorted(), ownedTables: []),
            FleetGroup(stage: "reconcile", group: "reconcile" + groupSuffix, offsets: .postgres, inputs: try ReconcileStage.inputs(names).keys.sorted(),
                       ownedTables: ["ops.ledger_versions", "ops.inventory_movements", "ops.ledger_changed_dates", "ops.inventory_on_hand", "ops.items",
                                     "ops.pipeline_freshness", "ops.snapshot_completions"]),
            FleetGroup(stage: "dq", group: "dq" + groupSuffix, offsets: .postgres, inputs: try DQStage.inputs(names).keys.sorted(),
                       ownedTables: ["dq.items", "dq.sku_references", "dq.intakes", "dq.orders", "dq.order_lines", "dq.shipments",
                                     "dq.shipment_lines", "dq.snapshot_completions", "ops.dq_violations"]),
            // The finance tables are nightly's output, never emptied: they are append-only and versioned.
            FleetGroup(stage: "nightly", group: "nightly" + groupSuffix, offsets: .postgres, inputs: try NightlyStage.inputs(names).keys.sorted(),
                       ownedTables: ["nightly.records", "nightly.snapshot_completions", "nightly.changed_dates"]),
        ]
    }
}
