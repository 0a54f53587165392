import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import XCTest
import WAIRead
import WAIModel
@testable import WAIAggregate
@testable import WAIEstimate
@testable import WAIPipeline
@testable import WAIReport

/// An element of a parsed XML document, with the character data directly inside it.
final class XMLNode {
    let name: String
    let attributes: [String: String]
    /// Character data directly inside this element.
    var text = ""
    /// Character data of this element and its descendants, in document order.
    var fullText = ""
    var children: [XMLNode] = []
    init(name: String, attributes: [String: String]) {
        self.name = name
        self.attributes = attributes
    }

    /// Every element below (and including) this one, in document order.
    var all: [XMLNode] { [self] + children.flatMap(\.all) }
    var classes: [String] { (attributes["class"] ?? "").split(separator: " ").map(String.init) }
    func number(_ name: String) -> Double? { attributes[name].flatMap(Double.init) }
}

/// Parses a document with Foundation's XMLParser; fails the test on any parse error.
final class XMLTreeBuilder: NSObject, XMLParserDelegate {
    var stack: [XMLNode] = []
    var root: XMLNode?

    static func parse(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> XMLNode? {
        let parser = XMLParser(data: Data(text.utf8))
        let builder = XMLTreeBuilder()
        parser.delegate = builder
        let ok = parser.parse()
        XCTAssertTrue(ok, "not well-formed XML: \(parser.parserError.map { "\($0)" } ?? "?") at line \(parser.lineNumber)", file: file, line: line)
        return ok ? builder.root : nil
    }

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                qualifiedName: String?, attributes: [String: String] = [:]) {
        let node = XMLNode(name: elementName, attributes: attributes)
        if let parent = stack.last { parent.children.append(node) } else { root = node }
        stack.append(node)
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
        stack.removeLast()
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        stack.last?.text += string
        for node in stack { node.fullText += string }
    }
}

final class SVGTests: XCTestCase {
    static let bands = ["Very Low", "Low", "Medium", "High", "Very High"]
    static let nasty = #"<script>alert(1)</script> & "quoted" 'single' ខ្ពស់ណាស់"#

    var method: SurveyAnalysis.Method {
        let table = BandTable.standard
        return SurveyAnalysis.Method(
            weighting: "normalized",
            levels: Scale.fivePointDegree.levels.enumerated().map { .init(code: $1.code, label: $1.label, weight: Double($0) / 4) },
            precision: 2,
            bands: table.labels.indices.map { .init(label: table.labels[$0], interval: table.intervalText($0)) },
            weightColumn: nil, inference: InferenceOptions())
    }

    /// Level shares from counts, in scale order.
    func counts(_ values: [Int]) -> [LevelShare] {
        let total = Double(values.reduce(0, +))
        return values.enumerated().map { l, count in
            LevelShare(code: l + 1, label: Scale.fivePointDegree.levels[l].label, count: count,
                       weightedCount: Double(count), share: total > 0 ? Double(count) / total : 0)
        }
    }

    func item(_ id: String, _ levels: [Int], text: String? = nil, interval: Interval? = nil) -> ItemEstimate {
        let shares = counts(levels)
        let n = levels.reduce(0, +)
        let wai: Double? = n > 0 ? zip(levels, [0, 0.25, 0.5, 0.75, 1]).reduce(0.0) { $0 + Double($1.0) * $1.1 } / Double(n) : nil
        let table = BandTable.standard.relabeled(Self.bands)
        return ItemEstimate(id: id, text: text ?? "Item \(id)?", column: id, reverse: false, n: n, missing: 0, weightedN: Double(n),
                            counts: shares, wai: wai, waiReported: wai.map(table.format), band: wai.flatMap(table.band), interval: interval)
    }

