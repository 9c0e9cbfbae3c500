import FoodbankCanonical
import FoodbankKafka
import FoodbankPostgres
import FoodbankStreaming
import FoodbankTopics
import Foundation
import Logging

/// nightly wired to its topics: a sink that keeps `nightly.records` current from the unique
/// donation, order and shipment topics and the donors' CDC topic. The finalizing runs beside it on a
/// thread of its own (``NightlyScheduler/run(databaseURL:every:until:)``): a round can take minutes
/// (a late correction re-finalizes every day after it) and must never hold the consumer's polls.
public enum NightlyStage {
    public struct Settings: Sendable {
        public var group = "nightly"
        public var batch = 5000
        public var checkInterval: TimeInterval = 60
        public var schedule = NightlySchedule()
        public init() {}
    }

    public static func inputs(_ names: TopicNames) throws -> [String: NightlyRecords.Input] {
        var inputs = [try names.name("foodbank.cdc.donations.intake.donors"): NightlyRecords.Input.donors]
        for model in CanonicalModel.allCases { inputs[try names.name("foodbank.unique.\(model.rawValue)")] = .canonical }
        return inputs
    }

    public static func sink(kafka: KafkaConfiguration, databaseURL: String, names: TopicNames, settings: Settings, logger: Logger) throws -> PostgresSink {
        let inputs = try inputs(names)
        var configuration = PostgresSink.Configuration(stage: "nightly", groupID: settings.group, inputTopics: inputs.keys.sorted())
        configuration.maxBatchRecords = settings.batch
        configuration.deadLetterTopic = try names.name("foodbank.dlq.nightly")
        return PostgresSink(kafka: kafka, databaseURL: databaseURL, configuration: configuration, logger: logger) { batch, db in
            let records = NightlyRecords.versions(batch.map { (inputs[$0.topic]!, $0.value) })
            try NightlyRecords.store(records, in: db)
            return SinkOutcome(rejected: records.rejected.map { (batch[$0.index], $0.reason) })
        }
    }
}

/// One round of nightly's work; remembers when it last looked for late data.
public final class NightlyScheduler: @unchecked Sendable {
    public let schedule: NightlySchedule
    private let logger: Logger
    private var lastCheck: Date?
    /// The nightly group whose finance holds this scheduler obeys (``FinanceHold``).
    public var group = "nightly"
    /// Told of each due day's finalization (not of late data or backfills): the date, its version,
    /// when it finished, its margin to the deadline.
    public var onFinalized: ((_ date: String, _ version: Int, _ finishedAt: Date, _ margin: TimeInterval) -> Void)?

    public init(schedule: NightlySchedule, logger: Logger) {
        self.schedule = schedule
        self.logger = logger
    }

    /// Rounds every `interval` until stopped, on the caller's thread, with a connection of its own.
    /// A failed round is logged and tried again next time (each day commits on its own).
    public func run(databaseURL: String, every interval: TimeInterval, until stop: StopSignal) {
        var db: PostgresConnection?
        while !stop.isStopped {
            do {
                if db == nil { db = try PostgresConnection(url: databaseURL, logger: logger) }
                try round(db!, now: Date())
            } catch {
                logger.error("nightly round failed; retrying next round", metadata: ["error": "\(error)"])
                if let failure = error as? PostgresError, failure.isConnectionFailure { db = nil }
            }
            let next = Date().addingTimeInterval(interval)
            while !stop.isStopped, Date() < next { Thread.sleep(forTimeInterval: 0.2) }
        }
    }

    public func round(_ db: PostgresConnection, now: Date) throws {
        // A rebuild's inputs are half read until the fleet catches up: nothing is finalized from
        // them (late data included: `lastCheck` stays, so the backfill's days are all there is).
        if let hold = try FinanceHold.current(group, db) {
            logger.warning("finance held: no day is finalized until a backfill releases it", metadata: [
                "reason": "\(hold.reason)", "held_at": "\(hold.heldAt)", "group": "\(group)"])
            return
        }
        let finalized = try FinanceSnapshot.finalizedDates(in: db)
        try refinalizeChanged(finalized, db, now: now)
        // Days due: from the day after the last finalized one (the first time: yesterday) to yesterday,
        // at most `catchUpDays` back: an older gap is an operator's backfill, not a surprise.
        let today = BusinessTime.businessDate(of: now)
        guard let yesterday = NightlySchedule.previousDate(today),
              let oldest = NightlySchedule.shifted(today, by: -schedule.catchUpDays) else { return }
        let first = max(finalized.last.flatMap(NightlySchedule.nextDate) ?? yesterday, oldest)
        let freshness = try Self.freshness(db)
        for date in NightlySchedule.dates(from: first, through: yesterday) {
            let decision = schedule.decide(date, freshness: freshness, now: now)
            guard decision != .wait else { break }
            try finalize(date, reason: decision == .complete ? "complete: every source past the day's end" : "deadline", db, due: true)
        }
    }

    /// Late data: finalized days whose inputs changed get a new version, and so do the finalized days
    /// after them (their openings follow); a day whose result did not change is left as it is.
    func refinalizeChanged(_ finalized: [String], _ db: PostgresConnection, now: Date) throws {
        // Rows committed by transactions that began before the previous round are looked at again.
        let lastFinalized = try Self.lastFinalizedAt(db)
        let since = lastCheck ?? lastFinalized?.addingTimeInterval(-600) ?? now
        lastCheck = now.addingTimeInterval(-schedule.lateDataLookback)
        guard let earliest = try FinanceSnapshot.datesChanged(since: since, in: db).first else { return }
        for date in finalized where date >= earliest { try finalize(date, reason: "late data", db) }
    }

    @discardableResult
    public func finalize(_ date: String, reason: String, _ db: PostgresConnection, due: Bool = false) throws -> FinanceSnapshot.Outcome {
        let outcome = try FinanceSnapshot.finalize(date, reason: reason, in: db)
        let finished = Date()
        let margin = schedule.deadline(of: date).map { $0.timeIntervalSince(finished) } ?? 0
        switch outcome {
        case .finalized(let version):
            logger.info("day finalized", metadata: ["date": "\(date)", "version": "\(version)", "reason": "\(reason)",
                                                     "deadline_margin_seconds": due ? "\(Int(margin))" : "-"])
            if due { onFinalized?(date, version, finished, margin) }
        case .unchanged(let version):
            logger.debug("day unchanged", metadata: ["date": "\(date)", "version": "\(version)"])
        }
        return outcome
    }

    static func freshness(_ db: PostgresConnection) throws -> [String: Date] {
        let result = try db.execute("SELECT source, extract(epoch FROM last_source_ts)::float8::text AS t FROM ops.pipeline_freshness WHERE last_source_ts IS NOT NULL")
        var freshness: [String: Date] = [:]
        for row in 0..<result.count { freshness[result.value(row, "source")!] = Date(timeIntervalSince1970: Double(result.value(row, "t")!) ?? 0) }
        return freshness
    }

    static func lastFinalizedAt(_ db: PostgresConnection) throws -> Date? {
        try db.execute("SELECT extract(epoch FROM max(finalized_at))::float8::text FROM finance.snapshot_versions").scalar
            .flatMap(Double.init).map(Date.init(timeIntervalSince1970:))
    }
}
