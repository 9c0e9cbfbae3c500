import FoodbankJSON
import Foundation

/// A statement parameter, sent in PostgreSQL's text format (the server casts it to the column type).
public enum PostgresValue: Sendable, Equatable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByNilLiteral {
    case null
    case text(String)
    case int(Int64)
    case double(Double)
    case bool(Bool)
    case bytes([UInt8])

    public init(stringLiteral value: String) { self = .text(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(nilLiteral: ()) { self = .null }

    public static func optional(_ value: String?) -> PostgresValue { value.map(PostgresValue.text) ?? .null }
    public static func timestamp(_ date: Date) -> PostgresValue { .text(PostgresValue.iso8601(date)) }
    /// A list of texts as a JSON array, for `IN (SELECT jsonb_array_elements_text($n::jsonb))`: one
    /// parameter however long the list, so a batch's statement never grows with it.
    public static func jsonList(_ texts: some Sequence<String>) -> PostgresValue {
        .text(JSONValue.array(texts.map(JSONValue.string)).encodedString())
    }

    /// The text-format representation, `nil` for SQL NULL.
    public var textValue: String? {
        switch self {
        case .null: return nil
        case .text(let s): return s
        case .int(let i): return String(i)
        case .double(let d): return String(d)
        case .bool(let b): return b ? "t" : "f"
        case .bytes(let b): return "\\x" + PostgresValue.hex(b)
        }
    }

    /// Lower-case hex, fast enough for file-sized values.
    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8](repeating: 0, count: bytes.count * 2)
        for (i, byte) in bytes.enumerated() {
            out[2 * i] = digits[Int(byte >> 4)]
            out[2 * i + 1] = digits[Int(byte & 0x0f)]
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func iso8601(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }
}
