import FoodbankCalendar
import FoodbankCanonical
import Foundation

/// When a business day (America/Los_Angeles) may be finalized: plain functions over times.
public struct NightlySchedule: Sendable {
    /// How long after a day's end a source may still deliver the day's data and be waited for.
    public var allowedLateness: TimeInterval = 2 * 3600
    /// The finance deadline: this local hour on the following day (06:00).
    public var deadlineHour = 6
    /// Finalize this long before the deadline at the latest, whatever the sources say.
    public var deadlineMargin: TimeInterval = 30 * 60
    /// How many past days nightly finalizes by itself after an outage; older ones take a backfill.
    public var catchUpDays = 7
    /// How far back each late-data round looks again: rows committed by a transaction that began
    /// before the previous round carry a time before it (`now()` is the transaction's start).
    public var lateDataLookback: TimeInterval = 300

    public init() {}

    public enum Decision: Equatable, Sendable {
        /// Every source has committed past the day's end plus the allowed lateness.
        case complete
        /// Not every source has, but the deadline (less its margin) has come.
        case deadline
        case wait
    }

    /// The instants a business date spans: [start, end).
    public static func window(of date: String) -> (start: Date, end: Date)? {
        guard let start = BusinessTime.instant(onDate: date, hour: 0), let next = nextDate(date),
              let end = BusinessTime.instant(onDate: next, hour: 0) else { return nil }
        return (start, end)
    }

    /// The deadline of `date`: `deadlineHour` on the following local day.
    public func deadline(of date: String) -> Date? {
        guard let next = Self.nextDate(date) else { return nil }
        return BusinessTime.instant(onDate: next, hour: deadlineHour)
    }

    /// `freshness`: per source system, the newest source commit the platform has processed.
    public func decide(_ date: String, freshness: [String: Date], now: Date) -> Decision {
        guard let window = Self.window(of: date), let deadline = deadline(of: date), now >= window.end else { return .wait }
        let settled = window.end.addingTimeInterval(allowedLateness)
        if !freshness.isEmpty, freshness.values.allSatisfy({ $0 >= settled }) { return .complete }
        return now >= deadline.addingTimeInterval(-deadlineMargin) ? .deadline : .wait
    }

    public static func nextDate(_ date: String) -> String? { shifted(date, by: 1) }
    public static func previousDate(_ date: String) -> String? { shifted(date, by: -1) }

    public static func shifted(_ date: String, by days: Int) -> String? { CivilDate.shifted(date, by: days) }

    /// The dates from `first` to `last`, both included.
    public static func dates(from first: String, through last: String) -> [String] {
        var dates: [String] = []
        var date = first
        while date <= last, dates.count < 10_000 {
            dates.append(date)
            guard let next = nextDate(date) else { break }
            date = next
        }
        return dates
    }
}
