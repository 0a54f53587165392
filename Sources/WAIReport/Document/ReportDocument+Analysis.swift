import WAIEstimate
import WAIModel

extension ReportDocument {
    /// The whole report: the study's tables in their published layout with their charts, the
    /// answers behind them, respondents, breakdowns, data quality, method and provenance.
    public init(_ analysis: SurveyAnalysis) {
        let build = DocumentBuilder(analysis: analysis)
        var body: [Block] = analysis.tables.indices.map { .section(build.tableSection($0)) }
        if !analysis.frequencies.isEmpty { body.append(.section(build.respondents())) }
        body += analysis.breakdowns.indices.map { .section(build.breakdown($0)) }
        body.append(.section(build.quality()))
        body.append(.section(build.method()))
        if let provenance = analysis.provenance { body.append(.section(build.provenance(provenance))) }
        self.init(title: analysis.title, lead: build.sample(), body: body,
                  footer: "Written by wai from \(code: analysis.data).", analysis: analysis)
    }

    /// One table of the report on its own page: its index table, answers and reliability.
    public static func tablePage(_ t: Int, of analysis: SurveyAnalysis) -> ReportDocument {
        let build = DocumentBuilder(analysis: analysis)
        let table = analysis.tables[t]
        return ReportDocument(title: build.heading(table),
                              lead: [.paragraph("\(analysis.title). \(build.rowAccounting(capitalized: true))", .sample)],
                              body: build.tableSection(t).blocks, footer: nil, analysis: analysis)
    }
}

/// The decisions of `ReportDocument(_:)`, one function per section.
struct DocumentBuilder {
    typealias Text = ReportDocument.Text
    typealias Block = ReportDocument.Block
    typealias Section = ReportDocument.Section
    typealias Cell = ReportDocument.Cell
    typealias Row = ReportDocument.Row
    typealias Table = ReportDocument.Table
    typealias Figure = ReportDocument.Figure

    let analysis: SurveyAnalysis

    func heading(_ table: TableEstimate) -> String {
        (table.caption.map { $0 + ". " } ?? "") + table.title
    }

    func rowAccounting(capitalized: Bool) -> String {
        let q = analysis.quality
        return "\(capitalized ? "Rows" : "rows") read \(q.rowsRead) = rows used \(q.rowsUsed) + rows rejected \(q.rowsRejected)."
    }

    // MARK: - Sample

    func sample() -> [Block] {
        var out: [Block] = [.paragraph("Data: \(code: analysis.data) · \(strong: String(analysis.respondents)) respondents · \(rowAccounting(capitalized: false))", .sample)]
        if analysis.method.weightColumn != nil || analysis.weighting != nil {
            var source: [Text] = []
            if let weight = analysis.method.weightColumn { source.append("column \(code: weight)") }
            if let w = analysis.weighting {
                source.append("\(calibrationWords(w.method).done) to \(w.columns.joined(separator: " × "))")
            }
            out.append(.paragraph("Weighted (\(Text.joined(source, separator: ", "))): Σw = \(fixed(analysis.weightSum, 2)), "
                + "design effect (Kish) = \(fixed(analysis.designEffect, 2)), effective n = \(fixed(analysis.effectiveN, 1)).", .sample))
        } else {
            out.append(.paragraph("Unweighted: every respondent counts once.", .sample))
        }
        if let w = analysis.weighting { out += weighting(w) }
        return out
    }

    /// How the report names a calibration method: what was done to the weights (and how), the
    /// noun, and R's call.
    func calibrationWords(_ method: String) -> (done: String, how: String, noun: String, call: String) {
        switch method {
        case "rake": return ("raked", "raked (iterative proportional fitting)", "raking", "rake()")
        case "linear": return ("calibrated linearly", "calibrated linearly (GREG: w·(1 + x'λ) on the margins)", "linear calibration", "calibrate(…, calfun = \"linear\")")
        default: return ("post-stratified", "post-stratified", "post-stratification", "postStratify()")
        }
    }

