import XCTest
import WAIIO
import WAIModel
@testable import WAIStats

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
        // Multipliers are keyed by the row's position in the file, and unit weights make every
        // replicate sum an integer: any chunking gives the same bits.
        let whole = try analyze(spread, chunkRows: 4096)
        let pieces = try analyze(spread, chunkRows: 7)
        XCTAssertEqual(whole.tables, pieces.tables)
        XCTAssertEqual(whole.breakdowns, pieces.breakdowns)
    }

    func testPoissonMultipliersHaveMeanAndVarianceOne() {
        var sum = 0.0, squares = 0.0
        let draws = 200_000
        for row in 0..<(draws / 100) {
            for b in 0..<100 {
                let k = Double(poissonOne(seed: 42, row: UInt64(row), replicate: UInt64(b)))
                sum += k
                squares += k * k
            }
        }
        let mean = sum / Double(draws)
        let variance = squares / Double(draws) - mean * mean
        // Standard error of the mean of 200 000 Poisson(1) draws is 0.0022: allow 5 of them.
        XCTAssertEqual(mean, 1, accuracy: 0.011)
        XCTAssertEqual(variance, 1, accuracy: 0.03)
        // P(0) = e⁻¹ and P(≤ 1) = 2e⁻¹.
        XCTAssertEqual(poissonOneCDF[0], exp(-1), accuracy: 1e-15)
        XCTAssertEqual(poissonOneCDF[1], 2 * exp(-1), accuracy: 1e-15)
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
