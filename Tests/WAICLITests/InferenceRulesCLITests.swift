import Foundation
import XCTest
import WAITestSupport

/// `wai analyze` with no spec on files whose last gaps issue 15 names: a plain CSV whose tables
/// are named only by its column names and wording, with an education of codes no scale orders and
/// a weight column (plain_stems.csv); a Stata file whose items share named value-label sets
/// (stata_named_labels.dta); the psych package's bfi. Every number against Python's csv module.
final class InferenceRulesCLITests: XCTestCase {
    static let fixtures = Products.packageRoot.appendingPathComponent("Tests/WAIReadTests/Fixtures")
    static let bfi = Products.packageRoot.appendingPathComponent("Tests/WAIStatsTests/Reference/bfi.csv")

    func directory(_ files: [URL]) throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("wai-rules-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: directory) }
        for file in files { try FileManager.default.copyItem(at: file, to: directory.appendingPathComponent(file.lastPathComponent)) }
        return directory
    }

    func fixture(_ name: String) -> URL { Self.fixtures.appendingPathComponent(name) }

    func json(_ text: String) throws -> [String: Any] {
        try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    /// Per item column: n, the count of each level and the WAI (level i of k weighs (i−1)/(k−1));
    /// per demographic column: the count of each category and of blanks. Answers outside the
    /// levels are missing. Arguments: the CSV, then JSON {"items": [[column, levels]], "demographics": [columns]}.
    static let script = """
        import csv, json, sys
        rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8-sig", newline="")))
        asked = json.loads(sys.argv[2])
        out = {"items": {}, "demographics": {}, "rows": len(rows)}
        for column, levels in asked["items"]:
            keys = [l.lower() for l in levels]
            picked = [keys.index(r[column].strip().lower()) for r in rows if r[column].strip().lower() in keys]
            out["items"][column] = {"n": len(picked), "counts": [picked.count(i) for i in range(len(levels))],
                                    "wai": sum(p / (len(levels) - 1) for p in picked) / len(picked)}
        for column in asked["demographics"]:
            counts = {}
            for r in rows:
                counts[r[column].strip()] = counts.get(r[column].strip(), 0) + 1
            out["demographics"][column] = counts
        print(json.dumps(out))
        """

    func python(_ csv: URL, items: [(String, [String])], demographics: [String]) throws -> [String: Any] {
        let argument = String(decoding: try JSONSerialization.data(withJSONObject: [
            "items": items.map { [$0.0, $0.1] as [Any] }, "demographics": demographics,
        ] as [String: Any]), as: UTF8.self)
        let run = try Products.run(URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-c", Self.script, csv.path, argument])
        XCTAssertEqual(run.status, 0, run.stderr)
        return try json(run.stdout)
    }

    /// Every item of `analysis` and every frequency of `demographics` against Python's count.
    func assertMatches(_ analysis: [String: Any], _ counted: [String: Any], items: [(String, [String])], demographics: [String],
                       file: StaticString = #filePath, line: UInt = #line) throws {
        let found = (analysis["tables"] as? [[String: Any]] ?? []).flatMap { $0["items"] as? [[String: Any]] ?? [] }
        XCTAssertEqual(found.map { $0["column"] as? String ?? "" }, items.map(\.0), "the items in the file's order", file: file, line: line)
        let expected = try XCTUnwrap(counted["items"] as? [String: [String: Any]])
        for item in found {
            let column = item["column"] as! String
            let want = try XCTUnwrap(expected[column], column, file: file, line: line)
            let counts = item["counts"] as? [[String: Any]] ?? []
            XCTAssertEqual(item["n"] as? Int, want["n"] as? Int, column, file: file, line: line)
            XCTAssertEqual(counts.map { $0["label"] as? String ?? "" }, items.first { $0.0 == column }!.1, column, file: file, line: line)
            XCTAssertEqual(counts.map { $0["count"] as? Int ?? -1 }, want["counts"] as? [Int], column, file: file, line: line)
            XCTAssertEqual(item["wai"] as? Double ?? -1, want["wai"] as! Double, accuracy: 1e-12, column, file: file, line: line)
        }
        let frequencies = analysis["frequencies"] as? [[String: Any]] ?? []
        let tallies = try XCTUnwrap(counted["demographics"] as? [String: [String: Int]])
        for column in demographics {
            let table = try XCTUnwrap(frequencies.first { $0["column"] as? String == column }, column, file: file, line: line)
            let rows = table["rows"] as? [[String: Any]] ?? []
            var tally = tallies[column]!
            XCTAssertEqual(table["missing"] as? Int, tally.removeValue(forKey: "") ?? 0, column, file: file, line: line)
            XCTAssertEqual(Dictionary(uniqueKeysWithValues: rows.map { ($0["value"] as! String, $0["count"] as! Int) }), tally, column, file: file, line: line)
        }
    }

    static let agreement = ["Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree"]
    static let satisfaction = ["Very dissatisfied", "Dissatisfied", "Neither satisfied nor dissatisfied", "Satisfied", "Very satisfied"]
    static func codes(_ range: ClosedRange<Int>) -> [String] { range.map(String.init) }
    static let stemItems: [(String, [String])] = ["A1", "A2", "A3", "A4", "C1", "C2", "C3"].map { ($0, codes(1...6)) }
        + ["q4_1", "q4_2", "q4_3"].map { ($0, agreement) }
        + ["Roads", "Water", "Health"].map { ("How satisfied are you with: \($0)", satisfaction) }
        + [("sat_a", codes(1...4)), ("sat_b", codes(1...5))]

    func testAPlainFileIsAnalysedWholeByStemsWithEducationTabulatedAndTheWeightNotApplied() throws {
        let dir = try directory([fixture("plain_stems.csv")])
        let run = try Products.run(Products.wai, ["analyze", "plain_stems.csv", "--format", "json", "--replicates", "0"], in: dir)
        XCTAssertEqual(run.status, 0, run.stderr)
        let analysis = try json(run.stdout)
        let tables = analysis["tables"] as? [[String: Any]] ?? []
        XCTAssertEqual(tables.map { $0["id"] as? String ?? "" }, ["a", "c", "q4", "how_satisfied_are_you", "t5", "t6"])
        XCTAssertEqual(tables.map { $0["title"] as? String ?? "" }, ["A1–A4", "C1–C3", "q4_1–q4_3", "How satisfied are you with", "sat_a", "sat_b"])
        let counted = try python(dir.appendingPathComponent("plain_stems.csv"), items: Self.stemItems, demographics: ["gender", "education"])
        try assertMatches(analysis, counted, items: Self.stemItems, demographics: ["gender", "education"])
        // Education in the order of its codes' numbers; every respondent weighs 1.
        let education = (analysis["frequencies"] as? [[String: Any]] ?? []).first { $0["column"] as? String == "education" }
        XCTAssertEqual((education?["rows"] as? [[String: Any]] ?? []).map { $0["value"] as? String ?? "" }, ["E1", "E2", "E3", "E4", "E5"])
        XCTAssertEqual(analysis["respondents"] as? Int, counted["rows"] as? Int)
        XCTAssertEqual(analysis["weight_sum"] as? Double, Double(counted["rows"] as! Int))

        let warnings = [
            #"column "education" (E1–E5) is not on a known scale: tabulated as a demographic, not analysed as an item; give a spec or --codebook to analyse it as an item"#,
            #"column "w" looks like a survey weight (positive numbers, named w): not applied, every response weighs 1; give a spec with `weight: "w"` to use it"#,
        ]
        let quality = try XCTUnwrap((analysis["quality"] as? [String: Any])?["warnings"] as? [[String: Any]])
        XCTAssertEqual(quality.map { $0["message"] as? String ?? "" }, warnings)
        for warning in warnings { XCTAssert(run.stderr.contains("wai: warning: \(warning)\n"), run.stderr) }
        let markdown = try Products.run(Products.wai, ["analyze", "plain_stems.csv", "--replicates", "0"], in: dir)
        for warning in warnings { XCTAssert(markdown.stdout.contains("- Warning: \(warning)."), markdown.stdout) }
    }

    /// A demographic of numeric codes (an education level 1…12 with gaps) tabulates in numeric
    /// order, not by frequency nor as text ("10" before "2"), in the report and in `wai init`'s
    /// comment; its counts against Python's csv module.
    func testNumericDemographicCodesSortNumerically() throws {
        let dir = try directory([])
        var lines = ["id,edu,q1,q2,q3"]
        var random = SplitMix(seed: 15)
        for i in 0..<120 {
            let edu = random.pick(["12", "2", "10", "1", "3", "11"])
            lines.append("\(i),\(edu),\(1 + random.below(5)),\(1 + random.below(5)),\(1 + random.below(5))")
        }
        let file = dir.appendingPathComponent("numeric.csv")
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: file)
        let run = try Products.run(Products.wai, ["analyze", "numeric.csv", "--format", "json", "--replicates", "0", "--by", "edu"], in: dir)
        XCTAssertEqual(run.status, 0, run.stderr)
        let analysis = try json(run.stdout)
        let items = ["q1", "q2", "q3"].map { ($0, ["1", "2", "3", "4", "5"]) }
        let counted = try python(file, items: items, demographics: ["edu"])
        try assertMatches(analysis, counted, items: items, demographics: ["edu"])
        let edu = (analysis["frequencies"] as? [[String: Any]] ?? []).first { $0["column"] as? String == "edu" }
        XCTAssertEqual((edu?["rows"] as? [[String: Any]] ?? []).map { $0["value"] as? String ?? "" }, ["1", "2", "3", "10", "11", "12"])
        let groups = ((analysis["breakdowns"] as? [[String: Any]])?.first?["groups"] as? [[String: Any]] ?? []).compactMap { $0["category"] as? String }
        XCTAssertEqual(groups, ["1", "2", "3", "10", "11", "12"])
        let initRun = try Products.run(Products.wai, ["init", "numeric.csv"], in: dir)
        XCTAssertEqual(initRun.status, 0, initRun.stderr)
        XCTAssert(initRun.stdout.contains("# 1, 2, 3, 10, 11, 12\n"), initRun.stdout)
    }

    func testAStataFilesNamedLabelSetsAreItsScales() throws {
        let dir = try directory([fixture("stata_named_labels.dta"), fixture("stata_named_labels_codes.csv")])
        let run = try Products.run(Products.wai, ["analyze", "stata_named_labels.dta", "--format", "json", "--replicates", "0"], in: dir)
        XCTAssertEqual(run.status, 0, run.stderr)
        let analysis = try json(run.stdout)
        let scales = ((analysis["method"] as? [String: Any])?["scales"] as? [[String: Any]] ?? []).map { $0["name"] as? String ?? "" }
        XCTAssertEqual(scales, ["trust5", "satis4"])
        XCTAssertEqual((analysis["tables"] as? [[String: Any]] ?? []).map { $0["title"] as? String ?? "" }, ["Trust in", "How satisfied are you"])
        // Counted from the codes (9 is "Don't know": missing); the labels are the file's.
        let trust = ["No trust at all", "Little trust", "Some trust", "Much trust", "Complete trust"]
        let labelled: [(String, [String])] = (1...4).map { ("trust\($0)", trust) } + ["sat_a", "sat_b"].map { ($0, ["Very dissatisfied", "Dissatisfied", "Satisfied", "Very satisfied"]) }
        let counted = try python(dir.appendingPathComponent("stata_named_labels_codes.csv"), items: labelled.map { ($0.0, Self.codes(1...$0.1.count)) }, demographics: [])
        try assertMatches(analysis, counted, items: labelled, demographics: [])
        XCTAssert(run.stderr.contains(#"wai: warning: column "wgt" looks like a survey weight (positive numbers, named wgt): not applied"#), run.stderr)
    }

    func testBfiIsAnalysedWithNoSpecInATablePerTrait() throws {
        let dir = try directory([Self.bfi])
        let run = try Products.run(Products.wai, ["analyze", "bfi.csv", "--format", "json", "--replicates", "0"], in: dir)
        XCTAssertEqual(run.status, 0, run.stderr)
        let analysis = try json(run.stdout)
        let tables = analysis["tables"] as? [[String: Any]] ?? []
        XCTAssertEqual(tables.map { $0["title"] as? String ?? "" }, ["A1–A5", "C1–C5", "E1–E5", "N1–N5", "O1–O5"])
        XCTAssertEqual(tables.map { $0["id"] as? String ?? "" }, ["a", "c", "e", "n", "o"])
        let items = "ACENO".flatMap { trait in (1...5).map { ("\(trait)\($0)", Self.codes(1...6)) } }
        let counted = try python(dir.appendingPathComponent("bfi.csv"), items: items, demographics: ["gender", "education"])
        try assertMatches(analysis, counted, items: items, demographics: ["gender", "education"])
        XCTAssertEqual(analysis["weight_sum"] as? Double, 2800)
        XCTAssert(run.stderr.contains(#"wai: warning: column "education" (E1–E5) is not on a known scale: tabulated as a demographic"#), run.stderr)
        XCTAssert(run.stderr.contains(#"wai: warning: column "w" looks like a survey weight (positive numbers, named w): not applied"#), run.stderr)
    }

    func testInitThenReportRunsUnchangedOnEach() throws {
        for file in [fixture("plain_stems.csv"), fixture("stata_named_labels.dta"), Self.bfi] {
            let name = file.lastPathComponent
            let dir = try directory([file])
            let initRun = try Products.run(Products.wai, ["init", name], in: dir)
            XCTAssertEqual(initRun.status, 0, "\(name): \(initRun.stderr)")
            XCTAssertFalse(initRun.stdout.contains("\nweight:"), "\(name): a weight is never applied by inference\n\(initRun.stdout)")
            XCTAssert(initRun.stdout.contains("\n# weight: \""), "\(name): the weight proposed in a comment\n\(initRun.stdout)")
            try Data(initRun.stdout.utf8).write(to: dir.appendingPathComponent("survey.yaml"))
            let report = try Products.run(Products.wai, ["report", ".", "--out", "out", "--format", "md,json", "--replicates", "0"], in: dir)
            XCTAssertEqual(report.status, 0, "\(name): \(report.stderr)\n\(initRun.stdout)")
            let without = try Products.run(Products.wai, ["analyze", name, "--format", "json", "--replicates", "0"], in: dir)
            XCTAssertEqual(without.status, 0, "\(name): \(without.stderr)")
            let fromReport = try json(String(contentsOf: dir.appendingPathComponent("out/report.json"), encoding: .utf8))
            func indices(_ object: [String: Any]) -> [String] {
                (object["tables"] as? [[String: Any]] ?? []).flatMap { table in
                    (table["items"] as? [[String: Any]] ?? []).map { "\(table["id"]!) \($0["column"]!) n=\($0["n"]!) wai=\($0["wai"]!)" }
                }
            }
            func frequencies(_ object: [String: Any]) -> [String] {
                (object["frequencies"] as? [[String: Any]] ?? []).map { "\($0["column"]!): \(($0["rows"] as? [[String: Any]] ?? []).map { "\($0["value"]!)=\($0["count"]!)" })" }
            }
            XCTAssertFalse(indices(fromReport).isEmpty, name)
            XCTAssertEqual(indices(fromReport), indices(try json(without.stdout)), name)
            XCTAssertEqual(frequencies(fromReport), frequencies(try json(without.stdout)), name)
        }
    }

    func testAColumnAskedForAsAnItemIsRefused() throws {
        let dir = try directory([fixture("plain_stems.csv")])
        try Data("question,code,label\neducation,E1,Primary\neducation,E2,Secondary\neducation,E3,Tertiary\n".utf8)
            .write(to: dir.appendingPathComponent("codebook.csv"))
        let run = try Products.run(Products.wai, ["analyze", "plain_stems.csv", "--codebook", "codebook.csv"], in: dir)
        XCTAssertEqual(run.status, 2, run.stderr)
        XCTAssert(run.stderr.contains(#"cannot tell the order of the answers in column "education": answers not in "#), run.stderr)
        XCTAssert(run.stderr.contains(#"for "education": "E4", "E5""#) || run.stderr.contains(#"for "education": "E5", "E4""#), run.stderr)
    }
}
