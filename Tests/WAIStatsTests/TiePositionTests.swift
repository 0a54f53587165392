import WAIAggregate
import WAITestSupport
import XCTest

/// The file-order tie sums of weighted rank tests (`TiePositionCounter`) against the definition,
/// Σ k·w with k numbering each demographic's answering rows of an item × level, written here
/// one demographic at a time.
final class TiePositionTests: XCTestCase {
    func testSharedAndPartlyAnsweredRowsGiveEachDemographicsOwnRanks() {
        var rng = SplitMix(seed: 29)
        for round in 0..<60 {
            let items = 1 + rng.below(6), levels = 2 + rng.below(6), demographics = 1 + rng.below(3)
            let rows = rng.below(400)
            let missingGroup = rng.pick([0.0, 0.01, 0.3, 0.9])
            let codes = (0..<rows * items).map { _ in UInt8(rng.chance(0.1) ? 0 : 1 + rng.below(levels)) }
            let weights = (0..<rows).map { _ in rng.chance(0.2) ? 1.0 : 0.1 + 3 * rng.uniform() }
            let groups = (0..<demographics).map { _ in (0..<rows).map { _ in UInt32(rng.chance(missingGroup) ? 0 : 1 + rng.below(4)) } }

            var expected = Array(repeating: Array(repeating: 0.0, count: items * levels), count: demographics)
            for d in 0..<demographics {
                var seen = Array(repeating: 0.0, count: items * levels)
                for r in 0..<rows where groups[d][r] != 0 {
                    for i in 0..<items where codes[r * items + i] != 0 {
                        let j = i * levels + Int(codes[r * items + i]) - 1
                        seen[j] += 1
                        expected[d][j] += seen[j] * weights[r]
                    }
                }
            }

            // Added in chunks cut anywhere.
            var counter = TiePositionCounter(items: items, levels: levels, demographics: demographics)
            var start = 0
            while start < rows {
                let end = min(rows, start + 1 + rng.below(60))
                let n = end - start
                let chunkGroups = groups.map { Array($0[start..<end]) }
                codes.withUnsafeBufferPointer { c in
                    weights.withUnsafeBufferPointer { w in
                        let pointers = chunkGroups.map { column in
                            let p = UnsafeMutablePointer<UInt32>.allocate(capacity: max(1, n))
                            p.initialize(from: column, count: n)
                            return p
                        }
                        defer { pointers.forEach { $0.deallocate() } }
                        counter.add(codes: c.baseAddress! + start * items, weights: w.baseAddress! + start, groups: pointers.map { UnsafePointer($0) }, rows: n)
                    }
                }
                start = end
            }
            let got = counter.positions
            for d in 0..<demographics {
                for j in 0..<items * levels {
                    XCTAssertEqual(got[d][j], expected[d][j], accuracy: 1e-9 * max(1, expected[d][j]),
                                   "round \(round), demographic \(d), slot \(j)")
                }
            }
        }
    }
}
