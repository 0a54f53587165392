import Foundation
import XCTest
import WAIModel
@testable import WAIRead

/// SPSS and Stata files through ReadStat (fixtures written by Fixtures/make_stat_fixtures.py).
final class ExportsStatFileTests: XCTestCase {
    func prepare(_ name: String) throws -> PreparedInput {
        let prepared = try PreparedInput.prepare(csvPath: ExportsLayoutTests.fixture(name), displayName: name)
        addTeardownBlock { prepared.discard() }
        return prepared
    }

    func rows(_ prepared: PreparedInput) throws -> [[String]] {
        var reader = try CSVReader(path: prepared.path, name: prepared.displayName)
        return try reader.readAll().map { $0.fields.map(\.value) }
    }

    func testSPSSValuesLabelsAndUserMissing() throws {
        let prepared = try prepare("spss_survey.sav")
        let layout = try XCTUnwrap(prepared.layout)
        XCTAssertEqual(layout.origin, "SPSS .sav")
        XCTAssertEqual(layout.names, ["id", "gender", "q1", "q2", "q3", "s1", "s2", "wt", "comment"])
        XCTAssertEqual(layout.columns[2].question, "The clinic staff listened to me")
        let table = try rows(prepared)
        XCTAssertEqual(table.count, 11)
        XCTAssertEqual(table[1], ["101", "Female", "Agree", "Strongly agree", "Agree", "Fairly content", "Entirely content", "1.2", ""])
        XCTAssertEqual(table[6][2], "")              // 9, "Don't know": user-missing
        XCTAssertEqual(table[9][3], "")              // system-missing
        XCTAssertEqual(table[9][8], "Long wait, but fine")
        // The battery's value labels: levels by value, without the user-missing "Don't know".
        let entries = try XCTUnwrap(prepared.codebook?.entries)
        XCTAssertEqual(entries.map(\.question), ["q1", "q2", "q3", "s1", "s2"])
        XCTAssertEqual(entries[0].labels, ["Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree"])
        XCTAssertEqual(entries[3].labels, ["Not at all content", "A little content", "Fairly content", "Entirely content"])
    }

    func testStataReadsTheSameSurvey() throws {
        let spss = try rows(try prepare("spss_survey.sav"))
        let stata = try prepare("stata_survey.dta")
        XCTAssertEqual(stata.layout?.origin, "Stata .dta")
        XCTAssertEqual(try rows(stata), spss)
    }

    func testInferredFromValueLabels() throws {
        let prepared = try prepare("spss_survey.sav")
        let inferred = try LikertInference.infer(prepared)
        XCTAssertEqual(inferred.spec.tables.map { $0.items.map(\.column) }, [["q1", "q2", "q3"], ["s1", "s2"]])
        XCTAssertEqual(inferred.spec.scale(of: inferred.spec.tables[1].items[0]).levels.map(\.label), ["Not at all content", "A little content", "Fairly content", "Entirely content"])
        XCTAssertEqual(inferred.spec.levelCount, 5)
        XCTAssertEqual(inferred.spec.scale.levels.map(\.label), ["Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree"])
        XCTAssertEqual(inferred.otherScales.map(\.columns), [["s1", "s2"]])
        XCTAssertNil(inferred.spec.weight, "a weight is proposed, never applied without a spec")
        XCTAssertEqual(inferred.weightCandidate, WeightCandidate(column: "wt", evidence: "positive numbers, named wt"))
        XCTAssertEqual(inferred.spec.demographics.map(\.column), ["gender"])
        XCTAssertNil(inferred.spec.source)
        let yaml = SpecWriter.yaml(inferred, command: "wai init spss_survey.sav")
        XCTAssertEqual(try YAMLDocument.decode(SurveySpec.self, yaml: yaml, name: "survey.yaml"), inferred.spec)
    }

    func testABrokenFileIsAnInputError() throws {
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: ExportsLayoutTests.fixture("spss_survey.sav"))).prefix(300))
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("wai-broken-\(UUID().uuidString).sav")
        try Data(bytes).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        XCTAssertThrowsError(try PreparedInput.prepare(csvPath: url.path, displayName: "broken.sav")) { error in
            XCTAssert("\(error)".hasPrefix("broken.sav: cannot read the SPSS .sav file; found "), "\(error)")
        }
    }

    /// Text values with line breaks (cases 2 and 4) push the CSV copy's lines down; a message
    /// about case 6's negative weight names the case and variable, not line 9 of the copy.
    func testMessagesNameTheCaseAndVariableNotTheCopysLine() throws {
        let prepared = try prepare("spss_linebreak.sav")
        let table = try rows(prepared)
        XCTAssertEqual(table[2][2], "first line\nsecond line")
        let spec = SurveySpec(title: "Line breaks", weight: "wt", scale: Scale(levels: ["Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree"].enumerated().map { Level(code: $0 + 1, label: $1) }),
                              tables: [ItemTable(id: "t", title: "T", items: [Item(id: "q1", column: "q1", text: "q1")])])
        let reader = try ResponseReader(spec: spec, csvPath: prepared.path, displayName: prepared.displayName, options: prepared.options)
        XCTAssertThrowsError(try reader.forEachChunk { _ in }) { error in
            let copy = (error as? InputError)?.location
            XCTAssertEqual(copy?.line, 9, "the copy's line: header, case 1, case 2 on two lines, case 3, case 4 on two, case 5, case 6")
            let located = prepared.relocate(error) as? InputError
            XCTAssertEqual(located?.location.description, "spss_linebreak.sav:case 6, variable wt")
            XCTAssert(located?.problem.contains("invalid survey weight") == true, "\(String(describing: located))")
        }
    }
}
