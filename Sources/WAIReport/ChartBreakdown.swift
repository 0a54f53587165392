import WAIEstimate
import WAIModel

extension SVGRenderer {
    /// One table's items compared across the groups of a demographic: for every item (and the
    /// OA), one bar per group, one colour per group (light to dark; respondents who did not
    /// answer the demographic are "No answer", drawn white with an outline), over the band zones.
    public func breakdownChart(_ breakdown: Breakdown, tableAt t: Int, of analysis: SurveyAnalysis, title: String? = nil) -> String {
        let table = analysis.tables[t]
        var canvas = SVGCanvas(width: width)
        let groups = breakdown.groups.filter { t < $0.tables.count }
        let palette = Palette.groups(groups.filter { $0.category != nil }.count)
        var colourIndex = 0
        let colours: [String] = groups.map { group in
            guard group.category != nil else { return Palette.noAnswer }
            defer { colourIndex += 1 }
            return palette[colourIndex]
        }
        func name(_ group: Breakdown.Group) -> String { group.category ?? "No answer" }
        let hasIntervals = groups.contains { $0.tables[t].items.contains { $0.interval != nil } }
        var subtitle = "Weighted Average Index by \(breakdown.label); bars end at the index as printed, shaded zones are the bands."
        if hasIntervals, let level = groups.lazy.compactMap({ $0.tables[t].items.compactMap(\.interval).first }).first?.level {
            subtitle += " Whiskers: \(BandTable.fixed(100 * level, decimals: 0)) % confidence intervals."
        }
        var y = header(&canvas, title: heading(table) + " — by " + breakdown.label, subtitle: subtitle)
        y = legend(&canvas, entries: zip(groups, colours).map { ("\(name($0)) (n = \($0.rows))", $1) }, top: y, stroke: Palette.axis)

        let zones = BandZone.zones(labels: table.bandLabels, method: analysis.method)
        let domain = BandZone.domain(zones)
        let labelWidth = (width * 0.3).rounded()
        let axis = IndexAxis(zones: zones, lower: domain.lower, upper: domain.upper,
                             x0: margin + labelWidth + 12, x1: width - 64)
        let zoneTop = y
        var foreground = SVGCanvas(width: width)
        y += zoneHeader(&foreground, axis: axis, top: y)

        let barHeight = 14.0, barGap = 3.0
        func block(label: [String], bold: Bool, values: [(reported: String?, wai: Double?, interval: Interval?, id: String)]) {
            let textHeight = Double(label.count) * TextMetrics.lineHeight(label, size: labelSize)
            let barsHeight = Double(values.count) * (barHeight + barGap) - barGap
            let height = max(barsHeight, textHeight) + 12
            let top = y + (height - barsHeight) / 2
            foreground.lines(label, x: margin, top: y + (height - textHeight) / 2, size: labelSize, bold: bold, cls: "item-label")
            for (g, value) in values.enumerated() {
                let barTop = top + Double(g) * (barHeight + barGap)
                let centre = barTop + barHeight / 2
                guard let reported = value.reported, let wai = value.wai else {
                    foreground.text("–  no answers", x: axis.x0 + 4, y: centre + 0.35 * smallSize, size: smallSize, fill: Palette.muted, cls: "value")
                    continue
                }
                let start = axis.x(max(0, axis.lower)), end = axis.x(Double(reported) ?? wai)
                foreground.rect(x: start, y: barTop, width: end - start, height: barHeight, fill: colours[g], cls: "bar",
                                stroke: Palette.text, strokeWidth: 0.75,
                                data: [("item", value.id), ("group", name(groups[g])), ("wai", reported)])
                var textX = end + 5
                if let interval = value.interval {
                    whisker(&foreground, axis: axis, interval: interval, y: centre, cap: 4)
                    textX = max(textX, axis.x(interval.upper) + 5)
                }
                foreground.text(reported, x: textX, y: centre + 0.35 * smallSize, size: smallSize, cls: "value")
            }
            y += height
        }

        for (i, item) in table.items.enumerated() {
            let label = TextMetrics.wrap(itemLabel(item, showN: false), width: labelWidth, size: labelSize)
            block(label: label, bold: false, values: groups.map { group in
                let estimate = group.tables[t].items[i]
                return (estimate.waiReported, estimate.wai, estimate.interval, estimate.id)
            })
        }
        if table.composite != nil {
            y += 2
            foreground.line(x1: margin, y1: y, x2: width - margin, y2: y, stroke: Palette.axis, width: 1.5, cls: "separator")
            y += 2
            block(label: ["OA"], bold: true, values: groups.map { group in
                let composite = group.tables[t].composite
                return (composite?.waiReported, composite?.wai, composite?.interval, "OA")
            })
        }

        y += 2
        zoneBackground(&canvas, axis: axis, top: zoneTop, bottom: y)
        for element in foreground.elements { canvas.raw(element) }
        y = indexAxis(&canvas, axis: axis, y: y, precision: analysis.method.precision, title: "Weighted Average Index")

        var desc = "Grouped bar chart of the Weighted Average Index of each item of \(heading(table)) by \(breakdown.label), groups "
        desc += groups.map { "\(name($0)) (n = \($0.rows))" }.joined(separator: ", ") + ". "
        var parts: [String] = table.items.indices.map { i in
            table.items[i].text + ": " + groups.map { group in
                let e = group.tables[t].items[i]
                return "\(name(group)) " + (e.waiReported.map { "\($0) \(e.band ?? "")" } ?? "no answers")
            }.joined(separator: ", ")
        }
        if table.composite != nil {
            parts.append("OA: " + groups.map { group in
                "\(name(group)) " + (group.tables[t].composite.map { "\($0.waiReported) \($0.band)" } ?? "no answers")
            }.joined(separator: ", "))
        }
        desc += parts.joined(separator: "; ")
        return canvas.document(height: y + margin / 2, title: title ?? heading(table) + " by " + breakdown.label, description: desc + ".")
    }
}
