import Foundation
import XCTest
import WAIModel
@testable import WAIRead

final class SpecLoadingTests: XCTestCase {
    func load(_ yaml: String) throws -> SurveySpec {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("wai-spec-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent("survey.yaml").path
        try Data(yaml.utf8).write(to: URL(fileURLWithPath: path))
        return try SurveyLoader.loadSpec(path: path).spec
    }

    func assertError(_ yaml: String, line: Int?, column: Int?, keyPath: String?, contains text: String,
                     file: StaticString = #filePath, lineNumber: UInt = #line) {
        XCTAssertThrowsError(try load(yaml), file: file, line: lineNumber) { error in
            guard let error = error as? InputError else { return XCTFail("\(error)", file: file, line: lineNumber) }
            XCTAssertEqual(error.location.line, line, "\(error)", file: file, line: lineNumber)
            XCTAssertEqual(error.location.column, column, "\(error)", file: file, line: lineNumber)
            XCTAssertEqual(error.location.keyPath, keyPath, "\(error)", file: file, line: lineNumber)
            XCTAssert(error.description.contains(text), "\(error)", file: file, line: lineNumber)
        }
    }

    let minimal = """
        title: Minimal
        scale:
          levels:
            - {code: 1, label: Low, aliases: [ទាប]}
            - {code: 2, label: High, aliases: [ខ្ពស់]}
        bands: {labels: [low, high], upper: [0.5, 1.0]}
        tables:
          - id: t
            items:
              - {id: a, column: qa, text: "A?"}
        """

    func testAMinimalSpecLoadsWithDefaults() throws {
        let spec = try load(minimal)
        XCTAssertEqual(spec.scale.levels.map(\.label), ["Low", "High"])
        XCTAssertEqual(spec.scale.levels[1].aliases, ["ខ្ពស់"])
        XCTAssertEqual(spec.scale.weighting, .normalized)
        XCTAssertEqual(spec.scale.missing, [""])
        XCTAssertEqual(spec.bands.precision, 2)
        XCTAssertEqual(spec.tables[0].title, "t")
        XCTAssertTrue(spec.tables[0].composite)
        XCTAssertEqual(spec.demographics, [])
    }

    func testWeightingChoices() throws {
        let proportional = try load(minimal.replacingOccurrences(of: "scale:\n", with: "scale:\n  weighting: proportional\n"))
        XCTAssertEqual(proportional.scale.weighting, .proportional)
        let explicit = try load(minimal.replacingOccurrences(of: "scale:\n", with: "scale:\n  weights: [0, 1]\n"))
        XCTAssertEqual(explicit.scale.weighting, .explicit([0, 1]))
        assertError(minimal.replacingOccurrences(of: "scale:\n", with: "scale:\n  weighting: linear\n"),
                    line: 3, column: 14, keyPath: "scale.weighting", contains: "unknown weighting \"linear\"")
    }

    func testDemographicsAsNamesOrMappings() throws {
        let spec = try load(minimal + "\ndemographics: [gender, {column: job, label: Job type, categories: [A, B]}]\n")
        XCTAssertEqual(spec.demographics, [Demographic(column: "gender"), Demographic(column: "job", label: "Job type", categories: ["A", "B"])])
    }

    func testUnknownKeysAreRejectedWithASuggestion() {
        assertError(minimal.replacingOccurrences(of: "title: Minimal", with: "title: Minimal\ntitel: x"),
                    line: 2, column: 1, keyPath: "titel", contains: "did you mean \"title\"?")
        assertError(minimal.replacingOccurrences(of: "text: \"A?\"", with: "text: \"A?\", revers: true"),
                    line: 10, column: 41, keyPath: "tables[0].items[0].revers", contains: "unknown key \"revers\"")
    }

    func testWrongTypesAndMissingKeysNameTheKeyPathAndPosition() {
        assertError(minimal.replacingOccurrences(of: "code: 2", with: "code: two"),
                    line: 5, column: 14, keyPath: "scale.levels[1].code", contains: "found \"two\"; expected a whole number")
        assertError(minimal.replacingOccurrences(of: "title: Minimal\n", with: ""),
                    line: 1, column: 1, keyPath: "", contains: "missing key \"title\"")
    }

    /// Each kind of spec value, given the wrong kind: the expected clause in plain words (no
    /// decoder type names such as "Scalar", "Mapping" or "Sequence").
    func testEveryKindOfValueIsExpectedInPlainWords() {
        let single = "a single value (text or a number), not a list or a mapping"
        let mapping = "a mapping of keys to values (`key: value` lines, or {key: value})"
        let list = "a list (lines starting with `- `, or [a, b])"
        let cases: [(String, String, String, String)] = [
            ("title: Minimal", "title: [a, b]", "title", single),
            ("title: Minimal", "title: {a: 1}", "title", single),
            ("code: 2", "code: [2]", "scale.levels[1].code", single),
            ("code: 2", "code: two", "scale.levels[1].code", "a whole number"),
            ("upper: [0.5, 1.0]", "upper: [0.5, high]", "bands.upper[1]", "a number"),
            ("upper: [0.5, 1.0]", "upper: 1.0", "bands.upper", list),
            ("    - {code: 1, label: Low, aliases: [ទាប]}", "    - low", "scale.levels[0]", mapping),
            ("aliases: [ខ្ពស់]", "aliases: ខ្ពស់", "scale.levels[1].aliases", list),
            ("bands: {labels: [low, high], upper: [0.5, 1.0]}", "bands: 3", "bands", mapping),
            ("  - id: t\n    items:\n      - {id: a, column: qa, text: \"A?\"}", "  - t", "tables[0]", mapping),
            ("text: \"A?\"}", "text: \"A?\", reverse: maybe}", "tables[0].items[0].reverse", "true or false"),
            ("title: Minimal", "title: Minimal\npopulation: 5", "population", mapping),
            ("title: Minimal", "title: Minimal\ndemographics: gender", "demographics", list),
        ]
        for (target, replacement, keyPath, expected) in cases {
            let yaml = minimal.replacingOccurrences(of: target, with: replacement)
            XCTAssertNotEqual(yaml, minimal, target)
            XCTAssertThrowsError(try load(yaml), keyPath) { error in
                guard let error = error as? InputError else { return XCTFail("\(error)") }
                XCTAssertEqual(error.location.keyPath, keyPath, "\(error)")
                XCTAssertEqual(error.expected, expected, "\(error)")
                for word in ["Scalar", "Mapping", "Sequence", "Optional", "Array<", "Dictionary<"] {
                    XCTAssertFalse(error.description.contains(word), "\(error)")
                }
            }
        }
    }

    func testYAMLSyntaxErrorsArePositioned() {
        assertError("title: [unclosed\n", line: 2, column: 1, keyPath: nil, contains: "YAML syntax")
    }

    func testSemanticErrorsGetTheLineOfTheirKeyPath() {
        assertError(minimal.replacingOccurrences(of: "upper: [0.5, 1.0]", with: "upper: [0.5, 0.5]"),
                    line: 6, column: 43, keyPath: "bands.upper[1]", contains: "band bounds must increase")
    }
}

extension String {
    func replacingOccurrences(of target: String, with replacement: String) -> String {
        components(separatedBy: target).joined(separator: replacement)
    }
}
