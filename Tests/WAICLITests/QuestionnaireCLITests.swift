import Foundation
import XCTest

/// Mixed-scale questionnaires read with no spec (issue 15): Qualtrics' legacy and two-row
/// layouts, plain numeric codes; every item against Python's csv module and the WAI's arithmetic.
final class QuestionnaireCLITests: XCTestCase {
    static let fixtures = Products.packageRoot.appendingPathComponent("Tests/WAIReadTests/Fixtures")

    func directory(_ fixtures: [String]) throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("wai-questionnaires-\(UUID().uuidString)")
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

    static let degree = ["Very Low", "Low", "Medium", "High", "Very High"]
    static let agreement = ["Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree"]
    static func codes(_ range: ClosedRange<Int>) -> [String] { range.map(String.init) }

    /// Per fixture: header rows, and per item column (0-based) its levels lowest first, as the questionnaire has them.
    static let trustQ = "How much do you trust the following?", agreeQ = "How much do you agree with the following statements?"
    static let institutions = ["the village chief", "the commune council", "the police", "the courts", "the health centre", "the school", "the NGOs", "the media"]
    static let statements = ["The roads are safe", "The water is clean", "Officials listen to us", "I feel safe at night"]
    static let koboTrust = ["chief", "council", "police", "courts", "health", "school", "ngos", "media"], koboAgree = ["roads", "water", "officials", "safety"]
    /// KoboToolbox's XML value of a label, as the form's author named the choices.
    static func xml(_ label: String) -> String { label.lowercased().replacingOccurrences(of: " ", with: "_") }
    static let limeTrust = ["A1", "A2", "A3", "A4", "A5"], limeAgree = ["AO01", "AO02", "AO03", "AO04", "AO05"]
    static let cases: [(file: String, headerRows: Int, items: [(column: Int, name: String, levels: [String])], options: [String], codes: [String: [String]])] = [
        ("qualtrics_legacy.csv", 2, (0..<8).map { (10 + $0, "Q\($0 + 1)", degree) } + (0..<4).map { (18 + $0, "Q9_\($0 + 1)", agreement) }, [], [:]),
        ("qualtrics_two_rows.csv", 2, (0..<8).map { (9 + $0, "Q\($0 + 1)", degree) } + (0..<4).map { (17 + $0, "Q9_\($0 + 1)", agreement) }, [], [:]),
        ("google_forms_mixed.csv", 1, (0..<8).map { (1 + $0, "\(trustQ) [\(institutions[$0])]", degree) } + (0..<4).map { (9 + $0, "\(agreeQ) [\(statements[$0])]", agreement) }, [], [:]),
        ("surveymonkey_mixed.csv", 2, (0..<8).map { (9 + $0, "\(trustQ) [\(institutions[$0])]", degree) } + (0..<4).map { (17 + $0, "\(agreeQ) [\(statements[$0])]", agreement) }, [], [:]),
        ("kobo_mixed.csv", 1, (0..<8).map { (2 + $0, koboTrust[$0], degree) } + (0..<4).map { (10 + $0, koboAgree[$0], agreement) }, [],
         Dictionary(uniqueKeysWithValues: koboTrust.map { ($0, degree.map(xml)) } + koboAgree.map { ($0, agreement.map(xml)) })),
        // SPSS and Stata: counted from the same codes written as CSV by make_stat_fixtures.py (8 "Don't know" missing).
        ("spss_mixed.sav", 1, (0..<8).map { (1 + $0, "d\($0 + 1)", degree) } + (0..<4).map { (9 + $0, "a\($0 + 1)", agreement) }, [],
         Dictionary(uniqueKeysWithValues: ((1...8).map { "d\($0)" } + (1...4).map { "a\($0)" }).map { ($0, codes(1...5)) })),
        ("stata_mixed.dta", 1, (0..<8).map { (1 + $0, "d\($0 + 1)", degree) } + (0..<4).map { (9 + $0, "a\($0 + 1)", agreement) }, [],
         Dictionary(uniqueKeysWithValues: ((1...8).map { "d\($0)" } + (1...4).map { "a\($0)" }).map { ($0, codes(1...5)) })),
        // LimeSurvey's codes, read through its survey structure as exported: A6 ("Don't know") missing.
        ("limesurvey_mixed.csv", 1, (0..<8).map { (5 + $0, "trust[SQ00\($0 + 1)]", degree) } + (0..<4).map { (13 + $0, "agree[SQ00\($0 + 1)]", agreement) },
         ["--codebook", "limesurvey_mixed_structure.txt"],
         Dictionary(uniqueKeysWithValues: (1...8).map { ("trust[SQ00\($0)]", limeTrust) } + (1...4).map { ("agree[SQ00\($0)]", limeAgree) })),
        ("numeric_codes.csv", 1, (0..<4).map { (4 + $0, "trust\($0 + 1)", codes(1...6)) }
            + [(8, "lr_self", codes(1...7)), (9, "lr_party", codes(1...7)), (10, "lr_gov", codes(1...7)),
               (11, "partyid", codes(0...6)), (12, "sat_a", codes(1...4)), (13, "sat_b", codes(1...5))], [], [:]),
    ]

