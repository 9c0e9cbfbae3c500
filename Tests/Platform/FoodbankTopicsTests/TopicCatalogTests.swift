import FoodbankCanonical
import FoodbankTopics
import Foundation
import Testing

@Suite struct TopicCatalogTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func catalog() throws -> TopicCatalog {
        try TopicCatalog.load(path: root.appendingPathComponent("topics/topics.json").path)
    }

    @Test func theProjectsDeclarationLoadsAndIsValid() throws {
        let catalog = try Self.catalog()
        #expect(catalog.topics.count > 20)
        #expect(catalog.defaultReplicationFactor == 3)
    }

    /// cdc snapshots a database's tables in the catalog's order; the sinks must know which tables a
    /// snapshot's last row completes (decision 32).
    @Test func theTablesASnapshotCompletesAreTheCatalogsInItsOrder() throws {
        let catalog = try Self.catalog()
        for (system, tables) in SnapshotCompletion.capturedTables {
            let prefix = "foodbank.cdc.\(system)."
            #expect(catalog.names(withPrefix: prefix).map { String($0.dropFirst(prefix.count)) } == tables, "\(system)")
        }
        #expect(Set(catalog.names(withPrefix: "foodbank.cdc.").map { $0.split(separator: ".")[2] }) == Set(SnapshotCompletion.capturedTables.keys.map { Substring($0) }))
    }

    @Test func everySourceTableHasACDCTopicNamedAsDebeziumNamesIt() throws {
        let catalog = try Self.catalog()
        let contract = Self.root.appendingPathComponent("contract/sources")
        for database in ["warehouse", "donations", "agency", "fulfillment"] {
            let sql = try String(contentsOf: contract.appendingPathComponent("\(database).sql"), encoding: .utf8)
            let tables = sql.matches(of: #/CREATE TABLE ([a-z_]+\.[a-z_]+)/#).map { String($0.1) }
            #expect(!tables.isEmpty)
            for table in tables {
                #expect((try? catalog.topic("foodbank.cdc.\(database).\(table)")) != nil, "no topic for \(database).\(table)")
            }
        }
    }

    @Test func ordersAndFulfillmentLinesAreCopartitioned() throws {
        let catalog = try Self.catalog()
        for layer in ["canonical", "unique"] {
            let orders = try catalog.topic("foodbank.\(layer).agency_orders")
            let lines = try catalog.topic("foodbank.\(layer).fulfillment_line_items")
            #expect(orders.partitions == lines.partitions)
            #expect(orders.copartitionGroup != nil && orders.copartitionGroup == lines.copartitionGroup)
        }
    }

    @Test func unequalCopartitionGroupIsRejected() {
        let a = TopicDeclaration(name: "foodbank.x.a", partitions: 6, key: "k", cleanupPolicy: .delete, retentionMs: 1, description: "", copartitionGroup: "g")
        let b = TopicDeclaration(name: "foodbank.x.b", partitions: 3, key: "k", cleanupPolicy: .delete, retentionMs: 1, description: "", copartitionGroup: "g")
        #expect(throws: TopicCatalogError.self) { try TopicCatalog(topics: [a, b]) }
    }

    @Test func duplicateNamesAndBadShapesAreRejected() {
        let a = TopicDeclaration(name: "foodbank.x.a", partitions: 1, key: "k", cleanupPolicy: .delete, retentionMs: -1, description: "")
        #expect(throws: TopicCatalogError.self) { try TopicCatalog(topics: [a, a]) }
        var zero = a; zero.partitions = 0
        #expect(throws: TopicCatalogError.self) { try TopicCatalog(topics: [zero]) }
        var unnamed = a; unnamed.name = "orders"
        #expect(throws: TopicCatalogError.self) { try TopicCatalog(topics: [unnamed]) }
        var keyless = a; keyless.cleanupPolicy = .compact; keyless.key = ""
        #expect(throws: TopicCatalogError.self) { try TopicCatalog(topics: [keyless]) }
    }

    @Test func malformedFileSaysWhere() {
        let error = #expect(throws: TopicCatalogError.self) {
            try TopicCatalog.parse(Array(#"{"topics":[{"name":"foodbank.a.b"}]}"#.utf8), source: "t.json")
        }
        #expect(error?.description.contains("t.json") == true)
    }

    @Test func planCreatesMissingTopicsAndReportsPartitionDrift() throws {
        let catalog = try Self.catalog()
        let existing = ["foodbank.files.adjustments": 6, "foodbank.files.legacy_wms": 2]
        let plan = TopicPlan(catalog: catalog, existingPartitions: existing)
        #expect(plan.unchanged == ["foodbank.files.adjustments"])
        #expect(plan.partitionMismatches.map(\.name) == ["foodbank.files.legacy_wms"])
        #expect(plan.toCreate.count == catalog.topics.count - 2)
        let applied = TopicPlan(catalog: catalog, existingPartitions: Dictionary(uniqueKeysWithValues: catalog.topics.map { ($0.name, $0.partitions) }))
        #expect(applied.toCreate.isEmpty)
        #expect(applied.partitionMismatches.isEmpty)
    }

    @Test func compactedTopicsCarryTheirPolicyToTheBroker() throws {
        let changelog = try Self.catalog().topic("foodbank.state.dedupe_changelog")
        #expect(changelog.brokerConfig["cleanup.policy"] == "compact")
        #expect(changelog.brokerConfig["retention.ms"] == "-1")
    }
}
