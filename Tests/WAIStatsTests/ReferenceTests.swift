import Foundation
import XCTest
import WAIRead
import WAIModel
@testable import WAIAggregate
@testable import WAIEstimate
@testable import WAIPipeline

/// wai's estimates against R's survey and psych packages on the bfi data that ships with
/// psych. The reference numbers and the data were written by Reference/make_reference.R
/// (R 4.2, survey 4.1-1, psych 2.2.9); CI reads the committed files and needs no R.
final class ReferenceTests: XCTestCase {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Reference")

    struct Value: Decodable { var wai: Double; var se: Double }
    struct Alpha: Decodable {
        var n: Int; var alpha: Double; var std_alpha: Double; var ase: Double
        var r_drop: [Double]; var alpha_if_deleted: [Double]
    }
    struct Tests: Decodable {
        var wilcox_W: Double; var wilcox_p: Double; var kruskal_H: Double; var kruskal_p: Double
        var chisq: Double; var chisq_df: Int; var chisq_p: Double
    }
    struct Reference: Decodable {
        var unweighted: [String: Value]
        var weighted: [String: Value]
        var reliability: [String: Alpha]
        var tests: [String: Tests]

        enum CodingKeys: String, CodingKey { case unweighted, weighted, reliability, tests }
        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            unweighted = try c.decode([String: Value].self, forKey: .unweighted)
            weighted = try c.decode([String: Value].self, forKey: .weighted)
            reliability = try c.decode([String: Alpha].self, forKey: .reliability)
            // The "holm_wilcox" entry is a vector, not a test record.
            let all = try c.decode([String: AnyDecodable].self, forKey: .tests)
            tests = all.compactMapValues(\.tests)
        }
    }
    struct AnyDecodable: Decodable {
        var tests: Tests?
        init(from decoder: any Decoder) throws { tests = try? Tests(from: decoder) }
    }

    func reference() throws -> Reference {
        try JSONDecoder().decode(Reference.self, from: Data(contentsOf: Self.directory.appendingPathComponent("reference.json")))
    }

    func analysis(weighted: Bool) throws -> SurveyAnalysis {
        var loaded = try SurveyLoader.loadSpec(path: Self.directory.appendingPathComponent("bfi.yaml").path)
        if weighted { loaded.spec.weight = "w" }
        return try Analyzer.analyze(spec: loaded.spec, csvPath: loaded.dataPath!, inference: InferenceOptions(replicates: 0))
    }

    func assertClose(_ a: Double?, _ b: Double, relative: Double, _ message: String, file: StaticString = #filePath, line: UInt = #line) {
        guard let a else { return XCTFail("missing \(message)", file: file, line: line) }
        XCTAssertEqual(a, b, accuracy: relative * max(abs(b), 1e-300), message, file: file, line: line)
    }

    func testIndicesAndStandardErrorsMatchSvymean() throws {
        let reference = try reference()
        for weighted in [false, true] {
            let analysis = try analysis(weighted: weighted)
            let expected = weighted ? reference.weighted : reference.unweighted
            for table in analysis.tables {
                for item in table.items {
                    let r = try XCTUnwrap(expected[item.id])
                    assertClose(item.wai, r.wai, relative: 1e-12, "\(item.id) wai weighted=\(weighted)")
                    assertClose(item.seDesign, r.se, relative: 1e-9, "\(item.id) se_design weighted=\(weighted)")
                }
                let oa = try XCTUnwrap(expected["OA_\(table.id)"])
                assertClose(table.composite?.wai, oa.wai, relative: 1e-12, "OA \(table.id) weighted=\(weighted)")
                assertClose(table.composite?.se, oa.se, relative: 1e-9, "OA \(table.id) se weighted=\(weighted)")
            }
        }
    }

    func testReliabilityMatchesPsychAlpha() throws {
        let reference = try reference()
        var loaded = try SurveyLoader.loadSpec(path: Self.directory.appendingPathComponent("bfi.yaml").path)
        loaded.spec.reliabilityMissing = .listwise
        let analysis = try Analyzer.analyze(spec: loaded.spec, csvPath: loaded.dataPath!, inference: InferenceOptions(replicates: 0))
        for table in analysis.tables {
            let r = try XCTUnwrap(reference.reliability[table.id])
            let alpha = try XCTUnwrap(table.reliability)
            XCTAssertEqual(alpha.rows, r.n)
            assertClose(alpha.alpha, r.alpha, relative: 1e-10, "alpha \(table.id)")
            assertClose(alpha.standardizedAlpha, r.std_alpha, relative: 1e-10, "std alpha \(table.id)")
            assertClose(alpha.se, r.ase, relative: 1e-8, "ase \(table.id)")
            for (i, item) in alpha.items.enumerated() {
                assertClose(item.itemTotal, r.r_drop[i], relative: 1e-10, "r.drop \(item.id)")
                assertClose(item.alphaIfDeleted, r.alpha_if_deleted[i], relative: 1e-10, "alpha if deleted \(item.id)")
            }
        }
    }

    func testGroupTestsMatchWilcoxKruskalAndChisq() throws {
        let reference = try reference()
        let analysis = try analysis(weighted: false)
        let gender = try XCTUnwrap(analysis.breakdowns.first { $0.column == "gender" })
        let education = try XCTUnwrap(analysis.breakdowns.first { $0.column == "education" })
        XCTAssertEqual(gender.comparisons.count, 25)
        for comparison in gender.comparisons {
            let r = try XCTUnwrap(reference.tests[comparison.item])
            XCTAssertEqual(comparison.rankTest?.name, "Mann-Whitney")
            assertClose(comparison.rankTest?.statistic, r.wilcox_W, relative: 1e-12, "W \(comparison.item)")
            assertClose(comparison.rankTest?.p, r.wilcox_p, relative: 1e-6, "wilcox p \(comparison.item)")
        }
        for comparison in education.comparisons {
            let r = try XCTUnwrap(reference.tests[comparison.item])
            XCTAssertEqual(comparison.rankTest?.name, "Kruskal-Wallis")
            XCTAssertEqual(comparison.rankTest?.df, 4)
            assertClose(comparison.rankTest?.statistic, r.kruskal_H, relative: 1e-10, "H \(comparison.item)")
            assertClose(comparison.rankTest?.p, r.kruskal_p, relative: 1e-6, "kruskal p \(comparison.item)")
            assertClose(comparison.chiSquare?.statistic, r.chisq, relative: 1e-10, "chisq \(comparison.item)")
            XCTAssertEqual(comparison.chiSquare?.df, r.chisq_df)
            assertClose(comparison.chiSquare?.p, r.chisq_p, relative: 1e-6, "chisq p \(comparison.item)")
        }
    }

    func testHolmAdjustmentMatchesPAdjust() throws {
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: Self.directory.appendingPathComponent("reference.json"))) as! [String: Any]
        let holm = (json["tests"] as! [String: Any])["holm_wilcox"] as! [String: Double]
        let gender = try analysis(weighted: false).breakdowns.first { $0.column == "gender" }!
        for comparison in gender.comparisons {
            assertClose(comparison.rankTest?.pHolm, holm[comparison.item]!, relative: 1e-6, "holm \(comparison.item)")
        }
    }
}