    func weighting(_ w: WeightingReport) -> [Block] {
        var text = "Weights \(calibrationWords(w.method).how) to population shares of \(w.columns.joined(separator: ", ")): "
        text += "\(w.iterations) iteration\(w.iterations == 1 ? "" : "s"), \(w.converged ? "converged" : "NOT converged") (largest margin deviation \(fixed(100 * w.maxDeviation, 4)) %); "
        text += "weights \(fixed(w.minWeight, 3))–\(fixed(w.maxWeight, 3)), \(w.trimmed) trimmed, \(w.notAdjusted) rows not adjusted (a weighting column unanswered); "
        text += "design effect \(fixed(w.designEffect, 2)), effective n \(fixed(w.effectiveN, 1)). "
        text += w.replicatesCalibrated == true
            ? "Every replicate weight was \(calibrationWords(w.method).done) again to the same population, so the replicate standard errors and tests account for it, as R's \(calibrationWords(w.method).call) on the svrepdesign."
            : w.seCalibrated == true
            ? "Standard errors account for the \(calibrationWords(w.method).noun): each row's influence is residualized on the weighting cells, as R's \(calibrationWords(w.method).call) design does, and so do the design-based group tests (svyranktest, svychisq)."
            : "Standard errors take the adjusted weights as fixed\(w.trimmed > 0 || w.seCalibrated == false ? " (trimming moves the margins off their targets, so the calibration is not accounted for)" : "")."
        let rows = w.margins.map {
            Row(cells: [Cell("\($0.column)"), Cell("\($0.category)"), number(fixed(100 * $0.sample, 1)),
                        number(fixed(100 * $0.target, 1)), number(fixed(100 * $0.achieved, 1))])
        }
        return [.paragraph("\(text)", .body),
                .table(Table(header: [Cell("Column"), Cell("Category"), number("Sample %"), number("Population %"), number("Weighted %")],
                             rows: rows, role: "weighting"))]
    }

    // MARK: - A table

    func tableSection(_ t: Int) -> Section {
        let table = analysis.tables[t]
        var blocks = indexTable(table)
        blocks.append(.figure(Figure(chart: .index(table: t), path: "charts/\(table.id)-index.svg", caption: "\(heading(table)) — Weighted Average Index")))
        blocks.append(.section(Section(level: 3, title: "Answers", anchor: nil, blocks: answers(table)
            + [.figure(Figure(chart: .levels(table: t), path: "charts/\(table.id)-levels.svg", caption: "\(heading(table)) — answers by level"))])))
        if let reliability = table.reliability {
            blocks.append(.section(Section(level: 3, title: "Reliability", anchor: nil, blocks: self.reliability(reliability))))
        } else if let note = table.reliabilityNote {
            blocks.append(.paragraph("Reliability: \(note).", .note))
        }
        return Section(level: 2, title: "\(heading(table))", anchor: "table-" + anchorSafe(table.id), blocks: blocks)
    }

    /// The published layout: Attribute | WAI (n = …) | OA, then the rank and, when there is one, the CI.
    func indexTable(_ table: TableEstimate) -> [Block] {
        let ns = Set(table.items.map(\.n))
        let sharedN = ns.count == 1 ? ns.first : nil
        let hasIntervals = table.items.contains { $0.interval != nil }
        var straddles = false
        func band(_ band: String?, bootstrap: BootstrapSummary?, straddling: Bool?) -> String {
            guard let band else { return "no answers" }
            var text = band
            if let certainty = bootstrap?.bandCertainty { text += ", \(percent(certainty)) %" }
            if straddling == true { text += " †"; straddles = true }
            return text
        }
        var rows: [Row] = []
        for item in table.items {
            var cells = [Cell("\(item.text)" + (item.reverse ? " \(aside: "reverse-keyed")" : ""))]
            if sharedN == nil { cells.append(number(String(item.n))) }
            cells += [number(item.waiReported ?? "–"), Cell("\(band(item.band, bootstrap: item.bootstrap, straddling: item.straddlesBand))", nowrap: true),
                      number(RankingLines.rank(item.rank))]
            if hasIntervals { cells.append(number(interval(item.interval))) }
            rows.append(Row(cells: cells))
        }
        if let composite = table.composite {
            var cells = [Cell("\(strong: "OA") \(aside: "mean of \(composite.items) items")")]
            if sharedN == nil { cells.append(number("")) }
            cells += [Cell(.strong(composite.waiReported), numeric: true),
                      Cell(.strong(band(composite.band, bootstrap: composite.bootstrap, straddling: composite.straddlesBand)), nowrap: true),
                      number("")]
            if hasIntervals { cells.append(number(interval(composite.interval))) }
            rows.append(Row(cells: cells, role: .composite))
        }
        let level = table.items.compactMap(\.interval).first.map { percent($0.level) } ?? "95"
        var header = [Cell("Attribute")]
        header += sharedN.map { [number("WAI (n = \($0))")] } ?? [number("n"), number("WAI")]
        header += [Cell("OA"), number("Rank")]
        if hasIntervals { header.append(number("\(level) % CI")) }
        var out: [Block] = [.table(Table(header: header, rows: rows, role: "index"))]
        var notes: [String] = []
        if table.items.contains(where: { $0.bootstrap != nil }) { notes.append("OA: band, and the share of bootstrap replicates that fall in it.") }
        if hasIntervals {
            let se = ["classical": "classical SE", "taylor": "Taylor-linearized design SE", "replicate": "replicate-weight SE"][analysis.method.seMethod] ?? "linearization SE"
            notes.append("CI: ±z·SE (\(se)).")
        }
        if straddles { notes.append("† the interval crosses a band edge: the band is not settled by these data.") }
        if !notes.isEmpty { out.append(.paragraph("\(notes.joined(separator: " "))", .note)) }
        return out
    }

