import Foundation
import WAIModel
import XCTest
import WAITestSupport

@testable import WAIRead

final class CSVReaderTests: XCTestCase {
    /// Block sizes every input is read with; results must not depend on them.
    static let chunkSizes = [1, 2, 3, 7, 64, 1 << 20]

    // MARK: - Helpers

    /// Reads `bytes` with every block size, checks they all agree, returns the records.
    func read(_ bytes: [UInt8], delimiter: UInt8 = UInt8(ascii: ","), maxRecordBytes: Int = CSVReader.defaultMaxRecordBytes,
              file: StaticString = #filePath, line: UInt = #line) throws -> [CSVRecord] {
        var reference: [CSVRecord]?
        for size in Self.chunkSizes {
            var reader = CSVReader(bytes: bytes, name: "t.csv", delimiter: delimiter, chunkSize: size, maxRecordBytes: maxRecordBytes)
            let records = try reader.readAll()
            XCTAssertNil(try reader.next(), "next() after the end", file: file, line: line)
            if let reference {
                XCTAssertEqual(records, reference, "chunkSize \(size) differs from chunkSize 1", file: file, line: line)
            } else {
                reference = records
            }
        }
        return reference!
    }

    func read(_ text: String, delimiter: UInt8 = UInt8(ascii: ","), file: StaticString = #filePath, line: UInt = #line) throws -> [CSVRecord] {
        try read(Array(text.utf8), delimiter: delimiter, file: file, line: line)
    }

    func values(_ records: [CSVRecord]) -> [[String]] { records.map { $0.fields.map(\.value) } }

    func f(_ value: String, _ line: Int, _ column: Int, quoted: Bool = false) -> CSVField {
        CSVField(value: value, line: line, column: column, wasQuoted: quoted)
    }

    /// Reads `bytes` with every block size and checks each throws the same `InputError`.
    func assertError(
        _ bytes: [UInt8], problem: String, line: Int?, column: Int?, found: String?, expected: String?,
        maxRecordBytes: Int = CSVReader.defaultMaxRecordBytes, file: StaticString = #filePath, sourceLine: UInt = #line
    ) {
        for size in Self.chunkSizes {
            var reader = CSVReader(bytes: bytes, name: "t.csv", chunkSize: size, maxRecordBytes: maxRecordBytes)
            XCTAssertThrowsError(try reader.readAll(), "chunkSize \(size)", file: file, line: sourceLine) { error in
                guard let error = error as? InputError else {
                    return XCTFail("not an InputError: \(error)", file: file, line: sourceLine)
                }
                XCTAssertEqual(error.problem, problem, "chunkSize \(size)", file: file, line: sourceLine)
                XCTAssertEqual(error.location, SourceLocation(file: "t.csv", line: line, column: column), "chunkSize \(size)", file: file, line: sourceLine)
                XCTAssertEqual(error.found, found, "chunkSize \(size)", file: file, line: sourceLine)
                XCTAssertEqual(error.expected, expected, "chunkSize \(size)", file: file, line: sourceLine)
            }
        }
    }

    func assertError(_ text: String, problem: String, line: Int?, column: Int?, found: String?, expected: String?,
                     file: StaticString = #filePath, sourceLine: UInt = #line) {
        assertError(Array(text.utf8), problem: problem, line: line, column: column, found: found, expected: expected,
                    file: file, sourceLine: sourceLine)
    }

    static let unterminated = "a closing quote (\") before the end of the file"
    static let afterQuote = "a delimiter or the end of the line"
    static let notUTF8 = "UTF-8 text (re-save the file as CSV UTF-8)"

    // MARK: - Records and fields

    func testSimpleRows() throws {
        let records = try read("id,name,score\n1,Ana,4\n2,Bo,5\n")
        XCTAssertEqual(records, [
            CSVRecord(line: 1, fields: [f("id", 1, 1), f("name", 1, 4), f("score", 1, 9)]),
            CSVRecord(line: 2, fields: [f("1", 2, 1), f("Ana", 2, 3), f("4", 2, 7)]),
            CSVRecord(line: 3, fields: [f("2", 3, 1), f("Bo", 3, 3), f("5", 3, 6)]),
        ])
    }

