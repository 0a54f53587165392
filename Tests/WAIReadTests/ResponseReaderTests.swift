import Foundation
import XCTest
import WAIModel
@testable import WAIRead

final class ResponseReaderTests: XCTestCase {
    let spec = SurveySpec(
        title: "t", weight: nil,
        scale: Scale(levels: [
            Level(code: 1, label: "Very Low", aliases: ["ទាបណាស់"]), Level(code: 2, label: "Low", aliases: ["ទាប"]),
            Level(code: 3, label: "Neutral", aliases: ["Medium", "មធ្យម"]), Level(code: 4, label: "High", aliases: ["ខ្ពស់"]),
            Level(code: 5, label: "Very High", aliases: ["ខ្ពស់ណាស់"]),
        ], missing: ["", "Don't know"]),
        demographics: [Demographic(column: "gender", categories: ["F", "M"])],
        tables: [ItemTable(id: "t", title: "T", items: [Item(id: "a", column: "qa", text: "A"), Item(id: "b", column: "qb", text: "B")])])

    /// The file as the range scanner reads it, in chunks of 2 rows.
    func read(_ csv: String, spec: SurveySpec? = nil, lenient: Bool = false) throws -> (chunks: [CodedChunk], rows: ResponseReader.Rows) {
        try read(bytes: Array(csv.utf8), spec: spec, lenient: lenient)
    }

    func read(bytes: [UInt8], spec: SurveySpec? = nil, lenient: Bool = false) throws -> (chunks: [CodedChunk], rows: ResponseReader.Rows) {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("wai-rr-\(UUID().uuidString).csv")
        try Data(bytes).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let reader = try ResponseReader(spec: spec ?? self.spec, csvPath: url.path, displayName: "r.csv", specName: "survey.yaml",
                                        options: ReadOptions(lenient: lenient, chunkRows: 2))
        var chunks: [CodedChunk] = []
        let rows = try reader.forEachChunk { chunks.append($0) }
        return (chunks, rows)
    }

    func assertInputError(_ csv: String, lenient: Bool = false, line: Int, column: Int, _ expected: String,
                          file: StaticString = #filePath, lineNumber: UInt = #line) {
        XCTAssertThrowsError(try read(csv, lenient: lenient), file: file, line: lineNumber) { error in
            guard let error = error as? InputError else { return XCTFail("\(error)", file: file, line: lineNumber) }
            XCTAssertEqual(error.location.file, "r.csv", file: file, line: lineNumber)
            XCTAssertEqual(error.location.line, line, "\(error)", file: file, line: lineNumber)
            XCTAssertEqual(error.location.column, column, "\(error)", file: file, line: lineNumber)
            XCTAssert(error.description.contains(expected), "\(error)", file: file, line: lineNumber)
        }
    }

    func testCodesLabelsAliasesAndMissingMarkers() throws {
        let csv = "gender,qa,qb\nF,1,very high\nM, HIGH ,ខ្ពស់ណាស់\nF,Medium,don't  know\n,,3\n"
        let (chunks, rows) = try read(csv)
        XCTAssertEqual(chunks.count, 2)   // chunks of 2 rows
        XCTAssertEqual(chunks.flatMap(\.codes), [1, 5, 4, 5, 3, 0, 0, 3])
        XCTAssertEqual(chunks.flatMap { $0.groups[0] }, [1, 2, 1, 0])
        XCTAssertEqual(chunks.flatMap(\.weights), [1, 1, 1, 1])
        XCTAssertEqual(rows.quality.rowsRead, 4)
        XCTAssertEqual(rows.quality.rowsUsed, 4)
        XCTAssertEqual(rows.quality.rowsRejected, 0)
    }