    /// a: 0,1,1,1,1 → 0.625 → 0.63 High; b: 0,0,3,0,0 → 0.50 Medium; c: 3,0,0,1,0 → 0.1875 → 0.19 Very Low.
    /// OA = (0.625 + 0.5 + 0.1875) / 3 = 0.4375 → 0.44 Medium.
    func table(intervals: Bool = false, text: String? = nil) -> TableEstimate {
        let ci = { (l: Double, u: Double) in intervals ? Interval(lower: l, upper: u, level: 0.95, method: "linearization") : nil }
        let items = [item("a", [0, 1, 1, 1, 1], text: text, interval: ci(0.40, 0.85)),
                     item("b", [0, 0, 3, 0, 0], interval: ci(0.50, 0.50)),
                     item("c", [3, 0, 0, 1, 0], interval: ci(0.0, 0.45))]
        let composite = CompositeEstimate(items: 3, wai: 0.4375, waiReported: "0.44", band: "Medium", interval: ci(0.30, 0.58))
        return TableEstimate(id: "t1", title: "Hand-made", caption: "Figure 2", bandLabels: Self.bands, items: items, composite: composite)
    }

    func elements(_ root: XMLNode?, class name: String) -> [XMLNode] {
        root?.all.filter { $0.classes.contains(name) } ?? []
    }

    func assertAccessible(_ svg: String, file: StaticString = #filePath, line: UInt = #line) {
        guard let root = XMLTreeBuilder.parse(svg, file: file, line: line) else { return }
        XCTAssertEqual(root.name, "svg", file: file, line: line)
        XCTAssertNotNil(root.attributes["viewBox"], file: file, line: line)
        XCTAssertEqual(root.attributes["role"], "img", file: file, line: line)
        XCTAssertEqual(root.children.first?.name, "title", file: file, line: line)
        XCTAssertEqual(root.children.dropFirst().first?.name, "desc", file: file, line: line)
        XCTAssertFalse(root.children.first?.text.isEmpty ?? true, file: file, line: line)
        XCTAssert(root.attributes["font-family"]?.contains("\"Noto Sans Khmer\"") == true, file: file, line: line)
        for node in root.all {
            if let size = node.number("font-size") { XCTAssertGreaterThanOrEqual(size, 11, "text smaller than 11 px", file: file, line: line) }
        }
    }

    func testIndexChartHasOneBarPerItemPlusOAWithLengthsProportionalToTheIndex() throws {
        let svg = SVGRenderer().indexChart(table(), method: method)
        assertAccessible(svg)
        let root = XMLTreeBuilder.parse(svg)
        let bars = elements(root, class: "bar")
        XCTAssertEqual(bars.count, 4)
        XCTAssert(bars.allSatisfy { $0.name == "rect" })
        XCTAssertEqual(bars.map { $0.attributes["data-item"] }, ["a", "b", "c", "OA"])

        // The zones span the 0…1 axis: their union is the plot.
        let zones = elements(root, class: "band")
        XCTAssertEqual(zones.count, 5)
        XCTAssertEqual(zones.map { $0.attributes["data-band"] }, Self.bands)
        let left = zones.first!.number("x")!
        let plot = zones.last!.number("x")! + zones.last!.number("width")! - left
        XCTAssertEqual(plot, 360, accuracy: 0.01)   // 800 − 16 − 284 − 12 − 128
        // Each zone covers its band: Low from 0.20 to 0.40 of the axis.
        XCTAssertEqual(zones[1].number("x")!, left + 0.20 * 360, accuracy: 0.01)
        XCTAssertEqual(zones[1].number("width")!, 0.20 * 360, accuracy: 0.01)

        // Bars end at the index as printed: 0.63, 0.50, 0.19, OA 0.44.
        for (bar, value) in zip(bars, [0.63, 0.50, 0.19, 0.44]) {
            XCTAssertEqual(bar.number("x")!, left, accuracy: 0.01)
            XCTAssertEqual(bar.number("width")!, value * 360, accuracy: 0.01)
        }
        // The OA bar is darker, set apart by a separator and labelled "OA".
        XCTAssertNotEqual(bars[3].attributes["fill"], bars[0].attributes["fill"])
        XCTAssertEqual(elements(root, class: "separator").count, 1)
        XCTAssert(elements(root, class: "oa").contains { $0.fullText == "OA" })
        // The printed index and band beside each bar.
        let values = elements(root, class: "value").map(\.fullText)
        XCTAssertEqual(values, ["0.63  High", "0.50  Medium", "0.19  Very Low", "0.44  Medium"])
        XCTAssert(elements(root, class: "band-label").map(\.fullText).contains("Medium"))
        XCTAssert(elements(root, class: "band-interval").map(\.fullText).contains("0.41–0.60"))
    }

