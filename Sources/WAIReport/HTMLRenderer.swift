import WAIEstimate
import WAIModel

/// Renders an analysis as one self-contained HTML page: inline CSS and SVG charts, no
/// scripts and nothing fetched from the network (a Content-Security-Policy says so too).
///
/// The page is also well-formed XML (void elements closed, only XML's five entities), so
/// it can be checked with an XML parser. All survey text is escaped.
public struct HTMLRenderer: Sendable {
    public var charts: SVGRenderer

    public init(charts: SVGRenderer = SVGRenderer()) {
        self.charts = charts
    }

    private var md: MarkdownRenderer { MarkdownRenderer() }

    public func report(_ analysis: SurveyAnalysis) -> String {
        var out = "<!DOCTYPE html>\n<html lang=\"en\" xmlns=\"http://www.w3.org/1999/xhtml\">\n<head>\n"
        out += "<meta charset=\"utf-8\"/>\n"
        out += "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\"/>\n"
        out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n"
        out += "<meta name=\"generator\" content=\"wai\"/>\n"
        out += "<title>\(e(analysis.title))</title>\n<style>\n\(Self.css)</style>\n</head>\n<body>\n"
        out += "<header>\n<h1>\(e(analysis.title))</h1>\n" + sample(analysis) + "</header>\n"
        out += contents(analysis)
        out += "<main>\n"
        for (t, table) in analysis.tables.enumerated() {
            out += tableSection(table, index: t, analysis: analysis)
        }
        if !analysis.frequencies.isEmpty {
            out += "<section id=\"respondents\" class=\"chapter\">\n<h2>Respondents</h2>\n"
            for frequency in analysis.frequencies { out += self.frequency(frequency) }
            out += "</section>\n"
        }
        for (b, breakdown) in analysis.breakdowns.enumerated() {
            out += self.breakdown(breakdown, index: b, analysis: analysis)
        }
        out += quality(analysis.quality, missing: md.missingByItem(analysis))
        out += method(analysis)
        if let provenance = analysis.provenance { out += self.provenance(provenance) }
        out += "</main>\n<footer><p class=\"note\">Written by wai from <code>\(e(analysis.data))</code>.</p></footer>\n"
        out += "</body>\n</html>\n"
        return out
    }

    // MARK: - Sections

    func sample(_ analysis: SurveyAnalysis) -> String {
        let q = analysis.quality
        var out = "<p class=\"sample\">Data: <code>\(e(analysis.data))</code> · <strong>\(analysis.respondents)</strong> respondents · "
        out += "rows read \(q.rowsRead) = rows used \(q.rowsUsed) + rows rejected \(q.rowsRejected).</p>\n"
        if analysis.method.weightColumn != nil || analysis.weighting != nil {
            var source: [String] = []
            if let weight = analysis.method.weightColumn { source.append("column <code>\(e(weight))</code>") }
            if let w = analysis.weighting {
                source.append("\(w.method == "rake" ? "raked" : "post-stratified") to \(e(w.columns.joined(separator: " × ")))")
            }
            out += "<p class=\"sample\">Weighted (\(source.joined(separator: ", "))): Σw = \(BandTable.fixed(analysis.weightSum, decimals: 2)), "
            out += "design effect (Kish) = \(BandTable.fixed(analysis.designEffect, decimals: 2)), effective n = \(BandTable.fixed(analysis.effectiveN, decimals: 1)).</p>\n"
        } else {
            out += "<p class=\"sample\">Unweighted: every respondent counts once.</p>\n"
        }
        if let w = analysis.weighting { out += weighting(w) }
        return out
    }

    func contents(_ analysis: SurveyAnalysis) -> String {
        var items: [String] = analysis.tables.map { "<li><a href=\"#\(tableAnchor($0))\">\(e(charts.heading($0)))</a></li>" }
        if !analysis.frequencies.isEmpty { items.append("<li><a href=\"#respondents\">Respondents</a></li>") }
        for (b, breakdown) in analysis.breakdowns.enumerated() {
            items.append("<li><a href=\"#\(breakdownAnchor(breakdown, b))\">By \(e(breakdown.label))</a></li>")
        }
        items += ["<li><a href=\"#quality\">Data quality</a></li>", "<li><a href=\"#method\">Method</a></li>"]
        if analysis.provenance != nil { items.append("<li><a href=\"#provenance\">Provenance</a></li>") }
        return "<nav aria-label=\"Contents\">\n<h2 class=\"toc\">Contents</h2>\n<ol>\n" + items.joined(separator: "\n") + "\n</ol>\n</nav>\n"
    }

