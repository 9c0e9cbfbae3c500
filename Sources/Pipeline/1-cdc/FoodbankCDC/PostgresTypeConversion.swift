import FoodbankCalendar
import FoodbankJSON

/// PostgreSQL values to the JSON Debezium emits for them with the platform's connector settings
/// (`decimal.handling.mode=string`, `time.precision.mode=adaptive_time_microseconds`):
/// numerics as exact strings, `timestamptz` as an ISO-8601 UTC string (`ZonedTimestamp`), `date`
/// as days since 1970-01-01, `timestamp` as microseconds since the epoch, integers and booleans as
/// themselves, everything else as its text.
public enum PostgresTypeConversion {
    public struct Unconvertible: Error, CustomStringConvertible, Equatable {
        public let column: String
        public let type: String
        public let value: String
        public var description: String { "column \(column) of type \(type): cannot convert \(value)" }
    }

    /// `value` is wal2json's rendering (numbers, bools, strings) or a snapshot query's text.
    public static func convert(_ value: JSONValue, type: String, column: String) throws -> JSONValue {
        if value.isNull { return .null }
        let base = baseType(type)
        let text: String
        switch value {
        case .string(let s): text = s
        case .int(let i): text = String(i)
        case .double(let d): text = String(d)
        case .bool(let b): text = b ? "t" : "f"
        default: text = value.encodedString()
        }
        func fail() -> Unconvertible { Unconvertible(column: column, type: type, value: text) }
        switch base {
        case "numeric", "decimal":
            return .string(text)
        case "smallint", "integer", "bigint", "int2", "int4", "int8":
            guard let i = Int64(text) else { throw fail() }
            return .int(i)
        case "real", "double precision", "float4", "float8":
            guard let d = Double(text) else { throw fail() }
            return .double(d)
        case "boolean", "bool":
            switch text {
            case "t", "true": return .bool(true)
            case "f", "false": return .bool(false)
            default: throw fail()
            }
        case "timestamp with time zone", "timestamptz":
            guard let instant = Instant(postgresText: text) else { throw fail() }
            return .string(instant.iso8601UTC(digits: fractionDigits(type)))
        case "timestamp without time zone", "timestamp":
            guard let instant = Instant(postgresText: text + "+00") else { throw fail() }
            return .int(instant.epochMicros)
        case "date":
            guard let days = Instant.days(fromDate: text) else { throw fail() }
            return .int(days)
        default:
            return .string(text)
        }
    }

    /// Where a type's modifier is, parentheses included: `(3)` in `timestamp(3) with time zone`.
    private static func modifier(_ type: String) -> ClosedRange<String.Index>? {
        guard let open = type.firstIndex(of: "("), let close = type.firstIndex(of: ")"), open < close else { return nil }
        return open...close
    }

    /// The type without its modifier: `timestamp(3) with time zone` is a `timestamp with time zone`.
    static func baseType(_ type: String) -> String {
        guard let range = modifier(type) else { return type }
        return String(type[..<range.lowerBound]) + String(type[type.index(after: range.upperBound)...])
    }

    /// A timestamp column's fractional digits: `timestamp(3) with time zone` has 3, the default 6.
    /// Debezium's ZonedTimestamp pads to them. PostgreSQL keeps at most 6 (it reduces a larger
    /// precision to 6), and the type text comes with each wal2json row: anything else is held to 0...6.
    static func fractionDigits(_ type: String) -> Int {
        guard let range = modifier(type) else { return 6 }
        return min(max(Int(type[type.index(after: range.lowerBound)..<range.upperBound]) ?? 6, 0), 6)
    }

    /// What Debezium puts for a NOT NULL column the event does not carry (a delete's non-key columns
    /// under the default replica identity): the type's zero value ("", 0, false, the epoch), in
    /// wal2json's rendering so that ``convert(_:type:column:)`` shapes it like any value.
    public static func fallback(type: String) -> JSONValue {
        switch baseType(type) {
        case "smallint", "integer", "bigint", "int2", "int4", "int8": .int(0)
        case "numeric", "decimal", "real", "double precision", "float4", "float8": .string("0")
        case "boolean", "bool": .bool(false)
        case "timestamp with time zone", "timestamptz": .string("1970-01-01 00:00:00+00")
        case "timestamp without time zone", "timestamp": .string("1970-01-01 00:00:00")
        case "date": .string("1970-01-01")
        default: .string("")
        }
    }
}

