import Foundation
import XCTest

/// Survey platforms' exports through the built `wai`: analysed without a spec, `wai init` →
/// `wai report`, Khmer kept, ambiguity refused, encodings, speeders, and a large bad file.
final class ExportsCLITests: XCTestCase {
    typealias Run = ProcessRun
    static let packageRoot = Products.packageRoot
    static let fixtures = packageRoot.appendingPathComponent("Tests/WAIReadTests/Fixtures")
    var binary: URL { Products.wai }

    @discardableResult
    func wai(_ arguments: [String], in directory: URL, environment: [String: String]? = nil) throws -> Run {
        try Products.run(Products.wai, arguments, in: directory, environment: environment)
    }

    /// A fresh directory holding copies of the named fixtures.
    func directory(_ fixtures: [String] = []) throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("wai-exports-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: directory) }
        for name in fixtures {
            try FileManager.default.copyItem(at: Self.fixtures.appendingPathComponent(name), to: directory.appendingPathComponent(name))
        }
        return directory
    }

    func json(_ text: String) throws -> [String: Any] {
        try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    /// Per table, per item: (column, n, wai) from a JSON analysis.
    func indices(_ object: [String: Any]) -> [[String]] {
        (object["tables"] as? [[String: Any]] ?? []).map { table in
            (table["items"] as? [[String: Any]] ?? []).map { item in "\(item["text"] ?? "") n=\(item["n"] ?? "") wai=\(item["wai"] ?? "")" }
        }
    }

    static let platforms: [(file: String, recognised: String, items: [String])] = [
        ("google_forms.csv", "Google Forms export (1 header row), comma-separated", ["Waiting time", "Staff courtesy", "Cleanliness"]),
        ("kobo_xml_semicolon.csv", "KoboToolbox export (1 header row), semicolon-separated", ["trust_gov", "trust_ngo", "trust_media"]),
        ("kobo_labels_km.csv", "KoboToolbox export (1 header row), comma-separated", ["តើអ្នកទុកចិត្តលើរដ្ឋាភិបាលកម្រិតណា?"]),
        ("qualtrics_text.csv", "Qualtrics export (3 header rows), comma-separated, UTF-8; data from line 5", ["The staff were helpful", "I would come back"]),
        ("qualtrics_numeric.csv", "Qualtrics export (3 header rows)", ["The staff were helpful", "How likely are you to recommend the clinic to a friend?"]),
        ("surveymonkey.csv", "SurveyMonkey export (2 header rows)", ["Speed", "Packaging", "Price"]),
        ("plain_semicolon_bom.csv", "plain CSV (1 header row), semicolon-separated, UTF-8", ["q1", "q2", "q3"]),
        ("spss_survey.sav", "SPSS .sav file (read through ReadStat; messages name the case and variable)", ["The clinic staff listened to me", "The clinic was clean"]),
        ("stata_survey.dta", "Stata .dta file (read through ReadStat; messages name the case and variable)", ["I was seen on time"]),
    ]

    /// A workbook's sheet gives the analysis its CSV gives (everything but the data file's name and digest).
    func testWorkbookAnalysesAsTheCSVOfTheSameData() throws {
        let dir = try directory(["chapter11.xlsx", "surveymonkey.xlsx", "surveymonkey.csv"])
        let survey = Self.packageRoot.appendingPathComponent("Surveys/chapter11")
        for name in ["survey.yaml", "responses.csv"] {
            try FileManager.default.copyItem(at: survey.appendingPathComponent(name), to: dir.appendingPathComponent(name))
        }
        func analysis(_ arguments: [String]) throws -> [String: Any] {
            let run = try wai(["analyze"] + arguments + ["--format", "json", "--replicates", "0"], in: dir)
            XCTAssertEqual(run.status, 0, run.stderr)
            var object = try json(run.stdout)
            object["data"] = nil
            object["provenance"] = nil
            return object
        }
        let csv = try analysis(["responses.csv", "--spec", "survey.yaml"])
        let book = try analysis(["chapter11.xlsx", "--sheet", "Responses", "--spec", "survey.yaml"])
        XCTAssertFalse(indices(csv).joined().isEmpty)
        XCTAssertEqual(indices(book), indices(csv))
        XCTAssert(NSDictionary(dictionary: book).isEqual(to: csv), "the workbook's analysis differs from the CSV's")

        // `data:` and `sheet:` in the spec of a survey directory.
        var yaml = try String(contentsOf: dir.appendingPathComponent("survey.yaml"), encoding: .utf8)
        yaml = yaml.replacingOccurrences(of: "data: responses.csv", with: "data: chapter11.xlsx\nsheet: Responses")
        XCTAssert(yaml.contains("sheet: Responses"), "the spec names its data otherwise")
        let book11 = dir.appendingPathComponent("book")
        try FileManager.default.createDirectory(at: book11, withIntermediateDirectories: true)
        try yaml.write(to: book11.appendingPathComponent("survey.yaml"), atomically: true, encoding: .utf8)
        try FileManager.default.copyItem(at: dir.appendingPathComponent("chapter11.xlsx"), to: book11.appendingPathComponent("chapter11.xlsx"))
        let run = try wai(["report", "book", "--out", "out", "--replicates", "0"], in: dir)
        XCTAssertEqual(run.status, 0, run.stderr)
        let reported = try json(String(contentsOf: dir.appendingPathComponent("out/report.json"), encoding: .utf8))
        XCTAssertEqual(indices(reported), indices(csv))

        // Inferred: the SurveyMonkey workbook as its CSV, and `wai init` writes the sheet.
        XCTAssertEqual(indices(try analysis(["surveymonkey.xlsx"])), indices(try analysis(["surveymonkey.csv"])))
        let initRun = try wai(["init", "surveymonkey.xlsx"], in: dir)
        XCTAssertEqual(initRun.status, 0, initRun.stderr)
        XCTAssert(initRun.stdout.contains("sheet: \"Sheet1\""), initRun.stdout)
        XCTAssert(initRun.stdout.contains("source: surveymonkey"), initRun.stdout)

        let typo = try wai(["analyze", "chapter11.xlsx", "--sheet", "Typo", "--spec", "survey.yaml"], in: dir)
        XCTAssertEqual(typo.status, 2)
        XCTAssert(typo.stderr.contains(#"chapter11.xlsx:Typo!D12: unknown answer in column "q_gov""#), typo.stderr)
    }

    func testEachPlatformAnalysesWithoutASpecAndSaysWhatItAssumed() throws {
        for platform in Self.platforms {
            let dir = try directory([platform.file])
            let run = try wai(["analyze", platform.file, "--replicates", "0"], in: dir)
            XCTAssertEqual(run.status, 0, "\(platform.file): \(run.stderr)")
            XCTAssert(run.stderr.contains("wai: read \(platform.file): \(platform.recognised)"), "\(platform.file): \(run.stderr)")
            XCTAssert(run.stderr.contains("wai: scale: "), run.stderr)
            XCTAssert(run.stderr.contains("wai init \(platform.file) > survey.yaml"), run.stderr)
            for item in platform.items { XCTAssert(run.stdout.contains("| \(item) |"), "\(platform.file): \(item) in \(run.stdout)") }
            XCTAssert(run.stdout.contains("(inferred) survey.yaml"), run.stdout)   // the provenance names the inferred spec
        }
    }

    /// `wai init` writes a spec that `wai report` and `wai analyze --spec` read, with the same numbers.
    func testInitThenReportRoundTrips() throws {
        for platform in Self.platforms {
            let dir = try directory([platform.file])
            let initRun = try wai(["init", platform.file], in: dir)
            XCTAssertEqual(initRun.status, 0, "\(platform.file): \(initRun.stderr)")
            XCTAssert(initRun.stdout.hasPrefix("# Written by `wai init \(platform.file)`"), initRun.stdout)
            XCTAssert(initRun.stderr.hasPrefix("wai: inferred "), initRun.stderr)
            try Data(initRun.stdout.utf8).write(to: dir.appendingPathComponent("survey.yaml"))

            let report = try wai(["report", ".", "--out", "out", "--format", "md,json", "--replicates", "0"], in: dir)
            XCTAssertEqual(report.status, 0, "\(platform.file): \(report.stderr)\n\(initRun.stdout)")
            let markdown = try String(contentsOf: dir.appendingPathComponent("out/report.md"), encoding: .utf8)
            for item in platform.items { XCTAssert(markdown.contains("| \(item) |"), "\(platform.file): \(item)") }

            let withSpec = try wai(["analyze", platform.file, "--spec", "survey.yaml", "--format", "json", "--replicates", "0"], in: dir)
            let without = try wai(["analyze", platform.file, "--format", "json", "--replicates", "0"], in: dir)
            XCTAssertEqual(withSpec.status, 0, withSpec.stderr)
            XCTAssertEqual(without.status, 0, without.stderr)
            XCTAssertEqual(indices(try json(withSpec.stdout)), indices(try json(without.stdout)), platform.file)
            XCTAssertEqual(indices(try json(withSpec.stdout)), indices(try json(String(contentsOf: dir.appendingPathComponent("out/report.json"), encoding: .utf8))))
        }
    }

    /// The indices wai infers from two exports, against Python's csv module and the arithmetic
    /// of the WAI (normalized weights (i−1)/4 over the answers given) done here independently.
    func testInferredIndicesMatchAnIndependentCount() throws {
        let script = """
            import csv, json, sys
            path, header_rows, columns = sys.argv[1], int(sys.argv[2]), json.loads(sys.argv[3])
            order = {"very dissatisfied": 0, "dissatisfied": 1, "neutral": 2, "neither satisfied nor dissatisfied": 2,
                     "satisfied": 3, "very satisfied": 4}
            rows = list(csv.reader(open(path, encoding="utf-8-sig", newline="")))[header_rows:]
            out = []
            for c in columns:
                scores = [order[r[c].strip().lower()] / 4 for r in rows if r[c].strip()]
                out.append([len(scores), sum(scores) / len(scores)])
            print(json.dumps(out))
            """
        for (file, headerRows, columns) in [("google_forms.csv", 1, [2, 3, 4]), ("surveymonkey.csv", 2, [9, 10, 11])] {
            let dir = try directory([file])
            let run = try wai(["analyze", file, "--format", "json", "--replicates", "0"], in: dir)
            XCTAssertEqual(run.status, 0, run.stderr)
            let items = try XCTUnwrap((try json(run.stdout)["tables"] as? [[String: Any]])?.first?["items"] as? [[String: Any]])
            let python = try Products.run(URL(fileURLWithPath: "/usr/bin/env"),
                                          ["python3", "-c", script, dir.appendingPathComponent(file).path, String(headerRows), "\(columns)"])
            XCTAssertEqual(python.status, 0, python.stderr)
            let expected = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(python.stdout.utf8)) as? [[Double]])
            XCTAssertEqual(items.count, expected.count, file)
            for (item, want) in zip(items, expected) {
                XCTAssertEqual(Double(item["n"] as! Int), want[0], file)
                XCTAssertEqual(item["wai"] as! Double, want[1], accuracy: 1e-12, file)
            }
        }
    }

    func testKhmerLabelsReachMarkdownAndJSONUnchanged() throws {
        let dir = try directory(["kobo_labels_km.csv"])
        let markdown = try wai(["analyze", "kobo_labels_km.csv", "--replicates", "0"], in: dir)
        XCTAssertEqual(markdown.status, 0, markdown.stderr)
        for text in ["ការទុកចិត្ត", "តើអ្នកទុកចិត្តលើអង្គការក្រៅរដ្ឋាភិបាលកម្រិតណា?", "ខ្ពស់ណាស់", "ទាបណាស់", "មធ្យម", "ស្រី", "ប្រុស"] {
            XCTAssert(markdown.stdout.contains(text), "\(text) in \(markdown.stdout)")
        }
        XCTAssert(markdown.stderr.contains(#"scale: degree (5-point), lowest first: "ទាបណាស់" < "ទាប" < "មធ្យម" < "ខ្ពស់" < "ខ្ពស់ណាស់""#), markdown.stderr)
        XCTAssert(markdown.stderr.contains(#"missing (never scored): "", "មិនដឹង""#), markdown.stderr)

        let run = try wai(["analyze", "kobo_labels_km.csv", "--format", "json", "--replicates", "0"], in: dir)
        let object = try json(run.stdout)
        let method = try XCTUnwrap(object["method"] as? [String: Any])
        XCTAssertEqual((method["levels"] as? [[String: Any]])?.compactMap { $0["label"] as? String }, ["ទាបណាស់", "ទាប", "មធ្យម", "ខ្ពស់", "ខ្ពស់ណាស់"])
        let table = try XCTUnwrap((object["tables"] as? [[String: Any]])?.first)
        XCTAssertEqual(table["title"] as? String, "ការទុកចិត្ត")
        let first = try XCTUnwrap((table["items"] as? [[String: Any]])?.first)
        XCTAssertEqual(first["text"] as? String, "តើអ្នកទុកចិត្តលើរដ្ឋាភិបាលកម្រិតណា?")
        // "មិនដឹង" (don't know) is missing: 7 of 8 answered the NGO item.
        let second = try XCTUnwrap((table["items"] as? [[String: Any]])?[1])
        XCTAssertEqual(second["n"] as? Int, 7)
        XCTAssertEqual(second["missing"] as? Int, 1)
    }

    /// Issue 15: with no spec, a column whose order wai cannot tell is tabulated as a demographic
    /// and said so (report and standard error); only columns with no items at all are refused.
    func testAnAmbiguousOrderIsTabulatedWithAWarningAndTheColumnAndItsValues() throws {
        let dir = try directory(["ambiguous.csv", "limesurvey_codes.csv", "limesurvey_codebook.csv"])
        let run = try wai(["analyze", "ambiguous.csv", "--replicates", "0"], in: dir)
        XCTAssertEqual(run.status, 0, run.stderr)
        let warning = #"column "q2" (Agree, Kinda agree, Strongly agree, Disagree) is not on a known scale: tabulated as a demographic, not analysed as an item; give a spec or --codebook to analyse it as an item"#
        XCTAssert(run.stderr.contains("wai: warning: \(warning)"), run.stderr)
        XCTAssert(run.stdout.contains("- Warning: \(warning)."), run.stdout)
        XCTAssert(run.stdout.contains("### q3"), run.stdout)
        // wai init writes the spec, with the columns to order in comments, and it loads.
        let initRun = try wai(["init", "ambiguous.csv"], in: dir)
        XCTAssertEqual(initRun.status, 0, initRun.stderr)
        XCTAssert(initRun.stdout.contains(#"#   - {id: q2, column: "q2", text: "q2"}"#), initRun.stdout)
        XCTAssert(initRun.stderr.contains(#"2 columns left for you to order: "q2", "q3" (all tabulated as demographics meanwhile)"#), initRun.stderr)
        try Data(initRun.stdout.utf8).write(to: dir.appendingPathComponent("survey.yaml"))
        XCTAssertEqual(try wai(["analyze", "ambiguous.csv", "--spec", "survey.yaml", "--replicates", "0"], in: dir).status, 0)

        // LimeSurvey codes: refused without the codebook, read with it.
        let coded = try wai(["analyze", "limesurvey_codes.csv"], in: dir)
        XCTAssertEqual(coded.status, 2)
        XCTAssert(coded.stderr.contains(#"limesurvey_codes.csv:1:77: cannot tell the order of the answers in column "Q1[SQ001]": its answers are codes ("A4", "A5", "A3", "A2", "A1") whose labels and order are not in the file; give --codebook FILE"#), coded.stderr)
        let booked = try wai(["analyze", "limesurvey_codes.csv", "--codebook", "limesurvey_codebook.csv", "--format", "json", "--replicates", "0"], in: dir)
        XCTAssertEqual(booked.status, 0, booked.stderr)
        XCTAssertEqual(indices(try json(booked.stdout)).first?.count, 3)
        let initCoded = try wai(["init", "limesurvey_codes.csv", "--codebook", "limesurvey_codebook.csv"], in: dir)
        XCTAssert(initCoded.stdout.contains(#"- {code: 1, label: "Strongly disagree", aliases: ["A1"]}"#), initCoded.stdout)
        XCTAssert(initCoded.stdout.hasPrefix("# Written by `wai init limesurvey_codes.csv --codebook limesurvey_codebook.csv`"), initCoded.stdout)
    }

    // MARK: - Encodings

    static let plain = "id,gender,q1,q2\n1,F,Agree,Strongly agree\n2,M,Disagree,Agree\n3,F,Agree,Neither agree nor disagree\n4,M,Strongly agree,Agree\n5,F,Agree,Disagree\n"

    func utf16(_ text: String, littleEndian: Bool) -> [UInt8] {
        var bytes: [UInt8] = littleEndian ? [0xFF, 0xFE] : [0xFE, 0xFF]
        for unit in text.utf16 { bytes += littleEndian ? [UInt8(unit & 0xFF), UInt8(unit >> 8)] : [UInt8(unit >> 8), UInt8(unit & 0xFF)] }
        return bytes
    }

    func testEncodingsAndDelimitersGiveTheSameIndices() throws {
        let dir = try directory()
        let variants: [(String, [UInt8])] = [
            ("utf8.csv", Array(Self.plain.utf8)),
            ("bom-semicolon.csv", [0xEF, 0xBB, 0xBF] + Array(Self.plain.replacingOccurrences(of: ",", with: ";").replacingOccurrences(of: "\n", with: "\r\n").utf8)),
            ("tabs.tsv", Array(Self.plain.replacingOccurrences(of: ",", with: "\t").utf8)),
            ("utf16le.txt", utf16(Self.plain.replacingOccurrences(of: ",", with: "\t").replacingOccurrences(of: "\n", with: "\r\n"), littleEndian: true)),
            ("utf16be.csv", utf16(Self.plain, littleEndian: false)),
        ]
        var results: [[[String]]] = []
        for (name, bytes) in variants {
            try Data(bytes).write(to: dir.appendingPathComponent(name))
            let run = try wai(["analyze", name, "--format", "json", "--replicates", "0"], in: dir)
            XCTAssertEqual(run.status, 0, "\(name): \(run.stderr)")
            results.append(indices(try json(run.stdout)))
        }
        XCTAssertEqual(results[0].first?.count, 2)
        for (k, result) in results.enumerated() { XCTAssertEqual(result, results[0], variants[k].0) }

        // A bad answer in the UTF-16 file: located in the user's file, line and column.
        let bad = Self.plain.replacingOccurrences(of: "3,F,Agree", with: "3,F,Agre")
        try Data(utf16(bad, littleEndian: true)).write(to: dir.appendingPathComponent("bad16.csv"))
        try Data("title: t\nscale: {levels: [{code: 1, label: Strongly disagree}, {code: 2, label: Disagree}, {code: 3, label: Neither agree nor disagree}, {code: 4, label: Agree}, {code: 5, label: Strongly agree}]}\ntables: [{id: t, title: T, items: [{id: a, column: q1}, {id: b, column: q2}]}]\n".utf8)
            .write(to: dir.appendingPathComponent("spec.yaml"))
        let located = try wai(["analyze", "bad16.csv", "--spec", "spec.yaml"], in: dir)
        XCTAssertEqual(located.status, 2)
        XCTAssert(located.stderr.hasPrefix(#"wai: error: bad16.csv:4:5: unknown answer in column "q1" (item a); found "Agre""#), located.stderr)
    }

    /// Without a spec, a file that is not UTF-8 but is Windows-1252 text is read as such, and
    /// wai says so; with a spec that names no encoding it stays the core's located error, with
    /// the fix in it; named (option or spec key), it is read.
    func testWindows1252IsDetectedWithoutASpecAndNamedWithOne() throws {
        let dir = try directory()
        let text = "id,région,q1,q2\n1,Québec,Agree,Agree\n2,Montréal,Disagree,Strongly agree\n3,Québec,Agree,Agree\n4,Montréal,Strongly agree,Disagree\n"
        try Data(text.unicodeScalars.map { UInt8($0.value) }).write(to: dir.appendingPathComponent("excel.csv"))
        let detected = try wai(["analyze", "excel.csv", "--replicates", "0"], in: dir)
        XCTAssertEqual(detected.status, 0, detected.stderr)
        XCTAssert(detected.stderr.contains("Windows-1252 (detected: the bytes are not UTF-8)"), detected.stderr)
        XCTAssert(detected.stdout.contains("| Québec |") && detected.stdout.contains("| Montréal |"), detected.stdout)
        // q1: Agree, Disagree, Agree, Strongly agree → (.75 + .25 + .75 + 1) / 4 = 0.6875 → 0.69.
        XCTAssert(detected.stdout.contains("| q1 | 0.69 | High"), detected.stdout)
        let specWithoutEncoding = """
            title: Excel
            scale:
              levels: [{code: 1, label: Strongly disagree}, {code: 2, label: Disagree}, {code: 3, label: Neither agree nor disagree}, {code: 4, label: Agree}, {code: 5, label: Strongly agree}]
            demographics: [région]
            tables: [{id: t, title: T, items: [{id: q1, column: q1}, {id: q2, column: q2}]}]

            """
        try Data(specWithoutEncoding.utf8).write(to: dir.appendingPathComponent("plain.yaml"))
        let refused = try wai(["analyze", "excel.csv", "--spec", "plain.yaml"], in: dir)
        XCTAssertEqual(refused.status, 2)
        XCTAssertEqual(refused.stderr, #"wai: error: excel.csv:1:5: invalid UTF-8; found "byte 0xE9"; expected UTF-8 text (re-save the file as CSV UTF-8); the bytes look like Windows-1252 (they would read "région"): add --encoding windows-1252 (or `encoding: windows-1252` in the spec)"# + "\n")
        // Bytes that are not Windows-1252 text (0x81 is undefined there) are not guessed.
        try Data(Array("id,q1\n1,Agree\n2,".utf8) + [0xC3, 0x81] + Array("x\n".utf8) + [0x81] + Array("\n".utf8)).write(to: dir.appendingPathComponent("binary.csv"))
        let binary = try wai(["analyze", "binary.csv"], in: dir)
        XCTAssertEqual(binary.status, 2, binary.stdout)
        XCTAssert(binary.stderr.contains("binary.csv:4:1: invalid UTF-8"), binary.stderr)
        let named = try wai(["analyze", "excel.csv", "--encoding", "windows-1252", "--replicates", "0"], in: dir)
        XCTAssertEqual(named.status, 0, named.stderr)
        XCTAssert(named.stdout.contains("| Québec |"), named.stdout)
        // wai init records the encoding, so that wai report reads the file.
        let initRun = try wai(["init", "excel.csv", "--encoding", "windows-1252"], in: dir)
        XCTAssert(initRun.stdout.contains("\nencoding: windows-1252 "), initRun.stdout)
        try Data(initRun.stdout.utf8).write(to: dir.appendingPathComponent("survey.yaml"))
        let report = try wai(["report", ".", "--out", "out", "--format", "md", "--replicates", "0"], in: dir)
        XCTAssertEqual(report.status, 0, report.stderr)
        // A spec naming a wrong encoding or source is located at its key.
        try Data(initRun.stdout.replacingOccurrences(of: "encoding: windows-1252", with: "encoding: latin-9").utf8).write(to: dir.appendingPathComponent("survey.yaml"))
        let badKey = try wai(["report", ".", "--out", "out"], in: dir)
        XCTAssertEqual(badKey.status, 2)
        XCTAssert(badKey.stderr.hasPrefix("wai: error: ./survey.yaml:"), badKey.stderr)
        XCTAssert(badKey.stderr.contains(#": encoding: unknown encoding "latin-9"; expected utf-8, utf-16le, utf-16be or windows-1252"#), badKey.stderr)
        let badSource = try wai(["analyze", "excel.csv", "--source", "typeform"], in: dir)
        XCTAssertEqual(badSource.status, 2)
        XCTAssert(badSource.stderr.contains(#"unknown platform "typeform" in --source; expected google, kobo, qualtrics, surveymonkey, limesurvey or plain"#), badSource.stderr)
    }

    // MARK: - Data quality

    func testSpeedersAndBlankResponsesAreReportedAndDroppedOnlyWhenAsked() throws {
        let dir = try directory(["qualtrics_text.csv"])
        let flagged = try wai(["analyze", "qualtrics_text.csv", "--replicates", "0"], in: dir)
        XCTAssertEqual(flagged.status, 0, flagged.stderr)
        XCTAssert(flagged.stdout.contains("- Rows read 10 = rows used 10 + rows rejected 0."), flagged.stdout)
        XCTAssert(flagged.stdout.contains("- Fully blank responses (every item missing), counted in the rows used but in no index: 1 (line 12)."), flagged.stdout)
        XCTAssert(flagged.stdout.contains("- Speeders (faster than a third of the median time, 383 s, from Duration (in seconds); 10 timed): 2 (lines 9, 12), under 128 s; flagged, not left out (`--drop-speeders` would)."), flagged.stdout)

        let dropped = try wai(["analyze", "qualtrics_text.csv", "--replicates", "0", "--drop-speeders", "--format", "json"], in: dir)
        XCTAssertEqual(dropped.status, 0, dropped.stderr)
        let quality = try XCTUnwrap(try json(dropped.stdout)["quality"] as? [String: Any])
        XCTAssertEqual(quality["rows_read"] as? Int, 10)
        XCTAssertEqual(quality["rows_used"] as? Int, 8)
        XCTAssertEqual((quality["rejections"] as? [[String: Any]])?.compactMap { $0["line"] as? Int }, [9, 12])
        let speeders = try XCTUnwrap(quality["speeders"] as? [String: Any])
        XCTAssertEqual(speeders["lines"] as? [Int], [9, 12])
        XCTAssertEqual(speeders["dropped"] as? Bool, true)
        XCTAssertEqual(speeders["median_seconds"] as? Double, 383)

        // With the spec wai init wrote: the report says the same.
        let initRun = try wai(["init", "qualtrics_text.csv"], in: dir)
        try Data(initRun.stdout.utf8).write(to: dir.appendingPathComponent("survey.yaml"))
        XCTAssertEqual(try wai(["report", ".", "--out", "out", "--format", "md", "--replicates", "0"], in: dir).status, 0)
        let markdown = try String(contentsOf: dir.appendingPathComponent("out/report.md"), encoding: .utf8)
        XCTAssert(markdown.contains("- Speeders (faster than a third of the median time, 383 s"), markdown)
        XCTAssert(markdown.contains("- Fully blank responses (every item missing)"), markdown)
    }

    func testAQualtricsExportWithASpecNamingItsSource() throws {
        let dir = try directory(["qualtrics_numeric.csv"])
        let spec = """
            title: Clinic
            data: qualtrics_numeric.csv
            source: qualtrics
            weight: weight
            scale:
              levels: [{code: 1, label: Strongly disagree}, {code: 2, label: Disagree}, {code: 3, label: Neutral}, {code: 4, label: Agree}, {code: 5, label: Strongly agree}]
              missing: ["", "-99"]
            demographics: [{column: Q4, label: Age group, categories: ["1", "2", "3"]}]
            tables:
              - id: q1
                title: Clinic
                items: [{id: helpful, column: Q1_1}, {id: quick, column: Q1_2}, {id: clean, column: Q1_3}, {id: back, column: Q1_4}]

            """
        try Data(spec.utf8).write(to: dir.appendingPathComponent("survey.yaml"))
        let run = try wai(["analyze", "qualtrics_numeric.csv", "--spec", "survey.yaml", "--format", "json", "--replicates", "0"], in: dir)
        XCTAssertEqual(run.status, 0, run.stderr)
        let items = try XCTUnwrap((try json(run.stdout)["tables"] as? [[String: Any]])?.first?["items"] as? [[String: Any]])
        XCTAssertEqual(items.map { $0["n"] as? Int }, [9, 9, 8, 9])
        // A shard of the same export, aggregated and merged, reads it the same way.
        let partial = try wai(["aggregate", "qualtrics_numeric.csv", "--spec", "survey.yaml", "--partial", "q.waistats", "--replicates", "0"], in: dir)
        XCTAssertEqual(partial.status, 0, partial.stderr)
        let merged = try wai(["merge", "survey.yaml", "q.waistats", "--format", "json"], in: dir)
        XCTAssertEqual(merged.status, 0, merged.stderr)
        let mergedItems = try XCTUnwrap((try json(merged.stdout)["tables"] as? [[String: Any]])?.first?["items"] as? [[String: Any]])
        XCTAssertEqual(mergedItems.map { $0["n"] as? Int }, [9, 9, 8, 9])
        XCTAssertEqual(mergedItems.map { $0["wai"] as? Double }, items.map { $0["wai"] as? Double })
        // A bad code on the third data row is at line 7 (the header rows take lines 1–4).
        var text = try String(contentsOf: dir.appendingPathComponent("qualtrics_numeric.csv"), encoding: .utf8)
        text = text.replacingOccurrences(of: ",EN,5,4,5,5,", with: ",EN,5,4,6,5,")
        try Data(text.utf8).write(to: dir.appendingPathComponent("qualtrics_numeric.csv"))
        let bad = try wai(["analyze", "qualtrics_numeric.csv", "--spec", "survey.yaml"], in: dir)
        XCTAssertEqual(bad.status, 2)
        XCTAssert(bad.stderr.hasPrefix(#"wai: error: qualtrics_numeric.csv:7:"#), bad.stderr)
        XCTAssert(bad.stderr.contains(#"answer code out of range in column "Q1_3" (item clean); found "6""#), bad.stderr)
    }

    // MARK: - Large input

    /// A ~50 MB file whose last line is bad fails at that line, in bounded memory (peak RSS
    /// measured through a parent that waits for wai: Python's resource.getrusage of its children).
    func testAHugeFileWithOneBadLineAtTheEndFailsThereInBoundedMemory() throws {
        let dir = try directory()
        let path = dir.appendingPathComponent("big.csv")
        FileManager.default.createFile(atPath: path.path, contents: nil)
        let handle = try FileHandle(forWritingTo: path)
        handle.write(Data("id,gender,q1,q2,q3,q4,q5,q6,q7,q8\n".utf8))
        let rows = 2_000_000
        var block = ""
        for i in 0..<rows {
            block += "\(i),\(i % 2 == 0 ? "F" : "M"),\(1 + i % 5),\(1 + (i * 7) % 5),\(1 + (i * 3) % 5),\(1 + (i * 11) % 5),\(1 + (i * 13) % 5),\(1 + (i / 3) % 5),\(1 + (i / 7) % 5),\(1 + (i * 17) % 5)\n"
            if block.utf8.count > 1 << 20 {
                handle.write(Data(block.utf8))
                block = ""
            }
        }
        block += "\(rows),F,1,2,3,Hihg,5,1,2,3\n"
        handle.write(Data(block.utf8))
        try handle.close()
        let size = try FileManager.default.attributesOfItem(atPath: path.path)[.size] as! Int
        XCTAssertGreaterThan(size, 45 << 20)
        try Data("title: big\nscale: {levels: [{code: 1, label: Very Low}, {code: 2, label: Low}, {code: 3, label: Neutral}, {code: 4, label: High}, {code: 5, label: Very High}]}\ndemographics: [gender]\ntables: [{id: t, title: T, items: [{id: a, column: q1}, {id: b, column: q2}, {id: c, column: q3}, {id: d, column: q4}, {id: e, column: q5}, {id: f, column: q6}, {id: g, column: q7}, {id: h, column: q8}]}]\n".utf8)
            .write(to: dir.appendingPathComponent("big.yaml"))

        let measure = """
            import resource, subprocess, sys
            run = subprocess.run(sys.argv[1:], capture_output=True, text=True)
            sys.stderr.write(run.stderr)
            print(run.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", measure, binary.path, "analyze", "big.csv", "--spec", "big.yaml", "--replicates", "0"]
        process.currentDirectoryURL = dir
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let fields = stdout.split(whereSeparator: \.isWhitespace)
        XCTAssertEqual(fields.count, 2, stdout + stderr)
        XCTAssertEqual(fields.first, "2", stderr)
        XCTAssert(stderr.hasPrefix(#"wai: error: big.csv:2000002:17: unknown answer in column "q4" (item d); found "Hihg""#), stderr)
        let peakKiB = Int(fields.last ?? "") ?? .max
        // The file is 48.5 MiB: holding it whole, on top of the ~20 MiB a run takes anyway, would exceed this.
        XCTAssertLessThan(peakKiB, 60 << 10, "peak RSS \(peakKiB) KiB")
    }

    /// A rejected row of a workbook or an SPSS file, where line breaks in earlier text values push
    /// the CSV copy's lines down, is named as the user's file names it: its sheet row or case.
    func testRejectedRowsAreNamedBySheetRowAndCase() throws {
        let dir = try directory(["linebreaks.xlsx", "spss_linebreak.sav"])
        let levels = ["Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree"].enumerated()
            .map { "{code: \($0.offset + 1), label: \($0.element)}" }.joined(separator: ", ")
        try Data("title: Line breaks\nweight: wt\nscale: {levels: [\(levels)]}\ntables: [{id: t, title: T, items: [{id: q1, column: q1}]}]\n".utf8)
            .write(to: dir.appendingPathComponent("s.yaml"))
        // Both files hold a negative weight in their sixth respondent, after two text values with a
        // line break each: line 9 of the copy (header, 1, 2 on two lines, 3, 4 on two, 5, 6).
        for (file, record, meanCode) in [("linebreaks.xlsx", "Responses row 7", 27.0 / 7), ("spss_linebreak.sav", "case 6", 26.0 / 7)] {
            let run = try wai(["analyze", file, "--spec", "s.yaml", "--lenient", "--replicates", "0", "--format", "json"], in: dir)
            XCTAssertEqual(run.status, 0, run.stderr)
            let object = try json(run.stdout)
            let quality = try XCTUnwrap(object["quality"] as? [String: Any])
            let rejections = try XCTUnwrap(quality["rejections"] as? [[String: Any]])
            XCTAssertEqual(rejections.count, 1, file)
            XCTAssertEqual(rejections.first?["record"] as? String, record, file)
            XCTAssertEqual(rejections.first?["line"] as? Int, 9, file)
            XCTAssertEqual(quality["rows_used"] as? Int, 7, file)
            // The other seven rows, by hand: (mean code − 1) / 4.
            let item = ((object["tables"] as? [[String: Any]])?.first?["items"] as? [[String: Any]])?.first
            XCTAssertEqual(try XCTUnwrap(item?["wai"] as? Double), (meanCode - 1) / 4, accuracy: 1e-12, file)
            let markdown = try wai(["analyze", file, "--spec", "s.yaml", "--lenient", "--replicates", "0"], in: dir)
            XCTAssert(markdown.stdout.contains("| \(record) | invalid survey weight in column \"wt\": \"-1\" |"), markdown.stdout)
        }
    }
}
