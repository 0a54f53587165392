import Foundation
import XCTest
import WAIModel
@testable import WAIRead

/// The no-spec inference rules of issue 15's last gaps (Surveys/SPEC.md, "Specs inferred from the
/// data"): unorderable columns tabulated as demographics, tables from plain files' names and
/// wording, value-label sets naming their scales, a weight proposed and never applied.
final class InferenceRulesTests: XCTestCase {
    func infer(path: String, codebook: Codebook? = nil) throws -> InferredSurvey {
        let prepared = try PreparedInput.prepare(csvPath: path, displayName: (path as NSString).lastPathComponent, options: ReadOptions())
        defer { prepared.discard() }
        return try LikertInference.infer(prepared, codebook: codebook)
    }

    func infer(fixture name: String) throws -> InferredSurvey { try infer(path: ExportsLayoutTests.fixture(name)) }

    func infer(csv text: String) throws -> InferredSurvey {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("wai-rules-\(UUID().uuidString).csv")
        try Data(text.utf8).write(to: url)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return try infer(path: url.path)
    }

    /// The written YAML loads as the same spec.
    func assertRoundTrip(_ inferred: InferredSurvey, file: StaticString = #filePath, line: UInt = #line) throws {
        let yaml = SpecWriter.yaml(inferred, command: "wai init test.csv")
        let loaded = try YAMLDocument.decode(SurveySpec.self, yaml: yaml, name: "survey.yaml")
        try loaded.validate(file: "survey.yaml")
        XCTAssertEqual(loaded, inferred.spec, yaml, file: file, line: line)
    }

    // MARK: - Tables from names and wording

    func testNameStemsAndLeadingWording() {
        let stems: [(String, String?)] = [
            ("A1", "A"), ("A12", "A"), ("q4_1", "q4"), ("Q4.1", "Q4"), ("sat_roads", "sat"), ("trust-2", "trust"),
            ("lr_self", "lr"), ("trust_local_gov", "trust_local"), ("partyid", nil), ("1a", nil), ("A1b", nil),
            ("_x", nil), ("q_", nil), ("How satisfied", nil),
        ]
        for (name, stem) in stems { XCTAssertEqual(Adapters.nameStem(name), stem, name) }
        XCTAssert(Adapters.leadingWording("How satisfied are you with: Roads")! == ("How satisfied are you with", "Roads"))
        XCTAssert(Adapters.leadingWording("Trust - the police")! == ("Trust", "the police"))
        XCTAssert(Adapters.leadingWording("Rate… the bus")! == ("Rate", "the bus"))
        XCTAssertNil(Adapters.leadingWording("How satisfied are you with the roads?"))
        XCTAssertNil(Adapters.leadingWording("Roads:"))
        XCTAssertNil(Adapters.leadingWording("q4:1"))
    }

    func testPlainFilesGroupItemsByNameStemOrSharedWording() throws {
        let inferred = try infer(fixture: "plain_stems.csv")
        let tables = inferred.spec.tables
        XCTAssertEqual(tables.map(\.id), ["a", "c", "q4", "how_satisfied_are_you", "t5", "t6"])
        XCTAssertEqual(tables.map(\.title), ["A1–A4", "C1–C3", "q4_1–q4_3", "How satisfied are you with", "sat_a", "sat_b"])
        XCTAssertEqual(tables.map { $0.items.map(\.column) }, [
            ["A1", "A2", "A3", "A4"], ["C1", "C2", "C3"], ["q4_1", "q4_2", "q4_3"],
            ["How satisfied are you with: Roads", "How satisfied are you with: Water", "How satisfied are you with: Health"],
            ["sat_a"], ["sat_b"],
        ])
        XCTAssertEqual(tables[3].items.map(\.text), ["Roads", "Water", "Health"])
        // sat_a (1–4) and sat_b (1–5) share a stem, not a scale: each stays on its own.
        XCTAssertEqual(tables.map(\.scale), [nil, nil, "agreement_5-point", "satisfaction_5-point", "numeric_1_4", "numeric_1_5"])
        try assertRoundTrip(inferred)
    }