    func answers(_ table: TableEstimate) -> [Block] {
        let hasTopBox = table.items.contains { $0.topBox != nil }
        var note = "Count (% of those who answered)."
        if hasTopBox { note += " Top-2 and bottom-2 shares in %, net = top − bottom, in the scored direction." }
        var out: [Block] = [.paragraph("\(note)", .note)]
        for group in table.scaleGroups {
            if let scale = group.scale { out.append(.paragraph("Scale \(code: scale):", .note)) }
            out.append(.table(answers(group.items, hasTopBox: hasTopBox)))
        }
        return out
    }

    func answers(_ items: [ItemEstimate], hasTopBox: Bool) -> Table {
        let labels = items.first?.counts.map(\.label) ?? []
        var header = [Cell("Item"), number("n"), number("Missing")] + labels.map { number($0) }
        if hasTopBox { header += [number("Top 2"), number("Bottom 2"), number("Net"), Cell("Median")] }
        header += Self.codeHeader.map { number($0) }
        let rows = items.map { item -> Row in
            var cells = [Cell(Text([.titled(item.id, title: item.text)])), number(String(item.n)), number(String(item.missing))]
            cells += item.counts.map { Cell("\($0.count) \(aside: "\(fixed(100 * $0.share, 1)) %")", numeric: true) }
            if hasTopBox {
                if let top = item.topBox {
                    cells += [number(fixed(100 * top.top2, 1)), number(fixed(100 * top.bottom2, 1)), number(signed(100 * top.net, 1)), Cell("\(top.median)")]
                } else {
                    cells += [number(""), number(""), number(""), Cell("")]
                }
            }
            cells += codeCells(item.codes).map { number($0) }
            return Row(cells: cells)
        }
        return Table(header: header, rows: rows, role: "answers")
    }

    /// Mean and SD of the codes, SD of the normalised score, quartiles of the codes (see `CodeStatistics`).
    static let codeHeader = ["Mean code", "SD", "SD score", "Q1–Md–Q3"]

    func codeCells(_ codes: CodeStatistics?) -> [String] {
        guard let c = codes else { return ["", "", "", ""] }
        func quartile(_ x: Double) -> String { x == x.rounded() ? String(Int(x)) : fixed(x, 2) }
        return [fixed(c.mean, 2), c.sd.map { fixed($0, 2) } ?? "–", c.scoreSD.map { fixed($0, 3) } ?? "–",
                "\(quartile(c.q1))–\(quartile(c.median))–\(quartile(c.q3))"]
    }