    func testProportionalWeightingKeepsTheZeroToOneAxis() {
        var m = method
        m.weighting = "proportional"
        let root = XMLTreeBuilder.parse(SVGRenderer().indexChart(table(), method: m))
        let ticks = elements(root, class: "tick-label").map(\.fullText)
        XCTAssertEqual(ticks.first, "0.00")
        XCTAssertEqual(ticks.last, "1.00")
    }

    func testWhiskersOnlyWhenIntervalsExist() {
        let without = XMLTreeBuilder.parse(SVGRenderer().indexChart(table(), method: method))
        XCTAssertEqual(elements(without, class: "whisker").count, 0)
        XCTAssertEqual(elements(without, class: "whisker-halo").count, 0)

        let svg = SVGRenderer().indexChart(table(intervals: true), method: method)
        assertAccessible(svg)
        let with = XMLTreeBuilder.parse(svg)
        let whiskers = elements(with, class: "whisker")
        XCTAssertEqual(whiskers.count, 4)   // three items and the OA
        // Item a: 0.40–0.85 on the 360 px axis that starts at the first zone.
        let left = elements(with, class: "band").first!.number("x")!
        let d = whiskers[0].attributes["d"]!
        XCTAssert(d.hasPrefix("M\(px(left + 0.40 * 360)) "), d)
        XCTAssert(d.contains("H\(px(left + 0.85 * 360))"), d)
        XCTAssert(elements(with, class: "subtitle").map(\.fullText).joined().contains("95 % confidence intervals"))
    }

    func testDivergingBarsHaveOneSegmentPerAnsweredLevelAndCentreTheNeutral() throws {
        let svg = SVGRenderer().levelsChart(table())
        assertAccessible(svg)
        let root = XMLTreeBuilder.parse(svg)
        let segments = elements(root, class: "segment")
        func of(_ id: String) -> [XMLNode] { segments.filter { $0.attributes["data-item"] == id } }
        XCTAssertEqual(of("a").count, 4)   // shares 0, .25, .25, .25, .25
        XCTAssertEqual(of("b").count, 1)   // all neutral
        XCTAssertEqual(of("c").count, 2)   // 3 Very Low, 1 High
        let zero = elements(root, class: "zero-line").first!.number("x1")!

        // b: 100 % neutral, centred on the zero line.
        let b = of("b")[0]
        XCTAssertEqual(b.number("x")! + b.number("width")! / 2, zero, accuracy: 0.01)
        // a: Low (25 %) ends where Neutral starts, Neutral straddles zero by halves, High and Very High to the right.
        let a = of("a")
        XCTAssertEqual(a.map { $0.attributes["data-level"] }, ["2", "3", "4", "5"])
        XCTAssertEqual(a[1].number("x")! + a[1].number("width")! / 2, zero, accuracy: 0.01)
        XCTAssertEqual(a[0].number("x")! + a[0].number("width")!, a[1].number("x")!, accuracy: 0.01)
        XCTAssertEqual(a[2].number("x")!, zero + a[1].number("width")! / 2, accuracy: 0.01)
        // c: Very Low entirely left of zero, High entirely right.
        let c = of("c")
        XCTAssertEqual(c[0].number("x")! + c[0].number("width")!, zero, accuracy: 0.01)
        XCTAssertEqual(c[1].number("x")!, zero, accuracy: 0.01)
        XCTAssertEqual(c[0].number("width")!, 3 * c[1].number("width")!, accuracy: 0.01)

        // A legend with every level, and percentages in segments wide enough for them.
        XCTAssertEqual(elements(root, class: "legend").map(\.fullText), ["Very Low", "Low", "Neutral", "High", "Very High"])
        let labels = elements(root, class: "segment-label").map(\.fullText)
        XCTAssert(labels.contains("100%"), "\(labels)")
        XCTAssert(labels.contains("75%"), "\(labels)")
    }

