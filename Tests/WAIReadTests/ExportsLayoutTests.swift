import Foundation
import XCTest
import WAIModel
@testable import WAIRead

/// Platform exports recognised from their first rows; encodings, delimiters and line numbers.
final class ExportsLayoutTests: XCTestCase {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func fixture(_ name: String) -> String { fixtures.appendingPathComponent(name).path }

    func temporary(_ bytes: [UInt8], name: String = "responses.csv") throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("wai-exports-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url.path
    }

    func prepare(_ path: String, source: DataSource? = nil, encoding: TextEncoding? = nil) throws -> PreparedInput {
        var options = ReadOptions()
        options.format = InputFormat(source: source, encoding: encoding)
        let prepared = try PreparedInput.prepare(csvPath: path, displayName: (path as NSString).lastPathComponent, options: options)
        addTeardownBlock { prepared.discard() }
        return prepared
    }

    func assertInputError(_ body: @autoclosure () throws -> Any, _ expected: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try body(), file: file, line: line) { error in
            XCTAssert((error as? InputError)?.description.contains(expected) == true, "expected \(expected) in \(error)", file: file, line: line)
        }
    }

    // MARK: - Platforms

    func testEachFixtureIsRecognisedFromItsHeader() throws {
        let expected: [(String, DataSource, Int, Int, UInt8)] = [
            ("google_forms.csv", .google, 1, 2, UInt8(ascii: ",")),
            ("kobo_xml_semicolon.csv", .kobo, 1, 2, UInt8(ascii: ";")),
            ("kobo_labels_km.csv", .kobo, 1, 2, UInt8(ascii: ",")),
            ("qualtrics_text.csv", .qualtrics, 3, 5, UInt8(ascii: ",")),   // row 2 holds a quoted line break
            ("qualtrics_numeric.csv", .qualtrics, 3, 5, UInt8(ascii: ",")),
            ("surveymonkey.csv", .surveymonkey, 2, 3, UInt8(ascii: ",")),
            ("limesurvey_codes.csv", .limesurvey, 1, 2, UInt8(ascii: ",")),
            ("plain_semicolon_bom.csv", .plain, 1, 2, UInt8(ascii: ";")),
        ]
        for (name, source, headerRows, dataLine, delimiter) in expected {
            let layout = try XCTUnwrap(prepare(Self.fixture(name)).layout)
            XCTAssertEqual(layout.source, source, name)
            XCTAssertTrue(layout.recognised, name)
            XCTAssertEqual(layout.headerRows, headerRows, name)
            XCTAssertEqual(layout.dataLine, dataLine, name)
            XCTAssertEqual(layout.delimiter, delimiter, name)
        }
    }

    func testQualtricsNamesRolesAndWording() throws {
        let layout = try XCTUnwrap(prepare(Self.fixture("qualtrics_text.csv")).layout)
        let byName = Dictionary(uniqueKeysWithValues: layout.columns.map { ($0.name, $0) })
        XCTAssertEqual(byName["Q1_2"]?.stem, "Q1")
        XCTAssertEqual(byName["Q1_2"]?.stemText, "How much do you agree with the following statements about the clinic?")
        XCTAssertEqual(byName["Q1_2"]?.itemText, "I was seen quickly")
        XCTAssertEqual(byName["Q5"]?.role, .freeText)          // ImportId QID5_TEXT
        XCTAssertEqual(byName["Q3_5_TEXT"]?.role, .freeText)
        XCTAssertEqual(byName["Q5"]?.question, "Is there anything else you would like to tell us?")
        for name in ["StartDate", "Duration (in seconds)", "ResponseId", "UserLanguage", "IPAddress"] {
            XCTAssertEqual(byName[name]?.role, .metadata, name)
        }
        XCTAssertEqual(layout.idColumn.map { layout.columns[$0].name }, "ResponseId")
        XCTAssertEqual(layout.duration, .seconds(5))
    }

    func testSurveyMonkeyContinuesBlankQuestionCells() throws {
        let layout = try XCTUnwrap(prepare(Self.fixture("surveymonkey.csv")).layout)
        let names = layout.names
        XCTAssertEqual(Array(names[9...12]), [
            "How satisfied are you with our delivery service? [Speed]", "How satisfied are you with our delivery service? [Packaging]",
            "How satisfied are you with our delivery service? [Price]", "How likely is it that you would order from us again?",
        ])
        XCTAssertEqual(layout.columns[10].stem, "How satisfied are you with our delivery service?")
        XCTAssertEqual(layout.columns[10].itemText, "Packaging")
        XCTAssertEqual(layout.columns[16].role, .freeText)     // Other (please specify)
        XCTAssertEqual(layout.columns[18].role, .freeText)     // Open-Ended Response
        XCTAssertEqual(layout.columns[0].role, .metadata)
        XCTAssertEqual(layout.duration, .interval(start: 2, end: 3))
    }

    func testKoboGroupsSelectMultipleAndMetadata() throws {
        let layout = try XCTUnwrap(prepare(Self.fixture("kobo_xml_semicolon.csv")).layout)
        let byHeader = Dictionary(uniqueKeysWithValues: layout.columns.map { ($0.header, $0) })
        XCTAssertEqual(byHeader["trust/trust_gov"]?.name, "trust_gov")
        XCTAssertEqual(byHeader["trust/trust_gov"]?.stem, "trust")
        XCTAssertEqual(byHeader["demographics/gender"]?.name, "gender")
        XCTAssertEqual(byHeader["services"]?.role, .multiSelect)
        XCTAssertEqual(byHeader["services/water"]?.name, "services/water")
        XCTAssertEqual(byHeader["services/water"]?.role, .multiSelect)
        XCTAssertEqual(byHeader["services_other"]?.role, .freeText)
        for header in ["start", "end", "today", "deviceid", "_id", "_uuid", "_submission_time", "_validation_status", "_index"] {
            XCTAssertEqual(byHeader[header]?.role, .metadata, header)
        }
        XCTAssertEqual(layout.duration, .interval(start: 0, end: 1))
    }

    func testLimeSurveyCodesAndFullTextHeadings() throws {
        let layout = try XCTUnwrap(prepare(Self.fixture("limesurvey_codes.csv")).layout)
        XCTAssertEqual(layout.columns[7].name, "Q1[SQ001]")
        XCTAssertEqual(layout.columns[7].stem, "Q1")
        XCTAssertEqual(layout.columns[12].role, .metadata)      // interviewtime
        XCTAssertEqual(layout.duration, .seconds(12))
        // "Question code & question text" headings: the code is the name, the text the wording.
        let text = "id,submitdate,lastpage,startlanguage,Q1[SQ001]. How much do you agree? [The staff were kind],Q1[other]. Other\n1,,1,en,A1,x\n"
        let coded = try XCTUnwrap(prepare(try temporary(Array(text.utf8))).layout)
        XCTAssertEqual(coded.columns[4].name, "Q1[SQ001]")
        XCTAssertEqual(coded.columns[4].question, "How much do you agree? [The staff were kind]")
        XCTAssertEqual(coded.columns[4].stemText, "How much do you agree?")
        XCTAssertEqual(coded.columns[4].itemText, "The staff were kind")
        XCTAssertEqual(coded.columns[5].role, .freeText)
    }

    func testASourceCanBeForced() throws {
        // A Google Forms file read as plain: same names, no metadata.
        let layout = try XCTUnwrap(prepare(Self.fixture("google_forms.csv"), source: .plain).layout)
        XCTAssertEqual(layout.source, .plain)
        XCTAssertFalse(layout.recognised)
        XCTAssertEqual(layout.columns[0].role, .answer)
        // Two header rows forced on a one-row file: data starts a line later.
        let forced = try XCTUnwrap(prepare(Self.fixture("plain_semicolon_bom.csv"), source: .surveymonkey).layout)
        XCTAssertEqual(forced.headerRows, 2)
        XCTAssertEqual(forced.dataLine, 3)
    }

    /// The reader skips the extra header rows, uses the flattened names (and still the header's),
    /// and its error messages keep the file's own line numbers.
    func testResponseReaderUsesTheLayoutAndKeepsLineNumbers() throws {
        let spec = SurveySpec(
            title: "q", scale: Scale(levels: ["Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree"]
                .enumerated().map { Level(code: $0.offset + 1, label: $0.element) }, missing: ["", "Not applicable"]),
            demographics: [Demographic(column: "Q4")],
            tables: [ItemTable(id: "t", title: "T", items: [Item(id: "a", column: "Q1_1", text: "A"), Item(id: "b", column: "Q1_3", text: "B")])])
        let prepared = try prepare(Self.fixture("qualtrics_text.csv"))
        let reader = try ResponseReader(spec: spec, csvPath: prepared.path, displayName: prepared.displayName, options: prepared.options)
        var codes: [UInt8] = []
        let rows = try reader.forEachChunk { codes += $0.codes }
        XCTAssertEqual(rows.quality.rowsRead, 10)
        XCTAssertEqual(codes.count, 20)
        XCTAssertEqual(Array(codes.prefix(4)), [4, 4, 3, 4])
        XCTAssertEqual(rows.quality.fullyBlankResponses, [12])

        // One bad answer on data row 3: line 7 (the header takes lines 1–4).
        var text = try String(contentsOfFile: Self.fixture("qualtrics_text.csv"), encoding: .utf8)
        text = text.replacingOccurrences(of: "EN,Strongly agree,Agree,Strongly agree,Strongly agree", with: "EN,Strongly agree,Agree,Strongly agre,Strongly agree")
        let bad = try prepare(try temporary(Array(text.utf8), name: "qualtrics.csv"))
        let badReader = try ResponseReader(spec: spec, csvPath: bad.path, displayName: "qualtrics.csv", options: bad.options)
        XCTAssertThrowsError(try badReader.forEachChunk { _ in }) { error in
            let error = error as? InputError
            XCTAssertEqual(error?.location.line, 7)
            XCTAssert(error?.description.hasPrefix("qualtrics.csv:7:") == true, "\(String(describing: error))")
            XCTAssert(error?.description.contains(#"found "Strongly agre""#) == true)
        }
    }

    // MARK: - Delimiters and encodings

    func testTheDelimiterIsSniffedOutsideQuotes() {
        func sniff(_ text: String) -> String { String(UnicodeScalar(ExportLayout.sniffDelimiter(Array(text.utf8)))) }
        XCTAssertEqual(sniff("a,b,c\n1;2;3;4;5\n"), ",")
        XCTAssertEqual(sniff("a;b;c\n"), ";")
        XCTAssertEqual(sniff("a\tb\tc\r\n"), "\t")
        XCTAssertEqual(sniff("\"x;y;z\",b,c\n"), ",")
        XCTAssertEqual(sniff("\"a,b\";c\n"), ";")
        XCTAssertEqual(sniff("\u{FEFF}a;b\n"), ";")
        XCTAssertEqual(sniff("\n\nq1|q2|q3\n"), "|")
        XCTAssertEqual(sniff("single\n"), ",")
        XCTAssertEqual(sniff("a,b;c\n"), ",")    // a tie: comma
    }

    static let accented = "id,région,q1\n1,Québec,Agree\n2,Montréal,Strongly agree\n3,Québec,Disagree\n"

    func utf16(_ text: String, littleEndian: Bool, bom: Bool = true) -> [UInt8] {
        var bytes: [UInt8] = bom ? (littleEndian ? [0xFF, 0xFE] : [0xFE, 0xFF]) : []
        for unit in text.utf16 {
            let pair = [UInt8(unit & 0xFF), UInt8(unit >> 8)]
            bytes += littleEndian ? pair : pair.reversed()
        }
        return bytes
    }

    func records(_ prepared: PreparedInput) throws -> [[String]] {
        var reader = try CSVReader(path: prepared.path, name: prepared.displayName, delimiter: prepared.options.delimiter)
        return try reader.readAll().map { $0.fields.map(\.value) }
    }

    func testUTF16WithAByteOrderMarkIsTranscodedInBlocks() throws {
        let expected = Self.accented.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        for littleEndian in [true, false] {
            let tab = Self.accented.replacingOccurrences(of: ",", with: "\t") + "4\tខេត្ត 😀\tAgree\n"
            let prepared = try prepare(try temporary(utf16(tab, littleEndian: littleEndian)))
            XCTAssertEqual(prepared.layout?.encoding, littleEndian ? .utf16LE : .utf16BE)
            XCTAssertEqual(prepared.options.delimiter, UInt8(ascii: "\t"))
            XCTAssertNotNil(prepared.temporary)
            XCTAssertEqual(try records(prepared), expected + [["4", "ខេត្ត 😀", "Agree"]])
            // Small blocks: surrogate pairs and code units cut anywhere.
            for block in [1, 2, 3, 5] {
                let path = try temporary(utf16(tab, littleEndian: littleEndian))
                let copy = try Transcoder.toTemporaryUTF8(path: path, name: "x", encoding: littleEndian ? .utf16LE : .utf16BE, blockSize: block)
                defer { try? FileManager.default.removeItem(atPath: copy) }
                XCTAssertEqual(try String(contentsOfFile: copy, encoding: .utf8), tab)
            }
            prepared.discard()
            XCTAssertFalse(FileManager.default.fileExists(atPath: prepared.temporary!))
        }
    }

    func testInvalidUTF16IsLocatedInTheOriginalFile() throws {
        // Line 2, after "1,ab": an unpaired high surrogate.
        var bytes = utf16("id,q\n1,ab", littleEndian: true)
        bytes += [0x00, 0xD8, 0x41, 0x00]
        assertInputError(try prepare(try temporary(bytes)), "responses.csv:2:5: invalid UTF-16; found \"an unpaired surrogate 0xD800\"")
        assertInputError(try prepare(try temporary(utf16("id,q\n1", littleEndian: false) + [0x00])), "responses.csv:2:2: invalid UTF-16")
    }

    func testUTF16WithoutAByteOrderMarkIsNotGuessed() throws {
        let path = try temporary(utf16(Self.accented, littleEndian: true, bom: false))
        assertInputError(try prepare(path), "looks like UTF-16 without a byte order mark")
        assertInputError(try prepare(path), "expected --encoding utf-16le")
        // Named, it reads.
        XCTAssertEqual(try records(try prepare(path, encoding: .utf16LE))[1], ["1", "Québec", "Agree"])
    }

    func testWindows1252OnlyWhenNamedAndTheHint() throws {
        let bytes = Self.accented.unicodeScalars.map { UInt8($0.value) } + Array("4,\u{80} \u{93}x\u{94},Agree\n".unicodeScalars.map { UInt8(truncatingIfNeeded: $0.value) })
        let path = try temporary(bytes)
        // Named: read, with € and curly quotes from 0x80, 0x93, 0x94.
        let rows = try records(try prepare(path, encoding: .windows1252))
        XCTAssertEqual(rows[2], ["2", "Montréal", "Strongly agree"])
        XCTAssertEqual(rows[4], ["4", "€ “x”", "Agree"])
        // Not named: invalid UTF-8 as before, at the byte; the hint names Windows-1252.
        var reader = try CSVReader(path: path, name: path)
        XCTAssertThrowsError(try reader.readAll()) { error in
            let original = error as! InputError
            XCTAssertEqual(original.location.line, 1)
            XCTAssertEqual(original.location.column, 5)
            let hinted = EncodingHint.annotate(original)
            XCTAssert(hinted.description.contains(#"the bytes look like Windows-1252 (they would read "région"): add --encoding windows-1252"#), hinted.description)
            XCTAssert(hinted.description.hasPrefix(original.description.components(separatedBy: "; expected").first!))
        }
        // Bytes that are not Windows-1252 text either get no hint.
        let binary = try temporary(Array("id,q\n1,".utf8) + [0xC3, 0x28, 0x81] + Array("\n".utf8))
        var other = try CSVReader(path: binary, name: binary)
        XCTAssertThrowsError(try other.readAll()) { error in
            XCTAssertEqual(EncodingHint.annotate(error as! InputError), error as! InputError)
        }
        // A byte Windows-1252 leaves undefined, when named: located.
        assertInputError(try prepare(try temporary(Array("id,q\n1,a".utf8) + [0x81]), encoding: .windows1252), "responses.csv:2:4: invalid Windows-1252; found \"byte 0x81")
    }

    /// The sniffer reads the whole file in blocks: a Windows-1252 "é" 1.5 MB in, after a UTF-8
    /// "é" cut by the first block's end, is found; valid UTF-8 throughout, or a byte Windows-1252
    /// leaves undefined, is not Windows-1252 text.
    func testWindows1252IsSniffedAcrossBlocks() throws {
        var head = Array("id,name\n".utf8)
        while head.count < (1 << 20) - 1 { head += Array("1,plain\n".utf8) }
        head = Array(head.prefix((1 << 20) - 1)) + [0xC3, 0xA9] + Array("\n".utf8)   // "é" in UTF-8 across the block edge
        var body = head
        while body.count < 3 << 19 { body += Array("2,plain\n".utf8) }
        let utf8Only = try temporary(body + Array("3,Montr\u{E9}al\n".utf8))
        XCTAssertFalse(try EncodingSniffer.isWindows1252Text(path: utf8Only, name: "a.csv"))
        let latin = try temporary(body + Array("3,Montr".utf8) + [0xE9] + Array("al\n".utf8))
        XCTAssertTrue(try EncodingSniffer.isWindows1252Text(path: latin, name: "b.csv"))
        let undefined = try temporary(body + Array("3,Montr".utf8) + [0xE9] + Array("al\n4,".utf8) + [0x8D] + Array("\n".utf8))
        XCTAssertFalse(try EncodingSniffer.isWindows1252Text(path: undefined, name: "c.csv"))
    }

    func testAByteOrderMarkThatContradictsTheNamedEncodingIsRefused() throws {
        let path = try temporary([0xEF, 0xBB, 0xBF] + Array("id,q\n1,Agree\n".utf8))
        assertInputError(try prepare(path, encoding: .windows1252), "starts with a UTF-8 byte order mark, but the encoding is named windows-1252")
        XCTAssertEqual(try prepare(path).layout?.encoding, .utf8)
        XCTAssertEqual(try records(try prepare(path))[0], ["id", "q"])
    }

    func testWithoutDetectionTheFileIsReadAsGiven() throws {
        var options = ReadOptions()
        options.format.detect = false
        let prepared = try PreparedInput.prepare(csvPath: Self.fixture("plain_semicolon_bom.csv"), options: options)
        XCTAssertNil(prepared.layout)
        XCTAssertEqual(prepared.options.delimiter, UInt8(ascii: ","))
        XCTAssertEqual(prepared.path, Self.fixture("plain_semicolon_bom.csv"))
    }

    // MARK: - Durations

    func testTimestampsOfThePlatforms() {
        XCTAssertEqual(Timestamp.seconds("1970-01-01T00:00:00Z"), 0)
        XCTAssertEqual(Timestamp.seconds("1970-01-02 00:00:01"), 86401)
        XCTAssertEqual(Timestamp.seconds("2024-03-01T09:12:40.456+07:00")! - Timestamp.seconds("2024-03-01T09:00:05.123+07:00")!, 755.333, accuracy: 1e-6)
        XCTAssertEqual(Timestamp.seconds("2024-03-01T02:00:00Z"), Timestamp.seconds("2024-03-01T09:00:00+07:00"))
        XCTAssertEqual(Timestamp.seconds("06/03/2024 12:05:00 AM")! + 12 * 3600, Timestamp.seconds("06/03/2024 12:05:00 PM"))
        XCTAssertEqual(Timestamp.seconds("06/03/2024 01:00:00 PM"), Timestamp.seconds("2024-06-03 13:00:00"))
        XCTAssertEqual(Timestamp.seconds("2024-02-29 00:00:00")! - Timestamp.seconds("2024-02-28 00:00:00")!, 86400)
        for bad in ["", "yesterday", "2024-13-01", "2024-01-01T25:00:00", "2024/03/01 9:15:02 AM GMT+7", "12:00"] {
            XCTAssertNil(Timestamp.seconds(bad), bad)
        }
    }

    func testSpeedersAreFlaggedByLine() throws {
        let kobo = try XCTUnwrap(prepare(Self.fixture("kobo_xml_semicolon.csv")).speeders)
        XCTAssertEqual(kobo.lines, [7])            // 90 s against a median of about 11 minutes
        XCTAssertEqual(kobo.timed, 10)
        XCTAssertEqual(kobo.source, "start to end")
        let qualtrics = try XCTUnwrap(prepare(Self.fixture("qualtrics_text.csv")).speeders)
        XCTAssertEqual(qualtrics.lines, [9, 12])
        XCTAssertEqual(qualtrics.medianSeconds, 383)
        XCTAssertEqual(try XCTUnwrap(prepare(Self.fixture("surveymonkey.csv")).speeders).lines, [7])
        XCTAssertEqual(try XCTUnwrap(prepare(Self.fixture("limesurvey_codes.csv")).speeders).lines, [7])
        XCTAssertNil(try prepare(Self.fixture("google_forms.csv")).speeders)   // a timestamp, no duration

        var options = ReadOptions()
        options.format.dropSpeeders = true
        let dropping = try PreparedInput.prepare(csvPath: Self.fixture("kobo_xml_semicolon.csv"), options: options)
        XCTAssertEqual(Array(dropping.options.excludedLines.keys), [7])
        XCTAssertTrue(dropping.options.needsSequentialReader)
        XCTAssertEqual(dropping.speeders?.dropped, true)
    }
}