    func reliability(_ r: Reliability) -> [Block] {
        var text = "Reliability: Cronbach's alpha \(fixed(r.alpha, 2)) "
        text += "(\(percent(r.interval.level)) % CI \(fixed(r.interval.lower, 2))–\(fixed(r.interval.upper, 2)), Duhachek)"
        if let standardized = r.standardizedAlpha { text += ", standardized \(fixed(standardized, 2))" }
        if let g6 = r.g6 { text += ", G6(smc) \(fixed(g6, 2))" }
        if let average = r.averageR { text += ", average inter-item r \(fixed(average, 2))" }
        if let median = r.medianR { text += " (median \(fixed(median, 2)))" }
        if let sn = r.signalToNoise { text += ", S/N \(fixed(sn, 2))" }
        if let mean = r.scaleMean, let sd = r.scaleSD { text += "; scale mean \(fixed(mean, 2)), SD \(fixed(sd, 2)) (codes)" }
        text += r.missing == "pairwise"
            ? "; pairwise deletion: each pair of items over the respondents who answered both (\(r.rows) respondents)."
            : "; \(r.rows) respondents answered every item (listwise deletion)."
        let two = { (x: Double?) in x.map { fixed($0, 2) } ?? "–" }
        let rows = r.items.map {
            Row(cells: [Cell("\($0.id)"), number(two($0.itemTotal)), number(two($0.correctedR)), number(two($0.standardizedR)),
                        number(two($0.alphaIfDeleted)), number(two($0.standardizedAlphaIfDeleted)), number(two($0.averageRIfDeleted))])
        }
        return [.paragraph("\(text)", .body),
                .table(Table(header: [Cell("Item"), number("Item–rest r (r.drop)"), number("r.cor"), number("std.r"),
                                      number("Alpha if dropped"), number("Std alpha if dropped"), number("Average r if dropped")],
                             rows: rows, role: "reliability"))]
    }

    // MARK: - Respondents and breakdowns

    func respondents() -> Section {
        let blocks = analysis.frequencies.enumerated().map { f, table -> Block in
            var rows = table.rows.map { Row(cells: [Cell("\($0.value)"), number(String($0.count)), number(fixed($0.percent, 1))]) }
            rows.append(Row(cells: [Cell(.strong("Answered")), number(String(table.answered)), number(table.answered > 0 ? "100.0" : "–")], role: .total))
            rows.append(Row(cells: [Cell("No answer"), number(String(table.missing)), number("")]))
            return .section(Section(level: 3, title: "\(table.label)", anchor: "respondents-" + anchorSafe(table.column), blocks: [
                .table(Table(header: [Cell("\(table.label)"), number("n"), number("% of answered")], rows: rows, role: "frequency")),
                .figure(Figure(chart: .frequency(f), path: "charts/frequency-\(fileSafe(table.column)).svg", caption: "\(table.label) — respondents")),
            ]))
        }
        return Section(level: 2, title: "Respondents", anchor: "respondents", blocks: blocks)
    }

    func breakdown(_ b: Int) -> Section {
        let breakdown = analysis.breakdowns[b]
        var blocks: [Block] = []
        for (t, table) in analysis.tables.enumerated() {
            let header = [Cell("Attribute")] + breakdown.groups.map { number("\($0.category ?? "No answer") (n = \($0.rows))") }
            var rows: [Row] = table.items.indices.map { i in
                Row(cells: [Cell("\(table.items[i].text)")] + breakdown.groups.map { group in
                    guard t < group.tables.count else { return number("–") }
                    let item = group.tables[t].items[i]
                    guard let wai = item.waiReported else { return Cell("–" + .lineBreak + .aside("n = 0"), numeric: true) }
                    return Cell("\(wai)" + .lineBreak + "\(item.band ?? "")" + .lineBreak + .aside("n = \(item.n), rank \(RankingLines.rank(item.rank))"), numeric: true)
                })
            }
            if table.composite != nil {
                rows.append(Row(cells: [Cell(.strong("OA"))] + breakdown.groups.map { group in
                    guard let composite = t < group.tables.count ? group.tables[t].composite : nil else { return number("–") }
                    return Cell(.strong(composite.waiReported) + .lineBreak + .strong(composite.band), numeric: true)
                }, role: .composite))
            }
            blocks.append(.section(Section(level: 3, title: "\(heading(table)) by \(breakdown.label)", anchor: nil, blocks: [
                .table(Table(header: header, rows: rows, role: "breakdown")),
                .figure(Figure(chart: .breakdown(b, table: t), path: "charts/breakdown-\(fileSafe(breakdown.column))-\(table.id).svg",
                               caption: "\(heading(table)) by \(breakdown.label)")),
            ])))
        }
        if !breakdown.comparisons.isEmpty { blocks.append(.section(comparisons(breakdown))) }
        if !breakdown.rankAgreement.isEmpty {
            let rows = RankingLines.rows(breakdown, pValue: pValue).map { cells in
                Row(cells: cells.enumerated().map { Cell("\($1)", numeric: (1...4).contains($0)) })
            }
            blocks.append(.section(Section(level: 3, title: "Do the \(breakdown.label) groups rank the items alike?", anchor: nil, blocks: [
                .table(Table(header: RankingLines.header.enumerated().map { Cell("\($1)", numeric: (1...4).contains($0)) }, rows: rows, role: "rankings")),
                .paragraph("\(RankingLines.note(breakdown.label))", .note),
            ])))
        }
        return Section(level: 2, title: "By \(breakdown.label)", anchor: "by-\(b + 1)-" + anchorSafe(breakdown.column), blocks: blocks)
    }