    func testAnUnknownAnswerStopsWithWhereWhatAndANearMatch() {
        assertInputError("gender,qa,qb\nF,Hihg,1\n", line: 2, column: 3,
                         #"r.csv:2:3: unknown answer in column "qa" (item a); found "Hihg"; expected a code 1–5, a label ("Very Low", "Low", "Neutral", "High", "Very High") or an alias, or a missing marker ("", "Don't know") (did you mean "High"?)"#)
    }

    func testACodeOutOfRange() {
        assertInputError("gender,qa,qb\nF,2,7\n", line: 2, column: 5, #"answer code out of range in column "qb" (item b); found "7"; expected a code 1–5"#)
    }

    func testARaggedRow() {
        assertInputError("gender,qa,qb\nF,2,3\nM,1,2,4\n", line: 3, column: 7, "ragged row: 4 fields where the header has 3")
    }

    func testAMissingItemColumn() {
        assertInputError("gender,qa,q_b\nF,2,3\n", line: 1, column: 1,
                         #"column "qb" named by survey.yaml at tables[0].items[1].column is not in the header; found "columns \"gender\", \"qa\", \"q_b\""; expected a header column named "qb" (did you mean "q_b"?)"#)
    }

    func testADuplicateHeader() {
        assertInputError("gender,qa,qb,qa\nF,2,3,4\n", line: 1, column: 14, #"duplicate header: 2 columns are named "qa""#)
    }

    func testDuplicatesAmongUnusedColumnsAreOnlyNoted() throws {
        let (_, rows) = try read("gender,qa,qb,note,note\nF,2,3,x,y\n")
        XCTAssertEqual(rows.quality.duplicateUnusedHeaders, ["note"])
    }

    func testAnEmptyFile() {
        assertInputError("", line: 1, column: 1, "empty file")
        assertInputError("\u{FEFF}", line: 1, column: 1, "empty file")
    }

    func testAnUnknownCategoryOfAFixedList() {
        assertInputError("gender,qa,qb\nX,2,3\n", line: 2, column: 1, #"unknown category in column "gender"; found "X"; expected one of "F", "M""#)
    }

    func testLenientModeCountsUnknownAnswersAndRejectsRaggedRows() throws {
        let csv = "gender,qa,qb\nF,Hihg,1\nM,2\nF,Hihg,9\nX,3,3\n\nM,4,4\n"
        let (chunks, rows) = try read(csv, lenient: true)
        XCTAssertEqual(chunks.flatMap(\.codes), [0, 1, 0, 0, 3, 3, 4, 4])
        XCTAssertEqual(chunks.flatMap { $0.groups[0] }, [1, 1, 0, 2])
        let quality = rows.quality
        // Five data rows (the blank line is not a respondent): four used + one rejected.
        XCTAssertEqual(quality.rowsRead, 5)
        XCTAssertEqual(quality.rowsUsed, 4)
        XCTAssertEqual(quality.rowsRejected, 1)
        XCTAssertEqual(quality.rejections, [.init(line: 3, reason: "ragged row: 2 fields where the header has 3")])
        XCTAssertEqual(quality.blankLines, 1)
        XCTAssertEqual(quality.unknownAnswers, [
            .init(field: "a", column: "qa", value: "Hihg", count: 2, firstLine: 2),
            .init(field: "b", column: "qb", value: "9", count: 1, firstLine: 4),
            .init(field: "gender", column: "gender", value: "X", count: 1, firstLine: 5),
        ])
    }

    func testWeightsAndDuplicateIDs() throws {
        var weighted = spec
        weighted.weight = "w"
        weighted.id = "id"
        let (chunks, rows) = try read("id,gender,qa,qb,w\nr1,F,1,2,0.5\nr2,M,3,4,2\nr1,F,5,5,1\n", spec: weighted)
        XCTAssertEqual(chunks.flatMap(\.weights), [0.5, 2, 1])
        XCTAssertEqual(rows.quality.duplicateIDs, [.init(id: "r1", lines: [2, 4])])

        XCTAssertThrowsError(try read("id,gender,qa,qb,w\nr1,F,1,2,-1\n", spec: weighted)) { error in
            XCTAssertEqual("\(error)", #"r.csv:2:10: invalid survey weight in column "w"; found "-1"; expected a plain non-negative decimal number such as 1.25 (no hex, inf or nan)"#)
        }
    }

    func testInvalidUTF8AndUnterminatedQuotesReachTheCaller() {
        XCTAssertThrowsError(try read("gender,qa,qb\nF,\"2,3\n")) { error in
            XCTAssertEqual((error as? InputError)?.location.line, 2)
            XCTAssert("\(error)".contains("unterminated quoted field"), "\(error)")
        }
        var bytes = Array("gender,qa,qb\nF,2,caf".utf8)
        bytes += [0xE9, 0x0A]
        XCTAssertThrowsError(try read(bytes: bytes)) { error in
            XCTAssert("\(error)".hasPrefix("r.csv:2:8: invalid UTF-8"), "\(error)")
        }
    }
}
