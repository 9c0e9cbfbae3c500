/// A 128-bit FNV-1a digest of an event id: what dedupe remembers instead of the id itself
/// (16 bytes instead of a ~60-byte string). Stable across processes and machines, unlike Swift's
/// seeded `hashValue`. Two distinct ids collide with probability ~n²/2¹²⁹: about 10⁻²¹ for the
/// billion ids of three years, so a false "already seen" is not a practical risk.
public struct EventDigest: Hashable, Sendable, CustomStringConvertible {
    public let high: UInt64
    public let low: UInt64

    public init(high: UInt64, low: UInt64) {
        (self.high, self.low) = (high, low)
    }

    public init(_ eventID: String) {
        // FNV-1a 128: offset basis 0x6c62272e07bb0142_62b821756295c58d, prime 2^88 + 0x13b.
        var high: UInt64 = 0x6c62_272e_07bb_0142
        var low: UInt64 = 0x62b8_2175_6295_c58d
        for byte in eventID.utf8 {
            low ^= UInt64(byte)
            // (high, low) * (2^88 + 0x13b) mod 2^128
            let (carry, product) = low.multipliedFullWidth(by: 0x13b)
            high = high &* 0x13b &+ carry &+ (low << 24)
            low = product
        }
        (self.high, self.low) = (high, low)
    }

    /// 32 lowercase hex digits: the changelog key.
    public var description: String {
        func hex(_ value: UInt64) -> String {
            let digits = String(value, radix: 16)
            return String(repeating: "0", count: 16 - digits.count) + digits
        }
        return hex(high) + hex(low)
    }

    public init?(hex: String) {
        guard hex.count == 32, let high = UInt64(hex.prefix(16), radix: 16), let low = UInt64(hex.suffix(16), radix: 16) else { return nil }
        (self.high, self.low) = (high, low)
    }
}
