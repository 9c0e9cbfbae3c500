import Foundation

/// How to reach the Kafka cluster, shared by every client of a process.
///
/// Any librdkafka property passes through `properties` (TLS and SASL included). Values of
/// properties that hold secrets are never printed: use ``redactedDescription`` in logs.
public struct KafkaConfiguration: Sendable, Equatable {
    public var bootstrapServers: String
    public var clientID: String
    /// Extra librdkafka properties, applied after the platform's own defaults (so they win).
    public var properties: [String: String]

    public init(bootstrapServers: String, clientID: String = "foodbank", properties: [String: String] = [:]) {
        self.bootstrapServers = bootstrapServers
        self.clientID = clientID
        self.properties = properties
    }

    /// Environment variable naming the brokers, e.g. `127.0.0.1:19092`.
    public static let bootstrapVariable = "KAFKA_BOOTSTRAP_SERVERS"
    /// Prefix of pass-through properties: `KAFKA_PROPERTY_SASL_PASSWORD=...` sets `sasl.password`.
    public static let propertyPrefix = "KAFKA_PROPERTY_"

    /// Reads ``bootstrapVariable`` and every ``propertyPrefix`` variable.
    public static func fromEnvironment(
        _ environment: [String: String] = ProcessInfo.processInfo.environment, clientID: String
    ) throws -> KafkaConfiguration {
        guard let servers = environment[bootstrapVariable], !servers.isEmpty else {
            throw KafkaError.configuration("\(bootstrapVariable) is not set: name the brokers, e.g. 127.0.0.1:19092")
        }
        var properties: [String: String] = [:]
        for (name, value) in environment where name.hasPrefix(propertyPrefix) {
            let key = name.dropFirst(propertyPrefix.count).lowercased().replacingOccurrences(of: "_", with: ".")
            properties[key] = value
        }
        return KafkaConfiguration(bootstrapServers: servers, clientID: clientID, properties: properties)
    }

    /// Property names whose values are secrets.
    static func isSecret(_ key: String) -> Bool {
        let k = key.lowercased()
        return ["password", "secret", "jaas", "key.pem", "private", "token", "credential"].contains { k.contains($0) }
    }

    /// The properties as they may appear in a log line.
    public var redactedDescription: String {
        let shown = properties.sorted { $0.key < $1.key }.map { key, value in
            "\(key)=\(Self.isSecret(key) ? "[redacted]" : value)"
        }
        return "bootstrap.servers=\(bootstrapServers) client.id=\(clientID)"
            + (shown.isEmpty ? "" : " " + shown.joined(separator: " "))
    }
}
