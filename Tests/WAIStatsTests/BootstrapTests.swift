import XCTest
import Foundation
import WAITestSupport
import WAIRead
import WAIModel
@testable import WAIAggregate
@testable import WAIEstimate
@testable import WAIPipeline

final class BootstrapTests: XCTestCase {
    func analyze(_ csv: String, seed: UInt64 = 7, replicates: Int = 200, chunkRows: Int = 4096) throws -> SurveyAnalysis {
        try Analyzer.analyze(spec: Fixture.spec(), csvPath: try Fixture.write(csv), options: ReadOptions(chunkRows: chunkRows),
                             inference: InferenceOptions(replicates: replicates, seed: seed))
    }

    /// 60 respondents with a spread of answers.
    var spread: String {
        var csv = "respondent,gender,q1,q2,w\n"
        for r in 0..<60 { csv += "r\(r),\(r % 3 == 0 ? "F" : "M"),\(1 + r % 5),\(1 + (r * 7) % 5),1\n" }
        return csv
    }

    func testTheSameSeedGivesTheSameReplicatesAndAnotherSeedDoesNot() throws {
        let a = try analyze(spread, seed: 11)
        let b = try analyze(spread, seed: 11)
        let c = try analyze(spread, seed: 12)
        XCTAssertEqual(a.tables[0].items[0].bootstrap, b.tables[0].items[0].bootstrap)
        XCTAssertEqual(a.breakdowns[0].groups[0].tables[0].composite?.bootstrap, b.breakdowns[0].groups[0].tables[0].composite?.bootstrap)
        XCTAssertNotEqual(a.tables[0].items[0].bootstrap?.se, c.tables[0].items[0].bootstrap?.se)
    }

    func testReplicatesDoNotDependOnChunking() throws {
        // Replicates are drawn from the statistics, which unit weights make integers: any
        // chunking gives the same bits.
        let whole = try analyze(spread, chunkRows: 4096)
        let pieces = try analyze(spread, chunkRows: 7)
        XCTAssertEqual(whole.tables, pieces.tables)
        XCTAssertEqual(whole.breakdowns, pieces.breakdowns)
    }

    func testShuffledRowsGiveIdenticalJSONWithTheBootstrapOn() throws {
        // Weights that are multiples of 1/4 keep every weighted sum exact in any order, so the
        // weighted (normal-draw) path is compared bit for bit too.
        let spec = Fixture.spec(weight: "w")
        var rows: [String] = []
        for r in 0..<90 { rows.append("r\(r),\(r % 3 == 0 ? "F" : "M"),\(1 + r % 5),\(r % 11 == 0 ? "" : String(1 + (r * 7) % 5)),\(Double(1 + r % 4) / 4)") }
        var random = SplitMix(seed: 3)
        var shuffled = rows
        for i in stride(from: shuffled.count - 1, to: 0, by: -1) { shuffled.swapAt(i, Int(random.next() % UInt64(i + 1))) }
        XCTAssertNotEqual(rows, shuffled)
        let header = "respondent,gender,q1,q2,w\n"
        func analysis(_ body: [String], _ s: SurveySpec, ties: InferenceOptions.RankTies = .midpoint) throws -> SurveyAnalysis {
            try Analyzer.analyze(spec: s, csvPath: try Fixture.write(header + body.joined(separator: "\n") + "\n"),
                                 displayName: "r.csv", inference: InferenceOptions(replicates: 300, seed: 5, rankTies: ties))
        }
        func json(_ body: [String], _ s: SurveySpec, ties: InferenceOptions.RankTies = .midpoint) throws -> String {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            return String(decoding: try encoder.encode(try analysis(body, s, ties: ties)), as: UTF8.self)
        }
        XCTAssertEqual(try json(rows, spec), try json(shuffled, spec))
        XCTAssertEqual(try json(rows, Fixture.spec()), try json(shuffled, Fixture.spec()))
        XCTAssertEqual(try json(rows, Fixture.spec(), ties: .fileOrder), try json(shuffled, Fixture.spec(), ties: .fileOrder))
        // R's file-order tie rule (the default) is the one number that follows the order of tied
        // rows of unequal weight: everything else stays identical.
        var (a, b) = (try analysis(rows, spec, ties: .fileOrder), try analysis(shuffled, spec, ties: .fileOrder))
        XCTAssertEqual(a.breakdowns[0].comparisons.map { $0.rankTest?.ties }, ["file-order", "file-order"])
        XCTAssertNotEqual(a.breakdowns[0].comparisons.map(\.rankTest), b.breakdowns[0].comparisons.map(\.rankTest))
        for c in a.breakdowns[0].comparisons.indices {
            a.breakdowns[0].comparisons[c].rankTest = nil
            b.breakdowns[0].comparisons[c].rankTest = nil
        }
        a.method.inference.rankTies = .midpoint
        b.method.inference.rankTies = .midpoint
        XCTAssertEqual(a, b)
        XCTAssert(try json(rows, spec).contains(Bootstrap.normalMethod))
        XCTAssert(try json(rows, Fixture.spec()).contains(Bootstrap.countsMethod))
    }

