import Foundation
import XCTest

/// `wai report --format xlsx`: the workbook read back with openpyxl, every cell against the JSON
/// report (Tests/Workbook/check_report_xlsx.py).
final class WorkbookReportTests: XCTestCase {
    let env = URL(fileURLWithPath: "/usr/bin/env")
    let checker = Products.packageRoot.appendingPathComponent("Tests/Workbook/check_report_xlsx.py").path

    func temporaryDirectory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("wai-xlsx-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: directory) }
        return directory
    }

    func check(_ report: URL) throws {
        if try Products.run(env, ["python3", "-c", "import openpyxl"]).status != 0 {
            throw XCTSkip("python3 cannot import openpyxl (`make test` installs it)")
        }
        let run = try Products.run(env, ["python3", checker, report.path])
        XCTAssertEqual(run.status, 0, run.stdout + run.stderr)
        XCTAssert(run.stdout.range(of: #"\n?[1-9][0-9]* passed, 0 failed\n$"#, options: .regularExpression) != nil, run.stdout)
    }

    func testEveryCellOfTheWorkbookIsTheJSONReports() throws {
        let out = try temporaryDirectory().appendingPathComponent("report")
        let survey = Products.packageRoot.appendingPathComponent("Surveys/chapter11").path
        let run = try Products.run(Products.wai, ["report", survey, "--out", out.path, "--replicates", "0"])
        XCTAssertEqual(run.status, 0, run.stderr)
        try check(out)
        // The same bytes from the same analysis.
        let again = try temporaryDirectory().appendingPathComponent("report")
        XCTAssertEqual(try Products.run(Products.wai, ["report", survey, "--out", again.path, "--replicates", "0", "--format", "xlsx,json"]).status, 0)
        XCTAssertEqual(try Data(contentsOf: out.appendingPathComponent("report.xlsx")), try Data(contentsOf: again.appendingPathComponent("report.xlsx")))
    }

    func testSurveyTextThatLooksLikeFormulasIsStoredAsStrings() throws {
        let text = TextSafetyTests(name: "fixture", testClosure: { _ in })
        let dir = try temporaryDirectory()
        try Data(text.spec.utf8).write(to: dir.appendingPathComponent("survey.yaml"))
        try Data(text.responses.utf8).write(to: dir.appendingPathComponent("responses.csv"))
        let out = dir.appendingPathComponent("out")
        let run = try Products.run(Products.wai, ["report", dir.path, "--out", out.path, "--replicates", "0", "--lenient", "--format", "json,xlsx"])
        XCTAssertEqual(run.status, 0, run.stderr)
        try check(out)
    }

    func testAnalyzeRefersWorkbooksToReport() throws {
        let run = try Products.run(Products.wai, ["analyze", "x.csv", "--format", "xlsx"])
        XCTAssertNotEqual(run.status, 0)
        XCTAssert(run.stderr.contains("wai report --format xlsx"), run.stderr)
    }
}
