import Foundation
import FoodbankJSON

/// Every topic of the platform, loaded from `topics/topics.json` and validated.
public struct TopicCatalog: Sendable {
    public let topics: [TopicDeclaration]
    public let defaultReplicationFactor: Int

    /// Environment variable that points at the declaration when it is not at `topics/topics.json`
    /// under the working directory (containers set it).
    public static let pathVariable = "FOODBANK_TOPICS_FILE"

    public init(topics: [TopicDeclaration], defaultReplicationFactor: Int = 1) throws {
        self.topics = topics
        self.defaultReplicationFactor = defaultReplicationFactor
        try validate()
    }

    public func topic(_ name: String) throws -> TopicDeclaration {
        guard let topic = topics.first(where: { $0.name == name }) else { throw TopicCatalogError.unknownTopic(name) }
        return topic
    }

    /// Names starting with `prefix`, e.g. `foodbank.cdc.` for every CDC topic.
    public func names(withPrefix prefix: String) -> [String] {
        topics.map(\.name).filter { $0.hasPrefix(prefix) }
    }

    // MARK: loading

    public static func load(path: String) throws -> TopicCatalog {
        guard let data = FileManager.default.contents(atPath: path) else { throw TopicCatalogError.unreadable(path) }
        return try parse(Array(data), source: path)
    }

    /// `$FOODBANK_TOPICS_FILE`, else `topics/topics.json` in the working directory or above it.
    public static func loadDefault(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> TopicCatalog {
        if let path = environment[pathVariable], !path.isEmpty { return try load(path: path) }
        var directory = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        for _ in 0..<6 {
            let candidate = directory.appendingPathComponent("topics/topics.json").path
            if FileManager.default.fileExists(atPath: candidate) { return try load(path: candidate) }
            directory.deleteLastPathComponent()
        }
        throw TopicCatalogError.unreadable("topics/topics.json (set \(pathVariable))")
    }

    public static func parse(_ bytes: [UInt8], source: String) throws -> TopicCatalog {
        let root: JSONValue
        do { root = try JSONValue.parse(bytes) } catch { throw TopicCatalogError.invalid(source, "\(error)") }
        guard let entries = root["topics"]?.arrayValue else { throw TopicCatalogError.invalid(source, "no \"topics\" array") }
        let topics = try entries.enumerated().map { index, entry -> TopicDeclaration in
            func field(_ name: String) throws -> JSONValue {
                guard let value = entry[name] else { throw TopicCatalogError.invalid(source, "topic #\(index) has no \"\(name)\"") }
                return value
            }
            guard let name = try field("name").stringValue, let partitions = try field("partitions").intValue,
                  let key = try field("key").stringValue, let policyText = try field("cleanup_policy").stringValue,
                  let retention = try field("retention_ms").intValue, let description = try field("description").stringValue
            else { throw TopicCatalogError.invalid(source, "topic #\(index) has a field of the wrong type") }
            guard let policy = TopicDeclaration.CleanupPolicy(rawValue: policyText) else {
                throw TopicCatalogError.invalid(source, "topic \(name): unknown cleanup_policy \(policyText)")
            }
            return TopicDeclaration(name: name, partitions: Int(partitions), key: key, cleanupPolicy: policy,
                                    retentionMs: retention, description: description,
                                    copartitionGroup: entry["copartition_group"]?.stringValue)
        }
        let replication = root["defaults"]?["replication_factor"]?.intValue.map(Int.init) ?? 1
        return try TopicCatalog(topics: topics, defaultReplicationFactor: replication)
    }

    private func validate() throws {
        var seen = Set<String>()
        for topic in topics {
            guard seen.insert(topic.name).inserted else { throw TopicCatalogError.invalidDeclaration("\(topic.name) is declared twice") }
            guard topic.name.hasPrefix("foodbank."), topic.name.split(separator: ".").count >= 3 else {
                throw TopicCatalogError.invalidDeclaration("\(topic.name) does not follow foodbank.<layer>.<name>")
            }
            guard topic.partitions > 0 else { throw TopicCatalogError.invalidDeclaration("\(topic.name) has \(topic.partitions) partitions") }
            guard topic.retentionMs == -1 || topic.retentionMs > 0 else {
                throw TopicCatalogError.invalidDeclaration("\(topic.name) has retention_ms \(topic.retentionMs)")
            }
            if topic.cleanupPolicy != .delete, topic.key.isEmpty {
                throw TopicCatalogError.invalidDeclaration("\(topic.name) is compacted but declares no key")
            }
        }
        for (group, members) in Dictionary(grouping: topics.filter { $0.copartitionGroup != nil }, by: { $0.copartitionGroup! }) {
            guard Set(members.map(\.partitions)).count == 1 else {
                let shape = members.map { "\($0.name)=\($0.partitions)" }.joined(separator: ", ")
                throw TopicCatalogError.invalidDeclaration("co-partition group \(group) has unequal partition counts: \(shape)")
            }
        }
    }
}

public enum TopicCatalogError: Error, CustomStringConvertible, Equatable {
    case unreadable(String)
    case invalid(String, String)
    case invalidDeclaration(String)
    case unknownTopic(String)

    public var description: String {
        switch self {
        case .unreadable(let path): return "cannot read topic declarations at \(path)"
        case .invalid(let path, let why): return "invalid topic declarations in \(path): \(why)"
        case .invalidDeclaration(let why): return "invalid topic declaration: \(why)"
        case .unknownTopic(let name): return "topic \(name) is not declared in topics/topics.json"
        }
    }
}

/// Declared topic names as one deployment uses them: as declared in production, or each with a
/// `.<suffix>` so tests and benchmarks can run beside each other on one broker.
public struct TopicNames: Sendable {
    public let catalog: TopicCatalog
    public let suffix: String

    public init(catalog: TopicCatalog, suffix: String = "") {
        self.catalog = catalog
        self.suffix = suffix
    }

    /// The name of a declared topic; throws if it is not declared.
    public func name(_ declared: String) throws -> String { applied(try catalog.topic(declared).name) }

    /// The declared topics under a prefix, named.
    public func names(withPrefix prefix: String) -> [String] { catalog.names(withPrefix: prefix).map(applied) }

    public func applied(_ declared: String) -> String { suffix.isEmpty ? declared : "\(declared).\(suffix)" }
}