    func testQuotedFieldsWithCommaQuoteAndLF() throws {
        let records = try read("\"a,b\",\"say \"\"hi\"\"\",\"x\ny\",z\nnext,row\n")
        XCTAssertEqual(records, [
            CSVRecord(line: 1, fields: [
                f("a,b", 1, 1, quoted: true),
                f("say \"hi\"", 1, 7, quoted: true),
                f("x\ny", 1, 20, quoted: true),
                f("z", 2, 4),
            ]),
            CSVRecord(line: 3, fields: [f("next", 3, 1), f("row", 3, 6)]),
        ])
    }

    func testQuotedFieldWithCRLFInsideACRLFFile() throws {
        let records = try read("\"a\r\nb\",c\r\nd,e\r\n")
        XCTAssertEqual(records, [
            CSVRecord(line: 1, fields: [f("a\r\nb", 1, 1, quoted: true), f("c", 2, 4)]),
            CSVRecord(line: 3, fields: [f("d", 3, 1), f("e", 3, 3)]),
        ])
    }

    func testQuotedEdgeCases() throws {
        // An empty quoted field, a field that is one quote, quotes at both ends.
        let records = try read("\"\",\"\"\"\",\"\"\"x\"\"\"\n")
        XCTAssertEqual(records, [
            CSVRecord(line: 1, fields: [f("", 1, 1, quoted: true), f("\"", 1, 4, quoted: true), f("\"x\"", 1, 9, quoted: true)]),
        ])
        XCTAssertFalse(records[0].isBlank)
        // `""` alone on a line is an empty quoted field, not a blank line.
        let alone = try read("\"\"\n")
        XCTAssertEqual(alone, [CSVRecord(line: 1, fields: [f("", 1, 1, quoted: true)])])
        XCTAssertFalse(alone[0].isBlank)
    }

    func testCRLFLineEnds() throws {
        let records = try read("a,b\r\nc,d\r\n")
        XCTAssertEqual(records, [
            CSVRecord(line: 1, fields: [f("a", 1, 1), f("b", 1, 3)]),
            CSVRecord(line: 2, fields: [f("c", 2, 1), f("d", 2, 3)]),
        ])
    }

    func testLoneCRLineEnds() throws {
        let records = try read("a,b\rc,d\re")
        XCTAssertEqual(records, [
            CSVRecord(line: 1, fields: [f("a", 1, 1), f("b", 1, 3)]),
            CSVRecord(line: 2, fields: [f("c", 2, 1), f("d", 2, 3)]),
            CSVRecord(line: 3, fields: [f("e", 3, 1)]),
        ])
        // A quoted lone CR is a line break inside the field, and counts as one.
        let quoted = try read("\"x\ry\",z\rw\r")
        XCTAssertEqual(quoted, [
            CSVRecord(line: 1, fields: [f("x\ry", 1, 1, quoted: true), f("z", 2, 4)]),
            CSVRecord(line: 3, fields: [f("w", 3, 1)]),
        ])
    }

    func testMixedLineEnds() throws {
        // CRLF, then a lone CR (an empty line), then LF; a quoted field ending right before CRLF.
        let records = try read("a\r\n\rb\n\"c\"\r\nd")
        XCTAssertEqual(records, [
            CSVRecord(line: 1, fields: [f("a", 1, 1)]),
            CSVRecord(line: 2, fields: [f("", 2, 1)]),
            CSVRecord(line: 3, fields: [f("b", 3, 1)]),
            CSVRecord(line: 4, fields: [f("c", 4, 1, quoted: true)]),
            CSVRecord(line: 5, fields: [f("d", 5, 1)]),
        ])
        XCTAssertTrue(records[1].isBlank)
        // LF then CR is two line ends, hence one empty line between.
        XCTAssertEqual(values(try read("a\n\rb")), [["a"], [""], ["b"]])
    }

    func testByteOrderMark() throws {
        let records = try read("\u{FEFF}id,name\n1,x\n")
        XCTAssertEqual(records, [
            CSVRecord(line: 1, fields: [f("id", 1, 1), f("name", 1, 4)]),
            CSVRecord(line: 2, fields: [f("1", 2, 1), f("x", 2, 3)]),
        ])
        XCTAssertEqual(try read("\u{FEFF}\"q\",1"), [CSVRecord(line: 1, fields: [f("q", 1, 1, quoted: true), f("1", 1, 5)])])
        // Only at the very start: a second one is text (U+FEFF, 1 column).
        XCTAssertEqual(try read("\u{FEFF}\u{FEFF}a,b"), [CSVRecord(line: 1, fields: [f("\u{FEFF}a", 1, 1), f("b", 1, 4)])])
        XCTAssertEqual(try read("a,\u{FEFF}"), [CSVRecord(line: 1, fields: [f("a", 1, 1), f("\u{FEFF}", 1, 3)])])
    }