    func tableSection(_ table: TableEstimate, index t: Int, analysis: SurveyAnalysis) -> String {
        var out = "<section id=\"\(tableAnchor(table))\" class=\"chapter\">\n<h2>\(e(charts.heading(table)))</h2>\n"
        out += indexTable(table)
        out += figure(charts.indexChart(table, method: analysis.method))
        out += "<h3>Answers</h3>\n" + answers(table)
        out += figure(charts.levelsChart(table))
        if let reliability = table.reliability {
            out += self.reliability(reliability)
        } else if let note = table.reliabilityNote {
            out += "<p class=\"note\">Reliability: \(e(note)).</p>\n"
        }
        return out + "</section>\n"
    }

    /// The published layout: Attribute | WAI (n = …) | OA, with the CI when there is one.
    func indexTable(_ table: TableEstimate) -> String {
        let ns = Set(table.items.map(\.n))
        let sharedN = ns.count == 1 ? ns.first : nil
        let hasIntervals = table.items.contains { $0.interval != nil }
        var straddles = false
        func band(_ band: String?, bootstrap: BootstrapSummary?, straddling: Bool?) -> String {
            guard let band else { return "no answers" }
            var text = e(band)
            if let certainty = bootstrap?.bandCertainty { text += ", \(md.percent(certainty)) %" }
            if straddling == true { text += " †"; straddles = true }
            return text
        }
        var rows: [Row] = []
        for item in table.items {
            var cells = [Cell(e(item.text) + (item.reverse ? " <span class=\"note\">(reverse-keyed)</span>" : ""))]
            if sharedN == nil { cells.append(Cell(String(item.n), numeric: true)) }
            cells += [Cell(item.waiReported ?? "–", numeric: true), Cell(band(item.band, bootstrap: item.bootstrap, straddling: item.straddlesBand), nowrap: true),
                      Cell(RankingLines.rank(item.rank), numeric: true)]
            if hasIntervals { cells.append(Cell(md.interval(item.interval), numeric: true)) }
            rows.append(Row(cells: cells))
        }
        if let composite = table.composite {
            var cells = [Cell("OA <span class=\"note\">(mean of \(composite.items) items)</span>")]
            if sharedN == nil { cells.append(Cell("", numeric: true)) }
            cells += [Cell(composite.waiReported, numeric: true), Cell(band(composite.band, bootstrap: composite.bootstrap, straddling: composite.straddlesBand), nowrap: true),
                      Cell("", numeric: true)]
            if hasIntervals { cells.append(Cell(md.interval(composite.interval), numeric: true)) }
            rows.append(Row(cells: cells, cls: "oa"))
        }
        let level = table.items.compactMap(\.interval).first.map { md.percent($0.level) } ?? "95"
        var header = [Cell("Attribute")]
        header += sharedN.map { [Cell("WAI (n\u{00A0}=\u{00A0}\($0))", numeric: true)] } ?? [Cell("n", numeric: true), Cell("WAI", numeric: true)]
        header += [Cell("OA"), Cell("Rank", numeric: true)]
        if hasIntervals { header.append(Cell("\(level) % CI", numeric: true)) }
        var out = htmlTable(header: header, rows: rows, cls: "index")
        var notes: [String] = []
        if table.items.contains(where: { $0.bootstrap != nil }) { notes.append("OA: band, and the share of bootstrap replicates that fall in it.") }
        if hasIntervals { notes.append("CI: linearization (±z·SE).") }
        if straddles { notes.append("† the interval crosses a band edge: the band is not settled by these data.") }
        if !notes.isEmpty { out += "<p class=\"note\">\(notes.joined(separator: " "))</p>\n" }
        return out
    }

