/// A PostgreSQL WAL position. Text form `16/B374D848`; Debezium's `source.lsn` is its 64-bit value.
public struct LogSequenceNumber: Comparable, Hashable, Sendable, CustomStringConvertible {
    public let value: UInt64

    public init(_ value: UInt64) { self.value = value }

    public init?(_ text: String) {
        let parts = text.split(separator: "/")
        guard parts.count == 2, let high = UInt64(parts[0], radix: 16), let low = UInt64(parts[1], radix: 16),
              high <= UInt32.max, low <= UInt32.max else { return nil }
        value = high << 32 | low
    }

    public var description: String {
        String(value >> 32, radix: 16, uppercase: true) + "/" + String(value & 0xFFFF_FFFF, radix: 16, uppercase: true)
    }

    public static func < (a: LogSequenceNumber, b: LogSequenceNumber) -> Bool { a.value < b.value }
}
