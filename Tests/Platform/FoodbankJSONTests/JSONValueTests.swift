@testable import FoodbankJSON
import CJansson
import Testing

@Suite struct JSONValueTests {
    @Test func parsesADebeziumShapedEnvelope() throws {
        let json = try JSONValue.parse(#"{"before":null,"after":{"txn_id":7,"quantity_cases":"12.50","perishable":true},"op":"c","ts_ms":1700000000000}"#)
        #expect(json["op"]?.stringValue == "c")
        #expect(json["before"]?.isNull == true)
        #expect(json["after"]?["txn_id"]?.intValue == 7)
        #expect(json["after"]?["quantity_cases"]?.stringValue == "12.50")
        #expect(json["after"]?["perishable"]?.boolValue == true)
        #expect(json["ts_ms"]?.intValue == 1_700_000_000_000)
    }

    @Test func encodingIsCompactSortedAndRoundTrips() throws {
        let value = JSONValue.object(["b": .array([.int(1), .double(2.5), .null]), "a": .string("é \"quoted\"\n"), "c": .bool(false)])
        let text = value.encodedString()
        #expect(text == #"{"a":"é \"quoted\"\n","b":[1,2.5,null],"c":false}"#)
        #expect(try JSONValue.parse(text) == value)
    }

    @Test func astralCharactersSurvive() throws {
        let value = JSONValue.string("canned 🥫 jalapeño")
        #expect(try JSONValue.parse(value.encoded()) == value)
    }

    /// A NUL cannot be stored in PostgreSQL text: such a document is refused at the door.
    @Test func escapedNulInAStringIsRejected() {
        #expect(throws: JSONError.self) { try JSONValue.parse(#"{"notes":"a\u0000b"}"#) }
    }

    @Test func doublesRoundTripExactly() throws {
        let value = JSONValue.double(0.1 + 0.2)
        #expect(try JSONValue.parse(value.encoded()) == value)
    }

    @Test(arguments: [
        ("", "empty"), ("{", "truncated"), (#"{"a":1,}"#, "trailing comma"), (#"{"a":1,"a":2}"#, "duplicate key"),
        ("[1 2]", "missing comma"), ("nul", "bad literal"), ("123456789012345678901234567890", "integer too big"),
    ])
    func rejectsMalformedInputWithAPosition(input: String, why: String) {
        let error = #expect(throws: JSONError.self, "\(why)") { try JSONValue.parse(input) }
        #expect(error?.line ?? 0 >= 0)
        #expect(error?.description.contains("invalid JSON") == true)
    }

    @Test func rejectsInvalidUTF8() {
        let bytes: [UInt8] = Array(#"{"sku":""#.utf8) + [0xC3, 0x28] + Array(#""}"#.utf8)
        #expect(throws: JSONError.self) { try JSONValue.parse(bytes) }
    }
}

/// The direct compact encoder writes exactly what jansson's dump writes.
@Suite struct DirectEncodingTests {
    @Test func matchesJanssonByteForByte() throws {
        let samples: [JSONValue] = [
            .object(["b": .int(-7), "a": .string("x\"y\\z\n\t\r\u{8}\u{c}\u{1}\u{1f}é😀/"), "ä": .null, "A": .bool(false),
                     "n": .array([.double(0.1), .double(1e300), .double(-2.5), .int(Int64.max), .int(Int64.min), .bool(true)]),
                     "o": .object([:]), "e": .array([]), "z": .object(["k": .string(""), "": .int(1), "kk": .null])]),
            .string("plain"), .int(0), .null, .array([.object(["x": .double(3)])]),
        ]
        for value in samples {
            #expect(value.encoded() == value.janssonEncoded(flags: Int(JSON_COMPACT | JSON_SORT_KEYS)), "\(value)")
        }
    }
}
