import FoodbankKafka
import Foundation

/// The schemas in `topics/schemas/`, applied by a standard validator (Python's jsonschema, through
/// `scripts/validate-records.py`) to records as a topic carries them: the documents must hold for
/// what the chain writes, not only for what the specs that generate them say.
enum PublishedSchemas {
    static func validate(_ messages: [KafkaMessage], model: String) throws -> (status: Int32, output: String) {
        let records = FileManager.default.temporaryDirectory.appendingPathComponent("records-\(model)-\(UUID().uuidString.prefix(8)).jsonl")
        defer { try? FileManager.default.removeItem(at: records) }
        let lines = messages.compactMap { $0.value.map { String(decoding: $0, as: UTF8.self) } }
        try (lines.joined(separator: "\n") + "\n").write(to: records, atomically: true, encoding: .utf8)
        let root = TestStack.packageRoot
        return try runCapturing(URL(fileURLWithPath: "/usr/bin/env"),
                                ["python3", root.appendingPathComponent("scripts/validate-records.py").path,
                                 root.appendingPathComponent("topics/schemas/\(model).v1.json").path, records.path],
                                environment: ProcessInfo.processInfo.environment)
    }
}
