import FoodbankCanonical
@testable import FoodbankNightly
import Foundation
import Testing

@Suite struct NightlyScheduleTests {
    static func at(_ local: String) -> Date { BusinessTime.instant(fromLegacyLocal: local)! }

    @Test func aBusinessDayIsLocalMidnightToMidnightAcrossDaylightSaving() throws {
        let spring = try #require(NightlySchedule.window(of: "2026-03-08"))
        #expect(spring.end.timeIntervalSince(spring.start) == 23 * 3600, "the spring-forward day has 23 hours")
        let autumn = try #require(NightlySchedule.window(of: "2026-11-01"))
        #expect(autumn.end.timeIntervalSince(autumn.start) == 25 * 3600)
        #expect(BusinessTime.iso8601(spring.start) == "2026-03-08T08:00:00.000000Z")
    }

    @Test func aDayIsCompleteOnceEverySourceIsPastItsEndPlusTheLateness() {
        var schedule = NightlySchedule()
        schedule.allowedLateness = 3600
        let fresh = ["warehouse": Self.at("11/21/2026 01:30"), "legacy_wms": Self.at("11/21/2026 02:00")]
        #expect(schedule.decide("2026-11-20", freshness: fresh, now: Self.at("11/21/2026 02:05")) == .complete)
        let stale = fresh.merging(["adjustments": Self.at("11/20/2026 17:00")]) { _, new in new }
        #expect(schedule.decide("2026-11-20", freshness: stale, now: Self.at("11/21/2026 02:05")) == .wait, "one source has not reached the day's end")
        #expect(schedule.decide("2026-11-20", freshness: fresh, now: Self.at("11/20/2026 23:00")) == .wait, "the day is not over")
    }

    @Test func theDeadlineFinalizesWhateverTheSourcesSay() {
        var schedule = NightlySchedule()
        schedule.deadlineMargin = 1800
        let stale = ["adjustments": Self.at("11/19/2026 17:00")]
        #expect(schedule.decide("2026-11-20", freshness: stale, now: Self.at("11/21/2026 05:29")) == .wait)
        #expect(schedule.decide("2026-11-20", freshness: stale, now: Self.at("11/21/2026 05:30")) == .deadline)
        #expect(schedule.deadline(of: "2026-11-20") == Self.at("11/21/2026 06:00"))
    }

    @Test func datesStepAcrossMonthAndYearEnds() {
        #expect(NightlySchedule.dates(from: "2026-12-30", through: "2027-01-02") == ["2026-12-30", "2026-12-31", "2027-01-01", "2027-01-02"])
        #expect(NightlySchedule.previousDate("2028-03-01") == "2028-02-29")
        #expect(NightlySchedule.window(of: "2026-02-30") == nil)
    }
}
