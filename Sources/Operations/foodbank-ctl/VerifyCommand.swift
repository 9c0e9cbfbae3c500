import ArgumentParser
import FoodbankEnvironment
import FoodbankOracle
import FoodbankPostgres
import FoodbankSFTP
import Foundation

/// `foodbank-ctl verify`: the audit of the night's finance tables (and of on-hand and the open
/// findings), against the oracle computed straight from the sources. Run it when the fleet's lag is 0.
struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compare the curated tables with the oracle computed from the sources; exit 1 on any difference.",
        discussion: """
            Reads the source databases (FOODBANK_VERIFY_SOURCE_DATABASE_URL_TEMPLATE, e.g. read replicas, else
            FOODBANK_SOURCE_DATABASE_URL_TEMPLATE), the feed files in the SFTP inbox (FOODBANK_SFTP_*) and the manifest's
            earlier versions, and the reporting database (FOODBANK_DATABASE_URL). Each finance day is compared at its latest
            snapshot_version; a difference on a day whose inputs changed after that version is pending re-finalization.
            Every run is recorded in platform.verify_runs and platform.verify_differences.
            """)

    @Option(help: "First business day (YYYY-MM-DD); default: yesterday in America/Los_Angeles.") var from: String?
    @Option(help: "Last business day (YYYY-MM-DD); default: --from.") var to: String?
    @Option(help: "A folder of the inbox holding the feed folders (tests); default: the inbox itself.") var root: String?
    @Option(help: "Minutes after an input within which a differing day is pending re-finalization, not wrong.") var settleMinutes = 60
    @Option(help: "dq's grace period for orphaned fulfillment, in minutes (dq --grace-seconds).") var graceMinutes = 15

    static let sourceTemplateVariables = ["FOODBANK_VERIFY_SOURCE_DATABASE_URL_TEMPLATE", "FOODBANK_SOURCE_DATABASE_URL_TEMPLATE"]

    func run() throws {
        let environment = ProcessInfo.processInfo.environment
        guard let template = try Self.sourceTemplateVariables.compactMap({ try SecretVariable.value($0, in: environment) }).first,
              template.contains("{db}") else {
            throw ValidationError("set FOODBANK_SOURCE_DATABASE_URL_TEMPLATE (or FOODBANK_VERIFY_SOURCE_DATABASE_URL_TEMPLATE), with {db}")
        }
        let first = from ?? Self.yesterday()
        let last = to ?? first
        for date in [first, last] where date.wholeMatch(of: #/[0-9]{4}-[0-9]{2}-[0-9]{2}/#) == nil {
            throw ValidationError("\(date) is not a business date (YYYY-MM-DD)")
        }
        guard first <= last else { throw ValidationError("--from \(first) is after --to \(last): nothing would be compared") }
        let reporting = try PostgresConnection(url: try PostgresConfiguration.url())
        let inbox = try SFTPClient(try SFTPClient.Configuration.fromEnvironment())
        let snapshot = try LiveSources.snapshot(sourceURL: { template.replacingOccurrences(of: "{db}", with: $0) },
                                                reporting: reporting, inbox: inbox, root: root)
        let verification = try Verification.run(snapshot: snapshot, reporting: reporting, from: first, to: last,
                                                settleMinutes: settleMinutes, graceMinutes: graceMinutes)
        // Printed before they are recorded: a failure to record must not hide them.
        for difference in verification.differences { print(difference) }
        for row in verification.unreadableFeedRows { print("unreadable\t\(row.feed.rawValue)\t\(row.file)\t\(row.key)\t\(row.reason)") }
        let run = try verification.record(in: reporting)
        let counts = Difference.Kind.allCases.map { "\($0.rawValue) \(verification.count($0))" }.joined(separator: ", ")
        print("verify run \(run), business days \(first) to \(last): \(verification.differences.count) differences (\(counts))")
        if !verification.differences.isEmpty { throw ExitCode.failure }
    }

    static func yesterday() -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "America/Los_Angeles")!
        let day = calendar.date(byAdding: .day, value: -1, to: Date())!
        let parts = calendar.dateComponents([.year, .month, .day], from: day)
        return String(format: "%04d-%02d-%02d", parts.year!, parts.month!, parts.day!)
    }
}
