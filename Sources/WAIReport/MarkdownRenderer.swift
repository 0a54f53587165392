import WAIEstimate
import WAIModel

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
        out += quality(analysis.quality, heading: "##", missing: missingByItem(analysis)) + "\n"
        out += method(analysis)
        if let provenance = analysis.provenance { out += "\n" + self.provenance(provenance) }
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
        if analysis.method.weightColumn != nil || analysis.weighting != nil {
            var source: [String] = []
            if let weight = analysis.method.weightColumn { source.append("`\(weight)`") }
            if let weighting = analysis.weighting { source.append("\(weighting.method == "rake" ? "raked" : "post-stratified") to \(weighting.columns.joined(separator: " × "))") }
            out += " · weighted (\(source.joined(separator: ", "))): Σw = \(BandTable.fixed(analysis.weightSum, decimals: 2)), design effect (Kish) = \(BandTable.fixed(analysis.designEffect, decimals: 2)), effective n = \(BandTable.fixed(analysis.effectiveN, decimals: 1))"
        }
        out += "\n\n" + rowAccounting(analysis.quality) + "\n"
        if let weighting = analysis.weighting { out += "\n" + self.weighting(weighting) }
        return out
    }

    func rowAccounting(_ quality: DataQuality) -> String {
        "Rows read \(quality.rowsRead) = rows used \(quality.rowsUsed) + rows rejected \(quality.rowsRejected)."
    }

    /// The index table in the study's layout (Attribute | WAI (n = …) | OA), then its
    /// uncertainty, the answers behind it and the table's reliability.
    func tableBody(_ table: TableEstimate) -> String {
        let ns = Set(table.items.map(\.n))
        let sharedN = ns.count == 1 ? ns.first : nil
        let hasIntervals = table.items.contains { $0.interval != nil }
        var straddles = false
        var rows: [[String]] = []
        func band(_ band: String?, bootstrap: BootstrapSummary?, straddling: Bool?) -> String {
            guard let band else { return "no answers" }
            var text = band
            if let certainty = bootstrap?.bandCertainty { text += ", \(percent(certainty)) %" }
            if straddling == true { text += " †"; straddles = true }
            return text
        }
        for item in table.items {
            var row = [inline(item.text) + (item.reverse ? " (reverse-keyed)" : "")]
            if sharedN == nil { row.append(String(item.n)) }
            row += [item.waiReported ?? "–", band(item.band, bootstrap: item.bootstrap, straddling: item.straddlesBand), RankingLines.rank(item.rank)]
            if hasIntervals { row.append(interval(item.interval)) }
            rows.append(row)
        }
        if let composite = table.composite {
            var row = ["**OA** (mean of \(composite.items) items)"]
            if sharedN == nil { row.append("") }
            row += ["**\(composite.waiReported)**", "**\(band(composite.band, bootstrap: composite.bootstrap, straddling: composite.straddlesBand))**", ""]
            if hasIntervals { row.append(interval(composite.interval)) }
            rows.append(row)
        }
        let level = table.items.compactMap(\.interval).first.map { percent($0.level) } ?? "95"
        let header = ["Attribute"] + (sharedN.map { ["WAI (n = \($0))"] } ?? ["n", "WAI"]) + ["OA", "Rank"] + (hasIntervals ? ["\(level) % CI"] : [])
        let align = ["l"] + (sharedN == nil ? ["r", "r"] : ["r"]) + ["l", "r"] + (hasIntervals ? ["r"] : [])
        var out = markdownTable(header: header, align: align, rows: rows) + "\n"
        if table.items.contains(where: { $0.bootstrap != nil }) {
            out += "OA: band, and the share of bootstrap replicates that fall in it. "
        }
        if hasIntervals {
            out += "CI: linearization (±z·SE)."
            out += straddles ? " † the interval crosses a band edge: the band is not settled by these data." : ""
            out += "\n\n"
        }

        out += "Answers: count (% of those who answered); top-2 and bottom-2 shares in %, net = top − bottom, in the scored direction.\n\n"
        for (g, group) in table.scaleGroups.enumerated() {
            let labels = group.items.first?.counts.map(\.label) ?? []
            let answerRows = group.items.map { item in
                [inline(item.id), String(item.n), String(item.missing)]
                    + item.counts.map { "\($0.count) (\(BandTable.fixed(100 * $0.share, decimals: 1)) %)" }
                    + (item.topBox.map { [BandTable.fixed(100 * $0.top2, decimals: 1), BandTable.fixed(100 * $0.bottom2, decimals: 1), signed(100 * $0.net, decimals: 1), inline($0.median)] } ?? ["", "", "", ""])
                    + codeCells(item.codes)
            }
            if let scale = group.scale { out += (g > 0 ? "\n" : "") + "Scale `\(scale)`:\n\n" }
            out += markdownTable(header: ["Item", "n", "Missing"] + labels.map(inline) + ["Top 2", "Bottom 2", "Net", "Median"] + Self.codeHeader,
                                 align: ["l", "r", "r"] + labels.map { _ in "r" } + ["r", "r", "r", "l", "r", "r", "r", "r"], rows: answerRows)
        }
        if let reliability = table.reliability {
            out += "\n" + self.reliability(reliability)
        } else if let note = table.reliabilityNote {
            out += "\nReliability: \(note).\n"
        }
        return out
    }

    /// Mean and SD of the codes, SD of the normalised score, quartiles of the codes (see `CodeStatistics`).
    static let codeHeader = ["Mean code", "SD", "SD score", "Q1–Md–Q3"]

    func codeCells(_ codes: CodeStatistics?) -> [String] {
        guard let c = codes else { return ["", "", "", ""] }
        func quartile(_ x: Double) -> String { x == x.rounded() ? String(Int(x)) : BandTable.fixed(x, decimals: 2) }
        return [BandTable.fixed(c.mean, decimals: 2), c.sd.map { BandTable.fixed($0, decimals: 2) } ?? "–",
                c.scoreSD.map { BandTable.fixed($0, decimals: 3) } ?? "–", "\(quartile(c.q1))–\(quartile(c.median))–\(quartile(c.q3))"]
    }

    func reliability(_ r: Reliability) -> String {
        var out = "Reliability: Cronbach's alpha \(BandTable.fixed(r.alpha, decimals: 2)) "
        out += "(\(percent(r.interval.level)) % CI \(BandTable.fixed(r.interval.lower, decimals: 2))–\(BandTable.fixed(r.interval.upper, decimals: 2)), Duhachek)"
        if let standardized = r.standardizedAlpha { out += ", standardized \(BandTable.fixed(standardized, decimals: 2))" }
        out += "; \(r.rows) respondents answered every item (\(r.missing) deletion).\n\n"
        out += markdownTable(header: ["Item", "Item–total r", "Alpha if deleted"], align: ["l", "r", "r"], rows: r.items.map {
            [inline($0.id), $0.itemTotal.map { BandTable.fixed($0, decimals: 2) } ?? "–", $0.alphaIfDeleted.map { BandTable.fixed($0, decimals: 2) } ?? "–"]
        })
        return out
    }

    func weighting(_ w: WeightingReport) -> String {
        var out = "Weights \(w.method == "rake" ? "raked (iterative proportional fitting)" : "post-stratified") to population shares of \(w.columns.map(inline).joined(separator: ", ")): "
        out += "\(w.iterations) iteration\(w.iterations == 1 ? "" : "s"), \(w.converged ? "converged" : "NOT converged") (largest margin deviation \(BandTable.fixed(100 * w.maxDeviation, decimals: 4)) %); "
        out += "weights \(BandTable.fixed(w.minWeight, decimals: 3))–\(BandTable.fixed(w.maxWeight, decimals: 3)), \(w.trimmed) trimmed, \(w.notAdjusted) rows not adjusted (a weighting column unanswered); "
        out += "design effect \(BandTable.fixed(w.designEffect, decimals: 2)), effective n \(BandTable.fixed(w.effectiveN, decimals: 1)). Standard errors treat the adjusted weights as fixed.\n\n"
        out += markdownTable(header: ["Column", "Category", "Sample %", "Population %", "Weighted %"], align: ["l", "l", "r", "r", "r"], rows: w.margins.map {
            [inline($0.column), inline($0.category), BandTable.fixed(100 * $0.sample, decimals: 1), BandTable.fixed(100 * $0.target, decimals: 1), BandTable.fixed(100 * $0.achieved, decimals: 1)]
        })
        return out
    }

    func interval(_ interval: Interval?) -> String {
        guard let interval else { return "–" }
        return "\(BandTable.fixed(interval.lower, decimals: 2))–\(BandTable.fixed(interval.upper, decimals: 2))"
    }

    func percent(_ share: Double) -> String { BandTable.fixed(100 * share, decimals: 0) }

    func signed(_ x: Double, decimals: Int) -> String {
        let text = BandTable.fixed(x, decimals: decimals)
        return x > 0 && text != BandTable.fixed(0, decimals: decimals) ? "+" + text : text
    }

    func pValue(_ p: Double?) -> String {
        guard let p else { return "–" }
        return p < 0.001 ? "< 0.001" : BandTable.fixed(p, decimals: 3)
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
                    return item.waiReported.map { "\($0) \(item.band ?? "") (n = \(item.n), rank \(RankingLines.rank(item.rank)))" } ?? "– (n = 0)"
                }
            }
            if table.composite != nil {
                rows.append(["**OA**"] + breakdown.groups.map { group in
                    group.tables[t].composite.map { "\($0.waiReported) \($0.band)" } ?? "–"
                })
            }
            out += markdownTable(header: header, align: ["l"] + breakdown.groups.map { _ in "r" }, rows: rows) + "\n"
        }
        if !breakdown.comparisons.isEmpty {
            out += comparisons(breakdown)
        }
        if !breakdown.rankAgreement.isEmpty {
            out += "### Do the \(inline(breakdown.label)) groups rank the items alike?\n\n"
            out += markdownTable(header: RankingLines.header, align: ["l", "r", "r", "r", "r", "l"],
                                 rows: RankingLines.rows(breakdown, pValue: pValue).map { $0.map(inline) })
            out += "\n" + RankingLines.note(inline(breakdown.label)) + "\n\n"
        }
        return out
    }

    func comparisons(_ breakdown: Breakdown) -> String {
        var out = "### Do the \(inline(breakdown.label)) groups differ?\n\n"
        let rows = breakdown.comparisons.map { c -> [String] in
            let rank = c.rankTest.map { "\($0.name == "Mann-Whitney" ? "W" : "H") = \(BandTable.fixed($0.statistic, decimals: 1))" } ?? "–"
            let chi = c.chiSquare.map { "\(BandTable.fixed($0.statistic, decimals: 1)) (\($0.df))\($0.smallExpected ? " ‡" : "")" } ?? "–"
            let differences = c.differences.map {
                "\(inline($0.group)) \(signed($0.difference, decimals: 2)) [\(signed($0.interval.lower, decimals: 2)), \(signed($0.interval.upper, decimals: 2))], δ \(signed($0.cliffsDelta, decimals: 2))"
            }.joined(separator: "; ")
            return [inline(c.item), rank, pValue(c.rankTest?.p), pValue(c.rankTest?.pHolm), chi, pValue(c.chiSquare?.pHolm), differences,
                    c.smallGroups.map(inline).joined(separator: ", ")]
        }
        let reference = breakdown.comparisons.first?.groups.first.map(inline) ?? ""
        out += markdownTable(
            header: ["Item", "Rank test", "p", "p (Holm)", "χ² (df)", "p (Holm)", "WAI difference vs \(reference) [95 % CI], Cliff's δ", "Small groups (n < \(ItemComparison.smallGroupLimit))"],
            align: ["l", "r", "r", "r", "r", "r", "l", "l"], rows: rows)
        out += "\nRank test: Mann–Whitney W for two groups, Kruskal–Wallis H for more (unweighted, ties corrected); χ² of groups × levels, ‡ some expected count below 5; p-values Holm-adjusted across the items of this breakdown. Respondents who did not answer \(inline(breakdown.label)) are not compared.\n\n"
        return out
    }

    /// - Parameter missing: each item's missing answers among the rows used (`missingByItem`).
    public func quality(_ quality: DataQuality, heading: String, missing: [(id: String, count: Int)] = []) -> String {
        var out = "\(heading) Data quality\n\n"
        out += qualityLines(quality, missing: missing, code: { "`\(inline($0))`" }, text: inline).map { "- \($0)\n" }.joined()
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

    /// Each item once (in spec order, however many tables show it) with its missing answers.
    public func missingByItem(_ analysis: SurveyAnalysis) -> [(id: String, count: Int)] {
        var seen: Set<String> = []
        return analysis.tables.flatMap(\.items).filter { seen.insert($0.id).inserted }.map { ($0.id, $0.missing) }
    }

    func method(_ analysis: SurveyAnalysis) -> String {
        let m = analysis.method
        let weights = m.levels.map { "\(inline($0.label)) = \(shortNumber($0.weight))" }.joined(separator: ", ")
        let bands = m.bands.map { "\(inline($0.label)) \($0.interval)" }.joined(separator: ", ")
        let fi = m.weightColumn != nil ? "; fᵢ are sums of survey weights" : "; fᵢ are counts"
        let index = m.mixesScales
            ? "- Weighted Average Index: WAI = Σ wᵢ·fᵢ / Σ fᵢ over the respondents who answered, with the level weights of the item's own scale\(fi). The items are on \(m.scales.count) scales:\n"
                + m.scales.map { scale in
                    "  - `\(scale.name)` (\(scale.weighting) weighting): \(inline(scale.levelsText(shortNumber)))"
                        + (scale.missing.isEmpty ? "" : "; missing: \(scale.missing.map { inline(String(describing: Quoted($0))) }.joined(separator: ", "))")
                        + "; tables \(scale.tables.joined(separator: ", ")); items \(scale.items.joined(separator: ", ")).\n"
                }.joined()
            : "- Weighted Average Index: WAI = Σ wᵢ·fᵢ / Σ fᵢ over the respondents who answered, with \(m.weighting) level weights \(weights)\(fi).\n"
        return """
        ## Method

        \(index)- Reverse-keyed items score level i of k as level k+1−i; their answer counts are shown as given.
        - Bands (closed intervals at \(m.precision) decimals): \(bands). An index is rounded half-up to \(m.precision) decimals and classified as printed.
        - \(ScaleMethod.composite(m))
        - \(MethodLines.standardErrors(m))
        - \(MethodLines.bootstrap(m.inference))
        - \(MethodLines.codes)
        - \(MethodLines.rankings)
        \(m.inference.covariances ? "- Reliability: Cronbach's alpha over the respondents who answered every item of a table (reverse-keyed items reversed), with Duhachek's interval.\(m.mixesScales ? ScaleMethod.reliabilityRule : "")\n" : "")
        """
    }

    func shortNumber(_ x: Double) -> String {
        var text = BandTable.fixed(x, decimals: 4)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }
}

/// Text made safe for a Markdown table cell or heading: pipes escaped, line breaks and tabs
/// folded into spaces, other control characters as U+FFFD (a visible mark that something was there).
func inline(_ text: String) -> String {
    var out = ""
    for ch in text {
        switch ch {
        case "|": out += "\\|"
        case "\t": out += " "
        default:
            if ch.isNewline { out += " " } else if ch.unicodeScalars.contains(where: isControl) { out += "\u{FFFD}" } else { out.append(ch) }
        }
    }
    return out
}

/// C0 controls and DEL.
func isControl(_ scalar: Unicode.Scalar) -> Bool { scalar.value < 0x20 || scalar.value == 0x7F }

func markdownTable(header: [String], align: [String], rows: [[String]]) -> String {
    func line(_ cells: [String]) -> String { "| " + cells.joined(separator: " | ") + " |\n" }
    let rule = align.map { $0 == "r" ? "---:" : "---" }
    return line(header) + line(rule) + rows.map(line).joined()
}
