import CJansson
#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// A JSON document as a Swift value, parsed and printed by jansson.
///
/// jansson validates UTF-8 and rejects duplicate object keys, so what reaches a stage is
/// well-formed; anything else throws ``JSONError`` with the position of the problem.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// Parses a document whose top level may be any JSON value.
    public static func parse(_ bytes: [UInt8]) throws -> JSONValue {
        guard !bytes.isEmpty else { throw JSONError(message: "empty input", line: 1, column: 0, position: 0) }
        var error = json_error_t()
        let root = bytes.withUnsafeBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: max(buffer.count, 1)) {
                json_loadb($0, buffer.count, Int(JSON_DECODE_ANY | JSON_REJECT_DUPLICATES), &error)
            }
        }
        guard let root else {
            let text = withUnsafeBytes(of: &error.text) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            throw JSONError(message: text, line: Int(error.line), column: Int(error.column), position: Int(error.position))
        }
        defer { json_decref(root) }
        return JSONValue(root)
    }

    public static func parse(_ text: String) throws -> JSONValue { try parse(Array(text.utf8)) }

    /// JSON with sorted keys: the same value always prints to the same bytes. Compact unless
    /// `indent` (spaces per level) is given, for documents people read.
    ///
    /// The compact form is written directly (same bytes as jansson's compact, sorted output): every
    /// record a stage publishes goes through here, and building a jansson tree first doubled the cost.
    public func encoded(indent: Int? = nil) -> [UInt8] {
        guard let indent else {
            var out: [UInt8] = []
            out.reserveCapacity(512)
            write(to: &out)
            return out
        }
        return janssonEncoded(flags: Int(indent & 0x1F) | Int(JSON_SORT_KEYS))
    }

    /// jansson's own dump (for indented documents, doubles, and the test that holds the direct
    /// encoder to jansson's bytes).
    func janssonEncoded(flags extra: Int) -> [UInt8] {
        let root = makeJansson()
        defer { json_decref(root) }
        let flags = extra | Int(JSON_ENCODE_ANY) | Self.realPrecision
        let size = json_dumpb(root, nil, 0, flags)
        var out = [UInt8](repeating: 0, count: size)
        out.withUnsafeMutableBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: size) { _ = json_dumpb(root, $0, size, flags) }
        }
        return out
    }

    public func encodedString() -> String { String(decoding: encoded(), as: UTF8.self) }

    private func write(to out: inout [UInt8]) {
        switch self {
        case .null: out.append(contentsOf: [0x6E, 0x75, 0x6C, 0x6C])
        case .bool(let b): out.append(contentsOf: b ? Array("true".utf8) : Array("false".utf8))
        case .int(let i): out.append(contentsOf: String(i).utf8)
        case .double: out.append(contentsOf: janssonEncoded(flags: Int(JSON_COMPACT)))
        case .string(let text): Self.writeString(text, to: &out)
        case .array(let items):
            out.append(0x5B)
            for (index, item) in items.enumerated() {
                if index > 0 { out.append(0x2C) }
                item.write(to: &out)
            }
            out.append(0x5D)
        case .object(let members):
            out.append(0x7B)
            // jansson sorts keys with strcmp: byte order of the UTF-8.
            for (index, key) in members.keys.sorted(by: Self.byteOrder).enumerated() {
                if index > 0 { out.append(0x2C) }
                Self.writeString(key, to: &out)
                out.append(0x3A)
                members[key]!.write(to: &out)
            }
            out.append(0x7D)
        }
    }

    /// strcmp's order of two keys (jansson sorts that way): bytes of the UTF-8, compared with memcmp.
    private static func byteOrder(_ a: String, _ b: String) -> Bool {
        var a = a, b = b
        return a.withUTF8 { x in
            b.withUTF8 { y in
                guard let xs = x.baseAddress, let ys = y.baseAddress, !x.isEmpty, !y.isEmpty else { return x.count < y.count }
                let common = memcmp(xs, ys, min(x.count, y.count))
                return common != 0 ? common < 0 : x.count < y.count
            }
        }
    }

    /// A string as jansson writes it: quotes, backslashes and control characters escaped, the rest as is.
    private static func writeString(_ text: String, to out: inout [UInt8]) {
        out.append(0x22)
        // Most strings need no escape: copy them whole.
        if !text.utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }) {
            out.append(contentsOf: text.utf8)
            out.append(0x22)
            return
        }
        for byte in text.utf8 {
            switch byte {
            case 0x22: out.append(contentsOf: [0x5C, 0x22])
            case 0x5C: out.append(contentsOf: [0x5C, 0x5C])
            case 0x08: out.append(contentsOf: [0x5C, 0x62])
            case 0x0C: out.append(contentsOf: [0x5C, 0x66])
            case 0x0A: out.append(contentsOf: [0x5C, 0x6E])
            case 0x0D: out.append(contentsOf: [0x5C, 0x72])
            case 0x09: out.append(contentsOf: [0x5C, 0x74])
            case 0..<0x20:
                let hex = Array("0123456789ABCDEF".utf8)
                out.append(contentsOf: [0x5C, 0x75, 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
            default: out.append(byte)
            }
        }
        out.append(0x22)
    }



    /// JSON_REAL_PRECISION(17): doubles round-trip exactly.
    private static let realPrecision = (17 & 0x1F) << 11

    private init(_ json: UnsafeMutablePointer<json_t>) {
        switch json.pointee.type {
        case JSON_OBJECT:
            var members: [String: JSONValue] = [:]
            var iter = json_object_iter(json)
            while let it = iter {
                members[String(cString: json_object_iter_key(it))] = JSONValue(json_object_iter_value(it))
                iter = json_object_iter_next(json, it)
            }
            self = .object(members)
        case JSON_ARRAY:
            self = .array((0..<json_array_size(json)).map { JSONValue(json_array_get(json, $0)) })
        case JSON_STRING:
            let length = json_string_length(json)
            let pointer = UnsafeRawPointer(json_string_value(json)!)
            self = .string(String(decoding: UnsafeRawBufferPointer(start: pointer, count: length), as: UTF8.self))
        case JSON_INTEGER: self = .int(json_integer_value(json))
        case JSON_REAL: self = .double(json_real_value(json))
        case JSON_TRUE: self = .bool(true)
        case JSON_FALSE: self = .bool(false)
        default: self = .null
        }
    }

    private func makeJansson() -> UnsafeMutablePointer<json_t> {
        switch self {
        case .null: return json_null()
        case .bool(let b): return b ? json_true() : json_false()
        case .int(let i): return json_integer(i)
        case .double(let d): return d.isFinite ? json_real(d) : json_null()
        case .string(let s):
            var s = s
            return s.withUTF8 { buffer in
                guard let base = buffer.baseAddress, buffer.count > 0 else { return json_string_nocheck("") }
                return base.withMemoryRebound(to: CChar.self, capacity: buffer.count) { json_stringn_nocheck($0, buffer.count) }
            }
        case .array(let items):
            let array = json_array()!
            for item in items { json_array_append_new(array, item.makeJansson()) }
            return array
        case .object(let members):
            let object = json_object()!
            for (key, value) in members { json_object_set_new_nocheck(object, key, value.makeJansson()) }
            return object
        }
    }
}

public struct JSONError: Error, CustomStringConvertible, Sendable, Equatable {
    public let message: String
    public let line: Int
    public let column: Int
    /// Byte offset of the problem in the input.
    public let position: Int

    public var description: String { "invalid JSON at line \(line), column \(column): \(message)" }
}

extension JSONValue {
    public subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    public var stringValue: String? { if case .string(let s) = self { return s }; return nil }
    public var intValue: Int64? {
        switch self {
        case .int(let i): return i
        case .double(let d) where d.rounded() == d && abs(d) < 9e15: return Int64(d)
        default: return nil
        }
    }
    public var doubleValue: Double? {
        switch self {
        case .double(let d): return d
        case .int(let i): return Double(i)
        default: return nil
        }
    }
    public var boolValue: Bool? { if case .bool(let b) = self { return b }; return nil }
    public var arrayValue: [JSONValue]? { if case .array(let a) = self { return a }; return nil }
    public var objectValue: [String: JSONValue]? { if case .object(let o) = self { return o }; return nil }
    public var isNull: Bool { self == .null }
}
