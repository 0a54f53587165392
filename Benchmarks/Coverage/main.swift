// Coverage of wai's 95 % intervals, by simulation: draw samples from a population whose
// WAI is known, compute the linearization and bootstrap intervals of each sample through
// the same Aggregator and Estimator the tool uses, and count how often they hold the truth.
//
//     swift run -c release wai-coverage [simulations] [replicates]
//
// Not a test: it reports, it does not assert.
import Foundation
import WAIKit

let arguments = CommandLine.arguments
let simulations = arguments.count > 1 ? Int(arguments[1])! : 1000
let replicates = arguments.count > 2 ? Int(arguments[2])! : 1000

/// A population answer distribution over five levels and its true normalized WAI.
struct Population {
    var name: String
    var shares: [Double]
    var wai: Double { zip(shares, [0, 0.25, 0.5, 0.75, 1]).reduce(0) { $0 + $1.0 * $1.1 } }
}
let populations = [
    Population(name: "centred", shares: [0.10, 0.20, 0.40, 0.20, 0.10]),
    Population(name: "skewed high", shares: [0.03, 0.07, 0.20, 0.40, 0.30]),
    Population(name: "polarised", shares: [0.30, 0.10, 0.10, 0.10, 0.40]),
]

/// SplitMix64, so every run draws the same samples.
struct Random {
    var state: UInt64
    mutating func uniform() -> Double {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Double((z ^ (z >> 31)) >> 11) * 0x1p-53
    }
}
var random = Random(state: 0x5EED)

let spec = SurveySpec(title: "coverage", scale: .fivePointDegree,
                      tables: [ItemTable(id: "t", title: "t", composite: false, items: [Item(id: "q", column: "q", text: "q")])])
let item = spec.allItems
print("simulations \(simulations), bootstrap replicates \(replicates), nominal 95 %")
print("population    n    true WAI  linearization  bootstrap  mean band certainty")
for population in populations {
    let cumulative = population.shares.reduce(into: [Double]()) { $0.append(($0.last ?? 0) + $1) }
    for n in [30, 99, 400] {
        var hitLinear = 0, hitBoot = 0, certainty = 0.0
        for s in 0..<simulations {
            var chunk = CodedChunk(demographicCount: 0)
            chunk.rowCount = n
            for _ in 0..<n {
                let u = random.uniform()
                chunk.codes.append(UInt8(1 + (cumulative.firstIndex { u < $0 } ?? 4)))
                chunk.weights.append(1)
            }
            let inference = InferenceOptions(replicates: replicates, seed: UInt64(s))
            var aggregator = Aggregator(itemCount: 1, levelCount: 5, demographicCount: 0,
                                        plan: Analyzer.plan(spec: spec, items: item, inference: inference),
                                        scores: Analyzer.scores(spec: spec, items: item))
            aggregator.add(chunk)
            let analysis = try Estimation.summarize(spec: spec, items: item, statistics: aggregator.statistics, categories: [],
                                                  quality: DataQuality(), data: "simulated")
            let estimate = analysis.tables[0].items[0]
            if let i = estimate.interval, i.lower <= population.wai, population.wai <= i.upper { hitLinear += 1 }
            if let b = estimate.bootstrap {
                if b.interval.lower <= population.wai, population.wai <= b.interval.upper { hitBoot += 1 }
                certainty += b.bandCertainty
            }
        }
        let pad = { (s: String, w: Int) in s.padding(toLength: w, withPad: " ", startingAt: 0) }
        print(pad(population.name, 13), pad(String(n), 4), pad(String(format: "%.3f", population.wai), 9),
              pad(String(format: "%.1f %%", 100 * Double(hitLinear) / Double(simulations)), 14),
              pad(String(format: "%.1f %%", 100 * Double(hitBoot) / Double(simulations)), 10),
              String(format: "%.2f", certainty / Double(simulations)))
    }
}
