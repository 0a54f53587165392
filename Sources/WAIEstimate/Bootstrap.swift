import Foundation
import WAIAggregate
import WAIModel

/// Bootstrap replicates drawn from sufficient statistics instead of from rows.
///
/// The Poisson bootstrap gives every respondent a multiplier m ~ Poisson(1) per replicate. For
/// an unweighted index only the level totals Σ m over the respondents of each level matter,
/// and a sum of n independent Poisson(1) draws is one Poisson(n) draw: so the replicate level
/// totals of an item are drawn exactly, one Poisson(n_k) per level, from the level counts —
/// with no cost per row, the same for any order of the rows, and the same for merged shards.
///
/// A weighted index or a composite (OA) needs the multipliers of the same respondents across
/// levels or items; for those the replicates are draws from the normal distribution of the
/// linearization estimate (its standard error from the items' cross-products).
///
/// Every draw is keyed by (seed, group, item or table, level, replicate) through stable
/// hashes of their names, never by a row's position or by the order categories are met.
enum Bootstrap {
    /// How the replicates of an estimate were made (`BootstrapSummary.method`).
    static let countsMethod = "Poisson bootstrap from the level counts"
    static let normalMethod = "normal draws from the linearization SE"
    static let replicateNormalMethod = "normal draws from the replicate-weight SE"

    /// The key of a group of respondents: 0 for all of them.
    static func groupKey(column: String, category: String?) -> UInt64 {
        mix(stableHash(column) ^ mix(category.map(stableHash) ?? 0x6D69_7373_696E_6700))
    }

    /// FNV-1a of the UTF-8 bytes: the same in every process (Swift's `Hasher` is seeded per run).
    static func stableHash(_ text: String) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in text.utf8 {
            h ^= UInt64(byte)
            h = h &* 0x0000_0100_0000_01B3
        }
        return h
    }

    static func key(_ parts: UInt64...) -> UInt64 {
        var h: UInt64 = 0x243F_6A88_85A3_08D3
        for part in parts { h = mix(h ^ mix(part)) }
        return h
    }

    /// Replicate indices of one item from its level counts and scores.
    static func fromCounts(_ counts: [Double], scores: [Double], replicates: Int, key base: UInt64) -> [Double?] {
        (0..<replicates).map { b in
            var total = 0.0, sum = 0.0
            for l in counts.indices where counts[l] > 0 {
                var random = KeyedRandom(key: key(base, UInt64(l), UInt64(b)))
                let draw = Double(poisson(counts[l], &random))
                total += draw
                sum += draw * scores[l]
            }
            return total > 0 ? sum / total : nil
        }
    }

    /// Replicates of an estimate from the normal distribution N(estimate, se²).
    static func fromNormal(estimate: Double, se: Double, replicates: Int, key base: UInt64) -> [Double?] {
        (0..<replicates).map { b in
            var random = KeyedRandom(key: key(base, UInt64(b)))
            return estimate + se * Distributions.normalQuantile(random.uniform())
        }
    }

    /// An exact Poisson(λ) draw: multiplication of uniforms below λ = 10, Hörmann's transformed
    /// rejection with squeeze (PTRS, 1993) above.
    static func poisson(_ lambda: Double, _ random: inout KeyedRandom) -> Int {
        guard lambda > 0 else { return 0 }
        if lambda < 10 {
            let limit = exp(-lambda)
            var product = random.uniform()
            var k = 0
            while product > limit {
                k += 1
                product *= random.uniform()
            }
            return k
        }
        let root = lambda.squareRoot()
        let logLambda = log(lambda)
        let b = 0.931 + 2.53 * root
        let a = -0.059 + 0.02483 * b
        let inverseAlpha = 1.1239 + 1.1328 / (b - 3.4)
        let vr = 0.9277 - 3.6224 / (b - 2)
        while true {
            let u = random.uniform() - 0.5
            let v = random.uniform()
            let us = 0.5 - abs(u)
            let k = Int(((2 * a / us + b) * u + lambda + 0.43).rounded(.down))
            if us >= 0.07 && v <= vr { return k }
            if k < 0 || (us < 0.013 && v > us) { continue }
            if log(v) + log(inverseAlpha) - log(a / (us * us) + b) <= -lambda + Double(k) * logLambda - lgamma(Double(k) + 1) {
                return k
            }
        }
    }
}

/// A stream of uniforms determined by one key (SplitMix64 over the key).
struct KeyedRandom {
    private var state: UInt64

    init(key: UInt64) { state = key }

    /// Uniform on the open interval (0, 1).
    mutating func uniform() -> Double {
        state &+= 0x9E37_79B9_7F4A_7C15
        return (Double(mix(state) >> 11) + 0.5) * 0x1p-53
    }
}

/// SplitMix64's finaliser: a well-mixed 64-bit value from any input.
@inline(__always)
func mix(_ value: UInt64) -> UInt64 {
    var z = value &+ 0x9E37_79B9_7F4A_7C15
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
}