    func answers(_ table: TableEstimate) -> String {
        let groups = table.scaleGroups
        var out = ""
        for group in groups {
            if let scale = group.scale { out += "<p class=\"note\">Scale <code>\(e(scale))</code>:</p>\n" }
            out += answers(group.items, hasTopBox: table.items.contains { $0.topBox != nil })
        }
        var note = "Count (% of those who answered)."
        if table.items.contains(where: { $0.topBox != nil }) { note += " Top-2 and bottom-2 shares in %, net = top − bottom, in the scored direction." }
        return "<p class=\"note\">\(note)</p>\n" + out
    }

    func answers(_ items: [ItemEstimate], hasTopBox: Bool) -> String {
        let labels = items.first?.counts.map(\.label) ?? []
        var header = [Cell("Item"), Cell("n", numeric: true), Cell("Missing", numeric: true)] + labels.map { Cell(e($0), numeric: true) }
        if hasTopBox { header += [Cell("Top 2", numeric: true), Cell("Bottom 2", numeric: true), Cell("Net", numeric: true), Cell("Median")] }
        header += MarkdownRenderer.codeHeader.map { Cell(e($0), numeric: true) }
        let rows = items.map { item -> Row in
            var cells = [Cell("<span title=\"\(e(item.text))\">\(e(item.id))</span>"), Cell(String(item.n), numeric: true), Cell(String(item.missing), numeric: true)]
            cells += item.counts.map { Cell("\($0.count) <span class=\"note\">(\(BandTable.fixed(100 * $0.share, decimals: 1)) %)</span>", numeric: true) }
            if hasTopBox {
                if let top = item.topBox {
                    cells += [Cell(BandTable.fixed(100 * top.top2, decimals: 1), numeric: true), Cell(BandTable.fixed(100 * top.bottom2, decimals: 1), numeric: true),
                              Cell(md.signed(100 * top.net, decimals: 1), numeric: true), Cell(e(top.median))]
                } else {
                    cells += [Cell("", numeric: true), Cell("", numeric: true), Cell("", numeric: true), Cell("")]
                }
            }
            cells += md.codeCells(item.codes).map { Cell(e($0), numeric: true) }
            return Row(cells: cells)
        }
        return htmlTable(header: header, rows: rows, cls: "answers")
    }

    func reliability(_ r: Reliability) -> String {
        var text = "Reliability: Cronbach's alpha \(BandTable.fixed(r.alpha, decimals: 2)) "
        text += "(\(md.percent(r.interval.level)) % CI \(BandTable.fixed(r.interval.lower, decimals: 2))–\(BandTable.fixed(r.interval.upper, decimals: 2)), Duhachek)"
        if let standardized = r.standardizedAlpha { text += ", standardized \(BandTable.fixed(standardized, decimals: 2))" }
        text += "; \(r.rows) respondents answered every item (\(r.missing) deletion)."
        let rows = r.items.map {
            Row(cells: [Cell(e($0.id)), Cell($0.itemTotal.map { BandTable.fixed($0, decimals: 2) } ?? "–", numeric: true),
                        Cell($0.alphaIfDeleted.map { BandTable.fixed($0, decimals: 2) } ?? "–", numeric: true)])
        }
        return "<h3>Reliability</h3>\n<p>\(e(text))</p>\n"
            + htmlTable(header: [Cell("Item"), Cell("Item–total r", numeric: true), Cell("Alpha if deleted", numeric: true)], rows: rows, cls: "reliability")
    }

    func weighting(_ w: WeightingReport) -> String {
        var text = "Weights \(w.method == "rake" ? "raked (iterative proportional fitting)" : "post-stratified") to population shares of \(w.columns.joined(separator: ", ")): "
        text += "\(w.iterations) iteration\(w.iterations == 1 ? "" : "s"), \(w.converged ? "converged" : "NOT converged") (largest margin deviation \(BandTable.fixed(100 * w.maxDeviation, decimals: 4)) %); "
        text += "weights \(BandTable.fixed(w.minWeight, decimals: 3))–\(BandTable.fixed(w.maxWeight, decimals: 3)), \(w.trimmed) trimmed, \(w.notAdjusted) rows not adjusted (a weighting column unanswered); "
        text += "design effect \(BandTable.fixed(w.designEffect, decimals: 2)), effective n \(BandTable.fixed(w.effectiveN, decimals: 1)). Standard errors treat the adjusted weights as fixed."
        let rows = w.margins.map {
            Row(cells: [Cell(e($0.column)), Cell(e($0.category)), Cell(BandTable.fixed(100 * $0.sample, decimals: 1), numeric: true),
                        Cell(BandTable.fixed(100 * $0.target, decimals: 1), numeric: true), Cell(BandTable.fixed(100 * $0.achieved, decimals: 1), numeric: true)])
        }
        return "<p>\(e(text))</p>\n" + htmlTable(
            header: [Cell("Column"), Cell("Category"), Cell("Sample %", numeric: true), Cell("Population %", numeric: true), Cell("Weighted %", numeric: true)],
            rows: rows, cls: "weighting")
    }

