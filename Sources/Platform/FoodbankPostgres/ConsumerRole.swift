import FoodbankEnvironment
import Foundation

/// The database role a consumer connects as. Migration 17 ("consumer roles") makes each one and
/// grants it what its stage owns; the deployment gives each a login and a password, carried in the
/// stage's own database URL (`FOODBANK_<STAGE>_DATABASE_URL`, or its `_FILE`).
public struct ConsumerRole: Sendable, Equatable {
    /// The stages that connect to the reporting database, as the migration names their roles.
    public static let all = ["cdc", "sftp-watcher", "normalize", "reconcile", "dq", "nightly"].map(ConsumerRole.init(stage:))

    public let stage: String

    public init(stage: String) { self.stage = stage }

    /// `foodbank_sftp_watcher` for `sftp-watcher`.
    public var name: String { "foodbank_" + stage.replacingOccurrences(of: "-", with: "_") }

    /// `FOODBANK_SFTP_WATCHER_DATABASE_URL` for `sftp-watcher`.
    public var urlVariable: String { "FOODBANK_\(stage.replacingOccurrences(of: "-", with: "_").uppercased())_DATABASE_URL" }

    /// This role's URL from the environment, or nil when neither its variable nor its `_FILE` is set.
    public func url(in environment: [String: String]) throws -> String? {
        guard environment[urlVariable] != nil || environment[urlVariable + SecretVariable.fileSuffix] != nil else { return nil }
        return try PostgresConfiguration.url(from: environment, variable: urlVariable)
    }

    /// The password of `url`, whose user must be this role.
    func loginPassword(from url: String) throws -> String {
        guard let parts = URLComponents(string: url), let user = parts.user, let password = parts.password, !password.isEmpty else {
            throw PostgresError(sqlState: nil, message: "\(urlVariable) has no user and password (\(PostgresConfiguration.redact(url)))",
                                context: "giving \(name) its login", isConnectionFailure: false)
        }
        guard user == name else {
            throw PostgresError(sqlState: nil, message: "\(urlVariable) names user \(user), not \(name)", context: "giving \(name) its login",
                                isConnectionFailure: false)
        }
        return password
    }

    /// Gives the role a login with the password of `url`, whose user must be the role. Run by the
    /// operator after the migrations. The password is sent as a quoted literal (ALTER ROLE takes no
    /// parameters), built by the server's own `format(%L)`, and never printed.
    public func grantLogin(from url: String, in db: PostgresConnection) throws {
        let password = try loginPassword(from: url)
        let statement = try db.execute("SELECT format('ALTER ROLE %I LOGIN PASSWORD %L', $1::text, $2::text)", [.text(name), .text(password)]).scalar ?? ""
        do {
            try db.executeScript(statement)
        } catch let error as PostgresError {
            // The failed statement holds the password: the error names the role instead.
            throw PostgresError(sqlState: error.sqlState, message: error.message, context: "giving \(name) its login",
                                isConnectionFailure: error.isConnectionFailure)
        }
    }
}
