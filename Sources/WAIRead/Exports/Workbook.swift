import Foundation
import WAIModel
#if canImport(FoundationXML)
import FoundationXML
#endif
import ZIPFoundation

/// Excel workbooks (.xlsx, as Kobo, SurveyMonkey, Qualtrics and Google Sheets download them),
/// converted sheet by sheet into a temporary UTF-8 CSV that the rest of wai reads like any export.
///
/// The sheet's XML is streamed: ZIPFoundation inflates the entry chunk by chunk into a temporary
/// file, which Foundation's SAX `XMLParser` reads as a stream (libxml2's push parser), one row in
/// memory at a time. A document decoder (XMLCoder) would hold the whole sheet and its tree. Only
/// the shared-strings table, which cells point into by index, is held whole.
///
/// Each `<row>` becomes a CSV record, padded to the sheet's width; shared and inline strings are
/// written as text, numbers in their shortest form, cells with a date format as ISO 8601 date
/// and time (what `Timestamp` reads for durations). A merged header cell keeps its value in its
/// first cell, the rest empty: the layout of a SurveyMonkey CSV export.
public enum Workbook {
    public struct Conversion: Sendable {
        public var csvPath: String
        /// The sheet read.
        public var sheet: String
        public var cells: CellMap
    }

    /// Turns a location in the temporary CSV (record and field) back into the sheet's cell.
    public struct CellMap: Sendable {
        public var sheet: String
        /// (CSV record index, sheet row) where the rows stop following the records one to one.
        var breaks: [(record: Int, row: Int)] = []

        func row(ofRecord record: Int) -> Int {
            var low = 0, high = breaks.count - 1, found = 0
            while low <= high {
                let mid = (low + high) / 2
                if breaks[mid].record <= record { found = mid; low = mid + 1 } else { high = mid - 1 }
            }
            guard !breaks.isEmpty else { return record + 1 }
            return breaks[found].row + (record - breaks[found].record)
        }

        /// `C12`, or `'My sheet'!C12` with the sheet.
        public func reference(record: Int, field: Int) -> String {
            "\(Self.quoted(sheet))!\(Workbook.columnName(field))\(row(ofRecord: record))"
        }

        /// A sheet's name as a cell reference writes it: quoted when not a plain word.
        static func quoted(_ sheet: String) -> String {
            sheet.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" } ? sheet : "'\(sheet.replacingOccurrences(of: "'", with: "''"))'"
        }

        /// "Sheet1 row 7" for each rejected line of the CSV copy at `csvPath`.
        func relocate(_ quality: DataQuality, csvPath: String) -> DataQuality {
            var quality = quality
            let records = Workbook.records(path: csvPath, lines: Set(quality.rejections.map(\.line)))
            for r in quality.rejections.indices {
                guard let record = records[quality.rejections[r].line] else { continue }
                quality.rejections[r].record = "\(sheet) row \(row(ofRecord: record))"
            }
            return quality
        }

        /// This error, when located in the CSV at `csvPath` shown as `name`, located at its cell.
        public func relocate(_ error: any Error, csvPath: String, name: String) -> any Error {
            guard var input = error as? InputError, input.location.file == name, input.location.cell == nil,
                  let line = input.location.line else { return error }
            if let (record, field) = Workbook.recordAndField(path: csvPath, line: line, column: input.location.column ?? 1) {
                input.location = SourceLocation(file: name, cell: reference(record: record, field: field), keyPath: input.location.keyPath)
            }
            return input
        }
    }

    /// Whether these first bytes and this name are a workbook (a zip archive named .xlsx/.xlsm).
    public static func isWorkbook(head: [UInt8], path: String) -> Bool {
        let ext = (path as NSString).pathExtension.lowercased()
        return head.starts(with: [0x50, 0x4B, 0x03, 0x04]) && (ext == "xlsx" || ext == "xlsm")
    }

    /// "A" for 0, "Z" for 25, "AA" for 26.
    public static func columnName(_ index: Int) -> String {
        var n = index + 1
        var letters: [Character] = []
        while n > 0 {
            let r = (n - 1) % 26
            letters.append(Character(Unicode.Scalar(UInt8(65 + r))))
            n = (n - 1) / 26
        }
        return String(letters.reversed())
    }

    /// The 0-based column of a cell reference such as `AB12`; nil when it has no letters.
    static func columnIndex(ofReference reference: String) -> Int? {
        var value = 0, letters = 0
        for byte in reference.utf8 {
            let upper = byte & 0xDF
            guard upper >= 65, upper <= 90 else { break }
            value = value * 26 + Int(upper - 64)
            letters += 1
        }
        return letters == 0 ? nil : value - 1
    }

