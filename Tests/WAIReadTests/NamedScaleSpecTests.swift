import Foundation
import XCTest
import WAIModel
@testable import WAIRead

/// `scales:`, `scale:` by name or written out, and `scale:` per table and per item.
final class NamedScaleSpecTests: XCTestCase {
    func load(_ yaml: String) throws -> SurveySpec {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("wai-scales-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent("survey.yaml").path
        try Data(yaml.utf8).write(to: URL(fileURLWithPath: path))
        return try SurveyLoader.loadSpec(path: path).spec
    }

    func loadError(_ yaml: String, file: StaticString = #filePath, line: UInt = #line) -> InputError? {
        do {
            _ = try load(yaml)
            XCTFail("the spec loaded", file: file, line: line)
        } catch let error as InputError {
            return error
        } catch {
            XCTFail("\(error)", file: file, line: line)
        }
        return nil
    }

    let named = """
        title: Named
        scales:
          degree:
            levels:
              - {code: 1, label: Very Low}
              - {code: 2, label: Low}
              - {code: 3, label: Neutral}
              - {code: 4, label: High}
              - {code: 5, label: Very High}
            missing: ["", "Don't know"]
          lr7:
            weighting: proportional
            levels: [{code: 1, label: L1}, {code: 2, label: L2}, {code: 3, label: L3}, {code: 4, label: L4}, {code: 5, label: L5}, {code: 6, label: L6}, {code: 7, label: L7}]
          yn:
            weights: [0, 1]
            levels: [{code: 0, label: No}, {code: 1, label: Yes}]
        scale: degree
        tables:
          - id: attitudes
            items:
              - {id: a1, column: A1}
              - {id: a2, column: A2}
          - id: placements
            scale: lr7
            items:
              - {id: p1, column: P1}
              - {id: pid, column: PID, scale: yn}
        """

    func testNamedScalesKeepTheirOrderNamesAndShape() throws {
        let spec = try load(named)
        XCTAssertEqual(spec.scales.map(\.name), ["degree", "lr7", "yn"])
        XCTAssertEqual(spec.scaleReference, "degree")
        XCTAssertEqual(spec.scale.name, "degree")
        XCTAssertEqual(spec.scale.levels.map(\.label), ["Very Low", "Low", "Neutral", "High", "Very High"])
        XCTAssertEqual(spec.scale.missing, ["", "Don't know"])
        XCTAssertEqual(spec.scales[1].weighting, .proportional)
        XCTAssertEqual(spec.scales[1].missing, [""])
        XCTAssertEqual(spec.scales[2].weighting, .explicit([0, 1]))
        XCTAssertEqual(spec.levelCount, 7)
    }

    func testTablesAndItemsOverrideTheDefaultScale() throws {
        let spec = try load(named)
        let scaleOf = Dictionary(uniqueKeysWithValues: spec.allItems.map { ($0.id, spec.scale(of: $0).name) })
        XCTAssertEqual(scaleOf, ["a1": "degree", "a2": "degree", "p1": "lr7", "pid": "yn"])
        XCTAssertEqual(spec.tables[1].scale, "lr7")
        XCTAssertFalse(spec.mixesScales(spec.tables[0]))
        XCTAssertTrue(spec.mixesScales(spec.tables[1]))
        XCTAssertEqual(spec.scaleNames(of: spec.tables[1]), ["lr7", "yn"])
        XCTAssertEqual(spec.usedScales.map(\.name), ["degree", "lr7", "yn"])
    }

    func testASingleWrittenOutScaleIsTheDefaultScaleAsBefore() throws {
        let spec = try load("""
            title: Old
            scale:
              weighting: proportional
              levels: [{code: 1, label: Low}, {code: 2, label: Mid}, {code: 3, label: High}]
              missing: ["", "N/A"]
            bands: {labels: [Low, Middle, High], upper: [0.5, 0.75, 1.0]}
            tables:
              - id: t
                items: [{id: a, column: qa}, {id: b, column: qb}]
            """)
        XCTAssertEqual(spec.scales, [])
        XCTAssertNil(spec.scaleReference)
        XCTAssertEqual(spec.scale.name, Scale.defaultName)
        XCTAssertEqual(spec.scale.weighting, .proportional)
        XCTAssertEqual(spec.scale.missing, ["", "N/A"])
        XCTAssertEqual(spec.allItems.map { spec.scale(of: $0).name }, ["default", "default"])
        XCTAssertNil(spec.allItems[0].scale)
        XCTAssertEqual(spec.levelCount, 3)
    }

    func testAnOldSpecEncodesAsBeforeSoItsDigestDoesNotChange() throws {
        let spec = try load("""
            title: Old
            scale:
              levels: [{code: 1, label: Low}, {code: 2, label: High}]
            tables:
              - id: t
                items: [{id: a, column: qa}]
            """)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = String(decoding: try encoder.encode(spec), as: UTF8.self)
        XCTAssertFalse(json.contains("\"scales\""), json)
        XCTAssertTrue(json.contains("\"scale\":{\"levels\":"), json)
        XCTAssertFalse(json.contains("\"scale\":null"), json)
    }

    func testAWrittenOutDefaultCanSitBesideNamedScales() throws {
        let spec = try load("""
            title: Both
            scales:
              lr7: {levels: [{code: 1, label: L1}, {code: 2, label: L2}, {code: 3, label: L3}, {code: 4, label: L4}, {code: 5, label: L5}, {code: 6, label: L6}, {code: 7, label: L7}]}
            scale:
              levels: [{code: 1, label: Low}, {code: 2, label: High}]
            tables:
              - id: t
                items: [{id: a, column: qa}, {id: b, column: qb, scale: lr7}]
            """)
        XCTAssertEqual(spec.allItems.map { spec.scale(of: $0).name }, ["default", "lr7"])
        XCTAssertEqual(spec.scale(of: spec.allItems[0]).levels.count, 2)
    }

    func testAnUnknownScaleNameIsALocatedErrorWithTheNearestName() throws {
        let item = try XCTUnwrap(loadError(named.replacingOccurrences(of: "scale: yn}", with: "scale: ynn}")))
        XCTAssertEqual(item.location.keyPath, "tables[1].items[1].scale")
        XCTAssertEqual(item.location.line, 27)
        XCTAssertEqual(item.found, "ynn")
        XCTAssertEqual(item.suggestion, "yn")
        XCTAssert(item.problem.contains("unknown scale"), "\(item)")
        XCTAssert(item.expected?.contains("degree, lr7, yn") == true, "\(item)")

        let table = try XCTUnwrap(loadError(named.replacingOccurrences(of: "scale: lr7\n", with: "scale: lr8\n")))
        XCTAssertEqual(table.location.keyPath, "tables[1].scale")
        XCTAssertEqual(table.location.line, 24)
        XCTAssertEqual(table.suggestion, "lr7")

        let top = try XCTUnwrap(loadError(named.replacingOccurrences(of: "scale: degree\n", with: "scale: degre\n")))
        XCTAssertEqual(top.location.keyPath, "scale")
        XCTAssertEqual(top.location.line, 17)
        XCTAssertEqual(top.suggestion, "degree")
        XCTAssert(top.description.contains("did you mean \"degree\"?"), "\(top)")
    }

    func testANamedScaleIsValidatedWhereItIsWritten() throws {
        let error = try XCTUnwrap(loadError(named.replacingOccurrences(of: "weights: [0, 1]", with: "weights: [0, 1, 2]")))
        XCTAssertEqual(error.location.keyPath, "scales.yn.weights")
        XCTAssertEqual(error.location.line, 15)
        let labels = try XCTUnwrap(loadError(named.replacingOccurrences(of: "{code: 2, label: L2}", with: "{code: 2, label: L1}")))
        XCTAssertEqual(labels.location.keyPath, "scales.lr7.levels[1].label")
    }

    func testAnItemInTwoTablesMustBeOnOneScale() throws {
        let error = try XCTUnwrap(loadError(named + "\n  - id: again\n    scale: lr7\n    items: [{id: a1, column: A1}]\n"))
        XCTAssertEqual(error.location.keyPath, "tables[2].scale")
        XCTAssert(error.problem.contains("same scale"), "\(error)")
    }

    func testTheBandsMustReachTheTopOfEveryScale() throws {
        let error = try XCTUnwrap(loadError(named.replacingOccurrences(of: "weights: [0, 1]", with: "weights: [0, 2]")))
        XCTAssertEqual(error.location.keyPath, "bands.upper[4]")
        XCTAssert(error.expected?.contains("scale \"yn\"") == true, "\(error)")
    }
}
