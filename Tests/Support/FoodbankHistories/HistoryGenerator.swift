import PropertyBased

/// Random histories of the six sources: each step is twelve small numbers that ``HistoryScript``
/// reads as choices, so swift-property-based can generate, reproduce from a seed and shrink them.
public enum HistoryGenerator {
    /// Steps of a history of `length` steps.
    public static func steps(length: ClosedRange<Int>) -> Generator<[[Int]], some Sequence> {
        Gen.int(in: 0...999).array(of: 12).array(of: length)
    }

    /// The history a seed gives (the same seed, the same history).
    public static func history(seed: UInt64, length: ClosedRange<Int>) -> HistoryScript {
        var rng = random(seed: seed)
        return HistoryScript(steps: steps(length: length).run(using: &rng))
    }

    /// A generator seeded from one number, its state spread by SplitMix64 (a small seed taken as it is
    /// makes Xoshiro's first outputs nearly all zero).
    public static func random(seed: UInt64, stream: UInt64 = 0) -> Xoshiro {
        var state = seed &+ stream &* 0xD1B5_4A32_D192_ED03
        func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        return Xoshiro(seed: (next(), next(), next(), next()))
    }
}
