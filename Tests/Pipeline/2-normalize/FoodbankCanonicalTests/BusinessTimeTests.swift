import FoodbankCanonical
import Foundation
import Testing

@Suite struct BusinessTimeTests {
    func iso(_ text: String) -> String? { BusinessTime.instant(fromLegacyLocal: text).map(BusinessTime.iso8601) }

    @Test func pacificStandardAndDaylightTime() {
        #expect(iso("11/22/2026 07:15") == "2026-11-22T15:15:00.000000Z")   // PST, UTC-8
        #expect(iso("07/04/2026 12:00") == "2026-07-04T19:00:00.000000Z")   // PDT, UTC-7
    }

    @Test func acrossTheDSTChanges() {
        // 2026-03-08: 02:00 PST jumps to 03:00 PDT.
        #expect(iso("03/08/2026 01:59") == "2026-03-08T09:59:00.000000Z")
        #expect(iso("03/08/2026 03:00") == "2026-03-08T10:00:00.000000Z")
        #expect(iso("03/08/2026 02:30") == "2026-03-08T10:30:00.000000Z", "a time that never happened moves forward by the gap")
        // 2026-11-01: 02:00 PDT falls back to 01:00 PST; 01:30 happens twice, the first (PDT) is taken.
        #expect(iso("11/01/2026 01:30") == "2026-11-01T08:30:00.000000Z")
        #expect(iso("11/01/2026 02:30") == "2026-11-01T10:30:00.000000Z")
    }

    @Test func timesKeepTheirMicroseconds() {
        // An intake at 23:59:59.9996 local is still on its own day: milliseconds would round it over.
        let late = BusinessTime.instant(fromISO: "2026-11-23T07:59:59.999600Z")!
        #expect(BusinessTime.iso8601(late) == "2026-11-23T07:59:59.999600Z")
        #expect(BusinessTime.businessDate(of: late) == "2026-11-22")
        #expect(BusinessTime.iso8601(BusinessTime.instant(fromISO: "2026-11-22T15:51:56.22337Z")!) == "2026-11-22T15:51:56.223370Z")
    }

    @Test func businessDateIsTheLosAngelesDay() {
        // 07:30 UTC on the 22nd is still the 21st in Los Angeles.
        #expect(BusinessTime.businessDate(of: BusinessTime.instant(fromISO: "2026-11-22T07:30:00Z")!) == "2026-11-21")
        #expect(BusinessTime.businessDate(of: BusinessTime.instant(fromISO: "2026-11-22T08:30:00.5Z")!) == "2026-11-22")
    }

    @Test func nonsenseIsRejected() {
        for text in ["13/01/2026 10:00", "02/30/2026 10:00", "11/22/2026 24:00", "2026-11-22 10:00", "11/22/2026", "",
                     "1/5/2026 9:05", "+1/05/2026 09:05", "01/05/2026  09:05", "01/05/2026 09:05 "] {
            #expect(BusinessTime.instant(fromLegacyLocal: text) == nil, "\(text)")
        }
    }
}
