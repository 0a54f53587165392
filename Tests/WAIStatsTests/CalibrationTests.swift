import Foundation
import XCTest
import WAIRead
import WAIModel
@testable import WAIAggregate
@testable import WAIEstimate
@testable import WAIPipeline

/// Raking and post-stratification against R's survey::rake and survey::postStratify on the
/// bfi respondents with an education answer (Reference/bfi_rake.csv, make_reference.R).
final class CalibrationTests: XCTestCase {
    static let reference = ReferenceTests.directory

    func spec(population: String) -> String {
        """
        title: bfi raked
        data: \(Self.reference.appendingPathComponent("bfi_rake.csv").path)
        scale:
          levels: [{code: 1, label: "1"}, {code: 2, label: "2"}, {code: 3, label: "3"}, {code: 4, label: "4"}, {code: 5, label: "5"}, {code: 6, label: "6"}]
        demographics:
          - {column: gender, categories: [Male, Female]}
          - {column: education, categories: [E1, E2, E3, E4, E5]}
        population:
        \(population)
        tables:
          - id: A
            items:
              - {id: A1, column: A1, text: A1, reverse: true}
              - {id: A2, column: A2, text: A2}
              - {id: A3, column: A3, text: A3}
              - {id: A4, column: A4, text: A4}
              - {id: A5, column: A5, text: A5}
        """
    }

    func analyze(_ yaml: String) throws -> SurveyAnalysis {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("wai-rake-\(UUID().uuidString).yaml").path
        try Data(yaml.utf8).write(to: URL(fileURLWithPath: path))
        let loaded = try SurveyLoader.loadSpec(path: path)
        return try Analyzer.analyze(spec: loaded.spec, csvPath: loaded.dataPath!, inference: InferenceOptions(replicates: 0))
    }

    func expected() throws -> [String: [String: Double]] {
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: Self.reference.appendingPathComponent("reference.json"))) as! [String: Any]
        return json["adjusted"] as! [String: [String: Double]]
    }

    func check(_ analysis: SurveyAnalysis, against r: [String: Double], file: StaticString = #filePath, line: UInt = #line) throws {
        let weighting = try XCTUnwrap(analysis.weighting, file: file, line: line)
        XCTAssertEqual(weighting.minWeight, r["min_weight"]!, accuracy: 1e-9, file: file, line: line)
        XCTAssertEqual(weighting.maxWeight, r["max_weight"]!, accuracy: 1e-9, file: file, line: line)
        XCTAssertEqual(weighting.designEffect, r["deff"]!, accuracy: 1e-9, file: file, line: line)
        for item in analysis.tables[0].items {
            XCTAssertEqual(item.wai!, r[item.id]!, accuracy: 1e-10, item.id, file: file, line: line)
        }
        for margin in weighting.margins {
            XCTAssertEqual(margin.achieved, margin.target, accuracy: 1e-9, "\(margin.column)=\(margin.category)", file: file, line: line)
        }
    }

    func testRakingMatchesSurveyRake() throws {
        let analysis = try analyze(spec(population: """
              method: rake
              margins:
                gender: {Male: 0.5, Female: 0.5}
                education: {E1: 0.10, E2: 0.20, E3: 0.35, E4: 0.20, E5: 0.15}
              tolerance: 1e-13
              max_iterations: 500
            """))
        try check(analysis, against: try expected()["rake"]!)
        XCTAssertTrue(analysis.weighting!.converged)
        XCTAssertEqual(analysis.weighting!.notAdjusted, 0)
    }

    func testPostStratificationMatchesSurveyPostStratify() throws {
        // The cells and shares of make_reference.R, education-major.
        let shares = [0.04, 0.06, 0.10, 0.10, 0.18, 0.17, 0.10, 0.10, 0.07, 0.08]
        var cells = ""
        for (e, education) in ["E1", "E2", "E3", "E4", "E5"].enumerated() {
            for (g, gender) in ["Male", "Female"].enumerated() {
                cells += "    - {gender: \(gender), education: \(education), share: \(shares[e * 2 + g])}\n"
            }
        }
        let analysis = try analyze(spec(population: "  method: poststratify\n  cells:\n" + cells.replacingOccurrences(of: "    -", with: "    -")))
        try check(analysis, against: try expected()["poststratify"]!)
    }

    func testTrimmingKeepsWeightsWithinBoundsAndTheTotal() throws {
        let analysis = try analyze(spec(population: """
              method: rake
              margins:
                gender: {Male: 0.5, Female: 0.5}
                education: {E1: 0.10, E2: 0.20, E3: 0.35, E4: 0.20, E5: 0.15}
              trim: [0.8, 1.5]
            """))
        let weighting = try XCTUnwrap(analysis.weighting)
        XCTAssertGreaterThan(weighting.trimmed, 0)
        // Bounds are relative to the mean weight (1 here), then everything is rescaled so the
        // total stays n: the trimmed extremes move by that common factor only.
        let factor = analysis.weightSum / Double(analysis.respondents)
        XCTAssertEqual(factor, 1, accuracy: 1e-9)
        XCTAssertLessThanOrEqual(weighting.maxWeight, 1.5 * 1.2)
        XCTAssertGreaterThanOrEqual(weighting.minWeight, 0.8 * 0.8)
    }

    func testUnknownWeightingCategoriesAreRejectedWithTheKeyPath() throws {
        XCTAssertThrowsError(try analyze(spec(population: """
              method: rake
              margins:
                gender: {Male: 0.5, Femal: 0.5}
            """))) { error in
            XCTAssert("\(error)".contains("population.margins.gender.Femal: unknown category"), "\(error)")
        }
    }
}
