import WAIEstimate
import WAIModel

/// Renders the charts of a report as standalone SVG documents: the index chart of a table
/// (the study's Figures 2–4), the diverging stacked bars of its answers, the frequency chart
/// of a demographic (Figure 1) and the comparison of groups.
///
/// Charts are drawn at `width` pixels (800 fits A4 with text of 11 px and more), every number
/// is printed with two decimals and every text XML-escaped, so the same analysis always gives
/// the same bytes. Text widths are estimated from character counts (Khmer clusters count as wide).
public struct SVGRenderer: Sendable {
    public var width: Double

    public init(width: Double = 800) {
        self.width = width
    }

    let margin = 16.0
    let titleSize = 16.0
    let labelSize = 12.0
    let smallSize = 11.0

    /// A figure of a report document, drawn from the document's analysis; its caption is the chart's title.
    public func chart(_ figure: ReportDocument.Figure, of analysis: SurveyAnalysis) -> String {
        let title = figure.caption
        switch figure.chart {
        case .index(let t): return indexChart(analysis.tables[t], method: analysis.method, title: title)
        case .levels(let t): return levelsChart(analysis.tables[t], title: title)
        case .frequency(let f): return frequencyChart(analysis.frequencies[f], title: title)
        case .breakdown(let b, let t): return breakdownChart(analysis.breakdowns[b], tableAt: t, of: analysis, title: title)
        }
    }

    /// "Figure 2. China's aid and economic growth".
    func heading(_ table: TableEstimate) -> String {
        (table.caption.map { $0 + ". " } ?? "") + table.title
    }

    /// The label of an item in a chart, with its keying and, when items differ, its n.
    func itemLabel(_ item: ItemEstimate, showN: Bool) -> String {
        item.text + (item.reverse ? " (reverse-keyed)" : "") + (showN ? " (n\u{00A0}=\u{00A0}\(item.n))" : "")
    }

    /// "n = 99", or "n = 94–99" when the items were answered by different numbers of people.
    func sampleText(_ ns: [Int]) -> String {
        guard let low = ns.min(), let high = ns.max() else { return "n = 0" }
        return low == high ? "n = \(low)" : "n = \(low)–\(high)"
    }

    /// Title and subtitle lines at the top; returns the y below them.
    func header(_ canvas: inout SVGCanvas, title: String, subtitle: String) -> Double {
        var y = margin
        let titleLines = TextMetrics.wrap(title, width: width - 2 * margin, size: titleSize, bold: true)
        y += canvas.lines(titleLines, x: margin, top: y, size: titleSize, bold: true, cls: "title")
        if !subtitle.isEmpty {
            let lines = TextMetrics.wrap(subtitle, width: width - 2 * margin, size: labelSize)
            y += 2 + canvas.lines(lines, x: margin, top: y + 2, size: labelSize, fill: Palette.muted, cls: "subtitle")
        }
        return y + 8
    }

    /// A row of swatches and labels, wrapped across the width; returns the y below it.
    func legend(_ canvas: inout SVGCanvas, entries: [(label: String, fill: String)], top: Double, stroke: String? = nil) -> Double {
        let swatch = 12.0, gap = 6.0, spacing = 18.0
        let rowHeight = entries.contains { TextMetrics.hasKhmer($0.label) } ? 22.0 : 18.0
        var x = margin, y = top
        for entry in entries {
            let maxLabel = width - 2 * margin - swatch - gap
            let label = TextMetrics.wrap(entry.label, width: maxLabel, size: labelSize).first ?? ""
            let shown = label == entry.label ? label : label + "…"
            let w = swatch + gap + TextMetrics.width(shown, size: labelSize)
            if x > margin && x + w > width - margin {
                x = margin
                y += rowHeight
            }
            canvas.rect(x: x, y: y + (rowHeight - swatch) / 2, width: swatch, height: swatch, fill: entry.fill,
                        cls: "swatch", stroke: stroke ?? (Palette.luminance(entry.fill) > 0.8 ? Palette.axis : nil), strokeWidth: 0.75)
            canvas.text(shown, x: x + swatch + gap, y: y + rowHeight / 2 + 0.35 * labelSize, size: labelSize, cls: "legend")
            x += w + spacing
        }
        return y + rowHeight + 6
    }

    /// Geometry of an index axis: band zones over a plot from x0 to x1.
    struct IndexAxis {
        var zones: [BandZone]
        var lower: Double
        var upper: Double
        var x0: Double
        var x1: Double
        var plotWidth: Double { x1 - x0 }
        func x(_ value: Double) -> Double {
            x0 + (min(max(value, lower), upper) - lower) / (upper - lower) * plotWidth
        }
    }

