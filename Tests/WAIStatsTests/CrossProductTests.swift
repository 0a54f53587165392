import XCTest
import WAIModel
import WAIRead
import WAITestSupport
@testable import WAIAggregate
@testable import WAIEstimate
@testable import WAIPipeline

/// The cross-products against the textbook sums, computed here row by row: [A M]ᵀ[A M] with
/// A = w·s·m and M = w·m per cell, and the Gram matrix of √w·[s 1] over complete rows, for
/// unit weights (the single-precision level-position path) and for real weights (the double
/// path), with affine and non-affine scores, several chunks, one to three demographics, and
/// joint cells kept to the end or spread into marginal ones part-way (a limit of 1–3).
final class CrossProductTests: XCTestCase {
    func testCrossProductsEqualTheirDefinitionRowByRow() {
        var random = SplitMix(seed: 2024)
        for trial in 0..<48 {
            let p = 1 + random.below(7)
            let levels = 2 + random.below(6)
            let weighted = trial % 3 == 0
            let affine = trial % 4 != 1
            let irregular: [Double] = [0.0, 0.9, 0.1, 0.7, 0.3, 1.0, 0.2]
            func score(_ i: Int, _ l: Int) -> Double {
                let top = Double(levels - 1)
                if !affine { return irregular[l] }
                return i % 2 == 0 ? Double(l) / top : Double(levels - 1 - l) / top + 0.5
            }
            let scores: [[Double]] = (0..<p).map { i in (0..<levels).map { score(i, $0) } }
            let table = Array(0..<p).filter { _ in random.chance(0.7) }
            let plan = AggregationPlan(pairwise: true, reliabilityTables: table.count >= 2 ? [table] : [])
            let demographics = 1 + trial % 3
            let limit: Int? = trial % 2 == 0 ? nil : 1 + random.below(3)
            var accumulator = CrossProductAccumulator(items: p, levels: levels, demographics: demographics, scores: scores,
                                                      plan: plan, jointLimit: limit)
            var rows: [(codes: [UInt8], w: Double, g: [Int])] = []
            for _ in 0..<(1 + random.below(4)) {
                var chunk = CodedChunk(demographicCount: demographics)
                chunk.rowCount = 1 + random.below(60)
                for _ in 0..<chunk.rowCount {
                    let codes = (0..<p).map { _ in random.chance(0.2) ? UInt8(0) : UInt8(1 + random.below(levels)) }
                    let w = weighted ? 0.25 + 3 * random.uniform() : 1
                    let g = (0..<demographics).map { _ in random.below(3) }
                    chunk.codes += codes
                    chunk.weights.append(w)
                    for d in 0..<demographics { chunk.groups[d].append(UInt32(g[d])) }
                    rows.append((codes, w, g))
                }
                accumulator.add(chunk)
            }
            var statistics = SufficientStatistics(itemCount: p, levelCount: levels, demographicCount: demographics, plan: plan)
            for d in 0..<demographics { statistics.ensure(demographic: d, categories: 2) }
            accumulator.finish(into: &statistics)

            func expectedPairwise(_ member: ([Int]) -> Bool) -> [Double] {
                let width = 2 * p
                var out = [Double](repeating: 0, count: width * width)
                for row in rows.indices where member(rows[row].g) {
                    let (codes, w, _) = rows[row]
                    let x = (0..<width).map { k -> Double in
                        let i = k % p
                        guard codes[i] > 0 else { return 0 }
                        return k < p ? w * scores[i][Int(codes[i]) - 1] : w
                    }
                    for a in 0..<width { for b in a..<width { out[a * width + b] += x[a] * x[b] } }
                }
                return out
            }
            func assertClose(_ got: [Double], _ expected: [Double], _ what: String) {
                XCTAssertEqual(got.count, expected.count, what)
                for (g, e) in zip(got, expected) {
                    XCTAssertEqual(g, e, accuracy: 1e-9 * max(1, abs(e)), "\(what), trial \(trial)")
                }
            }
            func upper(_ m: [Double], _ n: Int) -> [Double] {
                (0..<(n * n)).map { $0 % n >= $0 / n ? m[$0] : 0 }
            }
            let width = 2 * p
            assertClose(upper(statistics.overall.pairwise, width), expectedPairwise { _ in true }, "overall")
            for d in 0..<demographics {
                for g in 0..<3 {
                    assertClose(upper(statistics.byDemographic[d][g].pairwise, width), expectedPairwise { $0[d] == g },
                                "demographic \(d) group \(g), joint limit \(limit.map(String.init) ?? "default")")
                }
            }
            if let reliability = statistics.reliability.first {
                let n = table.count + 1
                var expected = [Double](repeating: 0, count: n * n)
                var complete = 0.0
                for (codes, w, _) in rows where table.allSatisfy({ codes[$0] > 0 }) {
                    let x = table.map { w.squareRoot() * scores[$0][Int(codes[$0]) - 1] } + [w.squareRoot()]
                    for a in 0..<n { for b in a..<n { expected[a * n + b] += x[a] * x[b] } }
                    complete += 1
                }
                XCTAssertEqual(reliability.rows, complete)
                assertClose(upper(reliability.crossProducts, n), expected, "reliability")
            }
        }
    }

    func testAffineScoresAreRecognisedOverEachItemsOwnLevels() {
        let found = CrossProductAccumulator.affineScores([[0, 0.25, 0.5, 0.75, 1], [1, 0.5, 0], [0.2, 0.4]], levels: 5)
        XCTAssertEqual(found?.map(\.alpha), [0, 1, 0.2])
        XCTAssertEqual(found?.map(\.beta), [0.25, -0.5, 0.2])
        XCTAssertNil(CrossProductAccumulator.affineScores([[0, 0.9, 0.1]], levels: 3))
    }
}
