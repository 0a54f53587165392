import Foundation
import XCTest

/// Survey text, group values and answers that would run as formulas, break a Markdown table or
/// carry control characters, through every output.
final class TextSafetyTests: XCTestCase {
    let spec = """
        title: "=HYPERLINK(\\"http://evil\\") survey"
        data: responses.csv
        scale:
          levels:
            - {code: 1, label: "@Low"}
            - {code: 2, label: "Mid | dle"}
            - {code: 3, label: "+High"}
          missing: [""]
        demographics: [{column: g, label: "-Group\\nline"}]
        tables:
          - id: t1
            title: "Items\\nwith a break"
            items:
              - {id: a, column: qa, text: "\\t=1+1"}
              - {id: b, column: qb, text: "-2+3 | piped\\r\\nnext"}

        """

    /// Groups that start like formulas; a NUL and a DEL inside answers that --lenient counts as unknown.
    let responses = "g,qa,qb\n=cmd|' /C calc'!A0,1,3\n@SUM(1),2,x\u{0}y\n\"\tlead\",3,1\n-0.25,2,\u{7F}\n-2+3,1,2\n"

    func survey() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("wai-text-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: directory) }
        try Data(spec.utf8).write(to: directory.appendingPathComponent("survey.yaml"))
        try Data(responses.utf8).write(to: directory.appendingPathComponent("responses.csv"))
        return directory
    }

    /// The cells of an RFC 4180 text (written by this test, independent of wai's reader).
    func cells(_ text: String) -> [[String]] {
        var rows: [[String]] = [], row: [String] = [], cell = "", quoted = false
        var characters = Array(text.unicodeScalars)[...]
        while let c = characters.popFirst() {
            if quoted {
                if c == "\"" {
                    if characters.first == "\"" { cell.unicodeScalars.append("\""); characters.removeFirst() } else { quoted = false }
                } else { cell.unicodeScalars.append(c) }
            } else if c == "\"" { quoted = true }
            else if c == "," { row.append(cell); cell = "" }
            else if c == "\n" { row.append(cell); rows.append(row); row = []; cell = "" }
            else { cell.unicodeScalars.append(c) }
        }
        return rows
    }

    func isNumber(_ cell: String) -> Bool {
        cell.range(of: #"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$"#, options: .regularExpression) != nil
    }

    func assertSafe(_ text: String, _ name: String) {
        for scalar in text.unicodeScalars where (scalar.value < 0x20 && scalar != "\n" && scalar != "\t") || scalar.value == 0x7F {
            XCTFail("\(name): raw control character U+\(String(scalar.value, radix: 16))")
            return
        }
    }

    func testEveryCSVCellIsNeutralisedAndNumbersStayNumbers() throws {
        let dir = try survey()
        let out = dir.appendingPathComponent("out")
        let report = try Products.run(Products.wai, ["report", dir.path, "--out", out.path, "--replicates", "0", "--lenient"])
        XCTAssertEqual(report.status, 0, report.stderr)
        let by = try Products.run(Products.wai, ["analyze", "responses.csv", "--spec", "survey.yaml", "--replicates", "0", "--lenient",
                                                 "--by", "g", "--format", "csv"], in: dir)
        XCTAssertEqual(by.status, 0, by.stderr)
        var texts = ["analyze --by g --format csv": by.stdout]
        for name in try FileManager.default.contentsOfDirectory(atPath: out.path) where name.hasSuffix(".csv") {
            texts[name] = try String(contentsOf: out.appendingPathComponent(name), encoding: .utf8)
        }
        XCTAssertEqual(Set(texts.keys), ["analyze --by g --format csv", "t1.csv", "frequencies.csv", "breakdown-g.csv"])
        var all: [String] = []
        for (name, text) in texts {
            assertSafe(text, name)
            for cell in cells(text).joined() {
                all.append(cell)
                if let first = cell.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) {
                    XCTAssert(isNumber(cell), "\(name): \(cell.debugDescription) would run as a formula")
                }
            }
        }
        let every = Set(all)
        for expected in ["'\t=1+1", "'-2+3 | piped\nnext", "'=cmd|' /C calc'!A0", "'@SUM(1)", "-0.25", "'-2+3", "count: '@Low", "count: '+High"] {
            // "count: …" headers start with a letter: only the whole cell matters.
            XCTAssert(every.contains(expected.hasPrefix("count: ") ? expected.replacingOccurrences(of: "'", with: "") : expected),
                      "missing cell \(expected.debugDescription)")
        }
    }

    func testMarkdownCellsAndEveryOtherFormatCarryNoRawControlCharacter() throws {
        let dir = try survey()
        let out = dir.appendingPathComponent("out")
        XCTAssertEqual(try Products.run(Products.wai, ["report", dir.path, "--out", out.path, "--replicates", "0", "--lenient"]).status, 0)
        let enumerator = FileManager.default.enumerator(atPath: out.path)!
        var checked = 0
        while let name = enumerator.nextObject() as? String {
            // report.xlsx is a zip archive: WorkbookReportTests reads its cells back as strings.
            guard !name.hasSuffix(".xlsx"), let data = FileManager.default.contents(atPath: out.appendingPathComponent(name).path), !name.hasSuffix("/") else { continue }
            assertSafe(String(decoding: data, as: UTF8.self), name)
            checked += 1
        }
        XCTAssertGreaterThan(checked, 8)
        let md = try String(contentsOf: out.appendingPathComponent("report.md"), encoding: .utf8)
        // The pipe escaped and the line break folded: the row stays one row of the table.
        XCTAssert(md.contains("\n| -2+3 \\| piped next | "), md)
        XCTAssert(md.contains("| Item | n | Missing | @Low | Mid \\| dle | +High |"), md)
        // The unknown answers, NUL and DEL, are listed visibly, never raw.
        XCTAssert(md.contains("`x\u{FFFD}y`"), md)
        XCTAssert(md.contains("# =HYPERLINK(\"http://evil\") survey\n"), md)
        XCTAssert(md.contains("## Items with a break\n"), md)
    }
}