    /// The band labels and intervals above the zones; returns their height.
    func zoneHeader(_ canvas: inout SVGCanvas, axis: IndexAxis, top: Double) -> Double {
        var height = 0.0
        var blocks: [(lines: [String], zone: BandZone)] = []
        for zone in axis.zones {
            let w = max(20, axis.x(zone.upper) - axis.x(zone.lower) - 4)
            blocks.append((TextMetrics.wrap(zone.label, width: w, size: labelSize, bold: true), zone))
        }
        let allLines = blocks.flatMap(\.lines)
        let lh = TextMetrics.lineHeight(allLines, size: labelSize)
        let labelLines = blocks.map(\.lines.count).max() ?? 1
        for block in blocks {
            let cx = (axis.x(block.zone.lower) + axis.x(block.zone.upper)) / 2
            canvas.lines(block.lines, x: cx, top: top + 4, size: labelSize, anchor: .middle, bold: true, cls: "band-label", lineHeight: lh)
            canvas.text(block.zone.interval, x: cx, y: top + 4 + Double(labelLines) * lh + smallSize, size: smallSize,
                        anchor: .middle, fill: Palette.muted, cls: "band-interval")
        }
        height = 4 + Double(labelLines) * lh + smallSize * 1.3 + 6
        return height
    }

    /// Band zones as alternating grey rectangles behind the bars, from `top` to `bottom`.
    func zoneBackground(_ canvas: inout SVGCanvas, axis: IndexAxis, top: Double, bottom: Double) {
        for (i, zone) in axis.zones.enumerated() {
            let x = axis.x(zone.lower)
            canvas.rect(x: x, y: top, width: axis.x(zone.upper) - x, height: bottom - top,
                        fill: Palette.zones[i % 2], cls: "band", data: [("band", zone.label)])
        }
    }

    /// The x axis of an index: a line, ticks at the band edges, their values, a title. Returns the y below.
    func indexAxis(_ canvas: inout SVGCanvas, axis: IndexAxis, y: Double, precision: Int, title: String) -> Double {
        canvas.line(x1: axis.x0, y1: y, x2: axis.x1, y2: y, stroke: Palette.axis, cls: "axis")
        var ticks = [axis.lower] + axis.zones.map(\.upper) + [axis.upper]
        ticks = ticks.filter { $0 >= axis.lower - 1e-12 && $0 <= axis.upper + 1e-12 }
        var seen: [String] = []
        for tick in ticks {
            let label = BandTable.fixed(tick, decimals: max(1, precision))
            if seen.contains(label) { continue }
            seen.append(label)
            let x = axis.x(tick)
            canvas.line(x1: x, y1: y, x2: x, y2: y + 5, stroke: Palette.axis, cls: "tick")
            canvas.text(label, x: x, y: y + 7 + smallSize, size: smallSize, anchor: .middle, cls: "tick-label")
        }
        canvas.text(title, x: (axis.x0 + axis.x1) / 2, y: y + 12 + 2 * smallSize + 4, size: smallSize, anchor: .middle,
                    fill: Palette.muted, cls: "axis-title")
        return y + 12 + 2 * smallSize + 10
    }

    /// A confidence interval as a horizontal line with end caps, over a white halo so it shows on any bar.
    func whisker(_ canvas: inout SVGCanvas, axis: IndexAxis, interval: Interval, y: Double, cap: Double) {
        let a = axis.x(interval.lower), b = axis.x(interval.upper)
        let d = "M\(px(a)) \(px(y))H\(px(b))M\(px(a)) \(px(y - cap))V\(px(y + cap))M\(px(b)) \(px(y - cap))V\(px(y + cap))"
        canvas.raw("<path class=\"whisker-halo\" d=\"\(d)\" stroke=\"#ffffff\" stroke-width=\"3.50\" fill=\"none\"/>")
        canvas.raw("<path class=\"whisker\" d=\"\(d)\" stroke=\"#000000\" stroke-width=\"1.50\" fill=\"none\"/>")
    }

    /// "95 % CI 0.52–0.71" for descriptions.
    func intervalText(_ interval: Interval?) -> String {
        guard let interval else { return "" }
        return ", \(BandTable.fixed(100 * interval.level, decimals: 0)) % CI \(BandTable.fixed(interval.lower, decimals: 2))–\(BandTable.fixed(interval.upper, decimals: 2))"
    }

    func percentText(_ share: Double, decimals: Int = 0) -> String {
        BandTable.fixed(100 * share, decimals: decimals) + "%"
    }
}
