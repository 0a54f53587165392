import XCTest
import WAIRead
import WAIModel
@testable import WAIAggregate
@testable import WAIEstimate
@testable import WAIPipeline

final class EstimatorTests: XCTestCase {
    func analyze(_ spec: SurveySpec, path: AggregationPath = .blas) throws -> SurveyAnalysis {
        try Analyzer.analyze(spec: spec, csvPath: try Fixture.write(Fixture.csv), path: path)
    }

    func testNormalizedIndicesSharesAndBandsMatchHandComputation() throws {
        let analysis = try analyze(Fixture.spec())
        XCTAssertEqual(analysis.respondents, 4)
        let q1 = analysis.tables[0].items[0]
        // q1 levels 5,4,3,2 score 1, .75, .5, .25: WAI = 2.5 / 4 = 0.625, printed 0.63 (half-up) → High.
        XCTAssertEqual(q1.n, 4)
        XCTAssertEqual(q1.missing, 0)
        XCTAssertEqual(q1.counts.map(\.count), [0, 1, 1, 1, 1])
        XCTAssertEqual(q1.counts.map(\.share), [0, 0.25, 0.25, 0.25, 0.25])
        XCTAssertEqual(q1.wai!, 0.625, accuracy: 1e-15)
        XCTAssertEqual(q1.waiReported, "0.63")
        XCTAssertEqual(q1.band, "High")
        // q2 levels 1,2,5 (one blank): (0 + .25 + 1) / 3 = 0.41667 → 0.42 Neutral.
        let q2 = analysis.tables[0].items[1]
        XCTAssertEqual(q2.n, 3)
        XCTAssertEqual(q2.missing, 1)
        XCTAssertEqual(q2.counts.map(\.count), [1, 1, 0, 0, 1])
        XCTAssertEqual(q2.wai!, 1.25 / 3, accuracy: 1e-15)
        XCTAssertEqual(q2.waiReported, "0.42")
        XCTAssertEqual(q2.band, "Neutral")
        // OA: (0.625 + 0.41667) / 2 = 0.52083 → 0.52 Neutral.
        let oa = try XCTUnwrap(analysis.tables[0].composite)
        XCTAssertEqual(oa.items, 2)
        XCTAssertEqual(oa.wai, (0.625 + 1.25 / 3) / 2, accuracy: 1e-15)
        XCTAssertEqual(oa.waiReported, "0.52")
        XCTAssertEqual(oa.band, "Neutral")
    }

    func testProportionalWeighting() throws {
        let analysis = try analyze(Fixture.spec(weighting: .proportional))
        // q1: (.4 + .6 + .8 + 1) / 4 = 0.70; q2: (.2 + .4 + 1) / 3 = 0.5333.
        XCTAssertEqual(analysis.tables[0].items[0].wai!, 0.7, accuracy: 1e-15)
        XCTAssertEqual(analysis.tables[0].items[0].waiReported, "0.70")
        XCTAssertEqual(analysis.tables[0].items[1].wai!, 1.6 / 3, accuracy: 1e-15)
        XCTAssertEqual(analysis.tables[0].items[1].waiReported, "0.53")
        XCTAssertEqual(analysis.method.levels.map(\.weight)[0], 0.2, accuracy: 1e-15)
    }

    func testReverseKeyedItemsFlipTheScoreNotTheCounts() throws {
        let analysis = try analyze(Fixture.spec(reverseQ2: true))
        let q2 = analysis.tables[0].items[1]
        // Levels 1,2,5 now score 1, .75, 0: 1.75 / 3 = 0.58333 → 0.58.
        XCTAssertEqual(q2.wai!, 1.75 / 3, accuracy: 1e-15)
        XCTAssertEqual(q2.waiReported, "0.58")
        XCTAssertEqual(q2.counts.map(\.count), [1, 1, 0, 0, 1])
        XCTAssertTrue(q2.reverse)
    }

