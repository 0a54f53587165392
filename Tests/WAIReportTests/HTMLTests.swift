import Foundation
import XCTest
import WAIRead
import WAIModel
@testable import WAIAggregate
@testable import WAIEstimate
@testable import WAIPipeline
@testable import WAIReport

final class HTMLTests: XCTestCase {
    static let nasty = #"Views of <script>alert(1)</script> & "A" 'B' ខ្ពស់?"#

    /// Three items in two tables, answered by five people, one of whom gave no gender.
    func analysis(replicates: Int = 0) throws -> SurveyAnalysis {
        let spec = SurveySpec(
            title: "Fixture <b>survey</b> & co",
            scale: Scale(levels: Scale.fivePointDegree.levels, missing: [""]),
            demographics: [Demographic(column: "g", label: "Gender")],
            tables: [
                ItemTable(id: "t1", title: "Items", caption: "Table 1",
                          bandLabels: ["Very Low", "Low", "Medium", "High", "Very High"], composite: true, items: [
                    Item(id: "q1", column: "q1", text: Self.nasty),
                    Item(id: "q2", column: "q2", text: "Second?"),
                ]),
                ItemTable(id: "f2", title: "Figure items", caption: "Figure 2", composite: true, items: [
                    Item(id: "q3", column: "q3", text: "Third, with a long wording that has to wrap across more than one line in the chart?"),
                ]),
            ])
        let csv = "g,q1,q2,q3\nF,5,3,4\nM,4,3,4\nF,3,3,5\nM,2,,1\n,1,2,3\n"
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("wai-html-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent("r.csv").path
        try Data(csv.utf8).write(to: URL(fileURLWithPath: path))
        return try Analyzer.analyze(spec: spec, csvPath: path, displayName: "r.csv", inference: InferenceOptions(replicates: replicates))
    }

    func testPageIsWellFormedSelfContainedAndHasEverySection() throws {
        let a = try analysis()
        let html = HTMLRenderer().report(a)
        guard let root = XMLTreeBuilder.parse(html) else { return }
        XCTAssertEqual(root.name, "html")
        XCTAssertEqual(root.attributes["lang"], "en")
        XCTAssert(html.contains("<meta charset=\"utf-8\"/>"))
        XCTAssert(html.contains("@page { size: A4;"))
        XCTAssert(html.contains("@media print"))

        // No scripts, nothing from the network: only namespace names are URLs.
        let all = root.all
        XCTAssertEqual(all.filter { ["script", "img", "iframe", "object", "embed", "link", "image", "use"].contains($0.name) }.count, 0)
        XCTAssertFalse(html.lowercased().contains("<script"))
        for node in all {
            for (name, value) in node.attributes where name != "xmlns" {
                XCTAssertFalse(value.contains("http:") || value.contains("https:") || value.contains("//"), "\(node.name) \(name)=\(value)")
                XCTAssertFalse(name.lowercased().hasPrefix("on"), "event handler \(name)")
            }
        }
        XCTAssertFalse(html.contains("url("))
        XCTAssertFalse(html.contains("@import"))

        // Title, sample, every table with both charts, respondents, breakdowns, quality, method.
        XCTAssertEqual(all.first { $0.name == "h1" }?.fullText, "Fixture <b>survey</b> & co")
        XCTAssert(html.contains("rows read 5 = rows used 5 + rows rejected 0."), html)
        XCTAssert(html.contains("<strong>5</strong> respondents"))
        let headings = all.filter { $0.name == "h2" }.map(\.fullText)
        XCTAssertEqual(headings, ["Contents", "Table 1. Items", "Figure 2. Figure items", "Respondents", "By Gender", "Data quality", "Method"])
        let svgs = all.filter { $0.name == "svg" }
        // 2 tables × (index + levels) + 1 frequency + 1 breakdown × 2 tables.
        XCTAssertEqual(svgs.count, 7)
        XCTAssert(svgs.allSatisfy { $0.attributes["role"] == "img" && $0.attributes["viewBox"] != nil && $0.children.first?.name == "title" })

        // The published layout: Attribute | n | WAI | OA (n differs), the OA row, the answer distribution.
        let tables = all.filter { $0.name == "table" }
        let index = tables.first { $0.attributes["class"] == "index" }!
        let header = index.all.filter { $0.name == "th" }.map(\.fullText)
        XCTAssertEqual(Array(header.prefix(4)), ["Attribute", "n", "WAI", "OA"])
        let rows = index.all.filter { $0.name == "tr" }.map { $0.all.filter { $0.name == "td" }.map(\.fullText) }
        XCTAssertEqual(rows[1].first, Self.nasty)
        XCTAssertEqual(Array(rows[1].dropFirst().prefix(2)), ["5", "0.50"])
        XCTAssert(rows[1][3].hasPrefix("Medium"), rows[1][3])
        XCTAssertEqual(rows.last?.first, "OA (mean of 2 items)")
        XCTAssert(tables.contains { $0.attributes["class"] == "answers" })
        XCTAssert(tables.contains { $0.attributes["class"] == "frequency" })
        XCTAssert(tables.contains { $0.attributes["class"] == "breakdown" && $0.fullText.contains("No answer (n = 1)") })
        XCTAssert(tables.contains { $0.attributes["class"] == "levels" && $0.fullText.contains("Very High1") })
        XCTAssert(tables.contains { $0.attributes["class"] == "bands" && $0.fullText.contains("0.41–0.60") })
        let method = all.first { $0.attributes["id"] == "method" }!.fullText
        XCTAssert(method.contains("normalized"))
        XCTAssert(method.contains("rounded half-up to 2 decimals"))
        XCTAssert(method.contains("n: 5 respondents"))
    }

    func testSurveyTextIsShownNotRun() throws {
        let html = HTMLRenderer().report(try analysis())
        XCTAssert(html.contains("Views of &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;A&quot; &#39;B&#39; ខ្ពស់?"))
        XCTAssert(html.contains("<title>Fixture &lt;b&gt;survey&lt;/b&gt; &amp; co</title>"))
        XCTAssertFalse(html.contains("<b>survey"))
        XCTAssertFalse(html.lowercased().contains("<script"))
        // A Content-Security-Policy forbids scripts and fetching, should anything slip through.
        XCTAssert(html.contains("content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\""))
    }

    func testPageWithIntervalsAndBootstrapStillParsesAndIsDeterministic() throws {
        let first = HTMLRenderer().report(try analysis(replicates: 50))
        let second = HTMLRenderer().report(try analysis(replicates: 50))
        XCTAssertEqual(first, second)
        let root = XMLTreeBuilder.parse(first)
        XCTAssertGreaterThan(root?.all.filter { $0.classes.contains("whisker") }.count ?? 0, 0)
        XCTAssert(first.contains("95 % CI"))
    }

    func testWriterPutsChartsInTheirDirectoryAtomically() throws {
        let a = try analysis()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("wai-html-out-\(UUID().uuidString)").path
        let written = try ReportWriter(formats: [.svg, .html]).write(a, to: directory)
        XCTAssertEqual(written.count, 8)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory).sorted(), [".wai-files", "charts", "report.html"])
        let charts = try FileManager.default.contentsOfDirectory(atPath: directory + "/charts").sorted()
        XCTAssertEqual(charts, ["breakdown-g-f2.svg", "breakdown-g-t1.svg", "f2-index.svg", "f2-levels.svg",
                                "frequency-g.svg", "t1-index.svg", "t1-levels.svg"])
        for chart in charts {
            let text = try String(contentsOfFile: directory + "/charts/" + chart, encoding: .utf8)
            XCTAssertNotNil(XMLTreeBuilder.parse(text), chart)
        }
        // Rewriting gives the same bytes.
        let before = try charts.map { try Data(contentsOf: URL(fileURLWithPath: directory + "/charts/" + $0)) }
        try ReportWriter(formats: [.svg, .html]).write(a, to: directory)
        XCTAssertEqual(before, try charts.map { try Data(contentsOf: URL(fileURLWithPath: directory + "/charts/" + $0)) })
    }

    /// A table gone from the analysis takes its files with it; files of formats not written
    /// this time, and files wai never wrote, stay.
    func testFilesOfARemovedTableAreRemovedAndNothingElse() throws {
        var a = try analysis()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("wai-stale-\(UUID().uuidString)").path
        try ReportWriter().write(a, to: directory)
        try Data("mine".utf8).write(to: URL(fileURLWithPath: directory + "/notes.md"))
        let f2 = ["f2.md", "f2.csv", "f2.json", "charts/f2-index.svg", "charts/f2-levels.svg", "charts/breakdown-g-f2.svg"]
        for name in f2 { XCTAssert(FileManager.default.fileExists(atPath: directory + "/" + name), name) }

        a.tables.removeAll { $0.id == "f2" }
        try ReportWriter(formats: [.md, .svg]).write(a, to: directory)
        for name in ["f2.md", "charts/f2-index.svg", "charts/f2-levels.svg", "charts/breakdown-g-f2.svg"] {
            XCTAssertFalse(FileManager.default.fileExists(atPath: directory + "/" + name), name)
        }
        // csv and json were not written this time: their f2 files stay, and stay listed.
        for name in ["f2.csv", "f2.json", "notes.md", "t1.md", "charts/t1-index.svg"] {
            XCTAssert(FileManager.default.fileExists(atPath: directory + "/" + name), name)
        }
        let listed = try String(contentsOfFile: directory + "/.wai-files", encoding: .utf8)
        XCTAssert(listed.contains("f2.csv\n") && listed.contains("f2.json\n") && !listed.contains("f2.md") && !listed.contains("notes.md"), listed)

        try ReportWriter().write(a, to: directory)
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory + "/f2.csv"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory + "/f2.json"))
        XCTAssert(FileManager.default.fileExists(atPath: directory + "/notes.md"))
    }
}
