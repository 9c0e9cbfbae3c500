import FoodbankPostgres
import Foundation

/// The local stack's settings (`.local/stack/env`, written by `scripts/stack.sh start`) merged over
/// the process's environment, for tests and the tools they drive. `FB_STATE` picks a second stack.
public enum LocalStackEnvironment {
    public static let packageRoot: URL = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
        }
        fatalError("Package.swift not found above \(#filePath)")
    }()

    public static let variables: [String: String] = {
        var env = ProcessInfo.processInfo.environment
        let state = env["FB_STATE"].map { URL(fileURLWithPath: $0) } ?? packageRoot.appendingPathComponent(".local")
        guard let text = try? String(contentsOf: state.appendingPathComponent("stack/env"), encoding: .utf8) else { return env }
        for line in text.split(separator: "\n") {
            guard let eq = line.firstIndex(of: "=") else { continue }
            env[String(line[..<eq])] = String(line[line.index(after: eq)...])
        }
        return env
    }()

    public static func require(_ name: String) throws -> String {
        guard let value = variables[name], !value.isEmpty else { throw StackNotRunning(variable: name) }
        return value
    }

    /// A connection to the stack's reporting database.
    public static func reportingDatabase() throws -> PostgresConnection {
        try PostgresConnection(url: try require(PostgresConfiguration.urlVariable))
    }
}

public struct StackNotRunning: Error, CustomStringConvertible {
    public let variable: String
    public init(variable: String) { self.variable = variable }
    public var description: String { "\(variable) is not set: start the local stack with scripts/stack.sh start (scripts/test.sh does it)" }
}
