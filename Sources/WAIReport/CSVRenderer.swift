import WAIEstimate
import WAIModel

/// Renders analysis tables as RFC 4180 CSV (UTF-8, CRLF-free: LF line ends, quoting only where needed).
public struct CSVRenderer: Sendable {
    public init() {}

    /// One row per item (and one for OA): n, missing, the count and share of every level, WAI and band.
    public func table(_ table: TableEstimate, group: String? = nil) -> String {
        var out = ""
        // A table over several scales names level positions; the scale column says whose levels.
        let labels = table.mixesScales ? (1...max(1, table.levelColumns)).map { "level \($0)" } : table.items.first?.counts.map(\.label) ?? []
        var header = ["table", "item", "text", "n", "missing"]
        if group != nil { header.insert("group", at: 1) }
        if table.mixesScales { header.append("scale") }
        header += labels.map { "count: \($0)" } + labels.map { "share: \($0)" } + ["wai", "wai_reported", "band", "code_mean", "code_sd", "score_sd", "code_q1", "code_median", "code_q3"]
        out += csvLine(header)
        out += rows(table, group: group)
        return out
    }

    func rows(_ table: TableEstimate, group: String?) -> String {
        var out = ""
        let mixed = table.mixesScales, width = table.levelColumns
        for item in table.items {
            var cells = [table.id, item.id, item.text, String(item.n), String(item.missing)]
            if let group { cells.insert(group, at: 1) }
            if mixed { cells.append(item.scale ?? "") }
            let padding = mixed ? Array(repeating: "", count: width - item.counts.count) : []
            cells += item.counts.map { String($0.count) } + padding + item.counts.map { number($0.share) } + padding
            cells += [item.wai.map(number) ?? "", item.waiReported ?? "", item.band ?? ""]
            let codes = item.codes
            cells += [codes?.mean, codes?.sd, codes?.scoreSD, codes?.q1, codes?.median, codes?.q3].map { $0.map(number) ?? "" }
            out += csvLine(cells)
        }
        if let composite = table.composite {
            var cells = [table.id, "OA", "Overall assessment (mean of \(composite.items) items)", "", ""]
            if let group { cells.insert(group, at: 1) }
            if mixed { cells.append("") }
            cells += Array(repeating: "", count: 2 * (mixed ? width : table.items.first?.counts.count ?? 0))
            cells += [number(composite.wai), composite.waiReported, composite.band, "", "", "", "", "", ""]
            out += csvLine(cells)
        }
        return out
    }

    /// Every demographic's categories: column, value, count, percent of those who answered.
    public func frequencies(_ tables: [FrequencyTable]) -> String {
        var out = csvLine(["column", "value", "count", "percent", "weighted_percent"])
        for table in tables {
            for row in table.rows {
                out += csvLine([table.column, row.value, String(row.count), number(row.percent), number(row.weightedPercent)])
            }
            out += csvLine([table.column, "", String(table.missing), "", ""])
        }
        return out
    }

    /// Every table by every category of one demographic; the group column is empty for "no answer".
    public func breakdown(_ breakdown: Breakdown) -> String {
        guard let first = breakdown.groups.first?.tables.first else { return "" }
        var out = String(table(first, group: "").split(separator: "\n", maxSplits: 1)[0]) + "\n"
        for group in breakdown.groups {
            for table in group.tables { out += rows(table, group: group.category ?? "") }
        }
        return out
    }

    /// Shortest text that reads back as the same double.
    func number(_ x: Double) -> String {
        x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : "\(x)"
    }
}

func csvLine(_ cells: [String]) -> String {
    cells.map(csvField).joined(separator: ",") + "\n"
}

/// A cell as written: line breaks as LF, and a cell a spreadsheet would run as a formula (it
/// begins with `=`, `+`, `-`, `@`, tab or CR and is not a number) prefixed with `'` (OWASP, CSV
/// injection); then quoted where RFC 4180 needs it.
func csvField(_ text: String) -> String {
    let formula = text.unicodeScalars.first.map { "=+-@\t\r".unicodeScalars.contains($0) } == true && !isPlainNumber(text)
    var text = text.contains(where: \.isNewline) ? String(text.map { $0.isNewline ? "\n" : $0 }) : text
    if formula { text = "'" + text }
    let special = text.contains { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }
    let padded = text.first?.isWhitespace == true || text.last?.isWhitespace == true
    guard special || padded else { return text }
    return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
}

/// A decimal number as CSV readers take it: optional sign, digits with an optional fraction, an
/// optional exponent (`-0.25`, `+3`, `1e-5`); not `-2+3`, `-inf` or `-`.
func isPlainNumber(_ text: String) -> Bool {
    var bytes = Array(text.utf8)[...]
    if bytes.first == UInt8(ascii: "+") || bytes.first == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
    func digits() -> Int {
        let n = bytes.prefix { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }.count
        bytes = bytes.dropFirst(n)
        return n
    }
    var mantissa = digits()
    if bytes.first == UInt8(ascii: ".") {
        bytes = bytes.dropFirst()
        mantissa += digits()
    }
    guard mantissa > 0 else { return false }
    if bytes.first == UInt8(ascii: "e") || bytes.first == UInt8(ascii: "E") {
        bytes = bytes.dropFirst()
        if bytes.first == UInt8(ascii: "+") || bytes.first == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
        guard digits() > 0 else { return false }
    }
    return bytes.isEmpty
}

extension String {
    func replacingOccurrences(of target: String, with replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
