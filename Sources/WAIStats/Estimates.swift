import WAIModel

/// One level of an item's answer distribution.
public struct LevelShare: Sendable, Hashable, Codable {
    public var code: Int
    public var label: String
    /// Respondents who gave this answer.
    public var count: Int
    /// Σ survey weight of those respondents (equal to `count` without weights).
    public var weightedCount: Double
    /// Weighted share of those who answered the item, 0…1.
    public var share: Double

    enum CodingKeys: String, CodingKey {
        case code, label, count, weightedCount = "weighted_count", share
    }
}

/// A confidence interval of an index.
public struct Interval: Sendable, Hashable, Codable {
    public var lower: Double
    public var upper: Double
    /// Nominal coverage, e.g. 0.95.
    public var level: Double
    /// How it was computed ("linearization", "bootstrap percentile").
    public var method: String

    public init(lower: Double, upper: Double, level: Double, method: String) {
        self.lower = lower
        self.upper = upper
        self.level = level
        self.method = method
    }
}

/// The index of one item in one group of respondents.
public struct ItemEstimate: Sendable, Hashable, Codable {
    public var id: String
    public var text: String
    public var column: String
    public var reverse: Bool
    /// Respondents who answered the item.
    public var n: Int
    /// Respondents in the group who did not answer it (blank, a missing marker, or unknown in lenient mode).
    public var missing: Int
    /// Σ survey weight of those who answered.
    public var weightedN: Double
    /// One entry per level, in scale order, as answered (reverse keying changes the score, not the counts).
    public var counts: [LevelShare]
    /// The Weighted Average Index, unrounded; nil when nobody answered.
    public var wai: Double?
    /// The index as printed, at the band table's precision ("0.60").
    public var waiReported: String?
    public var band: String?
    /// Confidence interval of `wai`, when the analysis computed one.
    public var interval: Interval? = nil

    enum CodingKeys: String, CodingKey {
        case id, text, column, reverse, n, missing, weightedN = "weighted_n", counts, wai
        case waiReported = "wai_reported", band, interval
    }
}

/// The overall assessment (OA) of a table: the mean of its items' indices.
public struct CompositeEstimate: Sendable, Hashable, Codable {
    /// Items that had an index and entered the mean.
    public var items: Int
    public var wai: Double
    public var waiReported: String
    public var band: String
    /// Confidence interval of `wai`, when the analysis computed one.
    public var interval: Interval? = nil

    enum CodingKeys: String, CodingKey { case items, wai, waiReported = "wai_reported", band, interval }
}

/// A table or figure of the spec, estimated for one group of respondents.
public struct TableEstimate: Sendable, Hashable, Codable {
    public var id: String
    public var title: String
    public var caption: String?
    /// The band labels this table prints with, lowest first.
    public var bandLabels: [String]
    public var items: [ItemEstimate]
    public var composite: CompositeEstimate?

    enum CodingKeys: String, CodingKey { case id, title, caption, bandLabels = "band_labels", items, composite }
}

/// How one demographic column's answers are distributed.
public struct FrequencyTable: Sendable, Hashable, Codable {
    public struct Row: Sendable, Hashable, Codable {
        public var value: String
        public var count: Int
        /// Percent of those who answered the column, 0…100.
        public var percent: Double
        /// Percent of the weighted total of those who answered (equal to `percent` without weights).
        public var weightedPercent: Double

        enum CodingKeys: String, CodingKey { case value, count, percent, weightedPercent = "weighted_percent" }
    }

    public var column: String
    public var label: String
    public var answered: Int
    public var missing: Int
    public var rows: [Row]
}

/// Every item of every table, once per category of one demographic.
public struct Breakdown: Sendable, Hashable, Codable {
    public struct Group: Sendable, Hashable, Codable {
        /// The category, or nil for respondents who did not answer the demographic question.
        public var category: String?
        public var rows: Int
        public var tables: [TableEstimate]
    }

    public var column: String
    public var label: String
    public var groups: [Group]
}

/// Turns sufficient statistics into the numbers a report prints.
public struct Estimator: Sendable {
    public let spec: SurveySpec
    /// The distinct items, in the order of the statistics' item axis.
    public let items: [Item]

    public init(spec: SurveySpec, items: [Item]) {
        self.spec = spec
        self.items = items
    }

