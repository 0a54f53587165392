import Foundation
import ZIPFoundation
import WAIEstimate
import WAIModel

/// The report as one Excel workbook (report.xlsx): a sheet per table (items, the level counts
/// and shares, WAI with its standard error and interval, the band), one of frequencies and one
/// per breakdown, with bold shaded headers and frozen header rows.
///
/// The OOXML parts are written here and zipped by ZIPFoundation. Numbers are number cells; every
/// text, survey text included, is an inline string cell, so no answer or label is ever a formula.
public struct XLSXRenderer: Sendable {
    public init() {}

    enum Cell: Hashable {
        case text(String)
        case number(Double)
        case empty
    }

    struct Sheet {
        var name: String
        var rows: [[Cell]]
        var widths: [Double] = []
    }

    /// The workbook's bytes.
    public func workbook(_ analysis: SurveyAnalysis) throws -> [UInt8] {
        try zip(sheets(analysis))
    }

    func sheets(_ analysis: SurveyAnalysis) -> [Sheet] {
        var sheets: [Sheet] = []
        var used: Set<String> = []
        func add(_ name: String, _ rows: [[Cell]]) {
            let sheetName = uniqueName(name, used: &used)
            var widths: [Double] = []
            for row in rows {
                for (i, cell) in row.enumerated() {
                    let width: Double
                    switch cell {
                    case .text(let s): width = Double(min(45, max(8, s.count + 2)))
                    case .number: width = 10
                    case .empty: width = 8
                    }
                    if i >= widths.count { widths.append(width) } else { widths[i] = max(widths[i], width) }
                }
            }
            sheets.append(Sheet(name: sheetName, rows: rows, widths: widths))
        }
        for table in analysis.tables {
            add(table.id, [header(table, group: false)] + rows(table, group: nil))
        }
        if !analysis.frequencies.isEmpty {
            var rows: [[Cell]] = [["column", "value", "count", "percent", "weighted_percent"].map(Cell.text)]
            for table in analysis.frequencies {
                for row in table.rows {
                    rows.append([.text(table.column), .text(row.value), .number(Double(row.count)), .number(row.percent), .number(row.weightedPercent)])
                }
                rows.append([.text(table.column), .empty, .number(Double(table.missing)), .empty, .empty])
            }
            add("frequencies", rows)
        }
        for breakdown in analysis.breakdowns {
            guard let first = breakdown.groups.first?.tables.first else { continue }
            var rows: [[Cell]] = [header(first, group: true)]
            for group in breakdown.groups {
                for table in group.tables { rows += self.rows(table, group: group.category ?? "") }
            }
            add("by \(breakdown.column)", rows)
        }
        return sheets
    }

    func header(_ table: TableEstimate, group: Bool) -> [Cell] {
        let labels = table.mixesScales ? (1...max(1, table.levelColumns)).map { "level \($0)" } : table.items.first?.counts.map(\.label) ?? []
        var header = ["table", "item", "text", "n", "missing"]
        if group { header.insert("group", at: 1) }
        if table.mixesScales { header.append("scale") }
        header += labels.map { "count: \($0)" } + labels.map { "share: \($0)" } + ["wai", "se", "lower", "upper", "wai_reported", "band"]
        return header.map(Cell.text)
    }