    func frequency(_ table: FrequencyTable) -> String {
        var rows = table.rows.map {
            Row(cells: [Cell(e($0.value)), Cell(String($0.count), numeric: true), Cell(BandTable.fixed($0.percent, decimals: 1), numeric: true)])
        }
        rows.append(Row(cells: [Cell("Answered"), Cell(String(table.answered), numeric: true), Cell(table.answered > 0 ? "100.0" : "–", numeric: true)], cls: "total"))
        rows.append(Row(cells: [Cell("No answer"), Cell(String(table.missing), numeric: true), Cell("", numeric: true)]))
        return "<section id=\"\(frequencyAnchor(table))\">\n<h3>\(e(table.label))</h3>\n"
            + htmlTable(header: [Cell(e(table.label)), Cell("n", numeric: true), Cell("% of answered", numeric: true)], rows: rows, cls: "frequency")
            + figure(charts.frequencyChart(table)) + "</section>\n"
    }

    func breakdown(_ breakdown: Breakdown, index b: Int, analysis: SurveyAnalysis) -> String {
        var out = "<section id=\"\(breakdownAnchor(breakdown, b))\" class=\"chapter\">\n<h2>By \(e(breakdown.label))</h2>\n"
        for (t, table) in analysis.tables.enumerated() {
            out += "<h3>\(e(charts.heading(table))) by \(e(breakdown.label))</h3>\n"
            let header = [Cell("Attribute")] + breakdown.groups.map { Cell("\(e($0.category ?? "No answer")) (n = \($0.rows))", numeric: true) }
            var rows: [Row] = table.items.indices.map { i in
                Row(cells: [Cell(e(table.items[i].text))] + breakdown.groups.map { group in
                    guard t < group.tables.count else { return Cell("–", numeric: true) }
                    let item = group.tables[t].items[i]
                    return Cell(item.waiReported.map { "\($0)<br/>\(e(item.band ?? ""))<br/><span class=\"note\">n = \(item.n), rank \(RankingLines.rank(item.rank))</span>" } ?? "–<br/><span class=\"note\">n = 0</span>", numeric: true)
                })
            }
            if table.composite != nil {
                rows.append(Row(cells: [Cell("OA")] + breakdown.groups.map { group in
                    Cell((t < group.tables.count ? group.tables[t].composite : nil).map { "\($0.waiReported)<br/>\(e($0.band))" } ?? "–", numeric: true)
                }, cls: "oa"))
            }
            out += htmlTable(header: header, rows: rows, cls: "breakdown")
            out += figure(charts.breakdownChart(breakdown, tableAt: t, of: analysis))
        }
        if !breakdown.comparisons.isEmpty { out += comparisons(breakdown) }
        if !breakdown.rankAgreement.isEmpty {
            let rows = RankingLines.rows(breakdown, pValue: md.pValue).map { cells in
                Row(cells: cells.enumerated().map { Cell(e($1), numeric: (1...4).contains($0)) })
            }
            out += "<h3>Do the \(e(breakdown.label)) groups rank the items alike?</h3>\n"
                + htmlTable(header: RankingLines.header.enumerated().map { Cell(e($1), numeric: (1...4).contains($0)) }, rows: rows, cls: "rankings")
                + "<p class=\"note\">\(e(RankingLines.note(breakdown.label)))</p>\n"
        }
        return out + "</section>\n"
    }