    /// n, the count of each level and the WAI (level i of k weighs (i−1)/(k−1)), from Python's csv module;
    /// answers outside the levels (blank, "Don't know", -9, 99, 98) are missing.
    static let script = """
        import csv, json, sys
        path, header_rows, items = sys.argv[1], int(sys.argv[2]), json.loads(sys.argv[3])
        rows = list(csv.reader(open(path, encoding="utf-8-sig", newline=""), delimiter=";" if path.endswith("kobo_mixed.csv") else ","))[header_rows:]
        out = {}
        for column, name, levels in items:
            keys = [l.lower() for l in levels]
            picked = [keys.index(r[column].strip().lower()) for r in rows if r[column].strip().lower() in keys]
            counts = [picked.count(i) for i in range(len(levels))]
            out[name] = {"n": len(picked), "counts": counts, "wai": sum(p / (len(levels) - 1) for p in picked) / len(picked)}
        print(json.dumps(out))
        """

    func testEveryItemOnEveryScaleMatchesAnIndependentCount() throws {
        for fixture in Self.cases {
            let counted = fixture.file.hasSuffix(".sav") || fixture.file.hasSuffix(".dta") ? "stat_mixed_codes.csv" : fixture.file
            let dir = try directory(Array(Set([fixture.file, counted] + fixture.options.filter { $0.hasSuffix(".txt") })))
            let run = try Products.run(Products.wai, ["analyze", fixture.file, "--format", "json", "--replicates", "0"] + fixture.options, in: dir)
            XCTAssertEqual(run.status, 0, "\(fixture.file): \(run.stderr)")
            let items = (try json(run.stdout)["tables"] as? [[String: Any]] ?? []).flatMap { $0["items"] as? [[String: Any]] ?? [] }
            XCTAssertEqual(items.map { $0["column"] as? String ?? "" }, fixture.items.map(\.name), "\(fixture.file): the file's items in its order")
            let argument = String(decoding: try JSONSerialization.data(withJSONObject: fixture.items.map { [$0.column, $0.name, fixture.codes[$0.name] ?? $0.levels] as [Any] }), as: UTF8.self)
            let python = try Products.run(URL(fileURLWithPath: "/usr/bin/env"),
                                          ["python3", "-c", Self.script, dir.appendingPathComponent(counted).path, String(fixture.headerRows), argument])
            XCTAssertEqual(python.status, 0, python.stderr)
            let expected = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(python.stdout.utf8)) as? [String: [String: Any]])
            for item in items {
                let name = item["column"] as! String
                let want = try XCTUnwrap(expected[name], name)
                let levels = fixture.items.first { $0.name == name }!.levels
                XCTAssertEqual(item["n"] as? Int, want["n"] as? Int, "\(fixture.file) \(name)")
                let counts = (item["counts"] as? [[String: Any]] ?? [])
                XCTAssertEqual(counts.map { $0["label"] as? String ?? "" }, levels, "\(fixture.file) \(name): its own scale, labels as the file writes them")
                XCTAssertEqual(counts.map { $0["count"] as? Int ?? -1 }, want["counts"] as? [Int], "\(fixture.file) \(name)")
                XCTAssertEqual(item["wai"] as? Double ?? -1, want["wai"] as! Double, accuracy: 1e-12, "\(fixture.file) \(name)")
            }
        }
    }

    func testInitThenReportRunsUnchangedOnEach() throws {
        for fixture in Self.cases {
            let dir = try directory([fixture.file] + fixture.options.filter { $0.hasSuffix(".txt") })
            let initRun = try Products.run(Products.wai, ["init", fixture.file] + fixture.options, in: dir)
            XCTAssertEqual(initRun.status, 0, "\(fixture.file): \(initRun.stderr)")
            try Data(initRun.stdout.utf8).write(to: dir.appendingPathComponent("survey.yaml"))
            let report = try Products.run(Products.wai, ["report", ".", "--out", "out", "--format", "md,json", "--replicates", "0"], in: dir)
            XCTAssertEqual(report.status, 0, "\(fixture.file): \(report.stderr)\n\(initRun.stdout)")
            let without = try Products.run(Products.wai, ["analyze", fixture.file, "--format", "json", "--replicates", "0"] + fixture.options, in: dir)
            let fromReport = try json(String(contentsOf: dir.appendingPathComponent("out/report.json"), encoding: .utf8))
            func indices(_ object: [String: Any]) -> [String] {
                (object["tables"] as? [[String: Any]] ?? []).flatMap { ($0["items"] as? [[String: Any]] ?? []).map { "\($0["column"]!) n=\($0["n"]!) wai=\($0["wai"]!)" } }
            }
            XCTAssertEqual(indices(fromReport), indices(try json(without.stdout)), fixture.file)
            XCTAssertEqual(indices(fromReport).count, fixture.items.count, fixture.file)
        }
    }

    func testQualtricsTextRowIsAHeaderAndGridsAreTablesTitledByTheirQuestion() throws {
        for file in ["qualtrics_legacy.csv", "qualtrics_two_rows.csv"] {
            let dir = try directory([file])
            let run = try Products.run(Products.wai, ["init", file], in: dir)
            XCTAssertEqual(run.status, 0, run.stderr)
            XCTAssert(run.stdout.contains("Qualtrics export (2 header rows)"), run.stdout)
            XCTAssert(run.stdout.contains(#"title: "How much do you agree with the following statements about your village?""#), run.stdout)
            XCTAssert(run.stdout.contains(#"{id: Q9_4, column: "Q9_4", text: "I feel safe at night"}"#), run.stdout)
            XCTAssert(run.stdout.contains(#"{id: Q3, column: "Q3", text: "How much do you trust the police?"}"#), run.stdout)
            XCTAssert(run.stdout.contains(#"title: "How much do you trust""#), run.stdout)
            XCTAssert(run.stdout.contains(#"label: "Medium"}"#), run.stdout)
            XCTAssert(run.stdout.contains(#""Q10": multi-select"#), run.stdout)
            XCTAssert(run.stdout.contains(#""Q11": free text"#), run.stdout)
            // "Prefer not to say" and "Other" are categories of the gender question, never missing.
            XCTAssert(run.stdout.contains(#"{column: "Q12", label: "What is your gender?"} # Male, Female, Other, Prefer not to say"#) || run.stdout.contains(#"label: "What is your gender?"}"#), run.stdout)
            XCTAssertFalse(run.stdout.contains(#""Prefer not to say"]"#), run.stdout)
        }
    }

    func testNumericCodesGetTheirObservedRangeAndNonItemsAreDemographics() throws {
        let dir = try directory(["numeric_codes.csv"])
        let run = try Products.run(Products.wai, ["init", "numeric_codes.csv"], in: dir)
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssert(run.stderr.contains("1–6 from the observed codes; the instrument may have more levels") || run.stdout.contains("1–6 from the observed codes; the instrument may have more levels"), run.stdout)
        for (scale, codes) in [("numeric_1_6", 1...6), ("numeric_1_7", 1...7), ("numeric_0_6", 0...6), ("numeric_1_4", 1...4), ("numeric_1_5", 1...5)] {
            XCTAssert(run.stdout.contains("  \(scale):"), "\(scale) in \(run.stdout)")
            XCTAssert(run.stdout.contains(#"{code: \#(codes.upperBound), label: "\#(codes.upperBound)"}"#), run.stdout)
        }
        XCTAssert(run.stdout.contains(#"missing: ["", "-9", "99"]"#) || run.stdout.contains(#"missing: ["", "99", "-9"]"#), run.stdout)
        XCTAssert(run.stdout.contains(#"missing: ["", "98"]"#), run.stdout)
        XCTAssert(run.stdout.contains(#"{column: "vote"}"#), run.stdout)
        XCTAssert(run.stdout.contains(#"{column: "education"}"#), run.stdout)
        XCTAssert(run.stdout.contains(#""age": a number with many values"#), run.stdout)
        XCTAssert(run.stdout.contains("scale: numeric_1_4"), run.stdout)
    }

    func testWarningsAreInTheReportOnStandardErrorAndInTheWrittenSpec() throws {
        let dir = try directory(["qualtrics_legacy.csv", "numeric_codes.csv"])
        let markdown = try Products.run(Products.wai, ["analyze", "qualtrics_legacy.csv", "--replicates", "0"], in: dir)
        XCTAssertEqual(markdown.status, 0, markdown.stderr)
        let reverse = "item Q9_4 correlates negatively with the rest of table Q9 (r = -0.92): likely reverse-worded"
        XCTAssert(markdown.stderr.contains("wai: warning: \(reverse)"), markdown.stderr)
        XCTAssert(markdown.stdout.contains("- Warning: \(reverse)"), markdown.stdout)
        for column in ["Q10", "Q11"] {
            XCTAssert(markdown.stderr.contains("wai: warning: column \"\(column)\" was not analysed: "), markdown.stderr)
            XCTAssert(markdown.stdout.contains("- Warning: column \"\(column)\" was not analysed: "), markdown.stdout)
        }
        // Only the reverse-worded item: Q9_1…Q9_3 and the degree items go with their tables.
        XCTAssertEqual(markdown.stderr.components(separatedBy: "correlates negatively").count, 2, markdown.stderr)

        let json = try Products.run(Products.wai, ["analyze", "numeric_codes.csv", "--format", "json", "--replicates", "0"], in: dir)
        XCTAssertEqual(json.status, 0, json.stderr)
        let warnings = try XCTUnwrap((try self.json(json.stdout)["quality"] as? [String: Any])?["warnings"] as? [[String: Any]])
        XCTAssertEqual(warnings.map { "\($0["kind"]!) \($0["subject"]!)" }, ["not_analysed age", "unchosen_level numeric_1_6"])
        XCTAssert(json.stderr.contains("wai: warning: no one chose the bottom level 1 of scale numeric_1_6 (4 items)"), json.stderr)

        let written = try Products.run(Products.wai, ["init", "qualtrics_legacy.csv"], in: dir)
        XCTAssertEqual(written.status, 0, written.stderr)
        let flagged = written.stdout.split(separator: "\n").filter { $0.contains("# reverse: true?") }
        XCTAssertEqual(flagged.count, 1, written.stdout)
        XCTAssert(flagged.first?.hasPrefix(#"      - {id: Q9_4, column: "Q9_4""#) == true, written.stdout)
    }

    /// Q9_4's correlation with the sum of Q9_1…Q9_3 over the rows that answered all four, in Python.
    func testTheReverseWordedCorrelationMatchesAnIndependentComputation() throws {
        let script = """
            import csv, sys
            order = {"strongly disagree": 0, "disagree": 1, "neither agree nor disagree": 2, "agree": 3, "strongly agree": 4}
            rows = list(csv.reader(open(sys.argv[1], encoding="utf-8-sig", newline="")))[2:]
            full = [[order[r[c].strip().lower()] for c in range(18, 22)] for r in rows if all(r[c].strip().lower() in order for c in range(18, 22))]
            x = [r[3] for r in full]; y = [r[0] + r[1] + r[2] for r in full]
            mx, my = sum(x) / len(x), sum(y) / len(y)
            sxy = sum((a - mx) * (b - my) for a, b in zip(x, y)); sxx = sum((a - mx) ** 2 for a in x); syy = sum((b - my) ** 2 for b in y)
            print(round(sxy / (sxx * syy) ** 0.5, 2))
            """
        let dir = try directory(["qualtrics_legacy.csv"])
        let python = try Products.run(URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-c", script, dir.appendingPathComponent("qualtrics_legacy.csv").path])
        XCTAssertEqual(python.status, 0, python.stderr)
        let run = try Products.run(Products.wai, ["analyze", "qualtrics_legacy.csv", "--replicates", "0"], in: dir)
        XCTAssert(run.stderr.contains("item Q9_4 correlates negatively with the rest of table Q9 (r = \(python.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))"), "\(python.stdout) \(run.stderr)")
    }

    func testLimeSurveysStructureGivesScalesWordingAndMissingCodes() throws {
        let dir = try directory(["limesurvey_mixed.csv", "limesurvey_mixed_structure.txt"])
        let run = try Products.run(Products.wai, ["init", "limesurvey_mixed.csv", "--codebook", "limesurvey_mixed_structure.txt"], in: dir)
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssert(run.stdout.contains(#"title: "How much do you trust the following?""#), run.stdout)
        XCTAssert(run.stdout.contains(#"{id: agree_SQ004, column: "agree[SQ004]", text: "I feel safe at night"}"#), run.stdout)
        XCTAssert(run.stdout.contains(#"missing: ["", "A6"]"#), run.stdout)
        XCTAssertFalse(run.stdout.contains(#"label: "Don't know""#), run.stdout)
        XCTAssert(run.stdout.contains(#""services[SQ001]": multi-select option (Y or blank)"#), run.stdout)
        XCTAssert(run.stdout.contains(#""comments": free text"#), run.stdout)
    }
}
