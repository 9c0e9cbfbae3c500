import FoodbankEnvironment
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

    /// Reads ``bootstrapVariable`` and every ``propertyPrefix`` variable. A secret property may come
    /// from a file instead: `KAFKA_PROPERTY_SASL_PASSWORD_FILE=/run/secrets/kafka` (a property whose
    /// name holds "private" keeps its own `.file` meaning, as librdkafka's key-file properties do).
    public static func fromEnvironment(
        _ environment: [String: String] = ProcessInfo.processInfo.environment, clientID: String
    ) throws -> KafkaConfiguration {
        guard let servers = environment[bootstrapVariable], !servers.isEmpty else {
            throw KafkaError.configuration("\(bootstrapVariable) is not set: name the brokers, e.g. 127.0.0.1:19092")
        }
        var properties: [String: String] = [:]
        for name in environment.keys where name.hasPrefix(propertyPrefix) {
            let variable = secretVariable(filedAs: name) ?? name
            do {
                properties[propertyKey(variable)] = try SecretVariable.value(variable, in: environment)
            } catch {
                throw KafkaError.configuration("\(error)")
            }
        }
        return KafkaConfiguration(bootstrapServers: servers, clientID: clientID, properties: properties)
    }

    /// The secret property variable whose file `name` names (`KAFKA_PROPERTY_SASL_PASSWORD` for
    /// `KAFKA_PROPERTY_SASL_PASSWORD_FILE`), or nil when `name` is a property of its own.
    static func secretVariable(filedAs name: String) -> String? {
        guard name.hasSuffix(SecretVariable.fileSuffix) else { return nil }
        let base = String(name.dropLast(SecretVariable.fileSuffix.count))
        let key = propertyKey(base)
        return isSecret(key) && !key.contains("private") ? base : nil
    }

    /// `KAFKA_PROPERTY_SASL_PASSWORD` is `sasl.password`.
    static func propertyKey(_ variable: String) -> String {
        variable.dropFirst(propertyPrefix.count).lowercased().replacingOccurrences(of: "_", with: ".")
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
