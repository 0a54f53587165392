import WAIEstimate
import WAIModel

extension SVGRenderer {
    /// A demographic's frequency chart (the study's Figure 1): one bar per category, its
    /// length the percent of those who answered, with the count and the percent printed,
    /// and a note "n = answered, no answer = missing".
    public func frequencyChart(_ table: FrequencyTable, title: String? = nil) -> String {
        var canvas = SVGCanvas(width: width)
        let weighted = table.rows.contains { abs($0.weightedPercent - $0.percent) > 1e-9 }
        var subtitle = "Respondents by \(table.label), % of those who answered."
        if weighted { subtitle += " Bars and % are unweighted; weighted % in brackets." }
        var y = header(&canvas, title: table.label, subtitle: subtitle)

        let labelWidth = (width * 0.3).rounded()
        let x0 = margin + labelWidth + 12
        let x1 = width - (weighted ? 200 : 136)
        let top = (table.rows.map(\.percent).max() ?? 0)
        let domain = max(10, (top / 10 - 1e-9).rounded(.up) * 10)
        let step = domain > 60 ? 20.0 : 10.0
        let scale = (x1 - x0) / domain
        let barHeight = 18.0
        let plotTop = y
        var rows = SVGCanvas(width: width)

        for row in table.rows {
            let lines = TextMetrics.wrap(row.value, width: labelWidth, size: labelSize)
            let textHeight = Double(lines.count) * TextMetrics.lineHeight(lines, size: labelSize)
            let rowHeight = max(barHeight + 10, textHeight + 8)
            let centre = y + rowHeight / 2
            rows.lines(lines, x: margin, top: centre - textHeight / 2, size: labelSize, cls: "category-label")
            let w = row.percent * scale
            rows.rect(x: x0, y: centre - barHeight / 2, width: w, height: barHeight, fill: Palette.bar, cls: "bar",
                      data: [("category", row.value), ("count", String(row.count))])
            var value = "\(row.count) (\(BandTable.fixed(row.percent, decimals: 1)) %)"
            if weighted { value += " [\(BandTable.fixed(row.weightedPercent, decimals: 1)) %]" }
            rows.text(runs: [(String(row.count), true), (String(value.dropFirst(String(row.count).count)), false)],
                      x: x0 + w + 6, y: centre + 0.35 * labelSize, size: labelSize, cls: "value")
            y += rowHeight
        }
        if table.rows.isEmpty {
            rows.text("nobody answered", x: x0 + 6, y: y + 18, size: labelSize, fill: Palette.muted, cls: "value")
            y += 28
        }

        var tick = step
        while tick <= domain + 1e-9 {
            canvas.line(x1: x0 + tick * scale, y1: plotTop, x2: x0 + tick * scale, y2: y, stroke: "#d9d9d9", cls: "grid")
            tick += step
        }
        for element in rows.elements { canvas.raw(element) }
        y += 4
        canvas.line(x1: x0, y1: plotTop - 2, x2: x0, y2: y, stroke: Palette.axis, cls: "axis")
        canvas.line(x1: x0, y1: y, x2: x1, y2: y, stroke: Palette.axis, cls: "axis")
        tick = 0
        while tick <= domain + 1e-9 {
            canvas.line(x1: x0 + tick * scale, y1: y, x2: x0 + tick * scale, y2: y + 5, stroke: Palette.axis, cls: "tick")
            canvas.text(BandTable.fixed(tick, decimals: 0) + "%", x: x0 + tick * scale, y: y + 7 + smallSize, size: smallSize,
                        anchor: .middle, cls: "tick-label")
            tick += step
        }
        y += 12 + smallSize
        let note = "n = \(table.answered), no answer = \(table.missing)"
        canvas.text(note, x: margin, y: y + 4 + labelSize, size: labelSize, fill: Palette.muted, cls: "note")
        y += 8 + labelSize * 1.3

        var desc = "Bar chart of respondents by \(table.label): "
        desc += table.rows.map { "\($0.value) \($0.count) (\(BandTable.fixed($0.percent, decimals: 1)) %)" }.joined(separator: ", ")
        desc += ". \(note)."
        return canvas.document(height: y + margin / 2, title: title ?? "\(table.label) — respondents", description: desc)
    }
}