    func rows(_ table: TableEstimate, group: String?) -> [[Cell]] {
        var out: [[Cell]] = []
        let mixed = table.mixesScales, width = table.levelColumns
        func optional(_ x: Double?) -> Cell { x.map(Cell.number) ?? .empty }
        for item in table.items {
            var cells: [Cell] = [.text(table.id), .text(item.id), .text(item.text), .number(Double(item.n)), .number(Double(item.missing))]
            if let group { cells.insert(.text(group), at: 1) }
            if mixed { cells.append(item.scale.map(Cell.text) ?? .empty) }
            let padding = mixed ? Array(repeating: Cell.empty, count: width - item.counts.count) : []
            cells += item.counts.map { .number(Double($0.count)) } + padding + item.counts.map { .number($0.share) } + padding
            cells += [optional(item.wai), optional(item.se), optional(item.interval?.lower), optional(item.interval?.upper),
                      item.waiReported.map(Cell.text) ?? .empty, item.band.map(Cell.text) ?? .empty]
            out.append(cells)
        }
        if let composite = table.composite {
            var cells: [Cell] = [.text(table.id), .text("OA"), .text("Overall assessment (mean of \(composite.items) items)"), .empty, .empty]
            if let group { cells.insert(.text(group), at: 1) }
            if mixed { cells.append(.empty) }
            cells += Array(repeating: .empty, count: 2 * (mixed ? width : table.items.first?.counts.count ?? 0))
            cells += [.number(composite.wai), optional(composite.se), optional(composite.interval?.lower), optional(composite.interval?.upper),
                      .text(composite.waiReported), .text(composite.band)]
            out.append(cells)
        }
        return out
    }

    /// Excel's rules for a sheet name: at most 31 characters, none of `[]:*?/\`, unique ignoring case.
    func uniqueName(_ name: String, used: inout Set<String>) -> String {
        var base = String(name.map { "[]:*?/\\".contains($0) ? "_" : $0 }).trimmingCharacters(in: CharacterSet(charactersIn: "'"))
        if base.isEmpty { base = "sheet" }
        base = String(base.prefix(31))
        var candidate = base, k = 2
        while used.contains(candidate.lowercased()) {
            let suffix = " (\(k))"
            candidate = String(base.prefix(31 - suffix.count)) + suffix
            k += 1
        }
        used.insert(candidate.lowercased())
        return candidate
    }

    // MARK: - OOXML

    func zip(_ sheets: [Sheet]) throws -> [UInt8] {
        let archive = try Archive(data: Data(), accessMode: .create)
        var parts: [(String, String)] = [
            ("[Content_Types].xml", contentTypes(count: sheets.count)),
            ("_rels/.rels", """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>
            """),
            ("xl/workbook.xml", workbookXML(sheets)),
            ("xl/_rels/workbook.xml.rels", workbookRelations(count: sheets.count)),
            ("xl/styles.xml", Self.styles),
        ]
        for (i, sheet) in sheets.enumerated() { parts.append(("xl/worksheets/sheet\(i + 1).xml", sheetXML(sheet))) }
        for (path, text) in parts {
            let data = Data(text.utf8)
            try archive.addEntry(with: path, type: .file, uncompressedSize: Int64(data.count), modificationDate: Self.epoch,
                                 compressionMethod: .deflate) { position, size in
                data.subdata(in: Data.Index(position)..<Data.Index(position) + size)
            }
        }
        return Array(archive.data ?? Data())
    }

    /// A fixed date in every entry, so the same report gives the same bytes.
    static let epoch = Date(timeIntervalSince1970: 1_704_067_200)

    func contentTypes(count: Int) -> String {
        var out = #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"# + "\n"
        out += #"<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>"#
        for i in 1...max(1, count) where count > 0 {
            out += #"<Override PartName="/xl/worksheets/sheet\#(i).xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>"#
        }
        return out + "</Types>"
    }

    func workbookXML(_ sheets: [Sheet]) -> String {
        var out = #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"# + "\n"
        out += #"<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>"#
        for (i, sheet) in sheets.enumerated() {
            out += #"<sheet name="\#(escape(sheet.name))" sheetId="\#(i + 1)" r:id="rId\#(i + 1)"/>"#
        }
        return out + "</sheets></workbook>"
    }

    func workbookRelations(count: Int) -> String {
        var out = #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"# + "\n"
        out += #"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#
        for i in 0..<count {
            out += #"<Relationship Id="rId\#(i + 1)" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet\#(i + 1).xml"/>"#
        }
        out += #"<Relationship Id="rId\#(count + 1)" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>"#
        return out + "</Relationships>"
    }