    /// Mean and variance of Poisson(λ) draws are λ; P(0) = e^−λ. Checked on both branches of the
    /// sampler (multiplication below 10, PTRS from 10), within 5 standard errors.
    func testPoissonDrawsHaveTheirDistributionsMoments() {
        for lambda in [0.3, 1, 4.5, 9.99, 10, 37, 2_500, 1e6] {
            let draws = 40_000
            var sum = 0.0, squares = 0.0, zeros = 0
            for b in 0..<draws {
                var random = KeyedRandom(key: Bootstrap.key(99, UInt64(lambda * 100), UInt64(b)))
                let k = Double(Bootstrap.poisson(lambda, &random))
                sum += k
                squares += k * k
                if k == 0 { zeros += 1 }
            }
            let mean = sum / Double(draws)
            let variance = squares / Double(draws) - mean * mean
            XCTAssertEqual(mean, lambda, accuracy: 5 * (lambda / Double(draws)).squareRoot(), "λ = \(lambda)")
            // Var of the sample variance of a Poisson is about (2λ² + λ)/n.
            XCTAssertEqual(variance, lambda, accuracy: 5 * ((2 * lambda * lambda + lambda) / Double(draws)).squareRoot(), "λ = \(lambda)")
            let p0 = exp(-lambda)
            XCTAssertEqual(Double(zeros) / Double(draws), p0, accuracy: 5 * (p0 * (1 - p0) / Double(draws)).squareRoot() + 1e-12, "λ = \(lambda)")
        }
        var random = KeyedRandom(key: 1)
        XCTAssertEqual(Bootstrap.poisson(0, &random), 0)
    }

    /// The replicates drawn from the counts are the row-by-row Poisson bootstrap: here that one
    /// is computed in the test, each of 600 respondents with its own Poisson(1) multiplier (by
    /// Knuth's method on an independent generator), and the two bootstrap SEs of the index agree
    /// to Monte Carlo noise (each has about 1.6 % relative error at 2,000 replicates).
    func testReplicatesFromCountsMatchARowByRowPoissonBootstrap() throws {
        var answers: [Int] = []
        for r in 0..<600 { answers.append([1, 2, 2, 3, 3, 3, 4, 4, 5, 5, 5, 5][r % 12]) }
        let scores = [0, 0.25, 0.5, 0.75, 1]
        let replicates = 2_000
        var random = SplitMix(seed: 17)
        func poissonOne() -> Int {
            var k = 0, product = random.uniform()
            while product > exp(-1.0) { k += 1; product *= random.uniform() }
            return k
        }
        var rowByRow: [Double] = []
        for _ in 0..<replicates {
            var total = 0.0, sum = 0.0
            for a in answers {
                let m = Double(poissonOne())
                total += m
                sum += m * scores[a - 1]
            }
            rowByRow.append(sum / total)
        }
        var counts = [Double](repeating: 0, count: 5)
        for a in answers { counts[a - 1] += 1 }
        let fromCounts = Bootstrap.fromCounts(counts, scores: scores, replicates: replicates, key: 8).map { $0! }
        func sd(_ x: [Double]) -> Double {
            let mean = x.reduce(0, +) / Double(x.count)
            return (x.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(x.count - 1)).squareRoot()
        }
        // Both estimate √(Σ(s − ȳ)²)/n, the bootstrap SE of a mean of 600 scores.
        let mean = answers.reduce(0) { $0 + scores[$1 - 1] } / 600
        let theory = (answers.reduce(0) { $0 + pow(scores[$1 - 1] - mean, 2) }).squareRoot() / 600
        XCTAssertEqual(sd(fromCounts) / theory, 1, accuracy: 0.08)
        XCTAssertEqual(sd(rowByRow) / theory, 1, accuracy: 0.08)
        XCTAssertEqual(sd(fromCounts) / sd(rowByRow), 1, accuracy: 0.1)
    }

    func testBandCertaintyIsOneWhenEveryAnswerIsTheSame() throws {
        var csv = "respondent,gender,q1,q2,w\n"
        for r in 0..<30 { csv += "r\(r),F,4,2,1\n" }
        let q1 = try analyze(csv).tables[0].items[0]
        // Every replicate holds only level 4 (score .75): the index is .75 in all of them.
        XCTAssertEqual(q1.bootstrap?.bandCertainty, 1)
        XCTAssertEqual(q1.bootstrap?.se, 0)
        XCTAssertEqual(q1.bootstrap?.interval.lower, 0.75)
        XCTAssertEqual(q1.bootstrap?.interval.upper, 0.75)
    }

    func testBootstrapAgreesWithLinearizationOnAModerateSample() throws {
        let q1 = try analyze(spread, replicates: 1000).tables[0].items[0]
        // q1 cycles through the five levels evenly: WAI 0.5; both SEs estimate the same
        // sampling spread, so they agree to bootstrap noise (about 2.2 % for 1000 replicates).
        XCTAssertEqual(q1.wai!, 0.5, accuracy: 1e-12)
        let ratio = q1.bootstrap!.se / q1.se!
        XCTAssertEqual(ratio, 1, accuracy: 0.1)
        XCTAssertLessThan(q1.bootstrap!.interval.lower, 0.5)
        XCTAssertGreaterThan(q1.bootstrap!.interval.upper, 0.5)
    }
}
