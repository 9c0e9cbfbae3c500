// nightly: finalizes each business day (America/Los_Angeles) into the finance tables by 06:00
// Pacific: daily inventory (opening = the previous closing), donations, fulfillment with fill rate,
// and reconciliation exceptions; versioned and append-only (data that arrives after a day was
// finalized makes its next snapshot_version, and the following days' openings follow). Keeps
// nightly.records current from the unique topics meanwhile (offsets stored with the rows).
// With --backfill-from/--backfill-to it finalizes that range once and exits.
//
// Environment: KAFKA_BOOTSTRAP_SERVERS, KAFKA_PROPERTY_*, FOODBANK_DATABASE_URL, FOODBANK_TOPICS_FILE.
import ArgumentParser
import FoodbankCanonical
import FoodbankKafka
import FoodbankMetrics
import FoodbankNightly
import FoodbankPostgres
import FoodbankStreaming
import FoodbankTopics
import Foundation
import Logging
import Prometheus

@main
struct NightlyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "nightly", abstract: "Finalize finance-grade daily snapshots.")

    @Option(help: "Consumer group (a backfill releases this group's finance hold).") var group = "nightly"
    @Option(help: "Suffix appended to every topic name (tests run beside each other on one broker).") var topicSuffix = ""
    @Option(help: "Records per database transaction.") var batch = 5000
    @Option(help: "Seconds between rounds that finalize due days and re-finalize days with late data.") var checkSeconds = 60.0
    @Option(help: "Minutes after a day's end that every source is waited for before the day is complete.") var allowedLatenessMinutes = 120.0
    @Option(help: "Minutes before the 06:00 deadline at which a day is finalized whatever the sources say.") var deadlineMarginMinutes = 30.0
    @Option(help: "Seconds each late-data round looks back past the previous one (transactions that began before it).") var lateDataLookbackSeconds = 300.0
    @Option(help: "Past days finalized automatically after an outage (older ones: --backfill-from/--backfill-to).") var catchUpDays = 7
    @Option(help: "Finalize from this business date (YYYY-MM-DD), with --backfill-to, then exit.") var backfillFrom: String?
    @Option(help: "Last business date of the backfill.") var backfillTo: String?
    @Option(help: "Port of /metrics, /healthz and /readyz (default: $FOODBANK_METRICS_PORT, else 9400).") var metricsPort: Int?

    func validate() throws {
        guard (backfillFrom == nil) == (backfillTo == nil) else { throw ValidationError("give both --backfill-from and --backfill-to") }
        for date in [backfillFrom, backfillTo].compactMap({ $0 }) where NightlySchedule.window(of: date) == nil {
            throw ValidationError("\(date) is not a date (YYYY-MM-DD)")
        }
    }

    func run() throws {
        setvbuf(stdout, nil, _IOLBF, 0)
        var logger = Logger(label: "foodbank.nightly")
        logger.logLevel = .info
        var schedule = NightlySchedule()
        schedule.allowedLateness = allowedLatenessMinutes * 60
        schedule.deadlineMargin = deadlineMarginMinutes * 60
        schedule.catchUpDays = catchUpDays
        schedule.lateDataLookback = lateDataLookbackSeconds
        let scheduler = NightlyScheduler(schedule: schedule, logger: logger)
        scheduler.group = group

        if let from = backfillFrom, let to = backfillTo {
            let db = try PostgresConnection(url: try PostgresConfiguration.url(), logger: logger)
            // The database's clock, which stamped the hold.
            let backfillStarted = try db.execute("SELECT extract(epoch FROM now())::float8::text").scalar
                .flatMap(Double.init).map(Date.init(timeIntervalSince1970:)) ?? Date()
            let started = ContinuousClock.now
            for date in NightlySchedule.dates(from: from, through: to) {
                let dayStarted = ContinuousClock.now
                let outcome = try scheduler.finalize(date, reason: "backfill", db)
                print(String(format: "%@ %@ in %.2f s", date, "\(outcome)", (ContinuousClock.now - dayStarted).inSeconds))
            }
            print(String(format: "backfill %@..%@ took %.2f s", from, to, (ContinuousClock.now - started).inSeconds))
            if let released = try FinanceHold.release(group, heldBefore: backfillStarted, db) {
                print("released the finance hold of \(group) (\(released.reason), since \(released.heldAt))")
            } else if let held = try FinanceHold.current(group, db) {
                print("the finance of \(group) is still held (\(held.reason), since \(held.heldAt)): it was taken during this backfill")
            }
            return
        }

        let stop = StopSignal()
        stop.installSignalHandlers()
        let metrics = try StageMetrics.serve(stage: "nightly", port: metricsPort, logger: logger)
        let finished = metrics.registry.makeGauge(descriptor: MetricNameDescriptor(
            namespace: "foodbank", metricName: "nightly_finished", unitName: "timestamp_seconds", helpText: "When the last day was finalized"))
        let margin = metrics.registry.makeGauge(descriptor: MetricNameDescriptor(
            namespace: "foodbank", metricName: "nightly_deadline_margin", unitName: "seconds",
            helpText: "Time left to the 06:00 Pacific deadline when the last day was finalized (negative: late)"))
        scheduler.onFinalized = { _, _, at, left in
            finished.set(to: at.timeIntervalSince1970)
            margin.set(to: left)
        }
        var settings = NightlyStage.Settings()
        settings.group = group
        settings.batch = batch
        settings.checkInterval = checkSeconds
        settings.schedule = schedule
        let databaseURL = try PostgresConfiguration.url()
        let sink = try NightlyStage.sink(kafka: try KafkaConfiguration.fromEnvironment(clientID: "nightly"), databaseURL: databaseURL,
                                         names: TopicNames(catalog: try TopicCatalog.loadDefault(), suffix: topicSuffix), settings: settings,
                                         logger: logger)
        sink.observer = metrics
        // Finalizing on a thread of its own: a long round never holds the consumer's polls.
        let roundsDone = DispatchSemaphore(value: 0)
        let rounds = Thread { [checkSeconds] in
            scheduler.run(databaseURL: databaseURL, every: checkSeconds, until: stop)
            roundsDone.signal()
        }
        rounds.name = "nightly-rounds"
        rounds.start()
        defer {
            // SIGTERM: the round in progress finishes its day (each day is one transaction).
            stop.stop()
            if roundsDone.wait(timeout: .now() + 120) == .timedOut { logger.warning("a nightly round was still running at exit; its open day rolls back") }
        }
        try sink.run(until: stop)
    }
}
