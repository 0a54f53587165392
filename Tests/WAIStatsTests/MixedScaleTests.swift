import Foundation
import XCTest
import WAIRead
import WAIModel
@testable import WAIAggregate
@testable import WAIEstimate
@testable import WAIPipeline

/// A survey on three scales end to end through the library, against counts and indices worked
/// out in `MixedScaleFixture` from the raw answers.
final class MixedScaleTests: XCTestCase {
    func survey(atLeast bytes: Int = 0) throws -> (spec: SurveySpec, csv: String, repeats: Int) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("wai-mixed-\(UUID().uuidString)")
        let (text, repeats) = MixedScaleFixture.responses(atLeast: bytes)
        try MixedScaleFixture.write(to: directory, responses: text)
        let spec = try SurveyLoader.loadSpec(path: directory.appendingPathComponent("survey.yaml").path).spec
        return (spec, directory.appendingPathComponent("responses.csv").path, repeats)
    }

    func assertMatchesHand(_ analysis: SurveyAnalysis, repeats: Int, file: StaticString = #filePath, line: UInt = #line) throws {
        let expected = MixedScaleFixture.expected(repeats: repeats)
        XCTAssertEqual(analysis.respondents, 12 * repeats, file: file, line: line)
        let items = analysis.tables.flatMap(\.items)
        XCTAssertEqual(items.map(\.id), ["d1", "d2", "d3", "d4", "p1", "p2", "p3", "p4", "f1"], file: file, line: line)
        for item in items {
            let hand = try XCTUnwrap(expected[item.id], file: file, line: line)
            let scale = MixedScaleFixture.items.first { $0.id == item.id }!.scale
            XCTAssertEqual(item.scale, scale.name, item.id, file: file, line: line)
            XCTAssertEqual(item.n, hand.n, item.id, file: file, line: line)
            XCTAssertEqual(item.missing, hand.missing, item.id, file: file, line: line)
            XCTAssertEqual(item.counts.map(\.count), hand.counts, item.id, file: file, line: line)
            XCTAssertEqual(item.counts.map(\.label), scale.spellings.map { $0[1] }, item.id, file: file, line: line)
            XCTAssertEqual(try XCTUnwrap(item.wai, file: file, line: line), hand.wai, accuracy: 1e-12, item.id, file: file, line: line)
        }
        let attitudes = analysis.tables[0], placements = analysis.tables[1]
        XCTAssertEqual(try XCTUnwrap(attitudes.composite?.wai, file: file, line: line), MixedScaleFixture.attitudesOA(expected), accuracy: 1e-12, file: file, line: line)
        XCTAssertNil(attitudes.composite?.rescaled, file: file, line: line)
        XCTAssertEqual(try XCTUnwrap(placements.composite?.wai, file: file, line: line), MixedScaleFixture.placementsOA(expected), accuracy: 1e-12, file: file, line: line)
        XCTAssertEqual(placements.composite?.rescaled, true, file: file, line: line)
        XCTAssertEqual(placements.composite?.items, 5, file: file, line: line)
    }

    func testTheLibraryIndexesEveryItemOnItsOwnScale() throws {
        let (spec, csv, repeats) = try survey()
        let analysis = try Analyzer.analyze(spec: spec, csvPath: csv, inference: InferenceOptions(replicates: 50))
        try assertMatchesHand(analysis, repeats: repeats)

        let attitudes = analysis.tables[0], placements = analysis.tables[1]
        // Pairwise by default (unweighted): n is every respondent; some have missing answers.
        XCTAssertEqual(attitudes.reliability?.missing, "pairwise")
        XCTAssertEqual(attitudes.reliability?.rows, MixedScaleFixture.respondents)
        XCTAssertLessThan(MixedScaleFixture.attitudesComplete, MixedScaleFixture.respondents)
        XCTAssertNil(attitudes.reliabilityNote)
        XCTAssertNil(placements.reliability)
        XCTAssertEqual(placements.reliabilityNote, "alpha not computed: items on different scales (lr7, freq4)")
        // The mixed composite has an interval and bootstrap replicates on the 0…1 scale too.
        let composite = try XCTUnwrap(placements.composite)
        XCTAssertGreaterThan(try XCTUnwrap(composite.se), 0)
        XCTAssertEqual(composite.bootstrap?.replicates, 50)
        XCTAssert((0...1).contains(composite.bootstrap!.interval.lower) && (0...1).contains(composite.bootstrap!.interval.upper))

        XCTAssertEqual(analysis.method.scales.map(\.name), ["degree", "lr7", "freq4"])
        XCTAssertEqual(analysis.method.scales.map(\.items), [["d1", "d2", "d3", "d4"], ["p1", "p2", "p3", "p4"], ["f1"]])
        XCTAssertEqual(analysis.method.scales.map(\.tables), [["attitudes"], ["placements"], ["placements"]])
        XCTAssertEqual(analysis.method.scales[1].levels.map(\.weight), MixedScaleFixture.lr7.weights)
        XCTAssertEqual(analysis.method.scales[2].levels.map(\.weight), MixedScaleFixture.freq4.weights)
    }

    func testGroupsAndTheirTestsUseTheItemsOwnLevels() throws {
        let (spec, csv, _) = try survey()
        let analysis = try Analyzer.analyze(spec: spec, csvPath: csv, breakdowns: ["group"], inference: InferenceOptions(replicates: 0))
        let breakdown = try XCTUnwrap(analysis.breakdowns.first)
        for group in ["A", "B"] {
            let hand = MixedScaleFixture.expected(group: group)
            let tables = try XCTUnwrap(breakdown.groups.first { $0.category == group }).tables
            for item in tables.flatMap(\.items) {
                XCTAssertEqual(item.counts.map(\.count), hand[item.id]!.counts, "\(group) \(item.id)")
                XCTAssertEqual(try XCTUnwrap(item.wai), hand[item.id]!.wai, accuracy: 1e-12, "\(group) \(item.id)")
            }
            XCTAssertNil(tables[1].reliabilityNote, "groups carry no reliability")
        }
        let f1 = try XCTUnwrap(breakdown.comparisons.first { $0.item == "f1" })
        XCTAssertEqual(f1.groups, ["A", "B"])
        // χ² over f1's 4 levels: (2 − 1)·(4 − 1) degrees of freedom, whatever the widest scale.
        XCTAssertEqual(f1.chiSquare?.df, 3)
        XCTAssertEqual(breakdown.comparisons.first { $0.item == "p1" }?.chiSquare?.df, 6)
    }

    func testAnAnswerValidOnlyOnAnotherScaleIsRejected() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("wai-mixed-\(UUID().uuidString)")
        // "7" is a level of lr7 but not of degree; "Always" one of freq4 but not of lr7.
        for (row, column, codes) in [("1,7,4,4,5,7,6,7,6,", 3, "a code 1–5"), ("1,5,4,4,5,Always,6,7,6,", 11, "a code 1–7")] {
            let text = MixedScaleFixture.header + MixedScaleFixture.rows.replacingOccurrences(of: "1,5,4,4,5,7,6,7,6,", with: row)
            try MixedScaleFixture.write(to: directory, responses: text)
            let spec = try SurveyLoader.loadSpec(path: directory.appendingPathComponent("survey.yaml").path).spec
            XCTAssertThrowsError(try Analyzer.analyze(spec: spec, csvPath: directory.appendingPathComponent("responses.csv").path)) { error in
                guard let error = error as? InputError else { return XCTFail("\(error)") }
                XCTAssertEqual(error.location.line, 2, "\(error)")
                XCTAssertEqual(error.location.column, column, "\(error)")
                XCTAssert(error.expected?.contains(codes) == true, "\(error)")
            }
        }
    }

    func testTheParallelScannerGivesTheSameNumbersOnAFileOverFourMiB() throws {
        let (spec, csv, repeats) = try survey(atLeast: 4 << 20)
        XCTAssertGreaterThanOrEqual(try FileManager.default.attributesOfItem(atPath: csv)[.size] as! Int, 4 << 20)
        // Cut into ranges, as a file of this size is by default.
        let reader = try ResponseReader(spec: spec, csvPath: csv)
        let inference = InferenceOptions(replicates: 0)
        let fast = try ParallelAnalyzer.aggregate(reader: reader, plan: Analyzer.plan(spec: spec, items: reader.items, inference: inference),
                                                  scores: Analyzer.scores(spec: spec, items: reader.items), calibration: nil,
                                                  options: PipelineOptions(workers: 2))
        XCTAssertEqual(fast.report.workers, 2)
        let statistics = fast.statistics
        XCTAssertEqual(statistics.levelCount, 7)
        // d1 (5 levels) leaves its slots 6 and 7 empty.
        XCTAssertEqual(statistics.overall.counts[5], 0)
        XCTAssertEqual(statistics.overall.counts[6], 0)

        let analysis = try Analyzer.analyze(spec: spec, csvPath: csv, inference: inference)
        try assertMatchesHand(analysis, repeats: repeats)
        XCTAssertEqual(analysis.tables[1].reliabilityNote, "alpha not computed: items on different scales (lr7, freq4)")
        XCTAssertNotNil(analysis.tables[0].reliability)
    }

    func testTheParallelScannerRejectsACodeOfAWiderScaleInANarrowOnesColumn() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("wai-mixed-\(UUID().uuidString)")
        var (text, _) = MixedScaleFixture.responses(atLeast: 4 << 20)
        // Late in the file, a "6" in D2 (degree, five levels) in a run of four digit codes.
        text += "13,1,6,1,1,1,1,1,1,1,A\n"
        try MixedScaleFixture.write(to: directory, responses: text)
        let spec = try SurveyLoader.loadSpec(path: directory.appendingPathComponent("survey.yaml").path).spec
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).count - 1
        XCTAssertThrowsError(try Analyzer.analyze(spec: spec, csvPath: directory.appendingPathComponent("responses.csv").path, inference: InferenceOptions(replicates: 0))) { error in
            guard let error = error as? InputError else { return XCTFail("\(error)") }
            XCTAssertEqual(error.location.line, lines, "\(error)")
            XCTAssertEqual(error.location.column, 6, "\(error)")
            XCTAssert(error.problem.contains("out of range"), "\(error)")
        }
    }

    func testPerItemScoresAreOverEachItemsOwnScale() throws {
        let (spec, _, _) = try survey()
        let items = PartialStatistics.items(of: spec)
        let scores = Analyzer.scores(spec: spec, items: items)
        XCTAssertEqual(spec.levelCount, 7)
        XCTAssertEqual(scores.map(\.count), [5, 5, 5, 5, 7, 7, 7, 7, 4])
        XCTAssertEqual(scores[0], [0, 0.25, 0.5, 0.75, 1])
        XCTAssertEqual(scores[2], [1, 0.75, 0.5, 0.25, 0], "d3 is reverse-keyed")
        XCTAssertEqual(scores[8], [0.1, 0.4, 0.7, 0.9])
    }
}
