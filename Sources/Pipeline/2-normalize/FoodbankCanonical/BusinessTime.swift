import FoodbankCalendar
import Foundation

/// Business time: every movement belongs to a day in America/Los_Angeles.
public enum BusinessTime {
    public static let zone = TimeZone(identifier: "America/Los_Angeles")!

    private static let calendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        return calendar
    }()

    /// The business date (`YYYY-MM-DD` in Los Angeles) of an instant.
    public static func businessDate(of date: Date) -> String {
        let local = date.timeIntervalSince1970 + Double(zone.secondsFromGMT(for: date))
        return CivilTime(seconds: local).dateText
    }

    /// A legacy-feed local time, `MM/DD/YYYY HH:MM` in Los Angeles, as an instant. In the autumn
    /// hour that happens twice the first (daylight) occurrence is taken; a spring time that never
    /// happened is moved forward by the gap, as clocks were.
    /// Exactly the contract's shape, two digits each but the year's four: `1/5/2026 9:05` or a
    /// signed `+1` is not `MM/DD/YYYY HH:MM`, so the row is unreadable, not guessed at.
    public static func instant(fromLegacyLocal text: String) -> Date? {
        let shape = Array("NN/NN/NNNN NN:NN".utf8)
        let bytes = Array(text.utf8)
        guard bytes.count == shape.count,
              zip(bytes, shape).allSatisfy({ $1 == UInt8(ascii: "N") ? (48...57).contains($0) : $0 == $1 }) else { return nil }
        let parts = text.split(separator: " ")
        guard parts.count == 2 else { return nil }
        let date = parts[0].split(separator: "/").map { Int($0) }
        let time = parts[1].split(separator: ":").map { Int($0) }
        guard date.count == 3, time.count == 2, let month = date[0], let day = date[1], let year = date[2],
              let hour = time[0], let minute = time[1], (1...12).contains(month), (1...31).contains(day),
              (0...23).contains(hour), (0...59).contains(minute), year >= 2000, year < 2100 else { return nil }
        var components = DateComponents()
        (components.year, components.month, components.day, components.hour, components.minute) = (year, month, day, hour, minute)
        guard let resolved = calendar.date(from: components) else { return nil }
        // Reject dates that do not exist (Feb 30): the calendar would roll them over.
        let back = calendar.dateComponents([.year, .month, .day], from: resolved)
        guard back.year == year, back.month == month, back.day == day || hour >= 2 && hour < 3 else { return nil }
        return resolved
    }

    /// `hour`:00 local time (America/Los_Angeles) on a business date `YYYY-MM-DD`; nil for a date
    /// that does not exist.
    public static func instant(onDate date: String, hour: Int) -> Date? {
        guard date.utf8.count == 10 else { return nil }
        return instant(fromLegacyLocal: "\(date.dropFirst(5).prefix(2))/\(date.suffix(2))/\(date.prefix(4)) \(String(format: "%02d", hour)):00")
    }

    /// The milliseconds the canonical time format can write: years 0001 to 9999.
    static let writableMillis: ClosedRange<Int64> = -62_135_596_800_000...253_402_300_799_999

    /// An instant given in milliseconds since the epoch (Debezium's `ts_ms`); nil outside the years
    /// 0001-9999, which ``iso8601(_:)`` cannot write (and far enough out, its integer millisecond
    /// count would not hold).
    public static func instant(fromEpochMillis millis: Int64) -> Date? {
        writableMillis.contains(millis) ? Date(timeIntervalSince1970: Double(millis) / 1000) : nil
    }

    /// ISO-8601 in UTC with microseconds, the canonical models' time format
    /// (`2026-11-22T07:30:00.000000Z`). Written by hand: Foundation's formatters cost tens of
    /// microseconds a call, and normalize formats several times per record.
    public static func iso8601(_ date: Date) -> String {
        CivilTime(seconds: date.timeIntervalSince1970).timestampText
    }

    /// `YYYY-MM-DD` of an instant in UTC (Debezium's date columns are days counted in UTC).
    public static func utcDate(_ date: Date) -> String {
        CivilTime(seconds: date.timeIntervalSince1970).dateText
    }

    /// Parses Debezium's ZonedTimestamp (`2026-11-22T15:51:56.22337Z`), our own ISO strings and
    /// offsets (`+01:00`); nil for anything else.
    public static func instant(fromISO text: String) -> Date? {
        CivilTime.parseISO(Array(text.utf8))
    }
}

