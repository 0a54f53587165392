import Foundation
import XCTest

/// `wai analyze --format json` and `wai report` on a survey whose items are on three scales,
/// against the counts and indices `MixedScaleFixture` works out from the raw answers.
final class MixedScaleCLITests: XCTestCase {
    func directory(atLeast bytes: Int = 0) throws -> (URL, Int) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("wai-mixed-cli-\(UUID().uuidString)")
        let (text, repeats) = MixedScaleFixture.responses(atLeast: bytes)
        try MixedScaleFixture.write(to: directory, responses: text)
        return (directory, repeats)
    }

    func analyzeJSON(in directory: URL, _ extra: [String] = []) throws -> [String: Any] {
        let run = try Products.run(Products.wai, ["analyze", "responses.csv", "--spec", "survey.yaml", "--format", "json"] + extra, in: directory)
        XCTAssertEqual(run.status, 0, run.stderr)
        return try XCTUnwrap(JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
    }

    func assertMatchesHand(_ json: [String: Any], repeats: Int, file: StaticString = #filePath, line: UInt = #line) throws {
        let expected = MixedScaleFixture.expected(repeats: repeats)
        XCTAssertEqual(json["schema"] as? String, "wai.analysis/2", file: file, line: line)
        let tables = try XCTUnwrap(json["tables"] as? [[String: Any]], file: file, line: line)
        let items = tables.flatMap { $0["items"] as! [[String: Any]] }
        XCTAssertEqual(items.map { $0["id"] as! String }, ["d1", "d2", "d3", "d4", "p1", "p2", "p3", "p4", "f1"], file: file, line: line)
        for item in items {
            let id = item["id"] as! String
            let hand = try XCTUnwrap(expected[id], file: file, line: line)
            XCTAssertEqual(item["scale"] as? String, MixedScaleFixture.items.first { $0.id == id }!.scale.name, id, file: file, line: line)
            XCTAssertEqual(item["n"] as? Int, hand.n, id, file: file, line: line)
            XCTAssertEqual(item["missing"] as? Int, hand.missing, id, file: file, line: line)
            XCTAssertEqual((item["counts"] as! [[String: Any]]).map { $0["count"] as! Int }, hand.counts, id, file: file, line: line)
            XCTAssertEqual(try XCTUnwrap(item["wai"] as? Double, file: file, line: line), hand.wai, accuracy: 1e-12, id, file: file, line: line)
        }
        let attitudes = tables[0], placements = tables[1]
        let oa = try XCTUnwrap((placements["composite"] as? [String: Any])?["wai"] as? Double, file: file, line: line)
        XCTAssertEqual(oa, MixedScaleFixture.placementsOA(expected), accuracy: 1e-12, file: file, line: line)
        XCTAssertEqual((placements["composite"] as? [String: Any])?["rescaled"] as? Bool, true, file: file, line: line)
        let plain = try XCTUnwrap((attitudes["composite"] as? [String: Any])?["wai"] as? Double, file: file, line: line)
        XCTAssertEqual(plain, MixedScaleFixture.attitudesOA(expected), accuracy: 1e-12, file: file, line: line)
        XCTAssertNil(placements["reliability"], file: file, line: line)
        XCTAssertEqual(placements["reliability_note"] as? String, "alpha not computed: items on different scales (lr7, freq4)", file: file, line: line)
        XCTAssertEqual((attitudes["reliability"] as? [String: Any])?["rows"] as? Int, MixedScaleFixture.respondents * repeats, file: file, line: line)
        XCTAssertEqual((attitudes["reliability"] as? [String: Any])?["missing"] as? String, "pairwise", file: file, line: line)
        let scales = try XCTUnwrap((json["method"] as? [String: Any])?["scales"] as? [[String: Any]], file: file, line: line)
        XCTAssertEqual(scales.map { $0["name"] as! String }, ["degree", "lr7", "freq4"], file: file, line: line)
    }

    func testAnalyzeJSONIndexesEveryItemOnItsOwnScale() throws {
        let (directory, repeats) = try directory()
        let json = try analyzeJSON(in: directory, ["--replicates", "0"])
        try assertMatchesHand(json, repeats: repeats)
    }

    func testAnalyzeJSONOnAFileOverFourMiBGivesTheSameNumbers() throws {
        let (directory, repeats) = try directory(atLeast: 4 << 20)
        let run = try Products.run(Products.wai, ["analyze", "responses.csv", "--spec", "survey.yaml", "--format", "json", "--replicates", "0"],
                                   in: directory, environment: ["WAI_PIPELINE_TRACE": "1"])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssert(run.stderr.contains("wai: pipeline ranges: "), run.stderr)
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        try assertMatchesHand(json, repeats: repeats)
    }

    func testTheReportSaysHowTheScalesWereUsed() throws {
        let (directory, _) = try directory()
        let run = try Products.run(Products.wai, ["report", ".", "--out", "out", "--replicates", "0"], in: directory)
        XCTAssertEqual(run.status, 0, run.stderr)
        let markdown = try String(contentsOf: directory.appendingPathComponent("out/report.md"), encoding: .utf8)
        XCTAssert(markdown.contains("Reliability: alpha not computed: items on different scales (lr7, freq4)."), markdown)
        XCTAssert(markdown.contains("### Scale `freq4`\n\nExplicit weighting; missing: \"\"; tables `placements`; items `f1`.\n\n| Code | Level | Weight |\n| ---: | --- | ---: |\n| 1 | Never | 0.1 |\n| 2 | Sometimes | 0.4 |\n| 3 | Often | 0.7 |\n| 4 | Always | 0.9 |\n"), markdown)
        XCTAssert(markdown.contains("each index is first mapped to 0…1 by its scale's lowest and highest score"), markdown)
        XCTAssert(markdown.contains("Scale `lr7`:"), markdown)
        let html = try String(contentsOf: directory.appendingPathComponent("out/report.html"), encoding: .utf8)
        XCTAssert(html.contains("<h3>Scale <code>lr7</code></h3>"), "the HTML Method section lists each scale")
        XCTAssert(html.contains("Reliability: alpha not computed: items on different scales (lr7, freq4)."))
        let csv = try String(contentsOf: directory.appendingPathComponent("out/placements.csv"), encoding: .utf8)
        let lines = csv.split(separator: "\n")
        XCTAssert(lines[0].hasPrefix("table,item,text,n,missing,scale,count: level 1,"), String(lines[0]))
        XCTAssert(lines[5].hasPrefix("placements,f1,F1,11,1,freq4,3,3,2,3,,,,"), String(lines[5]))
        let chart = try String(contentsOf: directory.appendingPathComponent("out/charts/placements-levels.svg"), encoding: .utf8)
        XCTAssert(chart.contains("freq4: Never"), "one legend per scale")
        XCTAssert(chart.contains("data-item=\"f1\" data-level=\"4\""), "f1's four levels are drawn")
        XCTAssertFalse(chart.contains("data-item=\"f1\" data-level=\"5\""), "f1 has no fifth level")
    }

    func testTheJSONValidatesAgainstTheVersionedSchema() throws {
        let (directory, _) = try directory()
        let run = try Products.run(Products.wai, ["report", ".", "--out", "out", "--replicates", "20"], in: directory)
        XCTAssertEqual(run.status, 0, run.stderr)
        let env = URL(fileURLWithPath: "/usr/bin/env")
        if try Products.run(env, ["python3", "-c", "import jsonschema"]).status != 0 {
            throw XCTSkip("python3 cannot import jsonschema (`make test` installs it)")
        }
        let validate = Products.packageRoot.appendingPathComponent("Tests/Schemas/validate.py").path
        let analysis = try Products.run(env, ["python3", validate, "wai.analysis-2.schema.json", directory.appendingPathComponent("out/report.json").path])
        XCTAssertEqual(analysis.status, 0, analysis.stdout + analysis.stderr)
        let table = try Products.run(env, ["python3", validate, "wai.table-1.schema.json", directory.appendingPathComponent("out/placements.json").path])
        XCTAssertEqual(table.status, 0, table.stdout + table.stderr)
    }

    /// The fixture's rows of one group, as a responses file.
    func rows(of group: String) -> String {
        MixedScaleFixture.header + MixedScaleFixture.rows.split(separator: "\n").filter { $0.hasSuffix(",\(group)") }.map { $0 + "\n" }.joined()
    }

    func assertItems(_ items: [[String: Any]], match expected: [String: MixedScaleFixture.Expected], file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertEqual(items.count, 9, file: file, line: line)
        for item in items {
            let id = item["id"] as! String
            XCTAssertEqual(item["n"] as? Int, expected[id]!.n, id, file: file, line: line)
            XCTAssertEqual((item["counts"] as! [[String: Any]]).map { $0["count"] as! Int }, expected[id]!.counts, id, file: file, line: line)
            XCTAssertEqual(try XCTUnwrap(item["wai"] as? Double, file: file, line: line), expected[id]!.wai, accuracy: 1e-12, id, file: file, line: line)
        }
    }

    func testShardsAggregatedApartMergeToTheWholeSurvey() throws {
        let (directory, _) = try directory()
        try Data(rows(of: "A").utf8).write(to: directory.appendingPathComponent("a.csv"))
        try Data(rows(of: "B").utf8).write(to: directory.appendingPathComponent("b.csv"))
        for shard in ["a", "b"] {
            let run = try Products.run(Products.wai, ["aggregate", "\(shard).csv", "--spec", "survey.yaml", "--partial", "\(shard).waistats",
                                                      "--replicates", "0"], in: directory)
            XCTAssertEqual(run.status, 0, run.stderr)
        }
        let merged = try Products.run(Products.wai, ["merge", "survey.yaml", "a.waistats", "b.waistats", "--format", "json"], in: directory)
        XCTAssertEqual(merged.status, 0, merged.stderr)
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(merged.stdout.utf8)) as? [String: Any])
        try assertMatchesHand(json, repeats: 1)
    }

    func testACountsTableIsReadOnEachItemsScale() throws {
        let (directory, _) = try directory()
        // The GROUP BY a database would write: per item, level (its label) and group, with the
        // unanswered under an empty level.
        var counts = "item,level,group_column,group,count\n"
        for (column, group) in [("", ""), ("group", "A"), ("group", "B")] {
            let expected = MixedScaleFixture.expected(group: group.isEmpty ? nil : group)
            for item in MixedScaleFixture.items {
                let hand = expected[item.id]!
                for (l, count) in hand.counts.enumerated() where count > 0 {
                    counts += "\(item.id),\(item.scale.spellings[l][1]),\(column),\(group),\(count)\n"
                }
                if hand.missing > 0 { counts += "\(item.id),,\(column),\(group),\(hand.missing)\n" }
            }
        }
        try Data(counts.utf8).write(to: directory.appendingPathComponent("counts.csv"))
        let run = try Products.run(Products.wai, ["merge", "survey.yaml", "--counts", "counts.csv", "--format", "json", "--by", "group"], in: directory)
        XCTAssertEqual(run.status, 0, run.stderr)
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let tables = try XCTUnwrap(json["tables"] as? [[String: Any]])
        try assertItems(tables.flatMap { $0["items"] as! [[String: Any]] }, match: MixedScaleFixture.expected())
        let oa = try XCTUnwrap((tables[1]["composite"] as? [String: Any])?["wai"] as? Double)
        XCTAssertEqual(oa, MixedScaleFixture.placementsOA(MixedScaleFixture.expected()), accuracy: 1e-12)
        let groups = try XCTUnwrap((json["breakdowns"] as? [[String: Any]])?.first?["groups"] as? [[String: Any]])
        let a = try XCTUnwrap(groups.first { $0["category"] as? String == "A" })
        try assertItems((a["tables"] as! [[String: Any]]).flatMap { $0["items"] as! [[String: Any]] }, match: MixedScaleFixture.expected(group: "A"))

        // A label of another scale is refused where the item's own scale does not have it.
        try Data((counts + "f1,Moderate,,,0\n").utf8).write(to: directory.appendingPathComponent("bad.csv"))
        let bad = try Products.run(Products.wai, ["merge", "survey.yaml", "--counts", "bad.csv"], in: directory)
        XCTAssertEqual(bad.status, 2)
        XCTAssert(bad.stderr.contains("bad.csv:\(counts.split(separator: "\n").count + 1):"), bad.stderr)
        XCTAssert(bad.stderr.contains("unknown answer in column \"level\" (item f1)"), bad.stderr)
    }

    func testATrendFollowsEachItemOnItsScale() throws {
        let (first, _) = try directory()
        let (second, _) = try directory()
        try Data(rows(of: "A").utf8).write(to: second.appendingPathComponent("responses.csv"))
        let run = try Products.run(Products.wai, ["trend", first.path, second.path, "--format", "json"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let tables = try XCTUnwrap(json["tables"] as? [[String: Any]])
        let (whole, groupA) = (MixedScaleFixture.expected(), MixedScaleFixture.expected(group: "A"))
        for row in tables.flatMap({ $0["items"] as! [[String: Any]] }) {
            let id = row["item"] as! String
            let points = row["points"] as! [[String: Any]]
            XCTAssertEqual(try XCTUnwrap(points[0]["wai"] as? Double), whole[id]!.wai, accuracy: 1e-12, id)
            XCTAssertEqual(try XCTUnwrap(points[1]["wai"] as? Double), groupA[id]!.wai, accuracy: 1e-12, id)
            XCTAssertEqual(points[1]["n"] as? Int, groupA[id]!.n, id)
        }
        let oa = try XCTUnwrap((tables[1]["composite"] as? [String: Any])?["points"] as? [[String: Any]])
        XCTAssertEqual(try XCTUnwrap(oa[1]["wai"] as? Double), MixedScaleFixture.placementsOA(groupA), accuracy: 1e-12)

        // A wave whose lr7 is weighted otherwise measures something else.
        let spec = try String(contentsOf: second.appendingPathComponent("survey.yaml"), encoding: .utf8)
        try Data(spec.replacingOccurrences(of: "weighting: proportional", with: "weighting: normalized").utf8).write(to: second.appendingPathComponent("survey.yaml"))
        let refused = try Products.run(Products.wai, ["trend", first.path, second.path])
        XCTAssertEqual(refused.status, 2)
        XCTAssert(refused.stderr.contains("scales.lr7.weighting"), refused.stderr)
    }
}