    /// One item's estimate from a cell of statistics.
    public func item(_ index: Int, in cell: CellStatistics, bands: BandTable) -> ItemEstimate {
        let levels = spec.scale.levels
        let k = levels.count
        let item = items[index]
        let base = index * k
        let counts = (0..<k).map { cell.counts[base + $0] }
        let weighted = (0..<k).map { cell.weighted[base + $0] }
        let n = counts.reduce(0, +)
        let weightedN = weighted.reduce(0, +)
        var scores = spec.scale.weights
        if item.reverse { scores.reverse() }
        var wai: Double?
        if weightedN > 0 {
            var sum = 0.0
            for l in 0..<k { sum += scores[l] * weighted[l] }
            wai = sum / weightedN
        }
        return ItemEstimate(
            id: item.id, text: item.text, column: item.column, reverse: item.reverse,
            n: Int(n), missing: Int(cell.rows - n), weightedN: weightedN,
            counts: (0..<k).map { l in
                LevelShare(code: levels[l].code, label: levels[l].label, count: Int(counts[l]),
                           weightedCount: weighted[l], share: weightedN > 0 ? weighted[l] / weightedN : 0)
            },
            wai: wai, waiReported: wai.map(bands.format), band: wai.flatMap(bands.band))
    }

    /// Every table of the spec from one cell of statistics.
    public func tables(in cell: CellStatistics) -> [TableEstimate] {
        let position = Dictionary(uniqueKeysWithValues: items.enumerated().map { ($1.id, $0) })
        return spec.tables.map { table in
            let bands = spec.bands(for: table)
            let estimates = table.items.map { item(position[$0.id]!, in: cell, bands: bands) }
            var composite: CompositeEstimate?
            let indices = estimates.compactMap(\.wai)
            if table.composite, !indices.isEmpty {
                let mean = indices.reduce(0, +) / Double(indices.count)
                composite = CompositeEstimate(items: indices.count, wai: mean, waiReported: bands.format(mean), band: bands.band(mean) ?? "")
            }
            return TableEstimate(id: table.id, title: table.title, caption: table.caption,
                                 bandLabels: bands.labels, items: estimates, composite: composite)
        }
    }

    /// Frequency table of demographic d. Categories print in the spec's order when it fixes
    /// one, otherwise most frequent first (ties in order of first appearance).
    public func frequencies(_ d: Int, statistics: SufficientStatistics, categories: [String]) -> FrequencyTable {
        let demographic = spec.demographics[d]
        let cells = statistics.byDemographic[d]
        var order = Array(categories.indices)
        if demographic.categories == nil {
            order.sort { a, b in
                let (ca, cb) = (cellRows(cells, a), cellRows(cells, b))
                return ca != cb ? ca > cb : a < b
            }
        }
        let answered = order.reduce(0.0) { $0 + cellRows(cells, $1) }
        let weightedAnswered = order.reduce(0.0) { $0 + (($1 + 1) < cells.count ? cells[$1 + 1].weightSum : 0) }
        let rows = order.map { c -> FrequencyTable.Row in
            let count = cellRows(cells, c)
            let weight = (c + 1) < cells.count ? cells[c + 1].weightSum : 0
            return .init(value: categories[c], count: Int(count),
                         percent: answered > 0 ? 100 * count / answered : 0,
                         weightedPercent: weightedAnswered > 0 ? 100 * weight / weightedAnswered : 0)
        }
        return FrequencyTable(column: demographic.column, label: demographic.label,
                              answered: Int(answered), missing: Int(cells[0].rows), rows: rows)
    }

    /// Every table for every category of demographic d, in the frequency table's order,
    /// followed by the respondents who did not answer it (when there are any).
    public func breakdown(_ d: Int, statistics: SufficientStatistics, categories: [String]) -> Breakdown {
        let demographic = spec.demographics[d]
        let cells = statistics.byDemographic[d]
        let order = frequencies(d, statistics: statistics, categories: categories).rows.map(\.value)
        let number = Dictionary(uniqueKeysWithValues: categories.enumerated().map { ($1, $0 + 1) })
        var groups: [Breakdown.Group] = order.map { name in
            let g = number[name]!
            let cell = g < cells.count ? cells[g] : CellStatistics(cells: statistics.itemCount * statistics.levelCount)
            return .init(category: name, rows: Int(cell.rows), tables: tables(in: cell))
        }
        if cells[0].rows > 0 {
            groups.append(.init(category: nil, rows: Int(cells[0].rows), tables: tables(in: cells[0])))
        }
        return Breakdown(column: demographic.column, label: demographic.label, groups: groups)
    }

    private func cellRows(_ cells: [CellStatistics], _ c: Int) -> Double {
        (c + 1) < cells.count ? cells[c + 1].rows : 0
    }
}