    func testFrequencyChartShowsCountsPercentsAndTheNote() {
        let table = FrequencyTable(column: "job", label: "Job type", answered: 94, missing: 5, rows: [
            .init(value: "University", count: 26, percent: 100 * 26 / 94, weightedPercent: 100 * 26 / 94),
            .init(value: "សិស្ស Student", count: 18, percent: 100 * 18 / 94, weightedPercent: 100 * 18 / 94),
            .init(value: "Researcher", count: 4, percent: 100 * 4 / 94, weightedPercent: 100 * 4 / 94),
        ])
        let svg = SVGRenderer().frequencyChart(table)
        assertAccessible(svg)
        XCTAssert(svg.contains("សិស្ស Student"))
        let root = XMLTreeBuilder.parse(svg)
        let bars = elements(root, class: "bar")
        XCTAssertEqual(bars.count, 3)
        // Bars proportional to the percent: 26 is 6.5 times 4.
        XCTAssertEqual(bars[0].number("width")! / bars[2].number("width")!, 6.5, accuracy: 0.01)
        XCTAssertEqual(elements(root, class: "value").map(\.fullText), ["26 (27.7 %)", "18 (19.1 %)", "4 (4.3 %)"])
        XCTAssertEqual(elements(root, class: "note").map(\.fullText), ["n = 94, no answer = 5"])
    }

    func testGroupChartHasABarPerGroupAndItemAndLabelsNoAnswer() throws {
        var overall = table()
        overall.bandLabels = Self.bands
        var female = table(), male = table(), none = table()
        female.items[0] = item("a", [0, 0, 0, 1, 1])   // 0.875 → 0.88
        male.items[1] = item("b", [1, 0, 0, 0, 0])     // 0.00
        none.items[2] = item("c", [0, 0, 0, 0, 0])     // nobody answered
        let breakdown = Breakdown(column: "gender", label: "Gender", groups: [
            .init(category: "Female", rows: 5, tables: [female]),
            .init(category: "Male", rows: 4, tables: [male]),
            .init(category: nil, rows: 2, tables: [none]),
        ])
        let analysis = SurveyAnalysis(title: "T", data: "d.csv", method: method, respondents: 11, weightSum: 11, effectiveN: 11,
                                      quality: DataQuality(), tables: [overall], frequencies: [], breakdowns: [breakdown])
        let svg = SVGRenderer().breakdownChart(breakdown, tableAt: 0, of: analysis)
        assertAccessible(svg)
        let root = XMLTreeBuilder.parse(svg)
        XCTAssertEqual(elements(root, class: "legend").map(\.fullText), ["Female (n = 5)", "Male (n = 4)", "No answer (n = 2)"])
        let bars = elements(root, class: "bar")
        XCTAssertEqual(bars.count, 3 * 4 - 1)   // 3 groups × (3 items + OA), less the item nobody answered
        let left = elements(root, class: "band").first!.number("x")!
        let plot = elements(root, class: "band").last.map { $0.number("x")! + $0.number("width")! }! - left
        let femaleA = bars.first { $0.attributes["data-item"] == "a" && $0.attributes["data-group"] == "Female" }!
        XCTAssertEqual(femaleA.number("width")!, 0.88 * plot, accuracy: 0.01)
        let maleB = bars.first { $0.attributes["data-item"] == "b" && $0.attributes["data-group"] == "Male" }!
        XCTAssertEqual(maleB.number("width")!, 0, accuracy: 0.01)
        // One colour per group; "No answer" is drawn white with an outline.
        let fills = ["Female", "Male", "No answer"].map { g in Set(bars.filter { $0.attributes["data-group"] == g }.map { $0.attributes["fill"]! }) }
        XCTAssert(fills.allSatisfy { $0.count == 1 })
        XCTAssertEqual(Set(fills.map { $0.first! }).count, 3)
        XCTAssertEqual(fills[2].first, "#ffffff")
        XCTAssertEqual(elements(root, class: "band").count, 5)
    }

