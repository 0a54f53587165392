import WAIEstimate
import WAIModel

extension SVGRenderer {
    /// The index chart of a table (the study's Figures 2–4): one horizontal bar per item
    /// ending at its index as printed, the printed index and band beside it, the bands as
    /// background zones, the OA bar set apart below a separator, and confidence-interval
    /// whiskers when the estimates carry intervals.
    ///
    /// Bars end at the *reported* (rounded) index, so a bar always ends inside the band it is
    /// classified in; the axis runs 0…1 (wider only when a band reaches beyond it).
    public func indexChart(_ table: TableEstimate, method: SurveyAnalysis.Method, title: String? = nil) -> String {
        var canvas = SVGCanvas(width: width)
        let ns = table.items.map(\.n)
        let showN = Set(ns).count > 1
        let intervals = table.items.compactMap(\.interval) + (table.composite?.interval.map { [$0] } ?? [])
        var subtitle = "Weighted Average Index (\(sampleText(ns))); 0 = lowest, 1 = highest; bars end at the index as printed, shaded zones are the bands."
        if let first = intervals.first {
            subtitle += " Whiskers: \(BandTable.fixed(100 * first.level, decimals: 0)) % confidence intervals."
        }
        var y = header(&canvas, title: heading(table), subtitle: subtitle)

        let zones = BandZone.zones(labels: table.bandLabels, method: method)
        let domain = BandZone.domain(zones)
        let labelWidth = (width * 0.355).rounded()
        let axis = IndexAxis(zones: zones, lower: domain.lower, upper: domain.upper,
                             x0: margin + labelWidth + 12, x1: width - 128)
        let zoneTop = y
        // Zones go first (behind everything); their header text is drawn on top of them.
        var foreground = SVGCanvas(width: width)
        y += zoneHeader(&foreground, axis: axis, top: y)

        let barHeight = 18.0
        func valueText(_ reported: String, band: String, end: Double, y centre: Double, on fill: String, whiskerEnd: Double?) {
            let runs = [(reported, true), ("  " + band, false)]
            let w = TextMetrics.width(reported, size: labelSize, bold: true) + TextMetrics.width("  " + band, size: labelSize)
            let x = max(end, whiskerEnd ?? end) + 6
            if x + w <= width - margin || end - axis.x0 < w + 12 {
                foreground.text(runs: runs, x: x, y: centre + 0.35 * labelSize, size: labelSize, cls: "value")
            } else {
                foreground.text(runs: runs, x: end - 6, y: centre + 0.35 * labelSize, size: labelSize, anchor: .end,
                                fill: Palette.textOn(fill), cls: "value")
            }
        }

        for item in table.items {
            let lines = TextMetrics.wrap(itemLabel(item, showN: showN), width: labelWidth, size: labelSize)
            let textHeight = Double(lines.count) * TextMetrics.lineHeight(lines, size: labelSize)
            let rowHeight = max(barHeight + 10, textHeight + 8)
            let centre = y + rowHeight / 2
            foreground.lines(lines, x: margin, top: centre - textHeight / 2, size: labelSize, cls: "item-label")
            if let wai = item.wai, let reported = item.waiReported {
                let value = Double(reported) ?? wai
                let start = axis.x(max(0, axis.lower)), end = axis.x(value)
                foreground.rect(x: start, y: centre - barHeight / 2, width: end - start, height: barHeight, fill: Palette.bar,
                                cls: "bar", data: [("item", item.id), ("wai", reported)])
                var whiskerEnd: Double?
                if let interval = item.interval {
                    whisker(&foreground, axis: axis, interval: interval, y: centre, cap: 5)
                    whiskerEnd = axis.x(interval.upper)
                }
                valueText(reported, band: item.band ?? "", end: end, y: centre, on: Palette.bar, whiskerEnd: whiskerEnd)
            } else {
                foreground.text("no answers", x: axis.x0 + 6, y: centre + 0.35 * labelSize, size: labelSize,
                                fill: Palette.muted, cls: "value")
            }
            y += rowHeight
        }

        if let composite = table.composite {
            y += 4
            foreground.line(x1: margin, y1: y, x2: width - margin, y2: y, stroke: Palette.axis, width: 1.5, cls: "separator")
            y += 4
            let note = TextMetrics.wrap("Overall assessment: mean of \(composite.items) items", width: labelWidth, size: smallSize)
            let noteHeight = Double(note.count) * TextMetrics.lineHeight(note, size: smallSize)
            let textHeight = 13 * 1.3 + noteHeight
            let rowHeight = max(barHeight + 14, textHeight + 8)
            let centre = y + rowHeight / 2
            foreground.text("OA", x: margin, y: centre - textHeight / 2 + 13, size: 13, bold: true, cls: "item-label oa")
            foreground.lines(note, x: margin, top: centre - textHeight / 2 + 13 * 1.3, size: smallSize, fill: Palette.muted, cls: "item-label")
            let value = Double(composite.waiReported) ?? composite.wai
            let start = axis.x(max(0, axis.lower)), end = axis.x(value)
            foreground.rect(x: start, y: centre - (barHeight + 4) / 2, width: end - start, height: barHeight + 4, fill: Palette.overall,
                            cls: "bar", data: [("item", "OA"), ("wai", composite.waiReported)])
            var whiskerEnd: Double?
            if let interval = composite.interval {
                whisker(&foreground, axis: axis, interval: interval, y: centre, cap: 6)
                whiskerEnd = axis.x(interval.upper)
            }
            valueText(composite.waiReported, band: composite.band, end: end, y: centre, on: Palette.overall, whiskerEnd: whiskerEnd)
            y += rowHeight
        }

        y += 4
        zoneBackground(&canvas, axis: axis, top: zoneTop, bottom: y)
        for element in foreground.elements { canvas.raw(element) }
        y = indexAxis(&canvas, axis: axis, y: y, precision: method.precision, title: "Weighted Average Index")

        var desc = "Horizontal bar chart of the Weighted Average Index of each item of \(heading(table)), on an axis from "
        desc += "\(BandTable.fixed(axis.lower, decimals: 1)) to \(BandTable.fixed(axis.upper, decimals: 1)) shaded by band ("
        desc += zones.map { "\($0.label) \($0.interval)" }.joined(separator: ", ") + "). "
        desc += table.items.map { item in
            "\(itemLabel(item, showN: showN)): " + (item.waiReported.map { "\($0), \(item.band ?? "")\(intervalText(item.interval))" } ?? "no answers")
        }.joined(separator: "; ")
        if let composite = table.composite {
            desc += "; OA (mean of \(composite.items) items): \(composite.waiReported), \(composite.band)\(intervalText(composite.interval))"
        }
        return canvas.document(height: y + margin / 2, title: title ?? heading(table) + " — Weighted Average Index", description: desc + ".")
    }
}
