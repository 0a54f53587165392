import Foundation
import WAIAggregate
import WAIModel

/// The same items measured in successive waves of a survey: per item (and per table composite)
/// each wave's n, index and band, and the change from the previous wave with its interval.
///
/// Waves are independent samples, so the standard error of a change is √(SE₁² + SE₂²) of the
/// two linearization standard errors; the change is that of the unrounded indices.
public struct Trend: Sendable, Hashable, Codable {
    /// One wave of one series.
    public struct Point: Sendable, Hashable, Codable {
        /// The wave's label.
        public var wave: String
        /// Respondents who answered (items), or items averaged (composites).
        public var n: Int
        /// The index, unrounded; nil when nobody answered.
        public var wai: Double?
        /// The index as printed ("0.60").
        public var waiReported: String?
        public var band: String?
        /// Index minus the previous wave's; nil in the first wave or when either has no index.
        public var change: Double?
        /// The change at the table's precision, signed ("+0.05").
        public var changeReported: String?
        /// Interval of the change, when both waves have standard errors.
        public var changeInterval: Interval?

        enum CodingKeys: String, CodingKey {
            case wave, n, wai, waiReported = "wai_reported", band, change, changeReported = "change_reported"
            case changeInterval = "change_interval"
        }
    }

    /// An item's (or a table composite's, item "OA") indices over the waves.
    public struct Series: Sendable, Hashable, Codable {
        /// The item id, or "OA".
        public var item: String
        /// The item's wording in the last wave.
        public var text: String
        /// One per wave, in wave order.
        public var points: [Point]
    }

    /// A table of the spec, as titled in the last wave.
    public struct Table: Sendable, Hashable, Codable {
        public var id: String
        public var title: String
        public var caption: String?
        public var items: [Series]
        public var composite: Series?
    }

    /// A wave as it enters a trend: its label, where it came from, its spec and its analysis.
    public struct Wave: Sendable {
        /// How the wave is named in the trend ("2024").
        public var label: String
        /// Where it came from (its survey directory), for messages.
        public var source: String
        public var spec: SurveySpec
        public var analysis: SurveyAnalysis

        public init(label: String, source: String, spec: SurveySpec, analysis: SurveyAnalysis) {
            self.label = label
            self.source = source
            self.spec = spec
            self.analysis = analysis
        }
    }

    /// The survey's title in the last wave.
    public var title: String
    /// Wave labels, in order.
    public var waves: [String]
    /// Where each wave came from (survey directories), in wave order.
    public var sources: [String]
    /// Nominal coverage of the intervals of the changes.
    public var confidence: Double
    public var tables: [Table]

    /// The waves' trend, in the order given. Throws an `InputError` when a wave's spec differs
    /// from the first's in its tables, items, keying, scale or bands.
    public static func compare(_ waves: [Wave], confidence: Double) throws -> Trend {
        precondition(!waves.isEmpty)
        for wave in waves.dropFirst() { try sameMeasure(wave, as: waves[0]) }
        let z = Distributions.normalQuantile(0.5 + confidence / 2)
        let first = waves[0].spec

        func series(item: String, text: String, bands: BandTable, values: [(n: Int, wai: Double?, reported: String?, band: String?, se: Double?)]) -> Series {
            var points: [Point] = []
            for (w, value) in values.enumerated() {
                var point = Point(wave: waves[w].label, n: value.n, wai: value.wai, waiReported: value.reported, band: value.band)
                if w > 0, let now = value.wai, let before = values[w - 1].wai {
                    let change = now - before
                    point.change = change
                    point.changeReported = signed(change, bands: bands)
                    if let a = value.se, let b = values[w - 1].se {
                        let se = (a * a + b * b).squareRoot()
                        point.changeInterval = Interval(lower: change - z * se, upper: change + z * se, level: confidence, method: "linearization, independent waves")
                    }
                }
                points.append(point)
            }
            return Series(item: item, text: text, points: points)
        }

        let tables = first.tables.enumerated().map { t, table -> Table in
            let bands = first.bands(for: table)
            let estimates = waves.map { $0.analysis.tables[t] }
            let items = table.items.indices.map { i in
                series(item: table.items[i].id, text: estimates.last!.items[i].text, bands: bands, values: estimates.map {
                    let e = $0.items[i]
                    return (e.n, e.wai, e.waiReported, e.band, e.se)
                })
            }
            var composite: Series?
            if table.composite {
                composite = series(item: "OA", text: "Overall assessment (mean of the items)", bands: bands, values: estimates.map {
                    let c = $0.composite
                    return (c?.items ?? 0, c?.wai, c?.waiReported, c?.band, c?.se)
                })
            }
            return Table(id: table.id, title: estimates.last!.title, caption: estimates.last!.caption, items: items, composite: composite)
        }
        return Trend(title: waves.last!.analysis.title, waves: waves.map(\.label), sources: waves.map(\.source),
                     confidence: confidence, tables: tables)
    }