    func testEmptyInputHasNoRecords() throws {
        XCTAssertEqual(try read([]), [])
        XCTAssertEqual(try read([0xEF, 0xBB, 0xBF]), [])
        // A lone line end is one blank line.
        XCTAssertEqual(try read("\n"), [CSVRecord(line: 1, fields: [f("", 1, 1)])])
        XCTAssertEqual(try read("\r\n"), [CSVRecord(line: 1, fields: [f("", 1, 1)])])
        XCTAssertEqual(try read("\u{FEFF}\r\n"), [CSVRecord(line: 1, fields: [f("", 1, 1)])])
    }

    func testFinalRecordWithoutLineEnd() throws {
        XCTAssertEqual(try read("a,b\nc,d"), [
            CSVRecord(line: 1, fields: [f("a", 1, 1), f("b", 1, 3)]),
            CSVRecord(line: 2, fields: [f("c", 2, 1), f("d", 2, 3)]),
        ])
        XCTAssertEqual(try read("x,\"y\""), [CSVRecord(line: 1, fields: [f("x", 1, 1), f("y", 1, 3, quoted: true)])])
        // A trailing line end adds no record, whatever its kind.
        for end in ["\n", "\r\n", "\r"] {
            XCTAssertEqual(values(try read("a,b\(end)c,d\(end)")), [["a", "b"], ["c", "d"]], "line end \(Quoted(end))")
        }
        // But a second one is a blank line.
        XCTAssertEqual(values(try read("a\n\n")), [["a"], [""]])
    }

    func testTrailingDelimiterMakesAnEmptyField() throws {
        XCTAssertEqual(try read("a,\n,\n"), [
            CSVRecord(line: 1, fields: [f("a", 1, 1), f("", 1, 3)]),
            CSVRecord(line: 2, fields: [f("", 2, 1), f("", 2, 2)]),
        ])
        XCTAssertEqual(try read("a,"), [CSVRecord(line: 1, fields: [f("a", 1, 1), f("", 1, 3)])])
        XCTAssertEqual(try read(",,"), [CSVRecord(line: 1, fields: [f("", 1, 1), f("", 1, 2), f("", 1, 3)])])
    }

    func testBlankLineInTheMiddle() throws {
        let records = try read("a,b\n\nc,d\n")
        XCTAssertEqual(records, [
            CSVRecord(line: 1, fields: [f("a", 1, 1), f("b", 1, 3)]),
            CSVRecord(line: 2, fields: [f("", 2, 1)]),
            CSVRecord(line: 3, fields: [f("c", 3, 1), f("d", 3, 3)]),
        ])
        XCTAssertEqual(records.map(\.isBlank), [false, true, false])
        // A line of spaces is not blank: the spaces are the field.
        XCTAssertEqual(try read("  \n"), [CSVRecord(line: 1, fields: [f("  ", 1, 1)])])
    }

    func testKhmerValuesAndColumnsAfterThem() throws {
        // ខ្ពស់ណាស់ is 9 Unicode scalars (27 bytes); ទាប is 3.
        let records = try read("ខ្ពស់ណាស់,x,\"ទាប\",y\nទាប,ខ្ពស់ណាស់\n")
        XCTAssertEqual(records, [
            CSVRecord(line: 1, fields: [f("ខ្ពស់ណាស់", 1, 1), f("x", 1, 11), f("ទាប", 1, 13, quoted: true), f("y", 1, 19)]),
            CSVRecord(line: 2, fields: [f("ទាប", 2, 1), f("ខ្ពស់ណាស់", 2, 5)]),
        ])
        // Emoji (4 bytes, 1 scalar) and an accented letter (2 bytes).
        XCTAssertEqual(try read("😀é,b"), [CSVRecord(line: 1, fields: [f("😀é", 1, 1), f("b", 1, 4)])])
    }

