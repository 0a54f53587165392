import Foundation
import XCTest
import WAIModel
@testable import WAIRead

/// `--lenient` and a malformed quoted field: the record is rejected and listed by its line, and
/// reading resumes at the first following line start that reads as a record with the header's
/// field count. Expected codes are the spec's levels read off the rows by hand.
final class LenientQuoteRecoveryTests: XCTestCase {
    let spec = SurveySpec(
        title: "t", weight: nil,
        scale: Scale(levels: [
            Level(code: 1, label: "Very Low"), Level(code: 2, label: "Low"), Level(code: 3, label: "Neutral"),
            Level(code: 4, label: "High"), Level(code: 5, label: "Very High"),
        ], missing: [""]),
        demographics: [Demographic(column: "gender", categories: ["F", "M"])],
        tables: [ItemTable(id: "t", title: "T", items: [Item(id: "a", column: "qa", text: "A"), Item(id: "b", column: "qb", text: "B")])])

    struct Read: Equatable {
        var codes: [UInt8] = []
        var groups: [UInt32] = []
        var quality = DataQuality()
    }

    func read(_ csv: String, chunkSize: Int = 1 << 20, lenient: Bool = true) throws -> Read {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("wai-lq-\(UUID().uuidString).csv")
        try Data(csv.utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let reader = try ResponseReader(spec: spec, csvPath: url.path, displayName: "r.csv", options: ReadOptions(lenient: lenient, chunkRows: 2))
        var result = Read()
        let rows = try reader.forEachChunk(blockSize: chunkSize) { chunk in
            result.codes += chunk.codes
            result.groups += chunk.groups[0]
        }
        result.quality = rows.quality
        return result
    }

    /// The same result whatever the block size, so a block boundary anywhere (inside the quote,
    /// between CR and LF) resynchronises alike.
    func readAllBlockSizes(_ csv: String, file: StaticString = #filePath, line: UInt = #line) throws -> Read {
        let whole = try read(csv)
        for size in 1...(csv.utf8.count + 1) {
            XCTAssertEqual(try read(csv, chunkSize: size), whole, "block size \(size)", file: file, line: line)
        }
        return whole
    }

    func testAnUnterminatedQuoteRejectsItsRecordAndTheRowsAfterItAreRead() throws {
        let csv = "qa,qb,gender\nLow,High,F\n\"Low,High,F\nHigh,Low,M\nVery Low,Neutral,F\n"
        let read = try readAllBlockSizes(csv)
        XCTAssertEqual(read.codes, [2, 4, 4, 2, 1, 3])
        XCTAssertEqual(read.groups, [1, 2, 1])
        XCTAssertEqual(read.quality.rowsRead, 4)
        XCTAssertEqual(read.quality.rowsUsed, 3)
        XCTAssertEqual(read.quality.rejections.map(\.line), [3])
        XCTAssertEqual(read.quality.rejections[0].reason, "malformed quoted field: unterminated quoted field at line 3, column 1")
    }

    func testTextAfterAClosingQuoteWithCRLFLineEnds() throws {
        let csv = "qa,qb,gender\r\n\"Low\"x,High,F\r\nHigh,Low,M\r\n\"Very High\",\"Low\",\"M\"\r\n"
        let read = try readAllBlockSizes(csv)
        XCTAssertEqual(read.codes, [4, 2, 5, 2])
        XCTAssertEqual(read.groups, [2, 2])
        XCTAssertEqual(read.quality.rowsRead, 3)
        XCTAssertEqual(read.quality.rejections.map(\.line), [2])
        XCTAssertEqual(read.quality.rejections[0].reason, "malformed quoted field: unexpected text after a closing quote at line 2, column 6")
    }

    func testLinesThatDoNotReadAsARecordOfTheHeadersFieldCountBelongToTheRejectedRecord() throws {
        // The field opened on line 2 closes on line 3 and is followed by text: line 3 on its own
        // has 2 fields, so it is read past; line 4 is the next record.
        let csv = "qa,qb,gender\nLow,\"High\nand more\"x,F\nHigh,Low,M\n\nLow,\"Low\nis fine\",F\nNeutral,Neutral,M"
        let read = try readAllBlockSizes(csv)
        XCTAssertEqual(read.quality.rejections.map(\.line), [2])
        XCTAssertEqual(read.quality.rejections[0].reason,
                       "malformed quoted field: unexpected text after a closing quote at line 3, column 10; line 3 read as part of it (no record of 3 fields starts there)")
        XCTAssertEqual(read.quality.rowsRead, 4)
        XCTAssertEqual(read.quality.rowsUsed, 3)
        XCTAssertEqual(read.quality.blankLines, 1)
        XCTAssertEqual(read.codes, [4, 2, 2, 0, 3, 3])
        XCTAssertEqual(read.groups, [2, 1, 2])
        XCTAssertEqual(read.quality.unknownAnswers.map(\.value), ["Low\nis fine"])
        XCTAssertEqual(read.quality.unknownAnswers.map(\.firstLine), [6])
    }

    func testTwoBadRecordsInARowAndOneAtTheEnd() throws {
        let csv = "qa,qb,gender\n\"Low\"x,High,F\n\"High\"y,Low,M\nLow,Low,F\n\"Low,High,F"
        let read = try readAllBlockSizes(csv)
        XCTAssertEqual(read.quality.rejections.map(\.line), [2, 5])
        XCTAssertEqual(read.quality.rejections[0].reason,
                       "malformed quoted field: unexpected text after a closing quote at line 2, column 6; line 3 read as part of it (no record of 3 fields starts there)")
        XCTAssertEqual(read.codes, [2, 2])
        XCTAssertEqual(read.quality.rowsRead, 3)
        XCTAssertEqual(read.quality.rowsUsed, 1)
    }

    /// Resynchronising refills the buffer, which drops the bytes already read: a malformed record
    /// after the first block, read in blocks shorter than its line, is skipped to the next line
    /// (this once read past the end of the input for ever).
    func testResynchronisingAcrossBlocksAfterTheFirst() throws {
        let csv = "a long header name,b\n1,2\n\"x\"y,3\n4,5\n\"open,6\n7,8"
        for chunkSize in 1...(csv.utf8.count + 1) {
            var reader = CSVReader(bytes: Array(csv.utf8), name: "r.csv", chunkSize: chunkSize)
            reader.recoversMalformedQuotes = true
            var rows: [[String]] = [], rejected: [Int] = []
            while true {
                do {
                    guard let record = try reader.next() else { break }
                    rows.append(record.fields.map(\.value))
                } catch let bad as MalformedRecord {
                    rejected.append(bad.line)
                }
            }
            XCTAssertEqual(rows, [["a long header name", "b"], ["1", "2"], ["4", "5"], ["7", "8"]], "chunk size \(chunkSize)")
            XCTAssertEqual(rejected, [3, 5], "chunk size \(chunkSize)")
        }
    }

    func testStrictReadingStillStopsAtTheQuote() {
        XCTAssertThrowsError(try read("qa,qb,gender\nLow,High,F\n\"Low,High,F\nHigh,Low,M\n", lenient: false)) { error in
            XCTAssertEqual((error as? InputError)?.description,
                           "r.csv:3:1: unterminated quoted field; expected a closing quote (\") before the end of the file")
        }
    }

    func testAPipeIsRefusedWithItsReason() throws {
        let fifo = FileManager.default.temporaryDirectory.appendingPathComponent("wai-fifo-\(UUID().uuidString)").path
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        defer { unlink(fifo) }
        let csv = Array("qa,qb,gender\nLow,High,F\n".utf8)
        let writer = Thread {
            let fd = open(fifo, O_WRONLY)
            _ = csv.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            close(fd)
        }
        writer.start()
        let reader = try ResponseReader(spec: spec, csvPath: fifo, displayName: "-", options: ReadOptions(lenient: true))
        XCTAssertThrowsError(try reader.forEachChunk { _ in }) { error in
            XCTAssertEqual("\(error)", "-: cannot read file; found \"not a regular file (a pipe or a device)\"; expected a regular file that can be read from any position")
        }
    }
}
