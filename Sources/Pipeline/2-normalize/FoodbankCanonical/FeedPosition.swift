/// A feed row version's position, ordered as the contract orders versions: by delivery (the order
/// in which the platform first saw each file version), then by line within the file (the later line
/// wins). A retraction of a file version sits after all of that version's lines, so it removes them
/// all and nothing delivered later.
public enum FeedPosition {
    static let lineBits: Int64 = 24
    static let lastLine: Int64 = (1 << lineBits) - 1

    /// The position of line `line` (1-based) of the file version delivered `delivery`-th.
    public static func line(_ line: Int64, delivery: Int64) -> Int64 {
        (delivery << lineBits) | min(max(line, 0), lastLine - 1)
    }

    /// The position of the retraction of the file version delivered `delivery`-th.
    public static func retraction(delivery: Int64) -> Int64 { (delivery << lineBits) | lastLine }
}