    func testColumnsThatShareNothingStayOneTablePerScale() throws {
        let rows = (0..<12).map { r in "\(r % 2),\(1 + r % 5),\(1 + (r + 1) % 5),\(1 + (r + 2) % 5),\(1 + r % 5),\(["North", "South"][r % 2])" }
        let inferred = try infer(csv: "g,alpha,beta,gamma,k1,k2\n" + rows.joined(separator: "\n") + "\n")
        // k1 is the only item of its stem (k2 is a demographic): it joins its neighbours as a single question.
        XCTAssertEqual(inferred.spec.tables.map(\.id), ["t1"])
        XCTAssertEqual(inferred.spec.tables.map(\.title), ["Numeric 1–5: 4 questions"])
    }

    func testAStemSplitByAnotherColumnGetsUniqueIDs() throws {
        let rows = (0..<12).map { r in "\(1 + r % 5),\(1 + (r + 1) % 5),\(["North", "South", "East"][r % 3]),\(1 + (r + 2) % 5),\(1 + (r + 3) % 5)" }
        let inferred = try infer(csv: "A1,A2,region,A3,A4\n" + rows.joined(separator: "\n") + "\n")
        XCTAssertEqual(inferred.spec.tables.map(\.id), ["a", "a_2"])
        XCTAssertEqual(inferred.spec.tables.map(\.title), ["A1–A2", "A3–A4"])
        XCTAssertEqual(inferred.spec.demographics.map(\.column), ["region"])
    }

    // MARK: - Unorderable columns

    func testCodesNoScaleOrdersAreADemographicWithAWarning() throws {
        // edu: E3 most often, E1 least; band: 14 different codes (no demographic either).
        let edu = ["E3", "E3", "E5", "E3", "E2", "E4", "E3", "E1", "", "E4", "E3", "E2", "E5", "E3", "E4"]
        let rows = edu.enumerated().map { r, e in "\(["Agree", "Disagree", "Strongly agree"][r % 3]),\(["Agree", "Strongly disagree", "Agree"][r % 3]),\(e),B\(r % 14 + 1)" }
        let inferred = try infer(csv: "q1,q2,edu,band\n" + rows.joined(separator: "\n") + "\n")
        XCTAssertNil(inferred.ambiguityError(file: "test.csv"))
        XCTAssertEqual(inferred.spec.tables.map { $0.items.map(\.column) }, [["q1", "q2"]])
        XCTAssertEqual(inferred.spec.demographics.map(\.column), ["edu"])
        XCTAssertEqual(inferred.spec.demographics[0].categories, ["E1", "E2", "E3", "E4", "E5"], "codes of one prefix, by their number")
        XCTAssertEqual(inferred.ambiguous.map(\.tabulated), ["E1–E5", nil])
        XCTAssertEqual(inferred.warnings.map(\.message), [
            #"column "band" was not analysed: it is not on a known scale, and its 14 different answers are too many for a demographic; give a spec or --codebook to analyse it as an item"#,
            #"column "edu" (E1–E5) is not on a known scale: tabulated as a demographic, not analysed as an item; give a spec or --codebook to analyse it as an item"#,
        ])
        XCTAssertEqual(inferred.warnings.map(\.kind), ["not_analysed", "not_analysed"])
        try assertRoundTrip(inferred)
    }

    func testCategoriesOrderAndDescription() {
        XCTAssertEqual(LikertInference.codeOrder(["10", "2", "1"]), ["1", "2", "10"])
        XCTAssertEqual(LikertInference.codeOrder(["E10", "E2", "e1"]), ["e1", "E2", "E10"])
        XCTAssertNil(LikertInference.codeOrder(["E1", "F2"]))
        XCTAssertNil(LikertInference.codeOrder(["Good", "Fair"]))
        XCTAssertEqual(LikertInference.describeCategories(["E3", "E1", "E2"]), "E1–E3")
        XCTAssertEqual(LikertInference.describeCategories(["E3", "E1", "E5"]), "E3, E1, E5")
        XCTAssertEqual(LikertInference.describeCategories(["a", "b", "c", "d", "e", "f"]), "a, b, c, d, e, …")
    }

    // MARK: - Weights

