import FoodbankKafka
import Foundation

/// A record a stage could not process. It goes to the stage's dead-letter topic with the reason;
/// the partition moves on.
public struct RejectedRecord: Error, CustomStringConvertible, Sendable {
    public let reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}

/// Builds dead-letter records: the original key and value untouched, the why and where in headers.
public enum DeadLetter {
    public static let reasonHeader = "foodbank.dlq.reason"
    public static let stageHeader = "foodbank.dlq.stage"
    public static let sourceTopicHeader = "foodbank.dlq.source.topic"
    public static let sourcePartitionHeader = "foodbank.dlq.source.partition"
    public static let sourceOffsetHeader = "foodbank.dlq.source.offset"

    public static func record(for message: KafkaMessage, reason: String, stage: String, topic: String) -> KafkaRecord {
        var headers = message.headers
        headers.append(KafkaHeader(name: reasonHeader, string: reason))
        headers.append(KafkaHeader(name: stageHeader, string: stage))
        headers.append(KafkaHeader(name: sourceTopicHeader, string: message.topic))
        headers.append(KafkaHeader(name: sourcePartitionHeader, string: String(message.partition)))
        headers.append(KafkaHeader(name: sourceOffsetHeader, string: String(message.offset)))
        return KafkaRecord(topic: topic, key: message.key, value: message.value, headers: headers)
    }
}
