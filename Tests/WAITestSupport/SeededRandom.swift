/// The one seeded generator of the test targets: SplitMix64, small, fast and the same on every
/// platform, so a failing random case can be replayed from its seed.
public struct SplitMix: RandomNumberGenerator, Sendable {
    public var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform on the open interval (0, 1).
    public mutating func uniform() -> Double { (Double(next() >> 11) + 0.5) * 0x1p-53 }
    public mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    public mutating func chance(_ p: Double) -> Bool { Double(next() >> 11) * 0x1p-53 < p }
    public mutating func pick<T>(_ values: [T]) -> T { values[below(values.count)] }
}
