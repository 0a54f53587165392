import Foundation
import XCTest

/// End-to-end: the built `wai` binary, run as a user would, on files in a temporary directory.
final class CLITests: XCTestCase {
    typealias Run = ProcessRun
    static let packageRoot = Products.packageRoot
    var binary: URL { Products.wai }

    @discardableResult
    func wai(_ arguments: [String], in directory: URL? = nil) throws -> Run {
        try Products.run(Products.wai, arguments, in: directory)
    }

    let spec = """
        title: CLI fixture
        data: responses.csv
        scale:
          levels:
            - {code: 1, label: Very Low}
            - {code: 2, label: Low}
            - {code: 3, label: Neutral}
            - {code: 4, label: High}
            - {code: 5, label: Very High}
          missing: ["", "N/A"]
        demographics: [gender]
        tables:
          - id: t1
            title: Items
            items:
              - {id: a, column: qa, text: "Item A?"}
              - {id: b, column: qb, text: "Item B?"}

        """

    /// qa: 5,4,3,2 → (1+.75+.5+.25)/4 = 0.625 → 0.63 High. qb: 1,1,2,N/A → .25/3 = 0.0833 → 0.08 Very Low.
    let responses = "gender,qa,qb\nF,Very High,1\nM,4,Very Low\nF,neutral,2\nM,Low,N/A\n"

