import Foundation
import XCTest
import WAIRead
import WAIModel
import WAIEstimate
import WAIPipeline
@testable import WAIReport

/// The rankings in every format, on the bfi data whose numbers R computed
/// (Tests/WAIStatsTests/Reference/rankings.json: education, table A: W 0.288, χ² 5.76 on 4 df,
/// p 0.2178; E2–E3 rho 0.9, p 0.0374).
final class RankingRenderingTests: XCTestCase {
    func analysis() throws -> SurveyAnalysis {
        let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("WAIStatsTests/Reference")
        let loaded = try SurveyLoader.loadSpec(path: directory.appendingPathComponent("bfi.yaml").path)
        return try Analyzer.analyze(spec: loaded.spec, csvPath: loaded.dataPath!, breakdowns: ["education"],
                                    inference: InferenceOptions(replicates: 0))
    }

    func testMarkdownHTMLAndJSONCarryRanksAndAgreement() throws {
        let analysis = try analysis()
        let md = MarkdownRenderer().report(analysis)
        XCTAssert(md.contains("| A2 | 2773 | 0.76 | High | 1 |"), md)
        XCTAssert(md.contains("### Do the education groups rank the items alike?"), md)
        XCTAssert(md.contains("| A | 5 | 0.288 | 5.76 (4) | 0.218 | E1 – E2: 0.700 (0.188);"), md)
        XCTAssert(md.contains("E2 – E3: 0.900 (0.037)"), md)
        XCTAssert(md.contains("Kendall's W over its answered groups"), "the Method section says how: \(md)")

        let html = HTMLRenderer().report(analysis)
        XCTAssert(html.contains("<h3>Do the education groups rank the items alike?</h3>"))
        XCTAssert(html.contains(">0.288<") && html.contains(">5.76 (4)<"), html)

        let json = try JSONSerialization.jsonObject(with: Data(JSONRenderer().report(analysis).utf8)) as! [String: Any]
        let breakdown = (json["breakdowns"] as! [[String: Any]])[0]
        let a = (breakdown["rank_agreement"] as! [[String: Any]])[0]
        XCTAssertEqual(a["table"] as? String, "A")
        XCTAssertEqual(a["kendall_w"] as! Double, 0.288, accuracy: 1e-12)
        XCTAssertEqual(a["p_value"] as! Double, 0.217802879796439, accuracy: 1e-12)
        let item = ((json["tables"] as! [[String: Any]])[0]["items"] as! [[String: Any]])[1]
        XCTAssertEqual(item["rank"] as? Double, 1)
    }
}