    func testTextIsEscapedAndKhmerPassesThroughUnchanged() {
        var t = table(text: Self.nasty)
        t.title = Self.nasty
        let renderer = SVGRenderer()
        for svg in [renderer.indexChart(t, method: method), renderer.levelsChart(t)] {
            assertAccessible(svg)
            XCTAssertFalse(svg.lowercased().contains("<script"), svg)
            XCTAssert(svg.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quoted&quot; &#39;single&#39; ខ្ពស់ណាស់"))
            let root = XMLTreeBuilder.parse(svg)
            XCTAssertEqual(root?.all.filter { $0.name == "script" }.count, 0)
            XCTAssert(root?.children.first?.text.contains(Self.nasty) == true)
            // The wrapped label lines put together give back the wording.
            let label = elements(root, class: "item-label").prefix(while: { !$0.fullText.hasPrefix("Item b") }).map(\.fullText)
            XCTAssertEqual(label.joined(separator: " "), Self.nasty + " (n\u{00A0}=\u{00A0}4)")
        }
    }

    func testLongWordingWrapsAndKhmerCountsAsWide() {
        let khmer = String(repeating: "ប្រជាជនកម្ពុជា", count: 6)
        XCTAssertGreaterThan(TextMetrics.width("ប្រជាជន", size: 12), TextMetrics.width("abcdefg", size: 12) * 0.9)
        let lines = TextMetrics.wrap(khmer, width: 200, size: 12)
        XCTAssertGreaterThan(lines.count, 1)
        XCTAssertEqual(lines.joined(), khmer)    // broken between clusters, nothing lost
        XCTAssert(lines.allSatisfy { TextMetrics.width($0, size: 12) <= 200 })
        let english = "To what degree do Cambodian people have positive views of the Chinese government?"
        let wrapped = TextMetrics.wrap(english, width: 284, size: 12)
        XCTAssertEqual(wrapped.joined(separator: " "), english)
        XCTAssert(wrapped.allSatisfy { TextMetrics.width($0, size: 12) <= 284 })
        XCTAssertEqual(TextMetrics.wrap("Item (n\u{00A0}=\u{00A0}97)", width: 70, size: 12).last, "(n\u{00A0}=\u{00A0}97)")
    }

    func testChartsAreDeterministic() {
        let renderer = SVGRenderer()
        XCTAssertEqual(renderer.indexChart(table(intervals: true), method: method), renderer.indexChart(table(intervals: true), method: method))
        XCTAssertEqual(renderer.levelsChart(table()), renderer.levelsChart(table()))
    }

    func testPalettesStayApartInGreyscale() {
        // Light to dark on each side of the diverging scale; the groups' colours strictly darker one after another.
        let levels = Palette.levels(5).map(Palette.luminance)
        XCTAssertLessThan(levels[0], levels[1])
        XCTAssertGreaterThan(levels[3], levels[4])
        let groups = Palette.groups(6).map(Palette.luminance)
        XCTAssertEqual(groups, groups.sorted(by: >))
        XCTAssertEqual(Set(groups.map { ($0 * 100).rounded() }).count, 6)
        XCTAssertEqual(Palette.levels(7).count, 7)
        XCTAssertEqual(Palette.levels(13).count, 13)
    }
}
