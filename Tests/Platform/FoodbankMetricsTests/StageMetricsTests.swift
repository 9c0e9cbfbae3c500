import FoodbankKafka
@testable import FoodbankMetrics
import Foundation
import Logging
import Testing

@Suite struct StageMetricsTests {
    static func message(_ topic: String, offset: Int64, ageMillis: Int64, now: Date) -> KafkaMessage {
        KafkaMessage(topic: topic, partition: 0, offset: offset, key: nil, value: nil,
                     timestampMillis: Int64(now.timeIntervalSince1970 * 1000) - ageMillis, headers: [])
    }

    @Test func commitsCountEventsByOutcomeAndTimeTheirLatency() {
        let metrics = StageMetrics(stage: "reconcile")
        let now = Date()
        metrics.committed([Self.message("t", offset: 1, ageMillis: 200, now: now), Self.message("t", offset: 2, ageMillis: 40_000, now: now)],
                          deadLettered: 1, at: now)
        metrics.aborted()
        let text = metrics.registry.emitToString()
        #expect(text.contains(#"foodbank_events_total{stage="reconcile",outcome="processed"} 2"#))
        #expect(text.contains(#"foodbank_events_total{stage="reconcile",outcome="dead_lettered"} 1"#))
        #expect(text.contains(#"foodbank_events_total{stage="reconcile",outcome="aborted_batch"} 1"#))
        #expect(text.contains(#"foodbank_end_to_end_latency_seconds_bucket{stage="reconcile",le="0.25"} 1"#))
        #expect(text.contains(#"foodbank_end_to_end_latency_seconds_bucket{stage="reconcile",le="60.0"} 2"#))
        #expect(text.contains("foodbank_last_commit_timestamp_seconds"))
    }

    @Test func lagIsReportedPerOwnedPartitionAndDroppedWhenThePartitionMoves() {
        let metrics = StageMetrics(stage: "dq")
        let a = TopicPartition(topic: "in", partition: 0), b = TopicPartition(topic: "in", partition: 1)
        metrics.assigned([a, b])
        metrics.lagMeasured([a: 5, b: 0])
        #expect(metrics.registry.emitToString().contains(#"foodbank_consumer_lag_records{stage="dq",topic="in",partition="0"} 5"#))
        metrics.assigned([b])
        let text = metrics.registry.emitToString()
        #expect(!text.contains(#"partition="0""#))
        #expect(text.contains(#"partition="1"} 0"#))
    }

    @Test func readyOnlyOnceAssignedAndPollingAliveOnlyWhilePolling() {
        let metrics = StageMetrics(stage: "normalize")
        let now = Date()
        #expect(metrics.isAlive(now: now), "a stage that just started is alive")
        #expect(!metrics.isReady(now: now), "not ready before it joined its group")
        metrics.polled(at: now)
        metrics.assigned([])
        #expect(metrics.isReady(now: now))
        #expect(!metrics.isAlive(now: now.addingTimeInterval(600)), "a loop that stopped polling is not alive")
    }

    @Test func theServerRoutesGetsAndRefusesTheRest() {
        let server = MetricsServer(port: 0, routes: ["/healthz": { .status(true) }], logger: Logger(label: "test"))
        #expect(server.respond(to: Array("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n".utf8)).status == 200)
        #expect(server.respond(to: Array("GET /healthz?verbose=1 HTTP/1.1\r\n\r\n".utf8)).status == 200)
        #expect(server.respond(to: Array("GET /nothing HTTP/1.1\r\n\r\n".utf8)).status == 404)
        #expect(server.respond(to: Array("POST /healthz HTTP/1.1\r\n\r\n".utf8)).status == 405)
        #expect(server.respond(to: Array("\r\n".utf8)).status == 400)
    }

    @Test func theServerAnswersOverTCP() throws {
        let metrics = StageMetrics(stage: "dedupe")
        let server = MetricsServer(port: 0, routes: metrics.routes(), logger: Logger(label: "test"))
        try server.start()
        let response = try httpGet(port: server.port, path: "/metrics")
        #expect(response.hasPrefix("HTTP/1.1 200 OK"))
        #expect(response.contains("foodbank_events_total"))
        #expect(try httpGet(port: server.port, path: "/readyz").hasPrefix("HTTP/1.1 503"), "not ready: it never joined a group")
    }
}
