import Foundation
import XCTest
import WAIModel
@testable import WAIRead

/// Excel workbooks (fixtures written by Fixtures/make_workbook_fixtures.py from the CSV files of
/// the same data): each sheet reads as its CSV does.
final class ExportsWorkbookTests: XCTestCase {
    static let chapter11CSV = ExportsLayoutTests.fixtures.deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Surveys/chapter11/responses.csv").path

    func prepare(_ name: String, sheet: String? = nil, spec: SurveySpec? = nil) throws -> PreparedInput {
        var options = ReadOptions()
        options.format.sheet = sheet
        let prepared = try PreparedInput.prepare(csvPath: ExportsLayoutTests.fixture(name), displayName: name, spec: spec, options: options)
        addTeardownBlock { prepared.discard() }
        return prepared
    }

    func rows(path: String) throws -> [[String]] {
        var reader = try CSVReader(path: path, name: path)
        return try reader.readAll().map { $0.fields.map(\.value) }
    }

    func testSharedAndInlineStringsReadAsTheCSV() throws {
        let prepared = try prepare("chapter11.xlsx", sheet: "Responses")
        XCTAssertEqual(try rows(path: prepared.path), try rows(path: Self.chapter11CSV))
        XCTAssertEqual(prepared.layout?.sheet, "Responses")
        XCTAssert(try XCTUnwrap(prepared.layout?.summary).hasPrefix(#"sheet "Responses" of an Excel workbook, as a plain CSV (1 header row)"#))
    }

    func testTheFirstSheetUnlessOneIsNamed() throws {
        let first = try prepare("chapter11.xlsx")
        XCTAssertEqual(try rows(path: first.path), [["Responses of Surveys/chapter11, for wai's workbook tests."]])
        XCTAssertEqual(try Workbook.sheetNames(path: ExportsLayoutTests.fixture("chapter11.xlsx"), name: "chapter11.xlsx"), ["Notes", "Responses", "Typo"])
        // The spec's `sheet:`, when no option names one.
        var spec = SurveySpec(title: "t", scale: Scale(levels: []), tables: [])
        spec.sheet = "Typo"
        XCTAssertEqual(try rows(path: try prepare("chapter11.xlsx", spec: spec).path)[11][3], "Hihg")
        XCTAssertThrowsError(try prepare("chapter11.xlsx", sheet: "Respones")) { error in
            XCTAssertEqual("\(error)", #"chapter11.xlsx: no such sheet in the workbook; found "Respones"; expected one of "Notes", "Responses", "Typo" (--sheet NAME, or sheet: in the spec) (did you mean "Responses"?)"#)
        }
    }

    func testSurveyMonkeyWorkbookHasItsCSVLayout() throws {
        let book = try prepare("surveymonkey.xlsx")
        let csv = try PreparedInput.prepare(csvPath: ExportsLayoutTests.fixture("surveymonkey.csv"), displayName: "surveymonkey.csv")
        defer { csv.discard() }
        let (a, b) = (try XCTUnwrap(book.layout), try XCTUnwrap(csv.layout))
        XCTAssertEqual(a.source, .surveymonkey)
        XCTAssertEqual(a.headerRows, 2)
        XCTAssertEqual(a.names, b.names)     // merged question cells flatten as the CSV's blanks do
        XCTAssertEqual(book.speeders?.lines, csv.speeders?.lines)
        XCTAssertEqual(book.speeders?.medianSeconds, csv.speeders?.medianSeconds)
        let bookRows = try rows(path: book.path), csvRows = try rows(path: csv.path)
        XCTAssertEqual(bookRows.count, csvRows.count)
        let dates = [2, 3]
        for (x, y) in zip(bookRows, csvRows) {
            XCTAssertEqual(x.count, y.count)
            for (i, (cell, text)) in zip(x, y).enumerated() {
                if dates.contains(i), let t = Timestamp.seconds(text) {
                    XCTAssertEqual(Timestamp.seconds(cell), t, "\(cell) vs \(text)")
                } else {
                    XCTAssertEqual(cell, text)
                }
            }
        }
    }

    func testUnknownAnswerIsLocatedAtItsCell() throws {
        let prepared = try prepare("chapter11.xlsx", sheet: "Typo")
        let spec = try YAMLDocument.decode(SurveySpec.self, yaml: String(contentsOfFile: (Self.chapter11CSV as NSString).deletingLastPathComponent + "/survey.yaml", encoding: .utf8), name: "survey.yaml")
        do {
            let reader = try ResponseReader(spec: spec, csvPath: prepared.path, displayName: prepared.displayName, options: prepared.options)
            _ = try reader.forEachChunk { _ in }
            XCTFail("the typo was read")
        } catch {
            let text = "\(prepared.relocate(error))"
            XCTAssert(text.hasPrefix(#"chapter11.xlsx:Typo!D12: unknown answer in column "q_gov""#), text)
        }
    }

    func testCellReferencesAndDates() throws {
        XCTAssertEqual((0..<3).map(Workbook.columnName) + [Workbook.columnName(25), Workbook.columnName(26), Workbook.columnName(701), Workbook.columnName(702)],
                       ["A", "B", "C", "Z", "AA", "ZZ", "AAA"])
        XCTAssertEqual(Workbook.columnIndex(ofReference: "AB12"), 27)
        // 2024-03-06 08:15:12 is serial 45357.34388888889 (days since 1899-12-30; Python's datetime).
        XCTAssertEqual(Workbook.isoDate(serial: 45357.34388888889, date1904: false), "2024-03-06 08:15:12")
        XCTAssertEqual(Workbook.isoDate(serial: 45357, date1904: false), "2024-03-06")
        XCTAssertEqual(Workbook.isoDate(serial: 43895, date1904: true), "2024-03-06")
        XCTAssert(Workbook.isDateFormat(id: 14, code: nil))
        XCTAssert(Workbook.isDateFormat(id: 164, code: "mm/dd/yyyy hh:mm:ss AM/PM"))
        XCTAssertFalse(Workbook.isDateFormat(id: 165, code: #"0.00" days""#))
        XCTAssertFalse(Workbook.isDateFormat(id: 166, code: "[Red]0.0"))
        XCTAssertEqual(Workbook.numberText("114522338100"), "114522338100")
        XCTAssertEqual(Workbook.numberText("1.2"), "1.2")
        XCTAssertEqual(Workbook.numberText("4.0"), "4")
    }

    func testABrokenWorkbookIsAnInputError() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("wai-workbook-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("broken.xlsx").path
        try Data("PK\u{3}\u{4}not really a zip archive".utf8).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try PreparedInput.prepare(csvPath: path, displayName: "broken.xlsx")) { error in
            let input = error as? InputError
            XCTAssertEqual(input?.location.file, "broken.xlsx")
            XCTAssertEqual(input?.problem, "cannot read the workbook")
        }
    }
}
