import PropertyBased

/// Random histories of the six sources: each step is twelve small numbers that ``HistoryScript``
/// reads as choices, so swift-property-based can generate, reproduce from a seed and shrink them.
public enum HistoryGenerator {
    /// Steps of a history of `length` steps.
    public static func steps(length: ClosedRange<Int>) -> Generator<[[Int]], some Sequence> {
        Gen.int(in: 0...999).array(of: 12).array(of: length)
    }

    /// The history a seed gives (the same seed, the same history).
    public static func history(seed: UInt64, length: ClosedRange<Int>, profile: HistoryProfile) -> HistoryScript {
        var rng = Xoshiro(seed: (seed, seed ^ 0x9E37_79B9_7F4A_7C15, ~seed, seed &* 31))
        return HistoryScript(profile: profile, steps: steps(length: length).run(using: &rng))
    }
}
