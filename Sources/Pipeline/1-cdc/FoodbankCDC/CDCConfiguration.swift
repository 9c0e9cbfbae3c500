import FoodbankEnvironment
import Foundation

/// Where the source databases are. The template's `{db}` is replaced by each database name.
public enum CDCConfiguration {
    /// `postgresql://user:password@host:5432/{db}`
    public static let sourceURLTemplateVariable = "FOODBANK_SOURCE_DATABASE_URL_TEMPLATE"
    /// The four source systems of the contract.
    public static let databases = ["warehouse", "donations", "agency", "fulfillment"]

    public static func sourceURL(for database: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> String {
        guard let template = try SecretVariable.value(sourceURLTemplateVariable, in: environment), template.contains("{db}") else {
            throw CDCConfigurationError(message: "\(sourceURLTemplateVariable) (or its \(SecretVariable.fileSuffix)) is not set or has no {db}: e.g. postgresql://foodbank@127.0.0.1:15432/{db}")
        }
        return template.replacingOccurrences(of: "{db}", with: database)
    }
}

public struct CDCConfigurationError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
