import Foundation
import WAIRead
import WAIModel
import WAIEstimate
import WAIPipeline
import XCTest

/// The reliability table against psych::alpha on the raw codes of bfi.csv, pairwise (psych's
/// default) and listwise: Reference/alpha_reference.json comes from make_alpha_reference.R.
final class AlphaReferenceTests: XCTestCase {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Reference")

    struct Table: Decodable {
        var n: Int
        var raw_alpha, std_alpha, g6, average_r, signal_noise, ase, mean, sd, median_r: Double
        var drop_raw_alpha, drop_std_alpha, drop_average_r, raw_r, std_r, r_cor, r_drop: [Double]
    }

    func reference() throws -> [String: [String: Table]] {
        try JSONDecoder().decode([String: [String: Table]].self, from: Data(contentsOf: Self.directory.appendingPathComponent("alpha_reference.json")))
    }

    func analysis(_ missing: ReliabilityMissing?, weight: String? = nil) throws -> SurveyAnalysis {
        var loaded = try SurveyLoader.loadSpec(path: Self.directory.appendingPathComponent("bfi.yaml").path)
        loaded.spec.reliabilityMissing = missing
        loaded.spec.weight = weight
        return try Analyzer.analyze(spec: loaded.spec, csvPath: loaded.dataPath!, inference: InferenceOptions(replicates: 0))
    }

    func assertClose(_ a: Double?, _ b: Double, _ message: String, relative: Double = 1e-10, file: StaticString = #filePath, line: UInt = #line) {
        guard let a else { return XCTFail("missing \(message)", file: file, line: line) }
        XCTAssertEqual(a, b, accuracy: relative * max(abs(b), 1e-300), message, file: file, line: line)
    }

    func check(_ analysis: SurveyAnalysis, against reference: [String: Table], missing: String, scaleMoments: Bool) throws {
        for table in analysis.tables {
            let r = try XCTUnwrap(reference[table.id])
            let a = try XCTUnwrap(table.reliability, table.id)
            let id = "\(missing) \(table.id)"
            XCTAssertEqual(a.missing, missing)
            XCTAssertEqual(a.rows, r.n, id)
            assertClose(a.alpha, r.raw_alpha, "\(id) raw alpha")
            assertClose(a.standardizedAlpha, r.std_alpha, "\(id) std alpha")
            assertClose(a.g6, r.g6, "\(id) G6(smc)")
            assertClose(a.averageR, r.average_r, "\(id) average r")
            assertClose(a.medianR, r.median_r, "\(id) median r")
            assertClose(a.signalToNoise, r.signal_noise, "\(id) S/N")
            assertClose(a.se, r.ase, "\(id) ase", relative: 1e-8)
            if scaleMoments {
                assertClose(a.scaleMean, r.mean, "\(id) scale mean")
                assertClose(a.scaleSD, r.sd, "\(id) scale sd")
            } else {
                // psych's mean of each respondent's answered items is not a statistic of the pairs.
                XCTAssertNil(a.scaleMean, id)
            }
            for (i, item) in a.items.enumerated() {
                assertClose(item.alphaIfDeleted, r.drop_raw_alpha[i], "\(id) \(item.id) alpha if dropped")
                assertClose(item.standardizedAlphaIfDeleted, r.drop_std_alpha[i], "\(id) \(item.id) std alpha if dropped")
                assertClose(item.averageRIfDeleted, r.drop_average_r[i], "\(id) \(item.id) average r if dropped")
                assertClose(item.standardizedR, r.std_r[i], "\(id) \(item.id) std.r")
                assertClose(item.correctedR, r.r_cor[i], "\(id) \(item.id) r.cor")
                assertClose(item.itemTotal, r.r_drop[i], "\(id) \(item.id) r.drop")
                if scaleMoments { assertClose(item.rawR, r.raw_r[i], "\(id) \(item.id) raw.r") }
            }
        }
    }

    func testPairwiseIsTheDefaultWithoutWeightsAndMatchesPsych() throws {
        try check(try analysis(nil), against: try reference()["pairwise"]!, missing: "pairwise", scaleMoments: false)
        try check(try analysis(.pairwise), against: try reference()["pairwise"]!, missing: "pairwise", scaleMoments: false)
    }

    func testListwiseMatchesPsychOnTheCompleteRows() throws {
        try check(try analysis(.listwise), against: try reference()["listwise"]!, missing: "listwise", scaleMoments: true)
    }

    /// With weights alpha is listwise (weighted cross-products of the complete rows); all weights
    /// 1 make it psych's listwise table.
    func testWeightedAlphaIsListwise() throws {
        let csv = try String(contentsOf: Self.directory.appendingPathComponent("bfi.csv"), encoding: .utf8)
        var lines = csv.split(separator: "\n").map(String.init)
        lines[0] += ",unit"
        for i in 1..<lines.count { lines[i] += ",1" }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("wai-alpha-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent("bfi.csv").path
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: path))
        var loaded = try SurveyLoader.loadSpec(path: Self.directory.appendingPathComponent("bfi.yaml").path)
        loaded.spec.weight = "unit"
        let analysis = try Analyzer.analyze(spec: loaded.spec, csvPath: path, inference: InferenceOptions(replicates: 0))
        try check(analysis, against: try reference()["listwise"]!, missing: "listwise", scaleMoments: true)
    }

    func testTheSpecNamesTheDeletion() throws {
        let base = "title: T\nscale: {levels: [{code: 1, label: a}, {code: 2, label: b}]}\ntables: [{id: t, title: T, items: [{id: x, column: x, text: x}]}]\n"
        let pairwise = try YAMLDocument.decode(SurveySpec.self, yaml: base + "reliability: {missing: pairwise}\n", name: "s.yaml")
        XCTAssertEqual(pairwise.reliabilityMissing, .pairwise)
        XCTAssertThrowsError(try YAMLDocument.decode(SurveySpec.self, yaml: base + "reliability: {missing: available}\n", name: "s.yaml")) { error in
            XCTAssert("\(error)".contains("expected pairwise or listwise"), "\(error)")
        }
        XCTAssertThrowsError(try YAMLDocument.decode(SurveySpec.self, yaml: base + "reliability: {use: pairwise}\n", name: "s.yaml")) { error in
            XCTAssert("\(error)".contains("unknown key"), "\(error)")
        }
    }
}
