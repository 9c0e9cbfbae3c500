import FoodbankEnvironment
import Foundation

/// Where the reporting database is. The URL (with its password) comes from the environment only:
/// the variable, or the file `<variable>_FILE` names.
public enum PostgresConfiguration {
    /// `postgresql://user:password@host:port/reporting`
    public static let urlVariable = "FOODBANK_DATABASE_URL"

    public static func url(from environment: [String: String] = ProcessInfo.processInfo.environment,
                           variable: String = urlVariable) throws -> String {
        let secret: String?
        do { secret = try SecretVariable.value(variable, in: environment) } catch {
            throw PostgresError(sqlState: nil, message: "\(error)", context: "reading configuration", isConnectionFailure: false)
        }
        guard let url = secret else {
            throw PostgresError(sqlState: nil, message: "\(variable) (or \(variable)\(SecretVariable.fileSuffix)) is not set: give the database URL, e.g. postgresql://foodbank@127.0.0.1:15432/reporting",
                                context: "reading configuration", isConnectionFailure: false)
        }
        return url
    }

    /// The URL with the password (and any `password=` parameter) replaced, safe for logs.
    public static func redact(_ url: String) -> String {
        var result = url
        if let scheme = result.range(of: "://"), let at = result.range(of: "@", range: scheme.upperBound..<result.endIndex),
           let colon = result.range(of: ":", range: scheme.upperBound..<at.lowerBound) {
            result.replaceSubrange(colon.upperBound..<at.lowerBound, with: "[redacted]")
        }
        if let range = result.range(of: #"password=[^&\s]*"#, options: .regularExpression) {
            result.replaceSubrange(range, with: "password=[redacted]")
        }
        return result
    }
}