    func comparisons(_ breakdown: Breakdown) -> Section {
        let rows = breakdown.comparisons.map { c -> Row in
            let rank = c.rankTest.map { test -> String in
                switch test.name {
                case "Mann-Whitney": "W = \(fixed(test.statistic, 1))"
                case "Kruskal-Wallis": "H = \(fixed(test.statistic, 1))"
                case "Design-based Wilcoxon": "t = \(fixed(test.statistic, 2)) (\(test.df ?? 0))"
                default: "χ² = \(fixed(test.statistic, 1)) (\(test.df ?? 0), \(fixed(test.ddf ?? 0, 0)))"
                }
            } ?? "–"
            let chi = c.chiSquare.map { test -> String in
                let mark = test.smallExpected ? " ‡" : ""
                guard let ndf = test.ndf, let ddf = test.ddf else { return "\(fixed(test.statistic, 1)) (\(test.df))\(mark)" }
                return "F = \(fixed(test.statistic, 2)) (\(fixed(ndf, 2)), \(fixed(ddf, 1)))\(mark)"
            } ?? "–"
            let differences = c.differences.map { d -> Text in
                "\(d.group) \(signed(d.difference, 2)) [\(signed(d.interval.lower, 2)), \(signed(d.interval.upper, 2))], δ \(signed(d.cliffsDelta, 2))"
            }
            return Row(cells: [Cell("\(c.item)"), number(rank), number(pValue(c.rankTest?.p)), number(pValue(c.rankTest?.pHolm)), number(chi),
                               number(pValue(c.chiSquare?.pHolm)), Cell(Text.joined(differences, separator: .entryBreak)),
                               Cell(Text.joined(c.smallGroups.map { "\($0)" }, separator: .entryBreak))])
        }
        let reference = breakdown.comparisons.first?.groups.first ?? ""
        let designBased = breakdown.comparisons.contains { $0.rankTest?.isDesignBased == true || $0.chiSquare?.method == "Rao-Scott" }
        let header = [Cell("Item"), number("Rank test"), number("p"), number("p (Holm)"), number(designBased ? "Rao–Scott F (df)" : "χ² (df)"), number("p (Holm)"),
                      Cell("WAI difference vs \(reference) [95 % CI], Cliff's δ"), Cell("Small groups (n < \(ItemComparison.smallGroupLimit))")]
        return Section(level: 3, title: "Do the \(breakdown.label) groups differ?", anchor: nil, blocks: [
            .table(Table(header: header, rows: rows, role: "comparisons")),
            .paragraph(designBased
                ? "Rank test: design-based Wilcoxon t (df) for two groups, design-based Kruskal–Wallis χ² (df, ddf) for more, on the weights "
                    + "and the design (R: svyranktest); F: Pearson's χ² of the weighted groups × levels table with the Rao–Scott second-order "
                    + "correction (R: svychisq), ‡ some unweighted expected count below 5; p-values Holm-adjusted across the items of this "
                    + "breakdown. Respondents who did not answer \(breakdown.label) are not compared."
                : "Rank test: Mann–Whitney W for two groups, Kruskal–Wallis H for more (unweighted, ties corrected); χ² of groups × levels, "
                    + "‡ some expected count below 5; p-values Holm-adjusted across the items of this breakdown. "
                    + "Respondents who did not answer \(breakdown.label) are not compared.", .note),
        ])
    }

    // MARK: - Data quality, method, provenance

    /// Each item once (in spec order, however many tables show it) with its missing answers.
    func missingByItem() -> [(id: String, count: Int)] {
        var seen: Set<String> = []
        return analysis.tables.flatMap(\.items).filter { seen.insert($0.id).inserted }.map { ($0.id, $0.missing) }
    }