    func survey(spec: String? = nil, responses: String? = nil, published: String? = nil) throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("wai-cli-\(UUID().uuidString)/fixture")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try Data((spec ?? self.spec).utf8).write(to: directory.appendingPathComponent("survey.yaml"))
        try Data((responses ?? self.responses).utf8).write(to: directory.appendingPathComponent("responses.csv"))
        if let published { try Data(published.utf8).write(to: directory.appendingPathComponent("published.yaml")) }
        return directory
    }

    func testAnalyzePrintsTheIndexTable() throws {
        let dir = try survey()
        let run = try wai(["analyze", "responses.csv", "--spec", "survey.yaml", "--replicates", "0"], in: dir)
        XCTAssertEqual(run.status, 0, run.stderr)
        // Unweighted, so classical SEs, sd/√n, z = 1.959964:
        // qa: n = 4, SE = √(Σ(s − .625)²/3) / 2 = √(.3125/3)/2 = 0.16137 → 0.3087–0.9413, which spans
        // Low to Very High, hence the † (the band is not settled).
        XCTAssert(run.stdout.contains("| Item A? | 4 | 0.63 | High † | 1 | 0.31–0.94 |"), run.stdout)
        // qb: scores 0, 0, .25 → 0.0833, Σ(s − ȳ)² = 6/144, SE = √(6/144/2)/√3 = 0.08333 → −0.0800–0.2467.
        XCTAssert(run.stdout.contains("| Item B? | 3 | 0.08 | Very Low † | 2 | -0.08–0.25 |"), run.stdout)
        // OA: (0.625 + 0.08333) / 2 = 0.35417 → 0.35 Low; influence (z_a + z_b)/2 per row gives
        // SE = 0.06769 → 0.2215–0.4868.
        XCTAssert(run.stdout.contains("| **OA** (mean of 2 items) |  | **0.35** | **Low †** |  | 0.22–0.49 |"), run.stdout)
        // Data quality: qb's "N/A" is its one missing answer; no row has every item missing.
        XCTAssert(run.stdout.contains("never scored): `b` 1; none in the other 1 item.\n"), run.stdout)
        XCTAssert(run.stdout.contains("- Fully blank responses (every item missing), counted in the rows used but in no index: 0.\n"), run.stdout)
        let html = try wai(["analyze", "responses.csv", "--spec", "survey.yaml", "--replicates", "0", "--format", "html"], in: dir)
        XCTAssert(html.stdout.contains("never scored): <code>b</code> 1; none in the other 1 item.</li>"), html.stdout)
        // Provenance in the HTML page too, with the data's SHA-256 as coreutils computes it.
        let sha = Process()
        sha.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        sha.arguments = [dir.appendingPathComponent("responses.csv").path]
        let pipe = Pipe()
        sha.standardOutput = pipe
        try sha.run()
        let digest = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).prefix(64)
        sha.waitUntilExit()
        XCTAssert(html.stdout.contains("<li>Data: <code>responses.csv</code>, SHA-256 <code>\(digest)</code> (\(responses.utf8.count) bytes).</li>"), html.stdout)
        XCTAssert(html.stdout.contains("<li>Rows read 4 = rows used 4 + rows rejected 0; 0 blank lines skipped.</li>"), html.stdout)
    }

    /// --no-covariances skips the cross-products: the items keep their intervals (they come from
    /// the level counts), the OA keeps its value (0.35, as above) but has no interval, and the
    /// method says why.
    func testNoCovariancesKeepsItemIntervalsAndDropsTheCompositeOne() throws {
        let dir = try survey()
        let run = try wai(["analyze", "responses.csv", "--spec", "survey.yaml", "--replicates", "0", "--no-covariances"], in: dir)
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssert(run.stdout.contains("| Item A? | 4 | 0.63 | High † | 1 | 0.31–0.94 |"), run.stdout)
        XCTAssert(run.stdout.contains("| Item B? | 3 | 0.08 | Very Low † | 2 | -0.08–0.25 |"), run.stdout)
        XCTAssert(run.stdout.contains("| **OA** (mean of 2 items) |  | **0.35** | **Low** |  | – |"), run.stdout)
        XCTAssert(run.stdout.contains("composites have no interval and no reliability is reported"), run.stdout)
        XCTAssertFalse(run.stdout.contains("Cronbach"), run.stdout)
        let json = try wai(["analyze", "responses.csv", "--spec", "survey.yaml", "--replicates", "0", "--no-covariances", "--format", "json"], in: dir)
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as! [String: Any]
        let method = (object["method"] as? [String: Any]) ?? [:]
        XCTAssertEqual((method["inference"] as? [String: Any])?["covariances"] as? Bool, false, json.stdout)
    }

    func testAnalyzeByGroupAsCSVAndJSON() throws {
        let dir = try survey()
        let csv = try wai(["analyze", "responses.csv", "--spec", "survey.yaml", "--by", "gender", "--format", "csv"], in: dir)
        XCTAssertEqual(csv.status, 0, csv.stderr)
        let lines = csv.stdout.split(separator: "\n")
        // F: qa 5,3 → 0.75; M: qa 4,2 → 0.50.
        XCTAssert(lines.contains { $0.hasPrefix("t1,F,a,Item A?,2,0,") && $0.contains(",0.75,0.75,High,") }, csv.stdout)
        XCTAssert(lines.contains { $0.hasPrefix("t1,M,a,Item A?,2,0,") && $0.contains(",0.5,0.50,Neutral,") }, csv.stdout)
        let json = try wai(["analyze", "responses.csv", "--spec", "survey.yaml", "--format", "json"], in: dir)
        XCTAssertEqual(json.status, 0, json.stderr)
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as! [String: Any]
        let item = ((object["tables"] as! [[String: Any]])[0]["items"] as! [[String: Any]])[1]
        XCTAssertEqual(item["missing"] as? Int, 1)
        XCTAssertEqual(item["band"] as? String, "Very Low")
    }

    func testReportWritesEveryFormatAndIsByteIdenticalOnRerun() throws {
        let dir = try survey()
        let out = dir.deletingLastPathComponent().appendingPathComponent("out")
        let first = try wai(["report", dir.path, "--out", out.path])
        XCTAssertEqual(first.status, 0, first.stderr)
        let names = try FileManager.default.subpathsOfDirectory(atPath: out.path).filter { $0 != "charts" }.sorted()
        XCTAssertEqual(names, [".wai-files", "breakdown-gender.csv", "charts/breakdown-gender-t1.svg", "charts/frequency-gender.svg",
                               "charts/t1-index.svg", "charts/t1-levels.svg", "frequencies.csv", "report.html",
                               "report.json", "report.md", "report.xlsx", "t1.csv", "t1.json", "t1.md"])
        let before = try names.map { try Data(contentsOf: out.appendingPathComponent($0)) }
        XCTAssertEqual(try wai(["report", dir.path, "--out", out.path]).status, 0)
        let after = try names.map { try Data(contentsOf: out.appendingPathComponent($0)) }
        XCTAssertEqual(before, after)
    }

    func testVerifyReportsEachMismatchAndExitsOne() throws {
        let published = """
            respondents: 4
            tables:
              - id: t1
                items:
                  - {id: a, wai: 0.63, band: High}
                  - {id: b, wai: 0.10, band: Low}

            """
        let dir = try survey(published: published)
        let run = try wai(["verify", dir.path])
        XCTAssertEqual(run.status, 1, run.stdout + run.stderr)
        XCTAssert(run.stdout.contains("MISMATCH t1 / b WAI: computed 0.08, published 0.10"), run.stdout)
        XCTAssert(run.stdout.contains("MISMATCH t1 / b band: computed Very Low, published Low"), run.stdout)
        XCTAssert(run.stdout.contains("5 checks, 3 match, 2 mismatch"), run.stdout)

        let good = try survey(published: published.replacingOccurrences(of: "0.10, band: Low", with: "0.08, band: Very Low"))
        let ok = try wai(["verify", good.path])
        XCTAssertEqual(ok.status, 0, ok.stdout)
    }

    func testBadInputExitsTwoWithOneLocatedMessage() throws {
        let cases: [(responses: String, message: String)] = [
            ("gender,qa,qb\nF,Hihg,1\n", #"responses.csv:2:3: unknown answer in column "qa" (item a); found "Hihg""#),
            ("gender,qa,qb\nF,9,1\n", #"responses.csv:2:3: answer code out of range in column "qa" (item a); found "9""#),
            ("gender,qa,qb\nF,1,1,1\n", "responses.csv:2:7: ragged row: 4 fields where the header has 3"),
            ("gender,qa,qb\nF,\"1,1\n", "responses.csv:2:3: unterminated quoted field"),
            ("gender,qa\nF,1\n", #"column "qb" named by"#),
            ("gender,qa,qb,qa\nF,1,1,1\n", #"responses.csv:1:14: duplicate header"#),
            ("", "responses.csv:1:1: empty file"),
            ("gender,qa,qb\nF,caf\u{E9},1\n", "responses.csv:2:"),
        ]
        for (responses, message) in cases {
            let dir = try survey(responses: responses)
            let run = try wai(["analyze", "responses.csv", "--spec", "survey.yaml"], in: dir)
            XCTAssertEqual(run.status, 2, "\(responses): \(run.stderr)")
            XCTAssert(run.stderr.hasPrefix("wai: error: "), run.stderr)
            XCTAssert(run.stderr.contains(message), "expected \(message) in \(run.stderr)")
            XCTAssertEqual(run.stderr.split(separator: "\n").count, 1, run.stderr)
        }
    }

    func testInvalidUTF8IsLocated() throws {
        let dir = try survey()
        var bytes = Array("gender,qa,qb\nF,caf".utf8)
        bytes += [0xE9]
        bytes += Array(",1\n".utf8)
        try Data(bytes).write(to: dir.appendingPathComponent("responses.csv"))
        let run = try wai(["analyze", "responses.csv", "--spec", "survey.yaml"], in: dir)
        XCTAssertEqual(run.status, 2)
        XCTAssert(run.stderr.contains("responses.csv:2:6: invalid UTF-8"), run.stderr)
    }

    func testLenientCountsUnknownAnswersInTheReport() throws {
        let dir = try survey(responses: responses + "F,Hihg,1\nM,2\n")
        let run = try wai(["analyze", "responses.csv", "--spec", "survey.yaml", "--lenient"], in: dir)
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssert(run.stdout.contains("Rows read 6 = rows used 5 + rows rejected 1."), run.stdout)
        XCTAssert(run.stdout.contains("| a | `Hihg` | 1 | 6 |"), run.stdout)
        XCTAssert(run.stdout.contains("| 7 | ragged row: 2 fields where the header has 3 |"), run.stdout)
    }

    func testSpecErrorsNameTheKeyPath() throws {
        let dir = try survey(spec: spec.replacingOccurrences(of: "missing: [\"\", \"N/A\"]", with: "missing: [\"\", \"N/A\"]\n  weighting: linear"))
        let run = try wai(["analyze", "responses.csv", "--spec", "survey.yaml"], in: dir)
        XCTAssertEqual(run.status, 2)
        XCTAssert(run.stderr.contains("survey.yaml:11:14: scale.weighting: unknown weighting \"linear\""), run.stderr)
    }

    func testUsageErrorsExitTwoAndHelpTeaches() throws {
        let bad = try wai(["analyze"])
        XCTAssertEqual(bad.status, 2, bad.stderr)
        XCTAssert(bad.stderr.contains("Missing expected argument"), bad.stderr)
        let format = try wai(["analyze", "x.csv", "--spec", "s.yaml", "--format", "xlsx"])
        XCTAssertEqual(format.status, 2)
        XCTAssert(format.stderr.contains("expected md, csv or json"), format.stderr)
        for command in ["report", "analyze", "verify"] {
            let help = try wai([command, "--help"])
            XCTAssertEqual(help.status, 0)
            XCTAssert(help.stdout.contains("Example"), help.stdout)
        }
    }

    func testTheReferenceStudyVerifies() throws {
        let run = try wai(["verify", "Surveys/chapter11"])
        XCTAssertEqual(run.status, 0, run.stdout + run.stderr)
        XCTAssert(run.stdout.contains(" 0 mismatch"), run.stdout)
    }
}
