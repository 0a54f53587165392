import Foundation
import XCTest
import WAIRead
import WAIModel
@testable import WAIAggregate
@testable import WAIEstimate
@testable import WAIPipeline
@testable import WAIReport

final class RendererTests: XCTestCase {
    /// Two items answered by four people; q1's text carries a pipe, a quote, a comma and Khmer.
    func analysis() throws -> SurveyAnalysis {
        let spec = SurveySpec(
            title: "Fixture | survey",
            scale: Scale(levels: Scale.fivePointDegree.levels, missing: [""]),
            demographics: [Demographic(column: "g", label: "Gender")],
            tables: [ItemTable(id: "t1", title: "Items", caption: "Table 1",
                               bandLabels: ["Very Low", "Low", "Medium", "High", "Very High"], composite: true, items: [
                Item(id: "q1", column: "q1", text: "Views of \"A\", B | ខ្ពស់?"),
                Item(id: "q2", column: "q2", text: "Second?"),
            ])])
        // q1 levels 5,4,3,2 → 0.625 → 0.63 High; q2 levels 3,3,3,(blank) → 0.50 Medium; OA 0.5625 → 0.56 Medium.
        let csv = "g,q1,q2\nF,5,3\nM,4,3\nF,3,3\nM,2,\n"
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("wai-report-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent("r.csv").path
        try Data(csv.utf8).write(to: URL(fileURLWithPath: path))
        return try Analyzer.analyze(spec: spec, csvPath: path, displayName: "r.csv", inference: InferenceOptions(replicates: 0))
    }

    func testMarkdownTableUsesThePublishedLayout() throws {
        let md = MarkdownRenderer().tablePage(0, of: try analysis())
        XCTAssert(md.contains("# Table 1. Items\n"), md)
        // n differs between items (4 and 3), so n gets its own column.
        XCTAssert(md.contains("| Attribute | n | WAI | OA | Rank | 95 % CI |\n"), md)
        // q1 as in CLITests: 0.625, SE 0.16137 → 0.31–0.94 (crosses band edges: †).
        XCTAssert(md.contains(#"| Views of "A", B \| ខ្ពស់? | 4 | 0.63 | High † | 1 | 0.31–0.94 |"#), md)
        // q2: every answer Neutral → SE 0, the interval is the point.
        XCTAssert(md.contains("| Second? | 3 | 0.50 | Medium | 2 | 0.50–0.50 |"), md)
        XCTAssert(md.contains("| **OA** (mean of 2 items) |  | **0.56** | **Medium"), md)
        // q2: all three in the middle level; top-2 and bottom-2 are both 0, median Neutral.
        XCTAssert(md.contains("| q2 | 3 | 1 | 0 (0.0 %) | 0 (0.0 %) | 3 (100.0 %) | 0 (0.0 %) | 0 (0.0 %) | 0.0 | 0.0 | 0.0 | Neutral |"), md)
        XCTAssert(md.contains("Rows read 4 = rows used 4 + rows rejected 0."), md)
    }

    func testSharedNGoesIntoTheHeader() throws {
        let item = { (id: String, wai: Double) in
            ItemEstimate(id: id, text: id, column: id, reverse: false, n: 99, missing: 0, weightedN: 99, counts: [],
                         wai: wai, waiReported: BandTable.standard.format(wai), band: BandTable.standard.band(wai))
        }
        let table = TableEstimate(id: "t", title: "T", caption: nil, bandLabels: BandTable.standard.labels,
                                  items: [item("a", 0.6), item("b", 0.64)], composite: nil)
        var shared = try analysis()
        shared.tables = [table]
        let body = MarkdownRenderer().tablePage(0, of: shared)
        XCTAssert(body.contains("| Attribute | WAI (n = 99) | OA | Rank |\n| --- | ---: | --- | ---: |\n| a | 0.60 | Neutral | – |\n| b | 0.64 | High | – |\n"), body)
    }

    func testCSVQuotesOnlyWhatNeedsIt() throws {
        let csv = CSVRenderer().table(try analysis().tables[0])
        let lines = csv.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines[0], "table,item,text,n,missing,count: Very Low,count: Low,count: Neutral,count: High,count: Very High,share: Very Low,share: Low,share: Neutral,share: High,share: Very High,wai,wai_reported,band,code_mean,code_sd,score_sd,code_q1,code_median,code_q3")
        XCTAssertEqual(lines[1], #"t1,q1,"Views of ""A"", B | ខ្ពស់?",4,0,0,1,1,1,1,0,0.25,0.25,0.25,0.25,0.625,0.63,High,3.5,1.2909944487358056,0.3227486121839514,2.75,3.5,4.25"#)
        XCTAssertEqual(lines[3], "t1,OA,Overall assessment (mean of 2 items),,,,,,,,,,,,,0.5625,0.56,Medium,,,,,,")
    }

    func testJSONCarriesTheDocumentedFields() throws {
        let text = try JSONRenderer().report(try analysis())
        let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as! [String: Any]
        XCTAssertEqual(object["schema"] as? String, "wai.analysis/2")
        let tables = object["tables"] as! [[String: Any]]
        let item = (tables[0]["items"] as! [[String: Any]])[0]
        XCTAssertEqual(item["id"] as? String, "q1")
        XCTAssertEqual(item["text"] as? String, "Views of \"A\", B | ខ្ពស់?")
        XCTAssertEqual(item["n"] as? Int, 4)
        XCTAssertEqual(item["missing"] as? Int, 0)
        XCTAssertEqual(item["wai"] as? Double, 0.625)
        XCTAssertEqual(item["wai_reported"] as? String, "0.63")
        XCTAssertEqual(item["band"] as? String, "High")
        let counts = item["counts"] as! [[String: Any]]
        XCTAssertEqual(counts.map { $0["label"] as! String }, ["Very Low", "Low", "Neutral", "High", "Very High"])
        XCTAssertEqual(counts.map { $0["count"] as! Int }, [0, 1, 1, 1, 1])
        XCTAssertEqual(counts.map { $0["share"] as! Double }, [0, 0.25, 0.25, 0.25, 0.25])
        let quality = object["quality"] as! [String: Any]
        XCTAssertEqual(quality["rows_read"] as? Int, 4)
        XCTAssertEqual(quality["rows_used"] as? Int, 4)
        XCTAssertEqual(quality["rows_rejected"] as? Int, 0)
    }

    func testReportsAreDeterministicAndWrittenAtomically() throws {
        let a = try analysis()
        let first = try ReportWriter().files(for: a)
        let second = try ReportWriter().files(for: try analysis())
        XCTAssertEqual(first.map(\.path), second.map(\.path))
        XCTAssertEqual(first.map(\.content), second.map(\.content))
        XCTAssertEqual(Set(first.map(\.path)), ["report.md", "t1.md", "t1.csv", "frequencies.csv", "breakdown-g.csv", "report.json", "t1.json",
                                                 "report.html", "charts/t1-index.svg", "charts/t1-levels.svg", "charts/frequency-g.svg",
                                                 "charts/breakdown-g-t1.svg", "report.xlsx"])

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("wai-out-\(UUID().uuidString)").path
        let written = try ReportWriter(formats: [.md]).write(a, to: directory)
        XCTAssertEqual(written.count, 2)
        let listing = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        XCTAssertEqual(listing, [".wai-files", "report.md", "t1.md"])   // no temporary files left behind
    }
}