    func quality() -> Section {
        let quality = analysis.quality
        var blocks: [Block] = [.list(qualityLines(quality, missing: missingByItem()).map { ReportDocument.ListItem(text: $0) })]
        if !quality.rejections.isEmpty {
            blocks.append(.section(Section(level: 3, title: "Rejected rows", anchor: nil, blocks: [.table(Table(
                header: quality.rejections.contains { $0.record != nil } ? [Cell("Row"), Cell("Reason")] : [number("Line"), Cell("Reason")],
                rows: quality.rejections.map { Row(cells: [$0.record.map { Cell("\($0)") } ?? number(String($0.line)), Cell("\($0.reason)")]) }, role: "rejections"))])))
        }
        if !quality.unknownAnswers.isEmpty {
            blocks.append(.section(Section(level: 3, title: "Unknown answers", anchor: nil, blocks: [.table(Table(
                header: [Cell("Item or column"), Cell("Value"), number("Count"), number("First line")],
                rows: quality.unknownAnswers.map {
                    Row(cells: [Cell("\($0.field)"), Cell(.code($0.value)), number(String($0.count)), number(String($0.firstLine))])
                }, role: "unknown"))])))
        }
        if !quality.duplicateIDs.isEmpty {
            blocks.append(.section(Section(level: 3, title: "Duplicate respondent ids", anchor: nil, blocks: [.table(Table(
                header: [Cell("Id"), Cell("Lines")],
                rows: quality.duplicateIDs.map { Row(cells: [Cell("\($0.id)"), Cell("\($0.lines.map(String.init).joined(separator: ", "))")]) },
                role: "duplicates"))])))
        }
        return Section(level: 2, title: "Data quality", anchor: "quality", blocks: blocks)
    }

    func method() -> Section {
        let m = analysis.method
        var lines: [Text] = []
        let fi = m.weightColumn != nil || analysis.weighting != nil ? "; fᵢ are sums of survey weights." : "; fᵢ are counts."
        lines.append(m.mixesScales
            ? "Weighted Average Index: WAI = Σ wᵢ·fᵢ / Σ fᵢ over the respondents who answered, with the level weights of the item's own scale (\(m.scales.count) scales, below)\(fi)"
            : "Weighted Average Index: WAI = Σ wᵢ·fᵢ / Σ fᵢ over the respondents who answered, with \(strong: m.weighting) level weights (below)\(fi)")
        lines.append("n: \(analysis.respondents) respondents used; each item's n counts those who answered it.")
        lines.append("Reverse-keyed items score level i of k as level k+1−i; their answer counts are shown as given.")
        lines.append("Rounding: an index is rounded half-up to \(m.precision) decimals and classified into its band \(emphasis: "as printed"), "
            + "so a printed value and its band always agree; charts draw the printed value.")
        lines.append("\(ScaleMethod.composite(m))")
        lines.append("\(MethodLines.standardErrors(m))")
        lines.append("\(MethodLines.bootstrap(m.inference))")
        lines.append("\(MethodLines.codes)")
        lines.append("\(MethodLines.rankings)")
        let comparisons = analysis.breakdowns.flatMap(\.comparisons)
        if !comparisons.isEmpty {
            let designBased = comparisons.contains { $0.rankTest?.isDesignBased == true || $0.chiSquare?.method == "Rao-Scott" }
            let midpoint = comparisons.contains { $0.rankTest?.ties == "midpoint" }
            let fileOrder = comparisons.contains { $0.rankTest?.ties == "file-order" }
            lines.append("\(MethodLines.groupTests(m, designBased: designBased, fileOrderTies: fileOrder, midpointTies: midpoint))")
        }
        if m.inference.covariances {
            let modes = Set(analysis.tables.compactMap { $0.reliability?.missing })
            let rows = modes == ["pairwise"]
                ? "each pair of a table's items over the respondents who answered both (pairwise deletion, psych's default use = \"pairwise\"; without weights)"
                : "the respondents who answered every item of a table (listwise deletion\(m.weightColumn != nil ? "; weighted: covariances Σw(x − x̄)(y − ȳ)/(Σw − 1)" : ""))"
            lines.append("Reliability: Cronbach's alpha and psych::alpha's table from the items' covariances over \(rows), "
                + "reverse-keyed items reversed, as R's psych::alpha(x, keys = <reversed items>\(modes == ["listwise"] ? ", on the complete rows" : "")): "
                + "raw and standardized alpha, G6(smc), average and median inter-item r, S/N = k·r̄/(1 − r̄), Duhachek's SE and interval; per item "
                + "r.drop, r.cor, std.r and alpha, standardized alpha and average r with the item dropped; the scale mean and SD of each respondent's mean code "
                + "where the complete rows give them (listwise, or no missing answers). `reliability: {missing: pairwise | listwise}` in the spec chooses."
                + "\(m.mixesScales ? ScaleMethod.reliabilityRule : "")")
        }
        var blocks: [Block] = [.list(lines.map { ReportDocument.ListItem(text: $0) })]
        func levels(_ levels: [SurveyAnalysis.Method.ScaleLevel]) -> Block {
            .table(Table(header: [number("Code"), Cell("Level"), number("Weight")],
                         rows: levels.map { Row(cells: [number(String($0.code)), Cell("\($0.label)"), number(shortNumber($0.weight))]) }, role: "levels"))
        }
        if m.mixesScales {
            for scale in m.scales {
                var note: Text = "\(scale.weighting.prefix(1).uppercased() + scale.weighting.dropFirst()) weighting"
                if !scale.missing.isEmpty { note += "; missing: \(scale.missing.map { String(describing: Quoted($0)) }.joined(separator: ", "))" }
                note += "; tables " + Text.joined(scale.tables.map(Text.code), separator: ", ")
                    + "; items " + Text.joined(scale.items.map(Text.code), separator: ", ") + "."
                blocks.append(.section(Section(level: 3, title: "Scale \(code: scale.name)", anchor: nil, blocks: [.paragraph(note, .note), levels(scale.levels)])))
            }
        } else {
            blocks.append(.section(Section(level: 3, title: "Level weights", anchor: nil, blocks: [levels(m.levels)])))
        }
        var header = [Cell("Band"), number("Interval")]
        let relabelled = analysis.tables.filter { $0.bandLabels != m.bands.map(\.label) && $0.bandLabels.count == m.bands.count }
        header += relabelled.map { Cell("Label in \($0.caption ?? $0.id)") }
        let bands = Table(header: header, rows: m.bands.indices.map { i in
            Row(cells: [Cell("\(m.bands[i].label)"), number(m.bands[i].interval)] + relabelled.map { Cell("\($0.bandLabels[i])") })
        }, role: "bands")
        blocks.append(.section(Section(level: 3, title: "Bands", anchor: nil, blocks: [
            .paragraph("Closed intervals at \(m.precision) decimals.", .note), .table(bands),
        ])))
        return Section(level: 2, title: "Method", anchor: "method", blocks: blocks)
    }