    func comparisons(_ breakdown: Breakdown) -> String {
        let rows = breakdown.comparisons.map { c -> Row in
            let rank = c.rankTest.map { "\($0.name == "Mann-Whitney" ? "W" : "H") = \(BandTable.fixed($0.statistic, decimals: 1))" } ?? "–"
            let chi = c.chiSquare.map { "\(BandTable.fixed($0.statistic, decimals: 1)) (\($0.df))\($0.smallExpected ? " ‡" : "")" } ?? "–"
            let differences = c.differences.map {
                "\(e($0.group)) \(md.signed($0.difference, decimals: 2)) [\(md.signed($0.interval.lower, decimals: 2)),\u{00A0}\(md.signed($0.interval.upper, decimals: 2))], δ\u{00A0}\(md.signed($0.cliffsDelta, decimals: 2))"
            }.joined(separator: "<br/>")
            return Row(cells: [Cell(e(c.item)), Cell(rank, numeric: true), Cell(e(md.pValue(c.rankTest?.p)), numeric: true),
                               Cell(e(md.pValue(c.rankTest?.pHolm)), numeric: true), Cell(chi, numeric: true),
                               Cell(e(md.pValue(c.chiSquare?.pHolm)), numeric: true), Cell(differences),
                               Cell(c.smallGroups.map(e).joined(separator: "<br/>"))])
        }
        let reference = breakdown.comparisons.first?.groups.first.map(e) ?? ""
        let header = [Cell("Item"), Cell("Rank test", numeric: true), Cell("p", numeric: true), Cell("p (Holm)", numeric: true),
                      Cell("χ² (df)", numeric: true), Cell("p (Holm)", numeric: true),
                      Cell("WAI difference vs \(reference) [95 % CI], Cliff's δ"), Cell("Small groups (n &lt; \(ItemComparison.smallGroupLimit))")]
        return "<h3>Do the \(e(breakdown.label)) groups differ?</h3>\n" + htmlTable(header: header, rows: rows, cls: "comparisons")
            + "<p class=\"note\">Rank test: Mann–Whitney W for two groups, Kruskal–Wallis H for more (unweighted, ties corrected); χ² of groups × levels, ‡ some expected count below 5; p-values Holm-adjusted across the items of this breakdown. Respondents who did not answer \(e(breakdown.label)) are not compared.</p>\n"
    }

    /// As `MarkdownRenderer.provenance`: engine, input hashes, options and row accounting.
    func provenance(_ p: Provenance) -> String {
        let lines = provenanceLines(p, code: { "<code>\(e($0))</code>" }, option: { "<code>\(e($0))</code>" }, text: e)
        return "<section id=\"provenance\" class=\"chapter\">\n<h2>Provenance</h2>\n<ul>\n" + lines.map { line, sublines in
            sublines.isEmpty ? "<li>\(line)</li>\n" : "<li>\(line)<ul>\n" + sublines.map { "<li>\($0)</li>\n" }.joined() + "</ul></li>\n"
        }.joined() + "</ul>\n</section>\n"
    }

    func quality(_ quality: DataQuality, missing: [(id: String, count: Int)] = []) -> String {
        var out = "<section id=\"quality\" class=\"chapter\">\n<h2>Data quality</h2>\n<ul>\n"
        out += qualityLines(quality, missing: missing, code: { "<code>\(e($0))</code>" }, text: e).map { "<li>\($0)</li>\n" }.joined()
        out += "</ul>\n"
        if !quality.rejections.isEmpty {
            out += "<h3>Rejected rows</h3>\n" + htmlTable(
                header: [Cell("Line", numeric: true), Cell("Reason")],
                rows: quality.rejections.map { Row(cells: [Cell(String($0.line), numeric: true), Cell(e($0.reason))]) }, cls: "rejections")
        }
        if !quality.unknownAnswers.isEmpty {
            out += "<h3>Unknown answers</h3>\n" + htmlTable(
                header: [Cell("Item or column"), Cell("Value"), Cell("Count", numeric: true), Cell("First line", numeric: true)],
                rows: quality.unknownAnswers.map {
                    Row(cells: [Cell(e($0.field)), Cell("<code>\(e($0.value))</code>"), Cell(String($0.count), numeric: true), Cell(String($0.firstLine), numeric: true)])
                }, cls: "unknown")
        }
        if !quality.duplicateIDs.isEmpty {
            out += "<h3>Duplicate respondent ids</h3>\n" + htmlTable(
                header: [Cell("Id"), Cell("Lines")],
                rows: quality.duplicateIDs.map { Row(cells: [Cell(e($0.id)), Cell($0.lines.map(String.init).joined(separator: ", "))]) }, cls: "duplicates")
        }
        return out + "</section>\n"
    }

