import Foundation

/// Days since 1970-01-01 and back, on the proleptic Gregorian calendar (Howard Hinnant's
/// days_from_civil and civil_from_days): the arithmetic under the hand-written timestamp code of
/// cdc (PostgreSQL text to Debezium's formats) and the canonical models (ISO-8601 in and out).
public enum CivilDate {
    public static func days(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    public static func civil(fromDays days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// A `YYYY-MM-DD` date moved by whole days; nil for text that is not such a date.
    public static func shifted(_ date: String, by offset: Int) -> String? {
        let parts = date.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3, date.utf8.count == 10 else { return nil }
        let civil = civil(fromDays: days(year: parts[0], month: parts[1], day: parts[2]) + offset)
        return String(format: "%04d-%02d-%02d", civil.year, civil.month, civil.day)
    }
}