    static func rowNumber(ofReference reference: String) -> Int? {
        Int(String(reference.drop { !$0.isNumber }))
    }

    /// The names of the workbook's sheets, in workbook order.
    public static func sheetNames(path: String, name: String) throws -> [String] {
        let archive = try open(path: path, name: name)
        return try readSheets(archive, name: name).map(\.name)
    }

    /// Converts one sheet of `path` (shown as `name`; the first sheet when `sheet` is nil) to a
    /// temporary CSV; the caller removes it.
    public static func convert(path: String, name: String, sheet: String?) throws -> Conversion {
        let archive = try open(path: path, name: name)
        let sheets = try readSheets(archive, name: name)
        guard let chosen = sheet.map({ wanted in sheets.first { $0.name == wanted } ?? sheets.first { $0.name.lowercased() == wanted.lowercased() } }) ?? sheets.first else {
            throw InputError(sheet == nil ? "workbook has no worksheet" : "no such sheet in the workbook", at: SourceLocation(file: name),
                             found: sheet, expected: sheets.isEmpty ? "a workbook with a worksheet" : "one of \(sheets.map { Quoted($0.name).description }.joined(separator: ", ")) (--sheet NAME, or sheet: in the spec)",
                             suggestion: sheet.flatMap { nearestMatch(to: $0, in: sheets.map(\.name)) })
        }
        let strings = try archive["xl/sharedStrings.xml"].map { try parseSharedStrings(readEntry(archive, $0, name: name), name: name) } ?? []
        let styles = try archive["xl/styles.xml"].map { try parseDateStyles(readEntry(archive, $0, name: name)) } ?? []
        guard let entry = archive[chosen.part] else {
            throw InputError("broken workbook: a sheet's part is missing", at: SourceLocation(file: name), found: chosen.part, expected: "an .xlsx file as Excel writes it")
        }

        let xmlPath = Transcoder.temporaryPath(for: path) + ".xml"
        defer { try? FileManager.default.removeItem(atPath: xmlPath) }
        do {
            _ = try archive.extract(entry, to: URL(fileURLWithPath: xmlPath), skipCRC32: false)
        } catch {
            throw InputError("cannot read the workbook", at: SourceLocation(file: name), found: "\(chosen.part): \(error)", expected: "an .xlsx file as Excel writes it")
        }
        let target = Transcoder.temporaryPath(for: path)
        guard FileManager.default.createFile(atPath: target, contents: nil), let output = FileHandle(forWritingAtPath: target) else {
            throw InputError("cannot write a temporary file", at: SourceLocation(file: target), expected: "a writable temporary directory (TMPDIR)")
        }
        var done = false
        defer {
            try? output.close()
            if !done { try? FileManager.default.removeItem(atPath: target) }
        }
        guard let stream = InputStream(fileAtPath: xmlPath) else {
            throw InputError("cannot read the workbook", at: SourceLocation(file: name), found: chosen.part, expected: "a readable temporary directory (TMPDIR)")
        }
        let writer = SheetWriter(output: output, strings: strings, dateStyles: styles.map(\.isDate), date1904: chosen.date1904)
        let parser = XMLParser(stream: stream)
        parser.delegate = writer
        let parsed = parser.parse()
        writer.flush()
        if let failure = writer.failure {
            throw InputError("cannot write a temporary file", at: SourceLocation(file: target), found: failure.localizedDescription, expected: "room in the temporary directory (TMPDIR)")
        }
        if let problem = writer.problem {
            throw InputError(problem.text, at: SourceLocation(file: name, cell: "\(CellMap.quoted(chosen.name))!\(problem.cell)"),
                             found: problem.found, expected: "an index into the workbook's shared strings")
        }
        guard parsed else {
            let reason = parser.parserError.map { "\($0.localizedDescription)" } ?? "malformed XML"
            throw InputError("broken workbook: the sheet's XML cannot be read", at: SourceLocation(file: name, cell: "\(chosen.name)!row \(writer.currentRow)"),
                             found: reason, expected: "an .xlsx file as Excel writes it")
        }
        done = true
        return Conversion(csvPath: target, sheet: chosen.name, cells: CellMap(sheet: chosen.name, breaks: writer.breaks))
    }

    // MARK: - Parts

    struct SheetEntry {
        var name: String
        var part: String
        var date1904: Bool
    }