    func provenance(_ p: Provenance) -> Section {
        let items = provenanceLines(p).map { ReportDocument.ListItem(text: $0.line, sublist: $0.sublines) }
        return Section(level: 2, title: "Provenance", anchor: "provenance", blocks: [.list(items)])
    }

    // MARK: - Numbers

    func number(_ text: String) -> Cell { Cell("\(text)", numeric: true) }
    func fixed(_ x: Double, _ decimals: Int) -> String { BandTable.fixed(x, decimals: decimals) }
    func percent(_ share: Double) -> String { BandTable.fixed(100 * share, decimals: 0) }
    func interval(_ interval: Interval?) -> String {
        guard let interval else { return "–" }
        return "\(fixed(interval.lower, 2))–\(fixed(interval.upper, 2))"
    }
    func signed(_ x: Double, _ decimals: Int) -> String { signedFixed(x, decimals: decimals) }
    func pValue(_ p: Double?) -> String {
        guard let p else { return "–" }
        return p < 0.001 ? "< 0.001" : fixed(p, 3)
    }
}

/// A number at up to 4 decimals without trailing zeros: "0.25", "1".
func shortNumber(_ x: Double) -> String {
    var text = BandTable.fixed(x, decimals: 4)
    while text.hasSuffix("0") { text.removeLast() }
    if text.hasSuffix(".") { text.removeLast() }
    return text
}

/// A number with a plus sign when it is positive and does not print as zero: "+0.12".
func signedFixed(_ x: Double, decimals: Int) -> String {
    let text = BandTable.fixed(x, decimals: decimals)
    return x > 0 && text != BandTable.fixed(0, decimals: decimals) ? "+" + text : text
}

func anchorSafe(_ name: String) -> String {
    String(name.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") ? $0 : "_" })
}

func fileSafe(_ name: String) -> String {
    String(name.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "_" })
}
