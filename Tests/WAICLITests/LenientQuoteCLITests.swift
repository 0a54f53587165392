import Foundation
import XCTest

/// `--lenient` past a malformed quoted field, in `analyze`, `report` and `init`: the record is
/// rejected and listed by its line, every well-formed record before and after it is analysed.
final class LenientQuoteCLITests: XCTestCase {
    typealias Run = ProcessRun

    @discardableResult
    func wai(_ arguments: [String], in directory: URL) throws -> Run {
        try Products.run(Products.wai, arguments, in: directory)
    }

    func directory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("wai-lenient-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: directory) }
        return directory
    }

    let spec = """
        title: Lenient fixture
        data: responses.csv
        scale:
          levels:
            - {code: 1, label: Very Low}
            - {code: 2, label: Low}
            - {code: 3, label: Neutral}
            - {code: 4, label: High}
            - {code: 5, label: Very High}
          missing: [""]
        demographics: [gender]
        tables:
          - id: t1
            title: Items
            items:
              - {id: a, column: qa, text: "Item A?"}

        """

    /// Line 4 opens a quote that is never closed; lines 5 and 6 are read after it.
    /// qa over lines 2, 3, 5, 6: codes 5, 4, 2, 2 → scores 1, .75, .25, .25 → 2.25 / 4 = 0.5625 → 0.56.
    let responses = "gender,qa\nF,Very High\nM,High\nF,\"Low\nM,Low\nF,Low\n"

    func testAnalyzeAndReportRejectTheRecordAndReadTheRowsAfterIt() throws {
        let dir = try directory()
        try Data(spec.utf8).write(to: dir.appendingPathComponent("survey.yaml"))
        try Data(responses.utf8).write(to: dir.appendingPathComponent("responses.csv"))

        let strict = try wai(["analyze", "responses.csv", "--spec", "survey.yaml", "--replicates", "0"], in: dir)
        XCTAssertEqual(strict.status, 2)
        XCTAssert(strict.stderr.contains("responses.csv:4:3: unterminated quoted field"), strict.stderr)

        let run = try wai(["analyze", "responses.csv", "--spec", "survey.yaml", "--replicates", "0", "--lenient"], in: dir)
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssert(run.stdout.contains("Rows read 5 = rows used 4 + rows rejected 1."), run.stdout)
        XCTAssert(run.stdout.contains("| 4 | malformed quoted field: unterminated quoted field at line 4, column 3 |"), run.stdout)
        XCTAssert(run.stdout.contains("| Item A? | 0.56 | Neutral † |"), run.stdout)

        let report = try wai(["report", ".", "--out", "out", "--format", "md", "--replicates", "0", "--lenient"], in: dir)
        XCTAssertEqual(report.status, 0, report.stderr)
        let markdown = try String(contentsOf: dir.appendingPathComponent("out/report.md"), encoding: .utf8)
        XCTAssert(markdown.contains("| 4 | malformed quoted field: unterminated quoted field at line 4, column 3 |"), markdown)
        XCTAssert(markdown.contains("| Item A? | 0.56 | Neutral † |"), markdown)
    }

    /// Provenance records how the counts were summed: `--aggregation` decides, for every file
    /// size and number of ranges, and loops are the default.
    func testProvenanceRecordsTheAggregationTaken() throws {
        let dir = try directory()
        try Data(spec.utf8).write(to: dir.appendingPathComponent("survey.yaml"))
        try Data("gender,qa\nF,Very High\nM,High\nF,Low\n".utf8).write(to: dir.appendingPathComponent("responses.csv"))
        func aggregation(_ asked: String?, environment: [String: String]) throws -> String? {
            let run = try Products.run(Products.wai, ["analyze", "responses.csv", "--spec", "survey.yaml", "--format", "json",
                                                      "--replicates", "0"] + (asked.map { ["--aggregation", $0] } ?? []),
                                       in: dir, environment: environment.merging(["WAI_PIPELINE_TRACE": "1"]) { $1 })
            XCTAssertEqual(run.status, 0, run.stderr)
            if let asked { XCTAssert(run.stderr.contains(asked == "blas" ? "aggregation BLAS" : "aggregation loops"), run.stderr) }
            let object = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]
            return ((object?["provenance"] as? [String: Any])?["options"] as? [String: Any])?["aggregation"] as? String
        }
        XCTAssertEqual(try aggregation("blas", environment: ["WAI_BYTES_PER_WORKER": "1", "WAI_WORKERS": "2"]), "blas")
        XCTAssertEqual(try aggregation("loops", environment: ["WAI_BYTES_PER_WORKER": "1", "WAI_WORKERS": "2"]), "loops")
        XCTAssertEqual(try aggregation("blas", environment: [:]), "blas")
        XCTAssertEqual(try aggregation(nil, environment: [:]), "loops")
    }

    /// A Google Forms export with a bad line inserted: `init --lenient` infers what the clean file
    /// gives, and `analyze --lenient` without a spec gives the clean file's indices.
    func testInitAndAnalyzeWithoutASpecReadPastTheBadLine() throws {
        let dir = try directory()
        let fixture = Products.packageRoot.appendingPathComponent("Tests/WAIReadTests/Fixtures/google_forms.csv")
        let clean = try String(contentsOf: fixture, encoding: .utf8)
        var lines = clean.components(separatedBy: "\n")
        lines.insert("2024/03/01 9:50:00 AM GMT+7,x@example.org,\"Satisfied\"x,Satisfied,Satisfied,Often,Consultation,Male,", at: 3)
        try Data(clean.utf8).write(to: dir.appendingPathComponent("clean.csv"))
        try Data(lines.joined(separator: "\n").utf8).write(to: dir.appendingPathComponent("broken.csv"))

        let strict = try wai(["init", "broken.csv"], in: dir)
        XCTAssertEqual(strict.status, 2)
        XCTAssert(strict.stderr.contains("broken.csv:4:54: unexpected text after a closing quote"), strict.stderr)

        let lenient = try wai(["init", "broken.csv", "--lenient"], in: dir)
        XCTAssertEqual(lenient.status, 0, lenient.stderr)
        XCTAssert(lenient.stderr.contains("1 malformed line left out of the inference (line 4)"), lenient.stderr)
        let reference = try wai(["init", "clean.csv"], in: dir)
        XCTAssertEqual(reference.status, 0, reference.stderr)
        func body(_ yaml: String) -> [String] { yaml.components(separatedBy: "\n").filter { !$0.hasPrefix("#") && !$0.hasPrefix("title:") && !$0.hasPrefix("data:") } }
        XCTAssertEqual(body(lenient.stdout), body(reference.stdout))

        let analysis = try wai(["analyze", "broken.csv", "--lenient", "--format", "json", "--replicates", "0"], in: dir)
        let cleanAnalysis = try wai(["analyze", "clean.csv", "--format", "json", "--replicates", "0"], in: dir)
        XCTAssertEqual(analysis.status, 0, analysis.stderr)
        XCTAssertEqual(cleanAnalysis.status, 0, cleanAnalysis.stderr)
        let broken = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(analysis.stdout.utf8)) as? [String: Any])
        let good = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(cleanAnalysis.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(NSDictionary(dictionary: ["t": broken["tables"] ?? []]), NSDictionary(dictionary: ["t": good["tables"] ?? []]))
        let rejections = (broken["quality"] as? [String: Any])?["rejections"] as? [[String: Any]]
        XCTAssertEqual(rejections?.map { $0["line"] as? Int }, [4])
        XCTAssertEqual(good["respondents"] as? Int, broken["respondents"] as? Int)
    }
}