    static func open(path: String, name: String) throws -> Archive {
        do {
            return try Archive(url: URL(fileURLWithPath: path), accessMode: .read)
        } catch {
            throw InputError("cannot read the workbook", at: SourceLocation(file: name), found: "\(error)", expected: "an .xlsx file (a zip archive of XML parts)")
        }
    }

    /// A small part (workbook, relationships, styles, shared strings) in memory.
    static func readEntry(_ archive: Archive, _ entry: Entry, name: String) throws -> Data {
        var data = Data()
        do {
            _ = try archive.extract(entry) { data.append($0) }
        } catch {
            throw InputError("cannot read the workbook", at: SourceLocation(file: name), found: "\(entry.path): \(error)", expected: "an .xlsx file as Excel writes it")
        }
        return data
    }

    static func readSheets(_ archive: Archive, name: String) throws -> [SheetEntry] {
        guard let book = archive["xl/workbook.xml"] else {
            throw InputError("not an Excel workbook", at: SourceLocation(file: name), found: "a zip archive without xl/workbook.xml", expected: "an .xlsx file as Excel writes it")
        }
        let elements = collect(try readEntry(archive, book, name: name), names: ["sheet", "workbookPr"])
        let relations = try archive["xl/_rels/workbook.xml.rels"].map { collect(try readEntry(archive, $0, name: name), names: ["Relationship"]) } ?? []
        var targets: [String: String] = [:]
        for relation in relations {
            guard let id = relation.attributes["Id"], let target = relation.attributes["Target"] else { continue }
            targets[id] = target.hasPrefix("/") ? String(target.dropFirst()) : "xl/" + target
        }
        let date1904 = elements.contains { $0.name == "workbookPr" && ["1", "true"].contains($0.attributes["date1904"] ?? "") }
        return elements.filter { $0.name == "sheet" }.compactMap { sheet in
            guard let sheetName = sheet.attributes["name"] else { return nil }
            let id = sheet.attributes["r:id"] ?? sheet.attributes.first { $0.key.hasSuffix(":id") }?.value
            guard let part = id.flatMap({ targets[$0] }), part.contains("worksheets/") else { return nil }
            return SheetEntry(name: sheetName, part: part, date1904: date1904)
        }
    }

    struct Element {
        var name: String
        var attributes: [String: String]
    }