    func testAWeightLookingColumnIsProposedNeverApplied() throws {
        let rows = (0..<16).map { r in
            "\(["Agree", "Disagree", "Strongly agree"][r % 3]),\(["Agree", "Neither agree nor disagree", "Disagree"][r % 3]),\([0.5, 1.25, 2][r % 3]),\(1 + r % 3),\(r - 3).5,\(100 + r * 7)"
        }
        let inferred = try infer(csv: "q1,q2,W,wt,final_weight,pweight\n" + rows.joined(separator: "\n") + "\n")
        XCTAssertNil(inferred.spec.weight)
        XCTAssertEqual(inferred.weightCandidate, WeightCandidate(column: "W", evidence: "positive numbers, named W"))
        // wt: whole numbers 1–3, a code; final_weight: some negative; pweight: a second candidate.
        XCTAssertEqual(inferred.spec.demographics.map(\.column), ["wt"])
        let reasons = Dictionary(uniqueKeysWithValues: inferred.leftOut.map { ($0.column, $0.reason) })
        XCTAssertEqual(reasons["pweight"], #"looks like a survey weight too (positive numbers, named pweight); "W" is the one proposed"#)
        XCTAssertEqual(reasons["final_weight"], "a number with many values")
        XCTAssertEqual(inferred.warnings.last?.message, #"column "W" looks like a survey weight (positive numbers, named W): not applied, every response weighs 1; give a spec with `weight: "W"` to use it"#)
        let yaml = SpecWriter.yaml(inferred, command: "wai init test.csv")
        XCTAssert(yaml.contains(#"# weight: "W"                           # looks like a survey weight (positive numbers, named W): uncomment to use it"#), yaml)
        try assertRoundTrip(inferred)
    }

    // MARK: - Value-label sets

    func testAStataLabelSetSharedByNameNamesItsScale() throws {
        let inferred = try infer(fixture: "stata_named_labels.dta")
        XCTAssertEqual(inferred.spec.scales.map(\.name), ["trust5", "satis4"])
        XCTAssertEqual(inferred.spec.scales[0].levels.map(\.label), ["No trust at all", "Little trust", "Some trust", "Much trust", "Complete trust"])
        XCTAssertEqual(inferred.spec.scales[0].missing, ["", "Don't know"])
        XCTAssertEqual(inferred.spec.tables.map(\.id), ["trust_in", "sat"])
        XCTAssertEqual(inferred.spec.tables.map(\.title), ["Trust in", "How satisfied are you"])
        XCTAssertEqual(inferred.spec.tables[0].items.map(\.text), ["the police", "the courts", "the army", "the press"])
        XCTAssertEqual(inferred.spec.tables.map(\.scale), [nil, "satis4"])
        XCTAssertEqual(inferred.weightCandidate?.column, "wgt")
        try assertRoundTrip(inferred)
    }

    func testUnnamedOrCopiedLabelSetsAreNamedAfterTheirLabels() throws {
        // SPSS stores no set names; pyreadstat's Stata files copy one set per variable.
        for file in ["spss_mixed.sav", "stata_mixed.dta"] {
            let inferred = try infer(fixture: file)
            XCTAssertEqual(inferred.spec.scales.map(\.name), ["degree_5-point", "agreement_5-point"], file)
            XCTAssertEqual(inferred.spec.tables.map(\.title), ["How much do you trust", "How much do you agree?"], file)
            XCTAssertEqual(inferred.spec.tables.map(\.id), ["d", "a"], file)
        }
        let survey = try infer(fixture: "spss_survey.sav")
        XCTAssertEqual(survey.spec.scales.map(\.name), ["agreement_5-point", "not_at_all_content-entirely_content"])
        // Variable labels that share no wording title their table, listed.
        XCTAssertEqual(survey.spec.tables.map(\.title), ["The clinic staff listened to me; I was seen on time; The clinic was clean", "How content are you"])
        XCTAssertFalse(survey.spec.tables.map(\.title).contains { $0.contains("Value labels") })
        try assertRoundTrip(survey)
    }

    func testListTitles() {
        XCTAssertEqual(LikertInference.listTitle(["Staff listened", "Seen on time"]), "Staff listened; Seen on time")
        let long = (1...6).map { "The question number \($0) is here" }
        XCTAssertEqual(LikertInference.listTitle(long), "The question number 1 is here; The question number 2 is here; … (6 questions)")
    }
}