    func testLineNumbersAfterAMultiLineQuotedField() throws {
        let records = try read("id,comment\n1,\"line one\nline two\nline three\"\n2,ok\n")
        XCTAssertEqual(records, [
            CSVRecord(line: 1, fields: [f("id", 1, 1), f("comment", 1, 4)]),
            CSVRecord(line: 2, fields: [f("1", 2, 1), f("line one\nline two\nline three", 2, 3, quoted: true)]),
            CSVRecord(line: 5, fields: [f("2", 5, 1), f("ok", 5, 3)]),
        ])
        // A quoted field ending mid-line after a line break: columns continue from the break.
        XCTAssertEqual(try read("\"a\nbc\",d"), [CSVRecord(line: 1, fields: [f("a\nbc", 1, 1, quoted: true), f("d", 2, 5)])])
    }

    func testQuoteInsideAnUnquotedFieldIsLiteral() throws {
        XCTAssertEqual(try read("ab\"c,5\" screen,x\"\"\n"), [
            CSVRecord(line: 1, fields: [f("ab\"c", 1, 1), f("5\" screen", 1, 6), f("x\"\"", 1, 16)]),
        ])
        // A space before the opening quote makes the field unquoted text.
        XCTAssertEqual(try read("a, \"b\""), [CSVRecord(line: 1, fields: [f("a", 1, 1), f(" \"b\"", 1, 3)])])
    }

    func testOtherDelimiters() throws {
        XCTAssertEqual(try read("a;\"b;c\";d,e\n", delimiter: UInt8(ascii: ";")), [
            CSVRecord(line: 1, fields: [f("a", 1, 1), f("b;c", 1, 3, quoted: true), f("d,e", 1, 9)]),
        ])
        XCTAssertEqual(values(try read("a\tb c\t\n", delimiter: UInt8(ascii: "\t"))), [["a", "b c", ""]])
    }

    func testLongFieldsAcrossBlocks() throws {
        let long = String(repeating: "ខ្ពស់abc", count: 500)
        let text = "\(long),\"\(long)\"\"\(long)\"\n\(long)"
        XCTAssertEqual(values(try read(text)), [[long, long + "\"" + long], [long]])
    }

    // MARK: - Errors

    func testUnterminatedQuotedField() {
        assertError("a,\"bc\nd\n", problem: "unterminated quoted field", line: 1, column: 3, found: nil, expected: Self.unterminated)
        assertError("x\nyy,\"abc", problem: "unterminated quoted field", line: 2, column: 4, found: nil, expected: Self.unterminated)
        assertError("\"", problem: "unterminated quoted field", line: 1, column: 1, found: nil, expected: Self.unterminated)
        // `""` followed by the end is an escaped quote, the field still open.
        assertError("ខ,\"a\"\"", problem: "unterminated quoted field", line: 1, column: 3, found: nil, expected: Self.unterminated)
    }

    func testTextAfterClosingQuote() {
        assertError("\"abc\"x,1\n", problem: "unexpected text after a closing quote", line: 1, column: 6, found: "x", expected: Self.afterQuote)
        assertError("ok\nខ,\"a\"ខ\n", problem: "unexpected text after a closing quote", line: 2, column: 6, found: "ខ", expected: Self.afterQuote)
        assertError("\"a\nb\" ,c", problem: "unexpected text after a closing quote", line: 2, column: 3, found: " ", expected: Self.afterQuote)
        assertError("\"a\"😀", problem: "unexpected text after a closing quote", line: 1, column: 4, found: "😀", expected: Self.afterQuote)
        // Not UTF-8 after the quote: reported as such.
        assertError([0x22, 0x61, 0x22, 0xFF], problem: "invalid UTF-8", line: 1, column: 4, found: "byte 0xFF", expected: Self.notUTF8)
        assertError([0x22, 0x61, 0x22, 0xE1, 0x9E], problem: "invalid UTF-8", line: 1, column: 4, found: "byte 0xE1", expected: Self.notUTF8)
    }

