import Foundation
import XCTest
import WAITestSupport
import WAIModel
@testable import WAIRead

/// Bounded fuzzing: seeded random mutations of fixtures through the CSV reader, the response
/// reader and the spec parser. Each case must end in a result or an `InputError`: never a
/// crash, a hang or another kind of error. The seeds are fixed, so a failure can be replayed.
final class FuzzTests: XCTestCase {
    static let cases = 2_000

    typealias Generator = SplitMix

    /// 1 to 4 edits: a byte replaced, inserted or deleted, a slice duplicated or dropped, the end cut.
    func mutate(_ input: [UInt8], tokens: [[UInt8]], _ rng: inout Generator) -> [UInt8] {
        var bytes = input
        for _ in 0...rng.below(4) {
            let at = rng.below(bytes.count + 1)
            switch rng.below(7) {
            case 0 where !bytes.isEmpty: bytes[min(at, bytes.count - 1)] = UInt8(truncatingIfNeeded: rng.next())
            case 1: bytes.insert(contentsOf: tokens[rng.below(tokens.count)], at: at)
            case 2 where at < bytes.count: bytes.remove(at: at)
            case 3:
                let end = min(bytes.count, at + rng.below(40))
                bytes.insert(contentsOf: bytes[at..<end], at: rng.below(bytes.count + 1))
            case 4:
                let end = min(bytes.count, at + rng.below(40))
                bytes.removeSubrange(at..<end)
            case 5: bytes = Array(bytes.prefix(at))
            default: bytes.insert(UInt8(truncatingIfNeeded: rng.next()), at: at)
            }
        }
        return bytes
    }

    func expectInputErrorOrResult(_ label: String, _ body: () throws -> Void) {
        do {
            try body()
        } catch is InputError {
        } catch {
            XCTFail("\(label): not an InputError: \(error)")
        }
    }

    let spec = SurveySpec(
        title: "Fuzz", weight: "w", scale: .fivePointDegree,
        demographics: [Demographic(column: "g", label: "G")],
        tables: [ItemTable(id: "t", title: "T", items: [Item(id: "a", column: "qa", text: "A"), Item(id: "b", column: "qb", text: "B", reverse: true)])])

    func testTheCSVAndResponseReadersNeverCrash() throws {
        var inputs: [[UInt8]] = [Array("g,qa,qb,w\nF,1,Low,1\n\"M\",\"High\",3,0.5\r\nF,,\"Very\nHigh\",2\n\nM,5,4,1e0\n".utf8)]
        let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
        for name in ["google_forms.csv", "plain_semicolon_bom.csv", "qualtrics_text.csv", "kobo_labels_km.csv"] {
            inputs.append(Array(try Data(contentsOf: fixtures.appendingPathComponent(name))))
        }
        let tokens: [[UInt8]] = ["\"", ",", "\n", "\r\n", "\r", "\"\"", ";", "\t", "\u{0}", "1", "Low", "0x10", "-1", "nan"].map { Array($0.utf8) }
            + [[0xFF], [0xEF, 0xBB, 0xBF], [0xE1, 0x80], [0xC0, 0x80], [0xF4, 0x90, 0x80, 0x80]]
        var rng = Generator(seed: 14)
        let started = Date()
        for n in 0..<Self.cases {
            let bytes = mutate(inputs[n % inputs.count], tokens: tokens, &rng)
            let chunkSize = [3, 7, 64, 1 << 20][rng.below(4)]
            expectInputErrorOrResult("case \(n) (CSVReader)") {
                var reader = CSVReader(bytes: bytes, name: "fuzz.csv", chunkSize: chunkSize, maxRecordBytes: 4096)
                _ = try reader.readAll()
            }
            for lenient in [false, true] {
                expectInputErrorOrResult("case \(n) (ResponseReader, lenient \(lenient))") {
                    let url = FileManager.default.temporaryDirectory.appendingPathComponent("wai-fuzz-\(UUID().uuidString).csv")
                    try Data(bytes).write(to: url)
                    defer { try? FileManager.default.removeItem(at: url) }
                    let reader = try ResponseReader(spec: spec, csvPath: url.path, displayName: "fuzz.csv", specName: "survey.yaml",
                                                    options: ReadOptions(lenient: lenient, chunkRows: 3))
                    var weights: [Double] = []
                    _ = try reader.forEachChunk(blockSize: chunkSize) { weights += $0.weights }
                    guard !lenient else { return }
                    // Read strictly, every row's weight cell was a plain non-negative decimal (by a
                    // rule written here, not wai's) and is the number it spells.
                    var records = CSVReader(bytes: bytes, name: "fuzz.csv")
                    let all = try records.readAll()
                    guard let w = all.first?.fields.firstIndex(where: { $0.value == "w" }) else { return }
                    let cells = all.dropFirst().filter { $0.fields.count == all[0].fields.count }.map { $0.fields[w].value.trimmingCharacters(in: CharacterSet(charactersIn: " \t")) }
                    for cell in cells {
                        XCTAssertNotNil(cell.range(of: #"^([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$"#, options: .regularExpression),
                                        "case \(n): weight \(cell.debugDescription) was accepted")
                    }
                    XCTAssertEqual(weights, cells.compactMap { Double($0) }, "case \(n)")
                }
            }
        }
        XCTAssertLessThan(Date().timeIntervalSince(started), 60)
    }

    func testTheSpecParserNeverCrashes() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let inputs = [
            Array(try Data(contentsOf: root.appendingPathComponent("Surveys/chapter11/survey.yaml"))),
            Array("""
            title: Minimal
            weight: w
            scale:
              weighting: proportional
              levels:
                - {code: 1, label: Low, aliases: [ទាប]}
                - {code: 2, label: High}
              missing: ["", N/A]
            bands: {labels: [low, high], upper: [0.5, 1.0], precision: 2}
            demographics: [g, {column: h, label: H, categories: [x, y]}]
            population: {method: rake, margins: {h: {x: 0.4, y: 0.6}}}
            tables:
              - id: t
                band_labels: [l, h]
                items:
                  - {id: a, column: qa, text: "A?", reverse: true}

            """.utf8),
        ]
        let tokens: [[UInt8]] = [":", " ", "-", "- ", "[", "]", "{", "}", ",", "\n", "\n  ", "'", "\"", "#", "&a ", "*a", "!!str ", "|", ">", "?", "\t",
                                 "~", "null", "0x1F", ".inf", "1e309", "-", "tables:", "levels:", "\u{0}", "\u{FEFF}"].map { Array($0.utf8) } + [[0xFF]]
        var rng = Generator(seed: 1414)
        let started = Date()
        for n in 0..<Self.cases {
            let bytes = mutate(inputs[n % inputs.count], tokens: tokens, &rng)
            expectInputErrorOrResult("case \(n) (spec)") {
                guard let text = String(validating: bytes, as: UTF8.self) else { throw InputError("invalid UTF-8", at: SourceLocation(file: "fuzz.yaml")) }
                let spec = try YAMLDocument.decode(SurveySpec.self, yaml: text, name: "fuzz.yaml")
                try spec.validate(file: "fuzz.yaml")
            }
        }
        XCTAssertLessThan(Date().timeIntervalSince(started), 60)
    }
}
