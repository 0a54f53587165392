import WAIEstimate
import WAIModel

extension SVGRenderer {
    /// Diverging stacked bars of each item's answers (the standard Likert chart): levels below
    /// the middle stack to the left of the zero line, levels above it to the right, and the
    /// middle level of an odd scale straddles the line. Shares are of those who answered;
    /// a segment prints its percentage when it is wide enough to hold it. Items on different
    /// scales each diverge around their own scale's middle, with one legend per scale.
    public func levelsChart(_ table: TableEstimate, title: String? = nil) -> String {
        var canvas = SVGCanvas(width: width)
        let ns = table.items.map(\.n)
        let showN = Set(ns).count > 1
        let groups = table.scaleGroups
        let labels = table.items.first?.counts.map(\.label) ?? []
        let k = labels.count
        let odd = k % 2 == 1
        var subtitle = "Answers, as % of those who answered (\(sampleText(ns))). Levels below the middle run left of the zero line, levels above it run right"
        if groups.count > 1 {
            subtitle += "; each item on its own scale, whose middle level (of an odd scale) is split across the line."
        } else {
            subtitle += odd && k > 1 ? "; the middle level (\(labels[k / 2])) is split across the line." : "."
        }
        if table.items.contains(where: \.reverse) {
            subtitle += " Reverse-keyed items are shown as answered."
        }
        var y = header(&canvas, title: heading(table) + " — answers", subtitle: subtitle)
        for group in groups {
            var entries = (group.items.first?.counts.map(\.label) ?? []).enumerated().map { l, label in
                (label, Palette.levels(group.items.first!.counts.count)[l])
            }
            if let scale = group.scale, !entries.isEmpty { entries[0].0 = "\(scale): " + entries[0].0 }
            y = legend(&canvas, entries: entries, top: y)
        }

        // The extent of each side: the levels below (above) the middle plus half the middle level.
        func sides(_ item: ItemEstimate) -> (left: Double, right: Double) {
            let k = item.counts.count, odd = k % 2 == 1
            var left = 0.0, right = 0.0
            for (l, level) in item.counts.enumerated() {
                if odd && l == k / 2 {
                    left += level.share / 2
                    right += level.share / 2
                } else if l < k / 2 {
                    left += level.share
                } else {
                    right += level.share
                }
            }
            return (left, right)
        }
        let extent = table.items.map(sides).reduce(0.0) { max($0, $1.left, $1.right) }
        let domain = max(0.1, (extent * 10 - 1e-9).rounded(.up) / 10)
        let step = domain > 0.6 ? 0.2 : 0.1

        let labelWidth = (width * 0.33).rounded()
        let x0 = margin + labelWidth + 12, x1 = width - margin
        let zero = (x0 + x1) / 2
        let scale = (x1 - x0) / 2 / domain
        let barHeight = 20.0
        let plotTop = y

        var ticks: [Double] = []
        var t = 0.0
        while t <= domain + 1e-9 {
            ticks.append(t)
            t += step
        }
        // Bars go on their own canvas, drawn over the grid once the rows' height is known.
        var rows = SVGCanvas(width: width)

        for item in table.items {
            let lines = TextMetrics.wrap(itemLabel(item, showN: showN), width: labelWidth, size: labelSize)
            let textHeight = Double(lines.count) * TextMetrics.lineHeight(lines, size: labelSize)
            let rowHeight = max(barHeight + 10, textHeight + 8)
            let centre = y + rowHeight / 2
            rows.lines(lines, x: margin, top: centre - textHeight / 2, size: labelSize, cls: "item-label")
            if item.n == 0 || item.counts.allSatisfy({ $0.share <= 0 }) {
                rows.text("no answers", x: zero + 6, y: centre + 0.35 * labelSize, size: labelSize, fill: Palette.muted, cls: "value")
                y += rowHeight
                continue
            }
            let (left, _) = sides(item)
            let colours = Palette.levels(item.counts.count)
            var x = zero - left * scale
            for (l, level) in item.counts.enumerated() where level.share > 0 {
                let w = level.share * scale
                rows.rect(x: x, y: centre - barHeight / 2, width: w, height: barHeight, fill: colours[l], cls: "segment",
                            stroke: "#ffffff", strokeWidth: 0.75,
                            data: [("item", item.id), ("level", String(level.code)), ("share", BandTable.fixed(level.share, decimals: 4))])
                let label = percentText(level.share)
                if w >= TextMetrics.width(label, size: smallSize) + 6 {
                    rows.text(label, x: x + w / 2, y: centre + 0.35 * smallSize, size: smallSize, anchor: .middle,
                                fill: Palette.textOn(colours[l]), cls: "segment-label")
                }
                x += w
            }
            y += rowHeight
        }
        for tick in ticks where tick > 0 {
            for sign in [-1.0, 1.0] {
                let x = zero + sign * tick * scale
                canvas.line(x1: x, y1: plotTop, x2: x, y2: y, stroke: "#d9d9d9", cls: "grid")
            }
        }
        // The zero line goes behind the bars, so it never runs through the middle level's label.
        canvas.line(x1: zero, y1: plotTop - 4, x2: zero, y2: y + 4, stroke: Palette.axis, width: 1.5, cls: "zero-line")
        for element in rows.elements { canvas.raw(element) }

        // Axis: absolute percentages on both sides of the zero line.
        y += 4
        canvas.line(x1: x0, y1: y, x2: x1, y2: y, stroke: Palette.axis, cls: "axis")
        for tick in ticks {
            for sign in tick == 0 ? [0.0] : [-1.0, 1.0] {
                let x = zero + sign * tick * scale
                canvas.line(x1: x, y1: y, x2: x, y2: y + 5, stroke: Palette.axis, cls: "tick")
                canvas.text(percentText(tick), x: x, y: y + 7 + smallSize, size: smallSize, anchor: .middle, cls: "tick-label")
            }
        }
        let lowSide = groups.count > 1 ? "← lowest levels side" : k > 1 ? "← " + labels[0] + " side" : ""
        let highSide = groups.count > 1 ? "highest levels side →" : k > 1 ? labels[k - 1] + " side →" : ""
        canvas.text(lowSide, x: x0, y: y + 12 + 2 * smallSize + 4, size: smallSize, fill: Palette.muted, cls: "axis-title")
        canvas.text(highSide, x: x1, y: y + 12 + 2 * smallSize + 4, size: smallSize, anchor: .end, fill: Palette.muted, cls: "axis-title")
        y += 12 + 2 * smallSize + 10

        var desc = "Diverging stacked bar chart of the answers to each item of \(heading(table)), as shares of those who answered, levels "
        desc += groups.count > 1
            ? groups.map { "\($0.scale!): " + ($0.items.first?.counts.map(\.label) ?? []).joined(separator: ", ") }.joined(separator: "; ") + ". "
            : labels.joined(separator: ", ") + ". "
        desc += table.items.map { item in
            "\(itemLabel(item, showN: showN)): " + (item.n == 0 ? "no answers" : item.counts.map { "\($0.label) \(percentText($0.share, decimals: 1))" }.joined(separator: ", "))
        }.joined(separator: "; ")
        return canvas.document(height: y + margin / 2, title: title ?? heading(table) + " — answers by level", description: desc + ".")
    }
}