    func testInvalidUTF8() {
        let bad = { (bytes: [UInt8], line: Int, column: Int, byte: String, sourceLine: UInt) in
            self.assertError(bytes, problem: "invalid UTF-8", line: line, column: column, found: "byte \(byte)", expected: Self.notUTF8, sourceLine: sourceLine)
        }
        let caf: [UInt8] = Array("caf".utf8)
        bad(caf + [0xE9] + Array("\n".utf8), 1, 4, "0xE9", #line)            // Latin-1 é before a line end
        bad(Array("ok,".utf8) + caf + [0xE9, 0x2C, 0x78], 1, 7, "0xE9", #line) // … before a delimiter
        bad(Array("a\nb,".utf8) + caf + [0xE9], 2, 6, "0xE9", #line)         // … at the end of the input
        bad([0xFF], 1, 1, "0xFF", #line)
        bad(Array("ab".utf8) + [0x80], 1, 3, "0x80", #line)                  // a stray continuation byte
        bad(Array("ខ្ពស់,".utf8) + [0xFF], 1, 7, "0xFF", #line)              // columns after Khmer
        bad(Array("a,".utf8) + [0xE1, 0x9E], 1, 3, "0xE1", #line)            // a truncated sequence
        bad([0xC0, 0xAF], 1, 1, "0xC0", #line)                               // an overlong form
        bad([0xED, 0xA0, 0x80], 1, 1, "0xED", #line)                         // a surrogate
        bad([0xF4, 0x90, 0x80, 0x80], 1, 1, "0xF4", #line)                   // above U+10FFFF
        bad([0xEF, 0xBB], 1, 1, "0xEF", #line)                               // half a byte order mark
        // Inside a quoted field: doubled quotes count two columns, line breaks start lines.
        bad(Array("\"x\n\"\"y".utf8) + [0xC3, 0x28, 0x22], 2, 4, "0xC3", #line)
        bad(Array("1,\"ខ\r\nab".utf8) + [0xFE, 0x22], 2, 3, "0xFE", #line)
        bad(Array("\"".utf8) + [0xE9] + Array("\"".utf8), 1, 2, "0xE9", #line)
    }

    func testErrorDescriptions() {
        var reader = CSVReader(bytes: Array("caf".utf8) + [0xE9], name: "answers.csv")
        XCTAssertThrowsError(try reader.next()) { error in
            XCTAssertEqual("\(error)", "answers.csv:1:4: invalid UTF-8; found \"byte 0xE9\"; expected UTF-8 text (re-save the file as CSV UTF-8)")
        }
        reader = CSVReader(bytes: Array("a,\"b".utf8), name: "answers.csv")
        XCTAssertThrowsError(try reader.next()) { error in
            XCTAssertEqual("\(error)", "answers.csv:1:3: unterminated quoted field; expected a closing quote (\") before the end of the file")
        }
        reader = CSVReader(bytes: Array("\"abc\"x".utf8), name: "answers.csv")
        XCTAssertThrowsError(try reader.next()) { error in
            XCTAssertEqual("\(error)", "answers.csv:1:6: unexpected text after a closing quote; found \"x\"; expected a delimiter or the end of the line")
        }
    }

    func testRecordsBeforeAnErrorAreReturned() throws {
        var reader = CSVReader(bytes: Array("a,b\nc,\"d".utf8), name: "t.csv", chunkSize: 2)
        XCTAssertEqual(try reader.next(), CSVRecord(line: 1, fields: [f("a", 1, 1), f("b", 1, 3)]))
        XCTAssertThrowsError(try reader.next())
    }

    func testRecordTooLong() throws {
        // 10 bytes is the limit: a 10-byte record passes, an 11-byte one does not.
        XCTAssertEqual(values(try read(Array("0123456789\nabc".utf8), maxRecordBytes: 10)), [["0123456789"], ["abc"]])
        assertError(Array("abc\r\n0123456789A\r\n".utf8), problem: "record too long", line: 2, column: 1,
                    found: "more than 10 bytes before the end of the line", expected: "records of at most 10 bytes", maxRecordBytes: 10)
        assertError(Array("abc\n0,1,2,3,4,5".utf8), problem: "record too long", line: 2, column: 1,
                    found: "more than 10 bytes before the end of the line", expected: "records of at most 10 bytes", maxRecordBytes: 10)
        assertError(Array("x\nab,\"0123\n456789".utf8), problem: "record too long", line: 2, column: 4,
                    found: "a quoted field still open after 10 bytes",
                    expected: "a closing quote (\") for the quote at line 2, column 4", maxRecordBytes: 10)
    }

    // MARK: - Block size invariance

    func testChunkSizeInvarianceOverTrickyInputs() throws {
        let inputs: [[UInt8]] = [
            Array("\u{FEFF}a,\"b\"\"c\",d\r\n\"e\r\nf\",ខ្ពស់ណាស់\r\rg".utf8),
            Array("\"\"\"\",\"\"\r\n\r\n,,\n".utf8),
            Array("😀,\"😀\"\"😀\"\r😀\n".utf8),
            Array("x\r".utf8),
            Array("\u{FEFF}".utf8) + Array("ab\"c\"".utf8),
        ]
        for input in inputs {
            var reference: [CSVRecord]?
            for size in 1...40 {
                var reader = CSVReader(bytes: input, name: "t.csv", chunkSize: size)
                let records = try reader.readAll()
                if let reference { XCTAssertEqual(records, reference, "chunkSize \(size)") } else { reference = records }
            }
        }
    }

    // MARK: - Files

    func testReadsAFileByPath() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("csvreader-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("answers.csv")
        try Data("\u{FEFF}id,q1\r\n1,\"ខ្ពស់\r\nណាស់\"\r\n2,ok".utf8).write(to: url)

        let expected = [
            CSVRecord(line: 1, fields: [f("id", 1, 1), f("q1", 1, 4)]),
            CSVRecord(line: 2, fields: [f("1", 2, 1), f("ខ្ពស់\r\nណាស់", 2, 3, quoted: true)]),
            CSVRecord(line: 4, fields: [f("2", 4, 1), f("ok", 4, 3)]),
        ]
        for size in Self.chunkSizes {
            var reader = try CSVReader(path: url.path, chunkSize: size)
            XCTAssertEqual(reader.name, url.path)
            XCTAssertEqual(try reader.readAll(), expected, "chunkSize \(size)")
            XCTAssertNil(try reader.next())
        }
        var named = try CSVReader(path: url.path, name: "answers.csv")
        XCTAssertEqual(named.name, "answers.csv")
        XCTAssertEqual(try named.readAll(), expected)

        // Errors name the file.
        let bad = directory.appendingPathComponent("bad.csv")
        try Data([0x61, 0x2C, 0xE9]).write(to: bad)
        var badReader = try CSVReader(path: bad.path, name: "bad.csv", chunkSize: 1)
        XCTAssertThrowsError(try badReader.next()) { error in
            XCTAssertEqual((error as? InputError)?.location, SourceLocation(file: "bad.csv", line: 1, column: 3))
        }

        // An empty file has no records.
        let empty = directory.appendingPathComponent("empty.csv")
        try Data().write(to: empty)
        var emptyReader = try CSVReader(path: empty.path)
        XCTAssertNil(try emptyReader.next())
    }

    func testCannotOpenFile() throws {
        let missing = "/nonexistent-\(UUID().uuidString)/answers.csv"
        XCTAssertThrowsError(try CSVReader(path: missing, name: "answers.csv")) { error in
            guard let error = error as? InputError else { return XCTFail("\(error)") }
            XCTAssertEqual(error.problem, "cannot open file")
            XCTAssertEqual(error.location, SourceLocation(file: "answers.csv"))
            XCTAssertEqual(error.found, "No such file or directory")
            XCTAssertEqual(error.expected, "a readable CSV file")
        }
        XCTAssertThrowsError(try CSVReader(path: missing)) { error in
            XCTAssertEqual((error as? InputError)?.location, SourceLocation(file: missing))
        }
        XCTAssertThrowsError(try CSVReader(path: FileManager.default.temporaryDirectory.path, name: "tmp")) { error in
            XCTAssertEqual((error as? InputError)?.problem, "cannot open file")
            XCTAssertEqual((error as? InputError)?.found, "a directory")
        }
    }

    func testReadsAFileDescriptorWithoutClosingIt() throws {
        let pipe = Pipe()
        pipe.fileHandleForWriting.write(Data("a,\"b\r\nc\"\r\nd,e".utf8))
        try pipe.fileHandleForWriting.close()
        do {
            var reader = CSVReader(fileDescriptor: pipe.fileHandleForReading.fileDescriptor, name: "<stdin>", chunkSize: 3)
            XCTAssertEqual(try reader.readAll(), [
                CSVRecord(line: 1, fields: [f("a", 1, 1), f("b\r\nc", 1, 3, quoted: true)]),
                CSVRecord(line: 3, fields: [f("d", 3, 1), f("e", 3, 3)]),
            ])
            XCTAssertEqual(reader.name, "<stdin>")
        }
        // The reader is gone and the descriptor still open: its owner closes it.
        XCTAssertNotEqual(fcntl(pipe.fileHandleForReading.fileDescriptor, F_GETFD), -1)
        XCTAssertNoThrow(try pipe.fileHandleForReading.close())
    }

    func testCopiesShareThePosition() throws {
        var first = CSVReader(bytes: Array("a\nb\nc".utf8), name: "t.csv", chunkSize: 1)
        XCTAssertEqual(try first.next()?.fields.first?.value, "a")
        var second = first
        XCTAssertEqual(try second.next()?.fields.first?.value, "b")
        XCTAssertEqual(try first.next()?.fields.first?.value, "c")
        XCTAssertNil(try second.next())
    }

    // MARK: - Round trip of random tables

    func testRandomTablesRoundTrip() throws {
        var rng = SplitMix(seed: 20_240_611)
        let pieces = ["a", "b", "Z", "7", ",", "\"", "\n", "\r\n", "\r", " ", "ខ្ពស់", "ណាស់", "é", "😀", ";", ""]
        for table in 0..<400 {
            let rowCount = Int.random(in: 0...8, using: &rng)
            let columnCount = Int.random(in: 1...6, using: &rng)
            let lineEnd = ["\n", "\r\n", "\r"].randomElement(using: &rng)!
            let quoteAll = Int.random(in: 0..<8, using: &rng) == 0
            let rows: [[String]] = (0..<rowCount).map { _ in
                (0..<columnCount).map { _ in
                    (0..<Int.random(in: 0...4, using: &rng)).map { _ in pieces.randomElement(using: &rng)! }.joined()
                }
            }
            // Serialize with RFC 4180 quoting, counting the physical line each row starts on.
            var text = Int.random(in: 0..<4, using: &rng) == 0 ? "\u{FEFF}" : ""
            var startLines: [Int] = []
            var lineNumber = 1
            var quotedCells: [[Bool]] = []
            for (r, row) in rows.enumerated() {
                startLines.append(lineNumber)
                var flags: [Bool] = []
                for (c, cell) in row.enumerated() {
                    if c > 0 { text += "," }
                    let needsQuotes = quoteAll || cell.unicodeScalars.contains(where: { ",\"\n\r".unicodeScalars.contains($0) })
                        || (row.count == 1 && cell.isEmpty)  // else it would read as a blank line
                    flags.append(needsQuotes)
                    if needsQuotes {
                        text += "\"" + cell.replacingOccurrences(of: "\"", with: "\"\"") + "\""
                        lineNumber += lineBreaks(in: cell)
                    } else {
                        text += cell
                    }
                }
                quotedCells.append(flags)
                if r < rows.count - 1 || Int.random(in: 0..<2, using: &rng) == 0 {
                    text += lineEnd
                    lineNumber += 1
                }
            }
            let size = [1, 2, 3, 5, 7, 16, 64, 1 << 20].randomElement(using: &rng)!
            var reader = CSVReader(bytes: Array(text.utf8), name: "random.csv", chunkSize: size)
            let records = try reader.readAll()
            let context = "table \(table), chunkSize \(size), text \(Quoted(text))"
            XCTAssertEqual(values(records), rows, context)
            XCTAssertEqual(records.map(\.line), startLines, context)
            XCTAssertEqual(records.map { $0.fields.map(\.wasQuoted) }, quotedCells, context)
            XCTAssertEqual(records.map { $0.fields[0].column }, Array(repeating: 1, count: records.count), context)
        }
    }

    /// Physical line breaks in a text: CRLF, lone CR and LF each count one.
    func lineBreaks(in text: String) -> Int {
        var count = 0
        var previousCR = false
        for scalar in text.unicodeScalars {
            if scalar == "\r" {
                count += 1
                previousCR = true
            } else {
                if scalar == "\n" && !previousCR { count += 1 }
                previousCR = false
            }
        }
        return count
    }
}
