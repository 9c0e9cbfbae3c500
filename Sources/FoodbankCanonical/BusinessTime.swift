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
        let c = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!)
    }

    /// A legacy-feed local time, `MM/DD/YYYY HH:MM` in Los Angeles, as an instant. In the autumn
    /// hour that happens twice the first (daylight) occurrence is taken; a spring time that never
    /// happened is moved forward by the gap, as clocks were.
    public static func instant(fromLegacyLocal text: String) -> Date? {
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

    /// ISO-8601 in UTC with milliseconds, the canonical models' time format.
    public static func iso8601(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }

    /// `YYYY-MM-DD` of an instant in UTC (Debezium's date columns are days counted in UTC).
    public static func utcDate(_ date: Date) -> String {
        var utc = Calendar(identifier: .gregorian)
        utc.timeZone = TimeZone(identifier: "UTC")!
        let c = utc.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!)
    }

    /// Parses Debezium's ZonedTimestamp (`2026-11-22T15:51:56.22337Z`) and our own ISO strings.
    public static func instant(fromISO text: String) -> Date? {
        let withFraction = ISO8601DateFormatter()
        withFraction.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = withFraction.date(from: text) { return date }
        let plain = ISO8601DateFormatter()
        plain.formatOptions = [.withInternetDateTime]
        return plain.date(from: text)
    }
}