    /// Every element of these names with its attributes (small parts only).
    static func collect(_ data: Data, names: Set<String>) -> [Element] {
        final class Collector: NSObject, XMLParserDelegate {
            let names: Set<String>
            var found: [Element] = []
            init(names: Set<String>) { self.names = names }
            func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName qName: String?,
                        attributes attributeDict: [String: String] = [:]) {
                if names.contains(elementName) { found.append(Element(name: elementName, attributes: attributeDict)) }
            }
        }
        let collector = Collector(names: names)
        let parser = XMLParser(data: data)
        parser.delegate = collector
        _ = parser.parse()
        return collector.found
    }

    /// The shared strings, each the text of its runs (phonetic guides left out).
    static func parseSharedStrings(_ data: Data, name: String) throws -> [String] {
        final class Strings: NSObject, XMLParserDelegate {
            var strings: [String] = []
            var current = ""
            var inText = false
            var phonetic = 0
            func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName qName: String?,
                        attributes attributeDict: [String: String] = [:]) {
                switch elementName {
                case "si": current = ""
                case "t": inText = phonetic == 0
                case "rPh": phonetic += 1
                default: break
                }
            }
            func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
                switch elementName {
                case "si": strings.append(current)
                case "t": inText = false
                case "rPh": phonetic -= 1
                default: break
                }
            }
            func parser(_ parser: XMLParser, foundCharacters string: String) {
                if inText { current += string }
            }
        }
        let collector = Strings()
        let parser = XMLParser(data: data)
        parser.delegate = collector
        guard parser.parse() else {
            throw InputError("broken workbook: the shared strings cannot be read", at: SourceLocation(file: name),
                             found: parser.parserError.map { "\($0.localizedDescription)" }, expected: "an .xlsx file as Excel writes it")
        }
        return collector.strings
    }

    struct CellStyle {
        var isDate: Bool
    }

    /// Per cell style (`s` attribute), whether its number format shows a date or time.
    static func parseDateStyles(_ data: Data) -> [CellStyle] {
        final class Styles: NSObject, XMLParserDelegate {
            var formats: [Int: String] = [:]
            var xfs: [Int] = []
            var inCellXfs = false
            func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName qName: String?,
                        attributes attributeDict: [String: String] = [:]) {
                switch elementName {
                case "numFmt":
                    if let id = attributeDict["numFmtId"].flatMap(Int.init), let code = attributeDict["formatCode"] { formats[id] = code }
                case "cellXfs": inCellXfs = true
                case "xf" where inCellXfs: xfs.append(attributeDict["numFmtId"].flatMap(Int.init) ?? 0)
                default: break
                }
            }
            func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
                if elementName == "cellXfs" { inCellXfs = false }
            }
        }
        let styles = Styles()
        let parser = XMLParser(data: data)
        parser.delegate = styles
        _ = parser.parse()
        return styles.xfs.map { CellStyle(isDate: isDateFormat(id: $0, code: styles.formats[$0])) }
    }

    /// Excel's built-in date and time formats (14–22, 45–47), or a format code that shows
    /// days, months, years, hours or seconds outside quoted text and [colour] sections.
    static func isDateFormat(id: Int, code: String?) -> Bool {
        if (14...22).contains(id) || (45...47).contains(id) { return true }
        guard let code else { return false }
        var inQuote = false, inBracket = false, escaped = false
        for ch in code.lowercased() {
            if escaped { escaped = false; continue }
            switch ch {
            case "\\": escaped = true
            case "\"": inQuote.toggle()
            case "[" where !inQuote: inBracket = true
            case "]" where !inQuote: inBracket = false
            case "d", "m", "y", "h", "s": if !inQuote && !inBracket { return true }
            default: break
            }
        }
        return false
    }

    /// An Excel serial date as ISO 8601 (`2024-03-06 08:15:12`; the date alone at midnight).
    static func isoDate(serial: Double, date1904: Bool) -> String {
        let totalSeconds = Int((serial * 86400).rounded())
        var days = totalSeconds / 86400 + (date1904 ? 24107 : 25569) * -1
        let seconds = totalSeconds % 86400
        // Days since 1970-01-01, from Howard Hinnant's civil_from_days.
        days += 719468
        let era = (days >= 0 ? days : days - 146096) / 146097
        let doe = days - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let date = "\(year)-\(two(month))-\(two(day))"
        guard seconds != 0 else { return date }
        return "\(date) \(two(seconds / 3600)):\(two(seconds / 60 % 60)):\(two(seconds % 60))"
    }

    /// A number cell's text as CSV shows it: integers without a fraction, others in the shortest
    /// form that reads back the same.
    static func numberText(_ raw: String) -> String {
        guard let value = Double(raw), value.isFinite else { return raw }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int(value)) }
        return "\(value)"
    }

    // MARK: - The sheet

    /// SAX delegate writing each row as a CSV record.
    final class SheetWriter: NSObject, XMLParserDelegate {
        let output: FileHandle
        let strings: [String]
        let dateStyles: [Bool]
        let date1904: Bool
        var buffer: [UInt8] = []
        var failure: Error?
        var problem: (text: String, cell: String, found: String)?

        var width = 0
        var row: [String] = []
        var currentRow = 0
        var record = 0
        var breaks: [(record: Int, row: Int)] = []

        var cellColumn = 0
        var cellType = ""
        var cellStyle = 0
        var cellReference = ""
        var value = ""
        var inValue = false
        var inInline = false
        var inText = false
        var phonetic = 0
        var nextColumn = 0

        init(output: FileHandle, strings: [String], dateStyles: [Bool], date1904: Bool) {
            self.output = output
            self.strings = strings
            self.dateStyles = dateStyles
            self.date1904 = date1904
        }

        func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName qName: String?,
                    attributes attributeDict: [String: String] = [:]) {
            switch elementName {
            case "dimension":
                if let ref = attributeDict["ref"], let last = ref.split(separator: ":").last, let column = Workbook.columnIndex(ofReference: String(last)) {
                    width = column + 1
                }
            case "row":
                let number = attributeDict["r"].flatMap(Int.init) ?? currentRow + 1
                currentRow = number
                if breaks.last.map({ $0.row + (record - $0.record) }) != number { breaks.append((record, number)) }
                row.removeAll(keepingCapacity: true)
                nextColumn = 0
            case "c":
                cellReference = attributeDict["r"] ?? ""
                cellColumn = Workbook.columnIndex(ofReference: cellReference) ?? nextColumn
                cellType = attributeDict["t"] ?? "n"
                cellStyle = attributeDict["s"].flatMap(Int.init) ?? 0
                value = ""
            case "v": inValue = true
            case "is": inInline = true
            case "t": inText = inInline && phonetic == 0
            case "rPh": phonetic += 1
            default: break
            }
        }

        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
            switch elementName {
            case "v": inValue = false
            case "t": inText = false
            case "is": inInline = false
            case "rPh": phonetic -= 1
            case "c":
                let text = cellText(parser)
                while row.count <= cellColumn { row.append("") }
                row[cellColumn] = text
                nextColumn = cellColumn + 1
            case "row":
                if width == 0 { width = row.count }
                while row.count < width { row.append("") }
                write(row)
                record += 1
            default: break
            }
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            if inValue || inText { value += string }
        }

        func cellText(_ parser: XMLParser) -> String {
            switch cellType {
            case "s":
                guard let index = Int(value.trimmingCharacters(in: .whitespaces)), strings.indices.contains(index) else {
                    if problem == nil {
                        problem = ("broken workbook: a cell points past the shared strings",
                                   cellReference.isEmpty ? "\(Workbook.columnName(cellColumn))\(currentRow)" : cellReference, value)
                        parser.abortParsing()
                    }
                    return ""
                }
                return strings[index]
            case "inlineStr", "str", "e":
                return value
            case "b":
                return value == "1" ? "TRUE" : value == "0" ? "FALSE" : value
            default:
                let raw = value.trimmingCharacters(in: .whitespaces)
                if raw.isEmpty { return "" }
                if cellStyle < dateStyles.count, dateStyles[cellStyle], let serial = Double(raw) {
                    return Workbook.isoDate(serial: serial, date1904: date1904)
                }
                return Workbook.numberText(raw)
            }
        }

        func write(_ fields: [String]) {
            for (i, field) in fields.enumerated() {
                if i > 0 { buffer.append(UInt8(ascii: ",")) }
                if field.utf8.contains(where: { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 10 || $0 == 13 }) {
                    buffer.append(UInt8(ascii: "\""))
                    for byte in field.utf8 {
                        if byte == UInt8(ascii: "\"") { buffer.append(byte) }
                        buffer.append(byte)
                    }
                    buffer.append(UInt8(ascii: "\""))
                } else {
                    buffer.append(contentsOf: field.utf8)
                }
            }
            buffer.append(10)
            if buffer.count >= 1 << 16 { flush() }
        }

        func flush() {
            if !buffer.isEmpty, failure == nil {
                do { try output.write(contentsOf: buffer) } catch { failure = error }
            }
            buffer.removeAll(keepingCapacity: true)
        }
    }

    // MARK: - Locations

    /// For each of `lines` (1-based lines of the CSV at `path`), the 0-based record that the
    /// line starts or continues, in one pass over the file (header = record 0).
    static func records(path: String, lines: Set<Int>) -> [Int: Int] {
        guard !lines.isEmpty, let handle = FileHandle(forReadingAtPath: path) else { return [:] }
        defer { try? handle.close() }
        var found: [Int: Int] = [:]
        var line = 1, record = 0, inQuotes = false
        if lines.contains(1) { found[1] = 0 }
        let last = lines.max()!
        while line <= last, let chunk = try? handle.read(upToCount: 1 << 16), !chunk.isEmpty {
            for byte in chunk {
                if byte == UInt8(ascii: "\"") { inQuotes.toggle(); continue }
                guard byte == 10 else { continue }
                if !inQuotes { record += 1 }
                line += 1
                if lines.contains(line) { found[line] = record }
                if line > last { break }
            }
        }
        return found
    }

    /// The (record, field) of a 1-based line and column of the CSV at `path`: the record that
    /// line belongs to and the field at that column. nil when the file cannot be read.
    static func recordAndField(path: String, line: Int, column: Int) -> (record: Int, field: Int)? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        var currentLine = 1, currentColumn = 1, record = 0, field = 0
        var inQuotes = false, pendingQuote = false
        while let chunk = try? handle.read(upToCount: 1 << 16), !chunk.isEmpty {
            for byte in chunk {
                if currentLine > line || (currentLine == line && currentColumn >= column) { return (record, field) }
                if byte & 0xC0 != 0x80 { currentColumn += 1 }
                if inQuotes {
                    if pendingQuote {
                        pendingQuote = false
                        if byte == UInt8(ascii: "\"") { continue }
                        inQuotes = false
                    } else {
                        if byte == UInt8(ascii: "\"") { pendingQuote = true }
                        if byte == 10 { currentLine += 1; currentColumn = 1 }
                        continue
                    }
                }
                switch byte {
                case UInt8(ascii: "\""): inQuotes = true
                case UInt8(ascii: ","): field += 1
                case 10:
                    if currentLine == line { return (record, field) }
                    currentLine += 1
                    currentColumn = 1
                    record += 1
                    field = 0
                default: break
                }
            }
        }
        return currentLine == line ? (record, field) : nil
    }
}
