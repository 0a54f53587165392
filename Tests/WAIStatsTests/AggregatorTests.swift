import XCTest
import WAIModel
import WAIRead
@testable import WAIAggregate
@testable import WAIEstimate
@testable import WAIPipeline

final class AggregatorTests: XCTestCase {
    /// A deterministic chunk: `rows` respondents, `items` items of `levels` levels, ~10 % missing,
    /// two demographics with 3 and 7 categories (0 = missing), weights in (0, 3).
    func chunk(rows: Int, items: Int, levels: Int, seed: UInt64) -> CodedChunk {
        var state = seed
        func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        var chunk = CodedChunk(demographicCount: 2)
        chunk.rowCount = rows
        for _ in 0..<rows {
            for _ in 0..<items {
                chunk.codes.append(next() % 10 == 0 ? 0 : UInt8(1 + next() % UInt64(levels)))
            }
            chunk.weights.append(Double(next() % 3000 + 1) / 1000)
            chunk.groups[0].append(UInt32(next() % 4))
            chunk.groups[1].append(UInt32(next() % 8))
        }
        return chunk
    }

    func testBLASAndLoopsGiveTheSameStatistics() {
        var blas = Aggregator(itemCount: 6, levelCount: 5, demographicCount: 2, path: .blas)
        var loops = Aggregator(itemCount: 6, levelCount: 5, demographicCount: 2, path: .loops)
        for seed in 1...4 as ClosedRange<UInt64> {
            let c = chunk(rows: 500 + Int(seed) * 37, items: 6, levels: 5, seed: seed)
            blas.add(c)
            loops.add(c)
        }
        let a = blas.statistics, b = loops.statistics
        // Counts are sums of ones: exact in both paths.
        XCTAssertEqual(a.overall.counts, b.overall.counts)
        XCTAssertEqual(a.overall.rows, b.overall.rows)
        XCTAssertEqual(a.byDemographic.map { $0.map(\.counts) }, b.byDemographic.map { $0.map(\.counts) })
        // Weighted sums differ only by summation order.
        for (x, y) in zip(a.overall.weighted, b.overall.weighted) {
            XCTAssertEqual(x, y, accuracy: 1e-12 * max(1, abs(x)))
        }
        for d in 0..<2 {
            for (cellA, cellB) in zip(a.byDemographic[d], b.byDemographic[d]) {
                for (x, y) in zip(cellA.weighted, cellB.weighted) {
                    XCTAssertEqual(x, y, accuracy: 1e-12 * max(1, abs(x)))
                }
            }
        }
    }

    func testCountsAgreeWithADirectTally() {
        let c = chunk(rows: 300, items: 3, levels: 7, seed: 99)
        var blas = Aggregator(itemCount: 3, levelCount: 7, demographicCount: 2, path: .blas)
        blas.add(c)
        // Tally item 2, level 4, category 2 of demographic 1 straight from the codes.
        var expected = 0.0
        for r in 0..<c.rowCount where c.codes[r * 3 + 2] == 4 && c.groups[1][r] == 2 { expected += 1 }
        XCTAssertEqual(blas.statistics.byDemographic[1][2].counts[2 * 7 + 3], expected)
        XCTAssertEqual(blas.statistics.overall.rows, 300)
    }

    func testStatisticsMergeByAddition() {
        let first = chunk(rows: 200, items: 4, levels: 5, seed: 7)
        let second = chunk(rows: 150, items: 4, levels: 5, seed: 8)
        var together = Aggregator(itemCount: 4, levelCount: 5, demographicCount: 2, path: .loops)
        together.add(first)
        together.add(second)
        var a = Aggregator(itemCount: 4, levelCount: 5, demographicCount: 2, path: .loops)
        var b = Aggregator(itemCount: 4, levelCount: 5, demographicCount: 2, path: .loops)
        a.add(first)
        b.add(second)
        var merged = a.statistics
        merged += b.statistics
        let single = together.statistics
        // Counts are exact; weighted sums are added in another order, so they agree to rounding.
        XCTAssertEqual(merged.overall.counts, single.overall.counts)
        XCTAssertEqual(merged.byDemographic.map { $0.map(\.counts) }, single.byDemographic.map { $0.map(\.counts) })
        XCTAssertEqual(merged.overall.weightSum, single.overall.weightSum, accuracy: 1e-9)
        for (x, y) in zip(merged.overall.weighted, single.overall.weighted) {
            XCTAssertEqual(x, y, accuracy: 1e-12 * max(1, abs(x)))
        }
    }
}
