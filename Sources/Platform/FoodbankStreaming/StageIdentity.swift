import Foundation

/// Who this process is within its consumer group.
public enum StageIdentity {
    /// Names one instance of a group (container hostname by default). It becomes part of the
    /// transactional id, so a restarted instance fences its own previous incarnation and two live
    /// instances never fence each other.
    public static let instanceIDVariable = "FOODBANK_INSTANCE_ID"

    public static func instanceID(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        environment[instanceIDVariable].flatMap { $0.isEmpty ? nil : $0 } ?? ProcessInfo.processInfo.hostName
    }
}