/// A point in time parsed from PostgreSQL's text output (`2026-11-22 15:51:56.223371+00`).
struct Instant: Equatable {
    var epochSeconds: Int64
    /// Fraction digits as written, trailing zeros removed ("", "5", "223371").
    var fraction: String

    /// The seconds whose microseconds an Int64 holds (about 292,000 years either side of 1970).
    private static let representableSeconds: ClosedRange<Int64> = (Int64.min / 1_000_000 + 1)...(Int64.max / 1_000_000 - 1)

    var epochMicros: Int64 {
        let padded = (fraction + "000000").prefix(6)
        return epochSeconds * 1_000_000 + (Int64(padded) ?? 0)
    }

    /// The text comes with each wal2json row (and each snapshot row): fields out of PostgreSQL's own
    /// ranges are refused (nil) rather than computed with, since the arithmetic would overflow.
    init?(postgresText text: String) {
        // date, time, optional fraction, offset (+HH, +HH:MM or +HH:MM:SS).
        let parts = text.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, let days = Instant.days(fromDate: String(parts[0])) else { return nil }
        var rest = Substring(parts[1])
        guard let signIndex = rest.lastIndex(where: { $0 == "+" || $0 == "-" }) else { return nil }
        let offsetText = rest[signIndex...]
        rest = rest[..<signIndex]
        // PostgreSQL's offsets reach ±15:59:59.
        let offsetFields = offsetText.dropFirst().split(separator: ":").map { Int64($0) }
        guard (1...3).contains(offsetFields.count), let offsetHours = offsetFields[0], (0...15).contains(offsetHours),
              offsetFields.dropFirst().allSatisfy({ $0.map { (0...59).contains($0) } ?? false }) else { return nil }
        let offset = offsetFields.enumerated().reduce(Int64(0)) { $0 + $1.element! * [3600, 60, 1][$1.offset] }
            * (offsetText.first == "-" ? -1 : 1)
        let timeAndFraction = rest.split(separator: ".", maxSplits: 1)
        guard let time = timeAndFraction.first else { return nil }
        let clock = time.split(separator: ":").map { Int64($0) }
        guard clock.count == 3, let hour = clock[0], let minute = clock[1], let second = clock[2],
              (0...23).contains(hour), (0...59).contains(minute), (0...60).contains(second) else { return nil }
        epochSeconds = days * 86_400 + hour * 3600 + minute * 60 + second - offset
        guard Self.representableSeconds.contains(epochSeconds) else { return nil }
        var fraction = timeAndFraction.count == 2 ? String(timeAndFraction[1]) : ""
        guard fraction.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        while fraction.hasSuffix("0") { fraction.removeLast() }
        self.fraction = fraction
    }

    /// `2026-11-22T15:51:56.223371Z`, as Debezium's ZonedTimestamp prints a UTC instant.
    /// ISO 8601 in UTC with `digits` fractional digits (none when 0), as Debezium's ZonedTimestamp.
    func iso8601UTC(digits: Int) -> String {
        let days = epochSeconds >= 0 ? epochSeconds / 86_400 : (epochSeconds - 86_399) / 86_400
        let secondOfDay = epochSeconds - days * 86_400
        let (y, m, d) = Instant.civil(fromDays: days)
        func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let year = String(y).count < 4 ? String(repeating: "0", count: 4 - String(y).count) + String(y) : String(y)
        return "\(year)-\(two(m))-\(two(d))T\(two(secondOfDay / 3600)):\(two(secondOfDay / 60 % 60)):\(two(secondOfDay % 60))"
            + (digits == 0 ? "" : "." + (fraction + String(repeating: "0", count: digits)).prefix(digits)) + "Z"
    }

    /// Days since 1970-01-01 of `YYYY-MM-DD` (proleptic Gregorian), years 1 to 294276 (PostgreSQL's
    /// last; its BC years are written `YYYY-MM-DD BC` and are not read here).
    static func days(fromDate text: String) -> Int64? {
        let f = text.split(separator: "-").map { Int($0) }
        guard f.count == 3, let y = f[0], let m = f[1], let d = f[2], (1...294_276).contains(y), (1...12).contains(m), (1...31).contains(d)
        else { return nil }
        return Int64(CivilDate.days(year: y, month: m, day: d))
    }

    static func civil(fromDays days: Int64) -> (Int64, Int64, Int64) {
        let (y, m, d) = CivilDate.civil(fromDays: Int(days))
        return (Int64(y), Int64(m), Int64(d))
    }
}