    func testSurveyWeights() throws {
        let analysis = try analyze(Fixture.spec(weight: "w"))
        // q1: Σw = 4.5; Σ w·score = 1·1 + 2·.75 + 1·.5 + .5·.25 = 3.125 → 0.69444 → 0.69 High.
        let q1 = analysis.tables[0].items[0]
        XCTAssertEqual(q1.weightedN, 4.5)
        XCTAssertEqual(q1.wai!, 3.125 / 4.5, accuracy: 1e-15)
        XCTAssertEqual(q1.waiReported, "0.69")
        XCTAssertEqual(q1.n, 4)
        // q2: answered by r1 (w 1, score 0), r2 (w 2, .25), r4 (w .5, 1): 1.0 / 3.5 = 0.2857 → 0.29 Low.
        let q2 = analysis.tables[0].items[1]
        XCTAssertEqual(q2.wai!, 1 / 3.5, accuracy: 1e-15)
        XCTAssertEqual(q2.band, "Low")
        XCTAssertEqual(q2.counts.map(\.share)[1], 2 / 3.5, accuracy: 1e-15)
        // Kish: (Σw)² / Σw² = 4.5² / (1 + 4 + 1 + .25) = 20.25 / 6.25 = 3.24.
        XCTAssertEqual(analysis.effectiveN, 3.24, accuracy: 1e-12)
    }

    func testBreakdownAndFrequencies() throws {
        let analysis = try analyze(Fixture.spec())
        let gender = analysis.frequencies[0]
        // F twice, M once, one blank: 66.7 % and 33.3 % of the 3 who answered.
        XCTAssertEqual(gender.rows.map(\.value), ["F", "M"])
        XCTAssertEqual(gender.rows.map(\.count), [2, 1])
        XCTAssertEqual(gender.answered, 3)
        XCTAssertEqual(gender.missing, 1)
        XCTAssertEqual(gender.rows[0].percent, 200.0 / 3, accuracy: 1e-12)

        let groups = analysis.breakdowns[0].groups
        XCTAssertEqual(groups.map(\.category), ["F", "M", nil])
        XCTAssertEqual(groups.map(\.rows), [2, 1, 1])
        // F: q1 levels 5,3 → (1 + .5)/2 = .75; q2 level 1 (r3 blank) → 0, n 1, missing 1.
        XCTAssertEqual(groups[0].tables[0].items[0].wai, 0.75)
        XCTAssertEqual(groups[0].tables[0].items[1].wai, 0)
        XCTAssertEqual(groups[0].tables[0].items[1].missing, 1)
        // M: q1 level 4 → .75, q2 level 2 → .25. No answer (r4): q1 level 2 → .25, q2 level 5 → 1.
        XCTAssertEqual(groups[1].tables[0].items.map(\.wai), [0.75, 0.25])
        XCTAssertEqual(groups[2].tables[0].items.map(\.wai), [0.25, 1])
        XCTAssertEqual(groups[1].tables[0].items[1].band, "Low")
    }

    func testAnUnansweredItemHasNoIndexAndIsLeftOutOfTheComposite() throws {
        let csv = "respondent,gender,q1,q2,w\nr1,F,High,,1\nr2,M,Low,Don't know,1\n"
        let analysis = try Analyzer.analyze(spec: Fixture.spec(), csvPath: try Fixture.write(csv))
        let q2 = analysis.tables[0].items[1]
        XCTAssertNil(q2.wai)
        XCTAssertNil(q2.band)
        XCTAssertEqual(q2.missing, 2)
        XCTAssertEqual(analysis.tables[0].composite?.items, 1)
        XCTAssertEqual(analysis.tables[0].composite?.wai, 0.5)
    }

    func testBreakdownByAnUnknownColumnIsRefused() throws {
        XCTAssertThrowsError(try Analyzer.analyze(spec: Fixture.spec(), csvPath: try Fixture.write(Fixture.csv), breakdowns: ["gnder"])) { error in
            let error = error as! InputError
            XCTAssertEqual(error.suggestion, "gender")
        }
    }
}
