@testable import FoodbankCanonical
import Foundation
import Testing

/// The hand-written timestamp code agrees with Foundation's formatters it replaced.
@Suite struct CivilTimeTests {
    @Test func formatsLikeFoundationAcrossCenturiesLeapDaysAndNegativeTimes() {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        var rng = SystemRandomNumberGenerator()
        let samples = [0, -1, 951_782_400, 951_868_799.999, 4_107_542_400, -2_208_988_800] + (0..<2000).map { _ in
            Double(Int64.random(in: -2_000_000_000_000...4_000_000_000_000, using: &rng)) / 1000
        }
        for seconds in samples {
            let date = Date(timeIntervalSince1970: seconds)
            // Foundation writes milliseconds; these samples have no finer digits.
            #expect(BusinessTime.iso8601(date) == formatter.string(from: date).dropLast() + "000Z", "\(seconds)")
            #expect(BusinessTime.instant(fromISO: BusinessTime.iso8601(date)).map { abs($0.timeIntervalSince(date)) < 0.001 } == true)
        }
    }

    @Test func parsesDebeziumAndOffsetTimestampsAndRefusesTheRest() {
        #expect(BusinessTime.instant(fromISO: "2026-11-22T15:51:56.22337Z")?.timeIntervalSince1970 == 1_795_362_716.22337)
        #expect(BusinessTime.instant(fromISO: "2026-11-22T07:51:56-08:00") == BusinessTime.instant(fromISO: "2026-11-22T15:51:56Z"))
        #expect(BusinessTime.instant(fromISO: "2024-02-29T00:00:00Z") != nil)
        for bad in ["2026-02-30T00:00:00Z", "2026-11-22", "2026-11-22T25:00:00Z", "2026-11-22T10:00:00", "yesterday", "2026-11-22T10:00:00.Z",
                    "2026-11-22T10:00:00Zjunk"] {
            #expect(BusinessTime.instant(fromISO: bad) == nil, "\(bad)")
        }
    }

    @Test func businessDatesFollowLosAngelesAcrossDST() {
        // 2026-03-08 02:00 PST -> PDT; 2026-11-01 02:00 PDT -> PST.
        #expect(BusinessTime.businessDate(of: BusinessTime.instant(fromISO: "2026-03-08T07:59:59Z")!) == "2026-03-07")
        #expect(BusinessTime.businessDate(of: BusinessTime.instant(fromISO: "2026-03-08T08:00:00Z")!) == "2026-03-08")
        #expect(BusinessTime.businessDate(of: BusinessTime.instant(fromISO: "2026-07-01T06:59:59Z")!) == "2026-06-30")
        #expect(BusinessTime.businessDate(of: BusinessTime.instant(fromISO: "2026-11-02T07:59:59Z")!) == "2026-11-01")
        #expect(BusinessTime.businessDate(of: BusinessTime.instant(fromISO: "2026-11-02T08:00:00Z")!) == "2026-11-02")
    }
}

@Suite struct PlainDecimalTests {
    @Test func acceptsOnlyPlainDecimalsOfBoundedSize() {
        #expect(InventoryNormalizer.plainDecimal("10.50") == Decimal(string: "10.5"))
        #expect(InventoryNormalizer.plainDecimal("-3") == -3)
        #expect(InventoryNormalizer.plainDecimal("0.000001") == Decimal(string: "0.000001"))
        #expect(InventoryNormalizer.plainDecimal("999999999999.999999") == Decimal(string: "999999999999.999999"))
        for bad in ["", "-", "1.", ".5", "1e3", "12,5", " 1", "1 ", "--1", "1.2.3", "1234567890123", "0.1234567", "+1", "١٢"] {
            #expect(InventoryNormalizer.plainDecimal(bad) == nil, "\(bad)")
        }
    }
}
