import WAIIO
import WAIModel
import WAIStats

/// Renders an analysis as Markdown: the study's tables in their published layout, the
/// answer distributions behind them, respondents, breakdowns, data quality and method.
public struct MarkdownRenderer: Sendable {
    public init() {}

    /// The whole report.
    public func report(_ analysis: SurveyAnalysis) -> String {
        var out = "# \(inline(analysis.title))\n\n"
        out += summary(analysis) + "\n"
        for table in analysis.tables {
            out += "## " + heading(table) + "\n\n" + tableBody(table) + "\n"
        }
        if !analysis.frequencies.isEmpty {
            out += "## Respondents\n\n"
            for frequency in analysis.frequencies { out += self.frequency(frequency, heading: "###") + "\n" }
        }
        for breakdown in analysis.breakdowns {
            out += self.breakdown(breakdown, analysis: analysis)
        }
        out += quality(analysis.quality, heading: "##") + "\n"
        out += method(analysis)
        return out
    }

    /// One table or figure on its own page.
    public func table(_ table: TableEstimate, of analysis: SurveyAnalysis) -> String {
        "# " + heading(table) + "\n\n" + inline(analysis.title) + ". " + rowAccounting(analysis.quality) + "\n\n" + tableBody(table)
    }

    func heading(_ table: TableEstimate) -> String {
        (table.caption.map { inline($0) + ". " } ?? "") + inline(table.title)
    }

    func summary(_ analysis: SurveyAnalysis) -> String {
        var out = "Data: `\(analysis.data)` · \(analysis.respondents) respondents"
        if let weight = analysis.method.weightColumn {
            out += " · weighted by `\(weight)`: Σw = \(BandTable.fixed(analysis.weightSum, decimals: 2)), effective n (Kish) = \(BandTable.fixed(analysis.effectiveN, decimals: 1))"
        }
        return out + "\n\n" + rowAccounting(analysis.quality) + "\n"
    }

    func rowAccounting(_ quality: DataQuality) -> String {
        "Rows read \(quality.rowsRead) = rows used \(quality.rowsUsed) + rows rejected \(quality.rowsRejected)."
    }

    /// The index table in the study's layout (Attribute | WAI (n = …) | OA), then the answers behind it.
    func tableBody(_ table: TableEstimate) -> String {
        let ns = Set(table.items.map(\.n))
        let sharedN = ns.count == 1 ? ns.first : nil
        var rows: [[String]] = []
        for item in table.items {
            var row = [inline(item.text) + (item.reverse ? " (reverse-keyed)" : "")]
            if sharedN == nil { row.append(String(item.n)) }
            row += [item.waiReported ?? "–", item.band ?? "no answers"]
            rows.append(row)
        }
        if let composite = table.composite {
            var row = ["**OA** (mean of \(composite.items) items)"]
            if sharedN == nil { row.append("") }
            row += ["**\(composite.waiReported)**", "**\(composite.band)**"]
            rows.append(row)
        }
        let header = ["Attribute"] + (sharedN.map { ["WAI (n = \($0))"] } ?? ["n", "WAI"]) + ["OA"]
        let align = ["l"] + (sharedN == nil ? ["r", "r"] : ["r"]) + ["l"]
        var out = markdownTable(header: header, align: align, rows: rows) + "\n"

        let labels = table.items.first?.counts.map(\.label) ?? []
        let answerRows = table.items.map { item in
            [item.id, String(item.n), String(item.missing)]
                + item.counts.map { "\($0.count) (\(BandTable.fixed(100 * $0.share, decimals: 1)) %)" }
        }
        out += "Answers: count (% of those who answered).\n\n"
        out += markdownTable(header: ["Item", "n", "Missing"] + labels.map(inline),
                             align: ["l", "r", "r"] + labels.map { _ in "r" }, rows: answerRows)
        return out
    }

    func frequency(_ table: FrequencyTable, heading: String) -> String {
        var rows = table.rows.map { [inline($0.value), String($0.count), BandTable.fixed($0.percent, decimals: 1)] }
        rows.append(["**Answered**", String(table.answered), table.answered > 0 ? "100.0" : "–"])
        rows.append(["No answer", String(table.missing), ""])
        return "\(heading) \(inline(table.label))\n\n"
            + markdownTable(header: [inline(table.label), "n", "% of answered"], align: ["l", "r", "r"], rows: rows)
    }