    /// "+0.05", "-0.03", "0.00" at the band precision.
    static func signed(_ x: Double, bands: BandTable) -> String {
        let text = bands.format(x)
        return x > 0 && bands.scaled(x) != 0 ? "+" + text : text
    }

    /// Waves are comparable when they ask the same items, keyed the same way, on the same scale
    /// with the same weights and bands. Column names, texts and titles may change.
    static func sameMeasure(_ wave: Wave, as reference: Wave) throws {
        let (a, b) = (reference.spec, wave.spec)
        func differ(_ keyPath: String, _ found: String, _ expected: String) -> InputError {
            InputError("waves of a trend must share their spec: this wave differs from \(reference.source)",
                       at: SourceLocation(file: wave.source, keyPath: keyPath), found: found, expected: expected)
        }
        guard a.bands == b.bands else {
            throw differ("bands", "\(b.bands.labels) up to \(b.bands.upper) at \(b.bands.precision) decimals",
                         "\(a.bands.labels) up to \(a.bands.upper) at \(a.bands.precision) decimals")
        }
        let ids = { (s: SurveySpec) in s.tables.map(\.id).joined(separator: ", ") }
        guard ids(a) == ids(b) else { throw differ("tables", ids(b), ids(a)) }
        for (t, (ta, tb)) in zip(a.tables, b.tables).enumerated() {
            let items = { (table: ItemTable) in table.items.map { $0.id + ($0.reverse ? " (reverse)" : "") }.joined(separator: ", ") }
            guard items(ta) == items(tb) else { throw differ("tables[\(t)].items", items(tb), items(ta)) }
            guard ta.composite == tb.composite, ta.bandLabels == tb.bandLabels else {
                throw differ("tables[\(t)]", "composite \(tb.composite), band labels \(tb.bandLabels ?? [])", "composite \(ta.composite), band labels \(ta.bandLabels ?? [])")
            }
        }
        // Each item on the same levels and weights in every wave (the scales' names may differ).
        let levels = { (s: Scale) in s.levels.map { "\($0.code) \($0.label)" }.joined(separator: ", ") }
        var checked: Set<String> = []
        for (ta, tb) in zip(a.tables, b.tables) {
            for (ia, ib) in zip(ta.items, tb.items) where checked.insert(ia.id).inserted {
                let (sa, sb) = (a.scale(of: ia), b.scale(of: ib))
                let path = b.scales.contains(sb) ? "scales.\(sb.name)" : "scale"
                let owner = a.scales.isEmpty && b.scales.isEmpty ? "" : " (item \(ia.id))"
                guard levels(sa) == levels(sb) else { throw differ("\(path).levels", levels(sb) + owner, levels(sa)) }
                guard sa.weights == sb.weights else {
                    throw differ("\(path).weighting", "weights \(sb.weights)\(owner)", "weights \(sa.weights) (\(sa.weighting.name))")
                }
            }
        }
    }

    /// Waves ordered by their spec's `wave:` label when every one has it (numbers compared as
    /// numbers: "2024-Q10" after "2024-Q9"), otherwise as given.
    public static func ordered(_ waves: [Wave]) -> [Wave] {
        guard waves.allSatisfy({ $0.spec.wave != nil }) else { return waves }
        return waves.enumerated().sorted { x, y in
            switch x.element.spec.wave!.compare(y.element.spec.wave!, options: [.numeric]) {
            case .orderedAscending: return true
            case .orderedDescending: return false
            case .orderedSame: return x.offset < y.offset
            }
        }.map(\.element)
    }
}
