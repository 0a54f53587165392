import Foundation
import XCTest

/// Inputs a careful user expects refused, each with one located message and exit status 2.
final class InputCheckTests: XCTestCase {
    func spec(weight: Bool = false, items: String = "      - {id: a, column: qa, text: \"A?\"}\n      - {id: b, column: qb, text: \"B?\"}\n") -> String {
        """
        title: Checks
        data: responses.csv
        \(weight ? "weight: w\n" : "")scale:
          levels:
            - {code: 1, label: Low}
            - {code: 2, label: Mid}
            - {code: 3, label: High}
        tables:
          - id: t1
            items:
        \(items)
        """
    }

    func directory(spec: String, responses: String) throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("wai-checks-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: directory) }
        try Data(spec.utf8).write(to: directory.appendingPathComponent("survey.yaml"))
        try Data(responses.utf8).write(to: directory.appendingPathComponent("responses.csv"))
        return directory
    }

    func analyze(_ dir: URL) throws -> ProcessRun {
        try Products.run(Products.wai, ["analyze", "responses.csv", "--spec", "survey.yaml", "--replicates", "0"], in: dir)
    }

    func testAHeaderWithoutRowsIsNoResponses() throws {
        for responses in ["qa,qb\n", "qa,qb\n\n\n"] {
            let dir = try directory(spec: spec(), responses: responses)
            for run in [try analyze(dir), try Products.run(Products.wai, ["report", dir.path, "--out", dir.appendingPathComponent("out").path, "--replicates", "0"])] {
                XCTAssertEqual(run.status, 2, run.stdout)
                XCTAssert(run.stderr.hasPrefix("wai: error: ") && run.stderr.contains("responses.csv: no responses"), run.stderr)
            }
            XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("out").path))
        }
    }

    func testWeightsArePlainNonNegativeDecimals() throws {
        for bad in ["0x10", "inf", "nan", "-1", "1e999"] {
            let dir = try directory(spec: spec(weight: true), responses: "qa,qb,w\n1,2,1\n3,3,\(bad)\n")
            let run = try analyze(dir)
            XCTAssertEqual(run.status, 2, bad)
            XCTAssertEqual(run.stderr, "wai: error: responses.csv:3:5: invalid survey weight in column \"w\"; found \"\(bad)\"; expected a plain non-negative decimal number such as 1.25 (no hex, inf or nan)\n")
        }
        // 1.5e0 and .5 are plain decimals: qa = (0·1.5 + 1·0.5) / 2 = 0.25 under normalized weights 0, 0.5, 1.
        let dir = try directory(spec: spec(weight: true), responses: "qa,qb,w\n1,2,1.5e0\n3,3,.5\n")
        let run = try analyze(dir)
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssert(run.stdout.contains("| A? | 0.25 |"), run.stdout)
    }

    func testAllZeroWeightsAreALocatedError() throws {
        let dir = try directory(spec: spec(weight: true), responses: "qa,qb,w\n1,2,0\n3,3,0.0\n")
        let run = try analyze(dir)
        XCTAssertEqual(run.status, 2)
        XCTAssertEqual(run.stderr, "wai: error: responses.csv: every survey weight in column \"w\" is 0; found \"2 rows used, their weights summing to 0\"; expected positive weights (a row of weight 0 counts for nothing)\n")
    }

    func testAColumnTwiceInATableIsASpecError() throws {
        let items = "      - {id: a, column: qa, text: \"A?\"}\n      - {id: b, column: qa, text: \"A again?\"}\n"
        let dir = try directory(spec: spec(items: items), responses: "qa\n1\n")
        let run = try analyze(dir)
        XCTAssertEqual(run.status, 2)
        XCTAssert(run.stderr.hasPrefix("wai: error: survey.yaml:12:25: tables[0].items[1].column: a column can be an item only once in a table"), run.stderr)
    }

    /// A quote opened on line 51 and never closed is reported there, not where the file ends (line 60).
    func testAnUnterminatedQuoteIsReportedWhereItOpens() throws {
        var lines = ["qa,qb"] + Array(repeating: "1,2", count: 49)
        lines.append("3,\"2")
        lines += Array(repeating: "2,2", count: 9)
        XCTAssertEqual(lines.count, 60)
        let dir = try directory(spec: spec(), responses: lines.joined(separator: "\n") + "\n")
        let run = try analyze(dir)
        XCTAssertEqual(run.status, 2)
        XCTAssertEqual(run.stderr, "wai: error: responses.csv:51:3: unterminated quoted field; expected a closing quote (\") before the end of the file\n")
    }
}
