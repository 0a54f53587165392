import PropertyBased
import Testing
@testable import WAIRead
import WAIModel

/// Random tables written as RFC 4180 text (any delimiter, LF or CRLF, quoted when needed or
/// always) parse back to the same cells at the lines they were written on, whatever the block
/// size; random text survives the UTF-16 transcoding.
struct ExportsPropertyTests {
    /// Characters that stress a CSV reader: delimiters, quotes, line ends, spaces, multi-byte text.
    static let alphabet: [Character] = ["a", "B", "7", " ", ",", ";", "\t", "\"", "\n", "\r", "\r\n", "é", "ខ", "ព", "😀", "|", "-"]

    static let cell = Gen<Character?>.element(of: alphabet).map { $0! }.string(of: 0...6)

    /// `cells` cut into rows of `columns`, the last row padded with empty cells.
    static func table(_ cells: [String], columns: Int) -> [[String]] {
        var rows: [[String]] = []
        var i = 0
        while i < cells.count {
            var row = Array(cells[i..<min(i + columns, cells.count)])
            while row.count < columns { row.append("") }
            rows.append(row)
            i += columns
        }
        return rows
    }

    static func encode(_ rows: [[String]], delimiter: Character, quoteAll: Bool, crlf: [Bool], finalBreak: Bool) -> (text: String, lines: [Int]) {
        var text = ""
        var lines: [Int] = []
        var line = 1
        for (r, row) in rows.enumerated() {
            lines.append(line)
            let fields = row.map { cell -> String in
                let needs = cell.contains(delimiter) || cell.contains("\"") || cell.contains("\n") || cell.contains("\r")
                    || cell.contains("\r\n") || (row.count == 1 && cell.isEmpty)
                return needs || quoteAll ? "\"" + cell.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : cell
            }
            let record = fields.joined(separator: String(delimiter))
            text += record
            // Lines as an editor counts them: CR, LF and CRLF each end one.
            var afterCR = false
            for scalar in record.unicodeScalars {
                if scalar == "\n" { if !afterCR { line += 1 }; afterCR = false } else if scalar == "\r" { line += 1; afterCR = true } else { afterCR = false }
            }
            if r < rows.count - 1 || finalBreak {
                text += crlf[r % crlf.count] ? "\r\n" : "\n"
                line += 1
            }
        }
        return (text, lines)
    }

    @Test func randomTablesRoundTrip() async throws {
        await propertyCheck(
            count: 300,
            input: Self.cell.array(of: 1...40), Gen.int(in: 1...6), Gen<Character?>.element(of: [",", ";", "\t", "|"] as [Character]).map { $0! },
            Gen.bool, Gen.bool.array(of: 1...4), Gen.bool, Gen.int(in: 1...17)
        ) { cells, columns, delimiter, quoteAll, crlf, finalBreak, chunk in
            let rows = Self.table(cells, columns: columns)
            let (text, lines) = Self.encode(rows, delimiter: delimiter, quoteAll: quoteAll, crlf: crlf, finalBreak: finalBreak)
            var reader = CSVReader(bytes: Array(text.utf8), name: "p.csv", delimiter: delimiter.asciiValue!, chunkSize: chunk)
            let records = try reader.readAll()
            #expect(records.map { $0.fields.map(\.value) } == rows, "\(text.debugDescription)")
            #expect(records.map(\.line) == lines, "\(text.debugDescription)")
            // The sniffer finds the delimiter of a header that has one (and no other outside quotes).
            if columns > 1 && quoteAll {
                #expect(ExportLayout.sniffDelimiter(Array(text.utf8)) == delimiter.asciiValue!, "\(text.debugDescription)")
            }
        }
    }

    @Test func utf16TranscodingKeepsTheText() async throws {
        let text = Gen<Character?>.element(of: Self.alphabet + ["A", "ü", "中", "𝄞"]).map { $0! }.string(of: 0...40)
        await propertyCheck(count: 200, input: text, Gen.bool) { text, little in
            var bytes: [UInt8] = little ? [0xFF, 0xFE] : [0xFE, 0xFF]
            for unit in text.utf16 {
                bytes += little ? [UInt8(unit & 0xFF), UInt8(unit >> 8)] : [UInt8(unit >> 8), UInt8(unit & 0xFF)]
            }
            let utf8 = try Transcoder.utf8(bytes, encoding: little ? .utf16LE : .utf16BE, name: "t")
            #expect(utf8 == Array(text.utf8))
        }
    }
}
