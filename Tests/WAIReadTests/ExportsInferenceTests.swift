import Foundation
import XCTest
import WAIModel
@testable import WAIRead

/// Likert items found by their answers, the spec `wai init` writes, and the refusals.
final class ExportsInferenceTests: XCTestCase {
    func infer(_ name: String, source: DataSource? = nil, codebook: String? = nil) throws -> InferredSurvey {
        try infer(path: ExportsLayoutTests.fixture(name), source: source, codebook: codebook)
    }

    func infer(path: String, source: DataSource? = nil, codebook: String? = nil) throws -> InferredSurvey {
        var options = ReadOptions()
        options.format.source = source
        let prepared = try PreparedInput.prepare(csvPath: path, displayName: (path as NSString).lastPathComponent, options: options)
        defer { prepared.discard() }
        return try LikertInference.infer(prepared, codebook: try codebook.map { try Codebook.load(path: ExportsLayoutTests.fixture($0)) })
    }

    func temporary(_ text: String) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("wai-infer-\(UUID().uuidString).csv")
        try Data(text.utf8).write(to: url)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url.path
    }

    func labels(_ inferred: InferredSurvey) -> [String] { inferred.spec.scale.levels.map(\.label) }
    func columns(_ inferred: InferredSurvey) -> [[String]] { inferred.spec.tables.map { $0.items.map(\.column) } }

    /// The written YAML loads as the same spec.
    func assertRoundTrip(_ inferred: InferredSurvey, file: StaticString = #filePath, line: UInt = #line) throws {
        let yaml = SpecWriter.yaml(inferred, command: "wai init test.csv")
        let loaded = try YAMLDocument.decode(SurveySpec.self, yaml: yaml, name: "survey.yaml")
        try loaded.validate(file: "survey.yaml")
        XCTAssertEqual(loaded, inferred.spec, yaml, file: file, line: line)
    }

    func testGoogleFormsGridIsOneTableOnTheSatisfactionScale() throws {
        let inferred = try infer("google_forms.csv")
        XCTAssertEqual(inferred.vocabulary.name, "satisfaction (5-point)")
        // Labels as the file writes them: its "Neutral" is not renamed.
        XCTAssertEqual(labels(inferred), ["Very dissatisfied", "Dissatisfied", "Neutral", "Satisfied", "Very satisfied"])
        XCTAssertEqual(inferred.spec.scale.levels[2].aliases, [])
        // The frequency question is kept, on a scale of its own; the satisfaction grid is on the default.
        XCTAssertEqual(inferred.spec.tables.count, 2)
        XCTAssertEqual(inferred.spec.scales.map(\.name), ["satisfaction_5-point", "frequency_5-point"])
        XCTAssertEqual(inferred.spec.scale.name, "satisfaction_5-point")
        XCTAssertNil(inferred.spec.tables[0].scale)
        XCTAssertEqual(inferred.spec.tables[1].scale, "frequency_5-point")
        XCTAssertEqual(inferred.spec.scale(of: inferred.spec.tables[1].items[0]).levels.map(\.label), ["Never", "Rarely", "Sometimes", "Often", "Always"])
        XCTAssertEqual(inferred.spec.scales[1].missing, [""], "the other scale's missing markers are those of its own answers")
        XCTAssertEqual(inferred.spec.tables[0].title, "How satisfied are you with the health centre?")
        XCTAssertEqual(inferred.spec.tables[0].items.map(\.text), ["Waiting time", "Staff courtesy", "Cleanliness"])
        XCTAssertEqual(inferred.spec.demographics.map(\.column), ["Gender"])
        // "Prefer not to say" is a category of its own, apart from blank.
        XCTAssertEqual(inferred.demographicValues["Gender"], ["Female", "Male", "Prefer not to say"])
        XCTAssertEqual(inferred.spec.scale.missing, [""])
        XCTAssertEqual(inferred.otherScales.map(\.vocabulary), ["frequency (5-point)"])
        let reasons = Dictionary(uniqueKeysWithValues: inferred.leftOut.map { ($0.column, $0.reason) })
        XCTAssertEqual(reasons["Which services did you use?"], "multi-select (choices joined by commas)")
        XCTAssertEqual(reasons["Any other comments?"], "free text (every answer different)")
        XCTAssertEqual(reasons["Timestamp"], "Google Forms metadata")
        XCTAssertEqual(inferred.spec.source, .google)
        try assertRoundTrip(inferred)
    }

    func testKoboXMLValuesAndGroups() throws {
        let inferred = try infer("kobo_xml_semicolon.csv")
        XCTAssertEqual(inferred.vocabulary.name, "degree (5-point)")
        XCTAssertEqual(columns(inferred), [["trust_gov", "trust_ngo", "trust_media"]])
        XCTAssertEqual(inferred.spec.tables[0].id, "trust")
        // XML values are aliases as spelled, so that the reader (which does not turn _ into a space) matches them.
        XCTAssertEqual(inferred.spec.scale.levels.map(\.aliases), [["very_low"], [], [], [], ["very_high"]])
        XCTAssertEqual(inferred.spec.scale.levels[2].label, "Medium", "the file's word, not the vocabulary's first (Neutral)")
        XCTAssertEqual(inferred.spec.demographics.map(\.column), ["gender", "age_group"])
        XCTAssertEqual(inferred.spec.id, "_uuid")
        let reasons = Dictionary(uniqueKeysWithValues: inferred.leftOut.map { ($0.column, $0.reason) })
        XCTAssertEqual(reasons["services"], "KoboToolbox select_multiple (choices joined by spaces)")
        XCTAssertEqual(reasons["services/roads"], "KoboToolbox select_multiple option of services")
        XCTAssertEqual(reasons["consent"], "one answer only")
        try assertRoundTrip(inferred)
    }

    func testKhmerLabelsStayKhmer() throws {
        let inferred = try infer("kobo_labels_km.csv")
        XCTAssertEqual(labels(inferred), ["ទាបណាស់", "ទាប", "មធ្យម", "ខ្ពស់", "ខ្ពស់ណាស់"])
        XCTAssertEqual(inferred.spec.scale.levels.map(\.aliases), [["Very Low"], ["Low"], ["Neutral"], ["High"], ["Very High"]])
        XCTAssertEqual(inferred.spec.scale.missing, ["", "មិនដឹង"])
        XCTAssertEqual(inferred.spec.tables[0].title, "ការទុកចិត្ត")
        XCTAssertEqual(inferred.spec.tables[0].items.map(\.text), [
            "តើអ្នកទុកចិត្តលើរដ្ឋាភិបាលកម្រិតណា?", "តើអ្នកទុកចិត្តលើអង្គការក្រៅរដ្ឋាភិបាលកម្រិតណា?", "តើអ្នកទុកចិត្តលើប្រព័ន្ធផ្សព្វផ្សាយកម្រិតណា?",
        ])
        XCTAssertEqual(inferred.spec.demographics.map(\.column), ["ភេទ"])
        try assertRoundTrip(inferred)
    }

    func testQualtricsChoiceTextAndNumeric() throws {
        let text = try infer("qualtrics_text.csv")
        XCTAssertEqual(text.vocabulary.name, "agreement (5-point)")
        XCTAssertEqual(columns(text), [["Q1_1", "Q1_2", "Q1_3", "Q1_4"], ["Q2"]])
        XCTAssertEqual(text.spec.tables.map(\.scale), [nil, "likelihood_5-point"])
        XCTAssertEqual(text.spec.scale.missing, ["", "Not applicable"])
        // A weight is proposed, never applied without a spec.
        XCTAssertNil(text.spec.weight)
        XCTAssertEqual(text.weightCandidate?.column, "weight")
        XCTAssertEqual(text.spec.id, "ResponseId")
        XCTAssertEqual(text.spec.demographics.map(\.column), ["Q4"])
        XCTAssertEqual(text.spec.demographics[0].label, "What is your age group?")
        XCTAssertEqual(text.otherScales.map(\.columns), [["Q2"]])
        try assertRoundTrip(text)

        let numeric = try infer("qualtrics_numeric.csv")
        XCTAssertEqual(numeric.vocabulary.name, "numeric 1–5")
        XCTAssertEqual(numeric.spec.scale.levels.map(\.code), [1, 2, 3, 4, 5])
        XCTAssertEqual(numeric.spec.scale.missing, ["", "-99"])        // seen but unanswered, outside the scale
        XCTAssertEqual(columns(numeric), [["Q1_1", "Q1_2", "Q1_3", "Q1_4"], ["Q2"]])
        XCTAssertEqual(numeric.spec.demographics.map(\.column), ["Q4"])   // "age group" coded 1–3 is not a scale
        try assertRoundTrip(numeric)
    }

    func testSurveyMonkeyMatrixAndOptionColumns() throws {
        let inferred = try infer("surveymonkey.csv")
        XCTAssertEqual(inferred.vocabulary.name, "satisfaction (5-point)")
        XCTAssertEqual(inferred.spec.tables[0].items.map(\.column), [
            "How satisfied are you with our delivery service? [Speed]", "How satisfied are you with our delivery service? [Packaging]",
            "How satisfied are you with our delivery service? [Price]",
        ])
        XCTAssertEqual(inferred.spec.tables[0].items.map(\.text), ["Speed", "Packaging", "Price"])
        let reasons = Dictionary(uniqueKeysWithValues: inferred.leftOut.map { ($0.column, $0.reason) })
        XCTAssertEqual(reasons["Which of these products did you buy? [Rice]"], "multi-select option (\"Rice\" or blank)")
        XCTAssertEqual(reasons["Which of these products did you buy? [Other (please specify)]"], "SurveyMonkey open-ended answer")
        XCTAssertEqual(inferred.spec.demographics.map(\.column), ["What is your gender?"])
        try assertRoundTrip(inferred)
    }

    func testLimeSurveyCodesNeedTheCodebook() throws {
        XCTAssertThrowsError(try infer("limesurvey_codes.csv")) { error in
            let text = "\(error)"
            XCTAssert(text.hasPrefix(#"limesurvey_codes.csv:1:77: cannot tell the order of the answers in column "Q1[SQ001]": its answers are codes"#), text)
            XCTAssert(text.contains(#"give --codebook FILE (question,code,label in scale order) (and 3 more columns: "Q1[SQ002]", "Q1[SQ003]", "Q2")"#), text)
            XCTAssert(text.contains(#"found "A4, A5, A3, A2, A1""#), text)
        }

        let with = try infer("limesurvey_codes.csv", codebook: "limesurvey_codebook.csv")
        XCTAssert(with.ambiguous.isEmpty)
        XCTAssertEqual(labels(with), ["Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree"])
        XCTAssertEqual(with.spec.scale.levels.map(\.aliases), [["A1"], ["A2"], ["A3"], ["A4"], ["A5"]])
        XCTAssertEqual(columns(with), [["Q1[SQ001]", "Q1[SQ002]", "Q1[SQ003]"], ["Q2"]])
        XCTAssertEqual(with.spec.scale(of: with.spec.tables[1].items[0]).levels.map(\.label), ["Never", "Rarely", "Sometimes", "Often", "Always"])
        XCTAssertEqual(with.spec.scale(of: with.spec.tables[1].items[0]).levels.map(\.aliases), [["A1"], ["A2"], ["A3"], ["A4"], ["A5"]])
        XCTAssertEqual(with.otherScales.map(\.columns), [["Q2"]])
        XCTAssertEqual(with.spec.demographics.map(\.column), ["gender"])
        try assertRoundTrip(with)
    }

    /// Issue 15: a column whose order wai cannot tell is tabulated as a demographic, said so, and
    /// offered in comments as an item to order; refused only when a codebook entry asks for it.
    func testAmbiguousOrdersAreTabulatedAndRefusedOnlyWhenAskedFor() throws {
        let inferred = try infer("ambiguous.csv")
        XCTAssertEqual(inferred.ambiguous.map(\.column), ["q2", "q3"])
        XCTAssertEqual(inferred.ambiguous[0].problem, #""Kinda agree" is not in any known scale with the others"#)
        XCTAssert(inferred.ambiguous[1].problem.contains("fit several scales with different orders"), inferred.ambiguous[1].problem)
        XCTAssertNil(inferred.ambiguityError(file: "ambiguous.csv"))
        XCTAssertEqual(inferred.spec.demographics.map(\.column), ["gender", "q2", "q3"])
        XCTAssertEqual(inferred.warnings.map(\.message), [
            #"column "q2" (Agree, Kinda agree, Strongly agree, Disagree) is not on a known scale: tabulated as a demographic, not analysed as an item; give a spec or --codebook to analyse it as an item"#,
            #"column "q3" (Good, Fair, Poor) fits several known scales with different orders: tabulated as a demographic, not analysed as an item; give a spec or --codebook to analyse it as an item"#,
        ])
        // `wai init` writes the spec, the ambiguous columns also in comments, to be ordered.
        let yaml = SpecWriter.yaml(inferred, command: "wai init ambiguous.csv")
        XCTAssert(yaml.contains(#"#   - {id: q2, column: "q2", text: "q2"}"#), yaml)
        try assertRoundTrip(inferred)

        // A codebook entry for q2 asks for it as an item: its answers outside the entry are refused.
        let codebook = try temporary("question,code,label\nq2,1,Disagree\nq2,2,Agree\nq2,3,Strongly agree\n")
        var options = ReadOptions()
        options.format.source = nil
        let prepared = try PreparedInput.prepare(csvPath: ExportsLayoutTests.fixture("ambiguous.csv"), displayName: "ambiguous.csv", options: options)
        defer { prepared.discard() }
        let asked = try LikertInference.infer(prepared, codebook: try Codebook.load(path: codebook))
        let error = try XCTUnwrap(asked.ambiguityError(file: "ambiguous.csv"))
        XCTAssert(error.description.hasPrefix(#"ambiguous.csv:1:14: cannot tell the order of the answers in column "q2": answers not in "#), error.description)
        XCTAssert(error.description.contains(#"for "q2": "Kinda agree""#), error.description)
        XCTAssertFalse(asked.spec.demographics.map(\.column).contains("q2"))
        XCTAssertEqual(asked.spec.demographics.map(\.column), ["gender", "q3"])
    }

    func testScalesAndMissingCodes() throws {
        func vocabulary(_ values: [String]) throws -> InferredSurvey {
            try infer(path: try temporary("g,q\n" + values.enumerated().map { "\($0.offset % 2),\($0.element)\n" }.joined()))
        }
        XCTAssertEqual(try vocabulary(["0", "10", "7", "3", "99", "5"]).vocabulary.name, "numeric 0–10")
        XCTAssertEqual(try vocabulary(["0", "10", "7", "3", "99", "5"]).spec.scale.missing, ["", "99"])
        XCTAssertEqual(try vocabulary(["1", "6", "7", "3"]).vocabulary.name, "numeric 1–7")
        XCTAssertEqual(try vocabulary(["Never", "often", "ALWAYS", "Don’t know"]).spec.scale.missing, ["", "Don’t know"])
        XCTAssertEqual(try vocabulary(["Disagree", "Agree", "Strongly agree"]).vocabulary.name, "agreement (5-point)")
        XCTAssertEqual(try vocabulary(["Somewhat agree", "Agree", "Strongly agree"]).vocabulary.name, "agreement (7-point)")
        XCTAssertEqual(try vocabulary(["Very poor", "Poor", "Good"]).vocabulary.name, "quality (5-point, Very poor … Excellent)")
        XCTAssertEqual(try vocabulary(["Poor", "Good", "Very good"]).vocabulary.name, "quality (5-point, Poor … Excellent)")
        XCTAssertThrowsError(try vocabulary(["Poor", "Fair", "Good"])) { error in
            XCTAssert("\(error)".contains(#"column "q": its answers fit several scales with different orders: quality (5-point, Very poor … Excellent); quality (5-point, Poor … Excellent); found "Poor, Fair, Good""#), "\(error)")
        }
        // 0/1 is a binary category, never a scale; nothing else Likert: refused with what was found.
        XCTAssertThrowsError(try vocabulary(["0", "1", "1", "0"])) { error in
            XCTAssert("\(error)".contains("no Likert items found"), "\(error)")
            XCTAssert("\(error)".contains(#"found "g (answers 0, 1), q (answers 0, 1)""#), "\(error)")
        }
        // Unlabelled codes: the observed range, from 1 (or 0 when 0 is chosen); codes above it such as 98 missing.
        XCTAssertEqual(try vocabulary(["2", "6", "3", "98", "4"]).vocabulary.name, "numeric 1–6")
        XCTAssertEqual(try vocabulary(["2", "6", "3", "98", "4"]).spec.scale.missing, ["", "98"])
        XCTAssertEqual(try vocabulary(["0", "4", "2", "6"]).vocabulary.name, "numeric 0–6")
        XCTAssertEqual(try vocabulary(["1", "3", "4", "-9"]).vocabulary.name, "numeric 1–4")
    }

    func testCodebookErrorsAreLocated() throws {
        func load(_ text: String) throws -> Codebook { try Codebook.load(path: try temporary(text), name: "codebook.csv") }
        XCTAssertThrowsError(try load("question,code,text\nQ1,A1,x\n")) { error in
            XCTAssert("\(error)".hasPrefix(#"codebook.csv:1:1: the codebook has no "label" column"#), "\(error)")
        }
        XCTAssertThrowsError(try load("question,code,label\nQ1,A1,Agree\nQ1,A1,Disagree\n")) { error in
            XCTAssert("\(error)".hasPrefix(#"codebook.csv:3:4: "A1" is listed twice for question "Q1""#), "\(error)")
        }
        XCTAssertThrowsError(try load("question,code,label\nQ1,A1,Agree\n")) { error in
            XCTAssert("\(error)".contains("has one answer option"), "\(error)")
        }
        let book = try load("label,question,code\nLow,*,1\nHigh,*,2\n")
        XCTAssertEqual(book.entries.map(\.labels), [["Low", "High"]])
    }

    func testSpecWriterQuotesEverything() throws {
        XCTAssertEqual(SpecWriter.quote(#"a "b" \ c: #d"#), #""a \"b\" \\ c: #d""#)
        XCTAssertEqual(SpecWriter.quote("line\nbreak\u{1}"), #""line\nbreak\u0001""#)
        let decoded = try YAMLDocument.decode([String].self, yaml: "[\(SpecWriter.quote("x: \"y\" # z\tខ"))]", name: "t")
        XCTAssertEqual(decoded, ["x: \"y\" # z\tខ"])
    }
}