    func breakdown(_ breakdown: Breakdown, analysis: SurveyAnalysis) -> String {
        var out = "## By \(inline(breakdown.label))\n\n"
        for (t, table) in analysis.tables.enumerated() {
            out += "### " + heading(table) + " by " + inline(breakdown.label) + "\n\n"
            let header = ["Attribute"] + breakdown.groups.map { "\(inline($0.category ?? "No answer")) (n = \($0.rows))" }
            var rows: [[String]] = table.items.indices.map { i in
                [inline(table.items[i].text)] + breakdown.groups.map { group in
                    let item = group.tables[t].items[i]
                    return item.waiReported.map { "\($0) \(item.band ?? "") (n = \(item.n))" } ?? "– (n = 0)"
                }
            }
            if table.composite != nil {
                rows.append(["**OA**"] + breakdown.groups.map { group in
                    group.tables[t].composite.map { "\($0.waiReported) \($0.band)" } ?? "–"
                })
            }
            out += markdownTable(header: header, align: ["l"] + breakdown.groups.map { _ in "r" }, rows: rows) + "\n"
        }
        return out
    }

    public func quality(_ quality: DataQuality, heading: String) -> String {
        var out = "\(heading) Data quality\n\n"
        out += "- " + rowAccounting(quality) + "\n"
        out += "- Blank lines skipped: \(quality.blankLines).\n"
        out += "- Unknown answers counted as missing (`--lenient`): \(quality.unknownAnswers.reduce(0) { $0 + $1.count }).\n"
        out += "- Duplicate respondent ids: \(quality.duplicateIDs.count).\n"
        if !quality.duplicateUnusedHeaders.isEmpty {
            out += "- Header names used twice, in columns not analysed: \(quality.duplicateUnusedHeaders.map { "`\(inline($0))`" }.joined(separator: ", ")).\n"
        }
        if !quality.rejections.isEmpty {
            out += "\nRejected rows:\n\n" + markdownTable(
                header: ["Line", "Reason"], align: ["r", "l"],
                rows: quality.rejections.map { [String($0.line), inline($0.reason)] })
        }
        if !quality.unknownAnswers.isEmpty {
            out += "\nUnknown answers:\n\n" + markdownTable(
                header: ["Item or column", "Value", "Count", "First line"], align: ["l", "l", "r", "r"],
                rows: quality.unknownAnswers.map { [inline($0.field), "`\(inline($0.value))`", String($0.count), String($0.firstLine)] })
        }
        if !quality.duplicateIDs.isEmpty {
            out += "\nDuplicate respondent ids:\n\n" + markdownTable(
                header: ["Id", "Lines"], align: ["l", "l"],
                rows: quality.duplicateIDs.map { [inline($0.id), $0.lines.map(String.init).joined(separator: ", ")] })
        }
        return out
    }

    func method(_ analysis: SurveyAnalysis) -> String {
        let m = analysis.method
        let weights = m.levels.map { "\(inline($0.label)) = \(shortNumber($0.weight))" }.joined(separator: ", ")
        let bands = m.bands.map { "\(inline($0.label)) \($0.interval)" }.joined(separator: ", ")
        return """
        ## Method

        - Weighted Average Index: WAI = Σ wᵢ·fᵢ / Σ fᵢ over the respondents who answered, with \(m.weighting) level weights \(weights)\(m.weightColumn != nil ? "; fᵢ are sums of survey weights" : "; fᵢ are counts").
        - Reverse-keyed items score level i of k as level k+1−i; their answer counts are shown as given.
        - Bands (closed intervals at \(m.precision) decimals): \(bands). An index is rounded half-up to \(m.precision) decimals and classified as printed.
        - OA (overall assessment) of a table: the mean of its items' unrounded indices, rounded and banded the same way.

        """
    }

    func shortNumber(_ x: Double) -> String {
        var text = BandTable.fixed(x, decimals: 4)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }
}

/// Text made safe for a Markdown table cell: pipes escaped, line breaks folded.
func inline(_ text: String) -> String {
    var out = ""
    for ch in text {
        switch ch {
        case "|": out += "\\|"
        case "\n", "\r\n", "\r": out += " "
        default: out.append(ch)
        }
    }
    return out
}

func markdownTable(header: [String], align: [String], rows: [[String]]) -> String {
    func line(_ cells: [String]) -> String { "| " + cells.joined(separator: " | ") + " |\n" }
    let rule = align.map { $0 == "r" ? "---:" : "---" }
    return line(header) + line(rule) + rows.map(line).joined()
}