    func method(_ analysis: SurveyAnalysis) -> String {
        let m = analysis.method
        var out = "<section id=\"method\" class=\"chapter\">\n<h2>Method</h2>\n<ul>\n"
        out += m.mixesScales
            ? "<li>Weighted Average Index: WAI = Σ wᵢ·fᵢ / Σ fᵢ over the respondents who answered, with the level weights of the item's own scale (\(m.scales.count) scales, below)"
            : "<li>Weighted Average Index: WAI = Σ wᵢ·fᵢ / Σ fᵢ over the respondents who answered, with <strong>\(e(m.weighting))</strong> level weights (below)"
        out += m.weightColumn != nil || analysis.weighting != nil ? "; fᵢ are sums of survey weights.</li>\n" : "; fᵢ are counts.</li>\n"
        out += "<li>n: \(analysis.respondents) respondents used; each item's n counts those who answered it.</li>\n"
        out += "<li>Reverse-keyed items score level i of k as level k+1−i; their answer counts are shown as given.</li>\n"
        out += "<li>Rounding: an index is rounded half-up to \(m.precision) decimals and classified into its band <em>as printed</em>, so a printed value and its band always agree; charts draw the printed value.</li>\n"
        out += "<li>\(ScaleMethod.composite(m))</li>\n"
        out += "<li>\(e(MethodLines.standardErrors(m)))</li>\n"
        out += "<li>\(e(MethodLines.bootstrap(m.inference)))</li>\n"
        out += "<li>\(e(MethodLines.codes))</li>\n"
        out += "<li>\(e(MethodLines.rankings))</li>\n"
        if m.inference.covariances { out += "<li>Reliability: Cronbach's alpha over the respondents who answered every item of a table (reverse-keyed items reversed), with Duhachek's interval.\(m.mixesScales ? ScaleMethod.reliabilityRule : "")</li>\n" }
        if m.mixesScales {
            out += "</ul>\n"
            for scale in m.scales {
                out += "<h3>Scale <code>\(e(scale.name))</code></h3>\n<p class=\"note\">\(e(scale.weighting)) weighting"
                if !scale.missing.isEmpty { out += "; missing: \(scale.missing.map { e(String(describing: Quoted($0))) }.joined(separator: ", "))" }
                out += "; tables \(scale.tables.map { "<code>\(e($0))</code>" }.joined(separator: ", ")); items \(scale.items.map { "<code>\(e($0))</code>" }.joined(separator: ", ")).</p>\n"
                out += htmlTable(header: [Cell("Code", numeric: true), Cell("Level"), Cell("Weight", numeric: true)],
                                 rows: scale.levels.map { Row(cells: [Cell(String($0.code), numeric: true), Cell(e($0.label)), Cell(md.shortNumber($0.weight), numeric: true)]) },
                                 cls: "levels")
            }
        } else {
            out += "</ul>\n<h3>Level weights</h3>\n"
            out += htmlTable(header: [Cell("Code", numeric: true), Cell("Level"), Cell("Weight", numeric: true)],
                             rows: m.levels.map { Row(cells: [Cell(String($0.code), numeric: true), Cell(e($0.label)), Cell(md.shortNumber($0.weight), numeric: true)]) },
                             cls: "levels")
        }
        out += "<h3>Bands</h3>\n<p class=\"note\">Closed intervals at \(m.precision) decimals.</p>\n"
        var header = [Cell("Band"), Cell("Interval", numeric: true)]
        let relabelled = analysis.tables.filter { $0.bandLabels != m.bands.map(\.label) && $0.bandLabels.count == m.bands.count }
        header += relabelled.map { Cell("Label in \(e($0.caption ?? $0.id))") }
        out += htmlTable(header: header, rows: m.bands.indices.map { i in
            Row(cells: [Cell(e(m.bands[i].label)), Cell(e(m.bands[i].interval), numeric: true)] + relabelled.map { Cell(e($0.bandLabels[i])) })
        }, cls: "bands")
        return out + "</section>\n"
    }

    // MARK: - Pieces