/// A UTC instant broken into calendar fields, for formatting and parsing timestamps without
/// Foundation's slow formatters.
struct CivilTime {
    var year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, microsecond: Int

    /// Rounded to the microsecond, PostgreSQL's precision: the sources' times are kept as they are
    /// (milliseconds moved a 23:59:59.9996 intake to the next day and split ties the source has).
    /// Past 2^33 s from 1970 (the year 2242) a Double no longer holds microseconds: milliseconds.
    init(seconds: Double) {
        let totalMicros = abs(seconds) < 8_589_934_592 ? Int((seconds * 1_000_000).rounded()) : Int((seconds * 1000).rounded()) * 1000
        let microsPerDay = 86_400_000_000
        var days = totalMicros / microsPerDay
        var rest = totalMicros % microsPerDay
        if rest < 0 { rest += microsPerDay; days -= 1 }
        (year, month, day) = CivilDate.civil(fromDays: days)
        hour = rest / 3_600_000_000
        minute = rest / 60_000_000 % 60
        second = rest / 1_000_000 % 60
        microsecond = rest % 1_000_000
    }

    var dateText: String {
        var out: [UInt8] = []
        out.reserveCapacity(10)
        Self.digits(year, 4, &out); out.append(0x2D); Self.digits(month, 2, &out); out.append(0x2D); Self.digits(day, 2, &out)
        return String(decoding: out, as: UTF8.self)
    }

    var timestampText: String {
        var out: [UInt8] = []
        out.reserveCapacity(27)
        Self.digits(year, 4, &out); out.append(0x2D); Self.digits(month, 2, &out); out.append(0x2D); Self.digits(day, 2, &out)
        out.append(0x54)
        Self.digits(hour, 2, &out); out.append(0x3A); Self.digits(minute, 2, &out); out.append(0x3A); Self.digits(second, 2, &out)
        out.append(0x2E); Self.digits(microsecond, 6, &out); out.append(0x5A)
        return String(decoding: out, as: UTF8.self)
    }

    private static func digits(_ value: Int, _ width: Int, _ out: inout [UInt8]) {
        var divisor = 1
        for _ in 1..<width { divisor *= 10 }
        var v = value
        while divisor > 0 {
            out.append(UInt8(48 + (v / divisor) % 10))
            v %= divisor
            divisor /= 10
        }
    }

    /// `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`.
    static func parseISO(_ b: [UInt8]) -> Date? {
        func number(_ from: Int, _ count: Int) -> Int? {
            guard from + count <= b.count else { return nil }
            var value = 0
            for i in from..<from + count {
                guard b[i] >= 48, b[i] <= 57 else { return nil }
                value = value * 10 + Int(b[i] - 48)
            }
            return value
        }
        guard b.count >= 20, b[4] == 0x2D, b[7] == 0x2D, b[10] == 0x54 || b[10] == 0x20, b[13] == 0x3A, b[16] == 0x3A,
              let year = number(0, 4), let month = number(5, 2), let day = number(8, 2),
              let hour = number(11, 2), let minute = number(14, 2), let second = number(17, 2),
              (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61 else { return nil }
        // Reject days a month does not have (Feb 30) rather than rolling them over.
        guard CivilDate.civil(fromDays: CivilDate.days(year: year, month: month, day: day)) == (year, month, day) else { return nil }
        var index = 19
        var fraction = 0.0
        if index < b.count, b[index] == 0x2E {
            index += 1
            var scale = 0.1
            let start = index
            while index < b.count, b[index] >= 48, b[index] <= 57 {
                fraction += Double(b[index] - 48) * scale
                scale /= 10
                index += 1
            }
            guard index > start else { return nil }
        }
        var offsetSeconds = 0
        guard index < b.count else { return nil }
        if b[index] == 0x5A {
            index += 1
        } else if b[index] == 0x2B || b[index] == 0x2D, let h = number(index + 1, 2), index + 3 < b.count, b[index + 3] == 0x3A,
                  let m = number(index + 4, 2) {
            offsetSeconds = (b[index] == 0x2B ? 1 : -1) * (h * 3600 + m * 60)
            index += 6
        } else {
            return nil
        }
        guard index == b.count else { return nil }
        let seconds = CivilDate.days(year: year, month: month, day: day) * 86_400 + hour * 3600 + minute * 60 + second - offsetSeconds
        return Date(timeIntervalSince1970: Double(seconds) + fraction)
    }
}