    /// Style 0: plain; 1: the header (bold, shaded, bordered below); 2: shares and indices (0.000).
    static let styles = """
    <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
    <styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="1"><numFmt numFmtId="164" formatCode="0.000"/></numFmts><fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><color rgb="FFFFFFFF"/><name val="Calibri"/></font></fonts><fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill><fill><patternFill patternType="solid"><fgColor rgb="FF2F5597"/><bgColor indexed="64"/></patternFill></fill></fills><borders count="2"><border><left/><right/><top/><bottom/><diagonal/></border><border><left/><right/><top/><bottom style="thin"><color auto="1"/></bottom><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="0" fontId="1" fillId="2" borderId="1" xfId="0" applyFont="1" applyFill="1" applyBorder="1"><alignment wrapText="1" vertical="top"/></xf><xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>
    """

    func sheetXML(_ sheet: Sheet) -> String {
        var out = #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"# + "\n"
        out += #"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>"#
        let columns = sheet.rows.map(\.count).max() ?? 0
        if columns > 0, !sheet.rows.isEmpty {
            out += #"<dimension ref="A1:\#(columnName(columns - 1))\#(sheet.rows.count)"/>"#
        }
        out += #"<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>"#
        if !sheet.widths.isEmpty {
            out += "<cols>"
            for (i, width) in sheet.widths.enumerated() { out += #"<col min="\#(i + 1)" max="\#(i + 1)" width="\#(width)" customWidth="1"/>"# }
            out += "</cols>"
        }
        out += "<sheetData>"
        let shareColumns: Set<Int> = Set((sheet.rows.first ?? []).enumerated().compactMap { i, cell in
            if case .text(let name) = cell, name.hasPrefix("share: ") || ["wai", "se", "lower", "upper"].contains(name) { return i }
            return nil
        })
        for (r, row) in sheet.rows.enumerated() {
            out += #"<row r="\#(r + 1)">"#
            for (c, cell) in row.enumerated() {
                let reference = "\(columnName(c))\(r + 1)"
                let style = r == 0 ? #" s="1""# : shareColumns.contains(c) ? #" s="2""# : ""
                switch cell {
                case .text(let text):
                    out += #"<c r="\#(reference)"\#(style) t="inlineStr"><is><t xml:space="preserve">\#(escape(text))</t></is></c>"#
                case .number(let x) where x.isFinite:
                    out += #"<c r="\#(reference)"\#(style)><v>\#(x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : "\(x)")</v></c>"#
                case .number, .empty:
                    if r == 0 { out += #"<c r="\#(reference)"\#(style)/>"# }
                }
            }
            out += "</row>"
        }
        // Printed (and converted to PDF) landscape, a page wide.
        out += #"</sheetData><pageMargins left="0.5" right="0.5" top="0.75" bottom="0.75" header="0.3" footer="0.3"/><pageSetup orientation="landscape" fitToWidth="1" fitToHeight="0"/>"#
        return out + "</worksheet>"
    }

    func columnName(_ index: Int) -> String {
        var n = index + 1
        var letters: [Character] = []
        while n > 0 {
            letters.append(Character(Unicode.Scalar(UInt8(65 + (n - 1) % 26))))
            n = (n - 1) / 26
        }
        return String(letters.reversed())
    }

    /// XML text: the five escapes, CR as a reference, and characters XML 1.0 cannot hold left out.
    func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\r": out += "&#13;"   // a parser turns a raw CR (and CRLF) into LF
            default:
                let v = scalar.value
                if v == 0x9 || v == 0xA || v == 0xD || (0x20...0xD7FF).contains(v) || (0xE000...0xFFFD).contains(v) || v >= 0x10000 {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }
}

extension XLSXRenderer.Cell: ExpressibleByStringLiteral {
    init(stringLiteral value: String) { self = .text(value) }
}