    struct Cell {
        /// HTML, already escaped.
        var html: String
        var numeric = false
        var nowrap = false
        init(_ html: String, numeric: Bool = false, nowrap: Bool = false) {
            self.html = html
            self.numeric = numeric
            self.nowrap = nowrap
        }
    }

    struct Row {
        var cells: [Cell]
        var cls: String? = nil
    }

    func htmlTable(header: [Cell], rows: [Row], cls: String) -> String {
        func cell(_ tag: String, _ c: Cell) -> String {
            let cls = c.numeric ? " class=\"num\"" : c.nowrap ? " class=\"nw\"" : ""
            return "<\(tag)\(cls)>\(c.html)</\(tag)>"
        }
        var out = "<div class=\"scroll\"><table class=\"\(cls)\">\n<thead><tr>" + header.map { cell("th", $0) }.joined() + "</tr></thead>\n<tbody>\n"
        for row in rows {
            out += "<tr\(row.cls.map { " class=\"\($0)\"" } ?? "")>" + row.cells.map { cell("td", $0) }.joined() + "</tr>\n"
        }
        return out + "</tbody>\n</table></div>\n"
    }

    /// An SVG chart inline: its own title and description carry its caption for readers and screen readers.
    func figure(_ svg: String) -> String {
        "<figure>\n" + svg + "</figure>\n"
    }

    func e(_ text: String) -> String { xmlEscape(text) }

    func tableAnchor(_ table: TableEstimate) -> String { "table-" + anchorSafe(table.id) }
    func frequencyAnchor(_ table: FrequencyTable) -> String { "respondents-" + anchorSafe(table.column) }
    func breakdownAnchor(_ breakdown: Breakdown, _ b: Int) -> String { "by-\(b + 1)-" + anchorSafe(breakdown.column) }

    func anchorSafe(_ name: String) -> String {
        String(name.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") ? $0 : "_" })
    }

    static let css = """
    @page { size: A4; margin: 14mm 12mm; }
    html { background: #ffffff; }
    body { font-family: "Noto Sans", "Noto Sans Khmer", "Khmer OS", "DejaVu Sans", sans-serif; color: #1a1a1a; background: #ffffff;
      font-size: 15px; line-height: 1.5; max-width: 840px; margin: 0 auto; padding: 24px 20px 48px; }
    h1 { font-size: 28px; line-height: 1.25; margin: 0 0 12px; }
    h2 { font-size: 21px; line-height: 1.3; margin: 40px 0 12px; padding-bottom: 4px; border-bottom: 2px solid #2d004b; }
    h2.toc { font-size: 17px; border: 0; margin: 16px 0 4px; }
    h3 { font-size: 17px; margin: 24px 0 8px; }
    code { font-family: "DejaVu Sans Mono", monospace; font-size: 0.9em; background: #f3f3f3; padding: 0 3px; }
    .sample { margin: 4px 0; }
    .note { font-size: 13px; color: #4d4d4d; }
    nav ol { margin: 0; padding-left: 24px; columns: 2; }
    a { color: #2d004b; }
    .scroll { overflow-x: auto; }
    table { border-collapse: collapse; margin: 8px 0 12px; font-size: 14px; }
    th, td { text-align: left; vertical-align: top; padding: 4px 10px; border-bottom: 1px solid #c8c8c8; }
    thead th { background: #e1e1e1; border-bottom: 2px solid #333333; }
    .num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
    .nw { white-space: nowrap; }
    th.num { white-space: normal; }
    table.breakdown td:first-child, table.index td:first-child { min-width: 14em; }
    table.breakdown, table.comparisons { font-size: 13px; }
    table.breakdown th, table.breakdown td { padding: 4px 6px; }
    tr.oa td { font-weight: bold; border-top: 2px solid #333333; }
    tr.total td { font-weight: bold; }
    figure { margin: 16px 0 24px; }
    figure svg { display: block; width: 100%; max-width: 800px; height: auto; }
    footer { margin-top: 40px; border-top: 1px solid #c8c8c8; }
    @media print {
      body { max-width: none; padding: 0; font-size: 10pt; }
      nav { display: none; }
      section.chapter { break-before: page; }
      h2, h3 { break-after: avoid; }
      figure, tr { break-inside: avoid; }
      .scroll { overflow: visible; }
      a { color: inherit; text-decoration: none; }
    }

    """
}
