@testable import FoodbankKafka
import Foundation
import Testing

@Suite struct KafkaConfigurationTests {
    @Test func readsBrokersAndPassThroughPropertiesFromTheEnvironment() throws {
        let config = try KafkaConfiguration.fromEnvironment([
            "KAFKA_BOOTSTRAP_SERVERS": "b1:9093,b2:9093",
            "KAFKA_PROPERTY_SECURITY_PROTOCOL": "SASL_SSL",
            "KAFKA_PROPERTY_SASL_MECHANISMS": "SCRAM-SHA-512",
            "KAFKA_PROPERTY_SASL_PASSWORD": "hunter2",
            "UNRELATED": "x",
        ], clientID: "normalize")
        #expect(config.bootstrapServers == "b1:9093,b2:9093")
        #expect(config.clientID == "normalize")
        #expect(config.properties == ["security.protocol": "SASL_SSL", "sasl.mechanisms": "SCRAM-SHA-512", "sasl.password": "hunter2"])
    }

    @Test func aSecretPropertyMayComeFromAFile() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("kafka-secret-\(UUID().uuidString)")
        try Data("from-file\n".utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let config = try KafkaConfiguration.fromEnvironment([
            "KAFKA_BOOTSTRAP_SERVERS": "b1:9093", "KAFKA_PROPERTY_SASL_PASSWORD_FILE": file.path,
            "KAFKA_PROPERTY_SASL_OAUTHBEARER_ASSERTION_PRIVATE_KEY_FILE": "/run/secrets/key.pem",
        ], clientID: "t")
        #expect(config.properties["sasl.password"] == "from-file")
        #expect(config.properties["sasl.password.file"] == nil)
        #expect(config.properties["sasl.oauthbearer.assertion.private.key.file"] == "/run/secrets/key.pem", "librdkafka's own key-file property stays a path")
        #expect(throws: KafkaError.self) {
            try KafkaConfiguration.fromEnvironment(["KAFKA_BOOTSTRAP_SERVERS": "b1:9093", "KAFKA_PROPERTY_SASL_PASSWORD": "x",
                                                    "KAFKA_PROPERTY_SASL_PASSWORD_FILE": file.path], clientID: "t")
        }
    }

    @Test func missingBrokersIsAClearConfigurationError() {
        let error = #expect(throws: KafkaError.self) { try KafkaConfiguration.fromEnvironment([:], clientID: "x") }
        #expect(error?.message.contains("KAFKA_BOOTSTRAP_SERVERS") == true)
        #expect(error?.isFatal == true)
    }

    @Test func secretsNeverAppearInTheLoggableDescription() {
        let config = KafkaConfiguration(bootstrapServers: "b:9092", properties: [
            "sasl.password": "hunter2", "ssl.key.password": "pw2", "sasl.oauthbearer.client.secret": "s3",
            "sasl.jaas.config": "secret-jaas", "ssl.ca.location": "/etc/ca.pem",
        ])
        let text = config.redactedDescription
        for secret in ["hunter2", "pw2", "s3", "secret-jaas"] { #expect(!text.contains(secret)) }
        #expect(text.contains("ssl.ca.location=/etc/ca.pem"))
        #expect(text.contains("sasl.password=[redacted]"))
    }

    @Test func invalidPropertyIsRejectedWithoutEchoingItsValue() {
        let config = KafkaConfiguration(bootstrapServers: "127.0.0.1:1", properties: ["no.such.property": "topsecret"])
        let error = #expect(throws: KafkaError.self) { _ = try KafkaProducer(configuration: config) }
        #expect(error?.message.contains("no.such.property") == true)
        #expect(error?.message.contains("topsecret") == false)
    }

    @Test func durationsBecomeLibrdkafkaMilliseconds() {
        #expect(Duration.seconds(6).milliseconds == 6000)
        #expect(Duration.milliseconds(250).milliseconds == 250)
        #expect(Duration.seconds(10_000_000).milliseconds == Int32.max)
    }

    @Test func consumerSettingsTheDesignDependsOnCannotBeOverridden() {
        let consumer = KafkaConsumerConfiguration(groupID: "dedupe", topics: ["t"])
        #expect(consumer.requiredProperties["enable.auto.commit"] == "false")
        #expect(consumer.requiredProperties["isolation.level"] == "read_committed")
        #expect(consumer.tunableProperties["session.timeout.ms"] == "10000")
        #expect(consumer.requiredProperties["session.timeout.ms"] == nil)
    }
}

@Suite struct DurationTests {
    @Test func secondsForRates() {
        #expect(Duration.milliseconds(1500).inSeconds == 1.5)
        #expect(Duration.seconds(2).inSeconds == 2)
    }
}
