import WAIAggregate
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
    /// The item's id in the spec.
    public var id: String
    /// The questionnaire wording.
    public var text: String
    /// The CSV column it was read from.
    public var column: String
    /// Reverse-keyed: level i of k scored as level k+1−i.
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
    /// The band of the index as printed; nil when nobody answered.
    public var band: String?
    /// The standard error the report prints (`se_method`): `se_classical` without weights or a
    /// design, `se_design` with them.
    public var se: Double? = nil
    /// "classical", "linearization" (weights, rows as PSUs) or "taylor" (strata/clusters/fpc).
    public var seMethod: String? = nil
    /// SD of the answered rows' scores (n − 1) over √n, weights ignored: R's `sd(s)/sqrt(n)`.
    public var seClassical: Double? = nil
    /// Design-based: linearization with answered rows and groups as domains of the whole sample,
    /// R's `svymean(~s, design, na.rm = TRUE)` (`svyby` for groups).
    public var seDesign: Double? = nil
    /// Design effect, as `svymean(…, deff = TRUE)`; with weights or a design only.
    public var deff: Double? = nil
    /// Confidence interval of `wai`: wai ± z·se.
    public var interval: Interval? = nil
    /// True when the interval's ends print in different bands: the band is not settled by the data.
    public var straddlesBand: Bool? = nil
    public var bootstrap: BootstrapSummary? = nil
    public var topBox: TopBox? = nil
    /// The name of the item's scale (`counts` has one entry per level of it).
    public var scale: String? = nil
    /// The answered codes (as answered, before reverse keying), see `CodeStatistics`; nil when nobody answered.
    public var codes: CodeStatistics? = nil
    /// Rank of `wai` within its table (and group), 1 the highest, ties sharing their average
    /// rank (R: `rank(-wai)`); nil when nobody answered.
    public var rank: Double? = nil

    enum CodingKeys: String, CodingKey {
        case id, text, column, reverse, n, missing, weightedN = "weighted_n", counts, wai, rank
        case waiReported = "wai_reported", band, se, seMethod = "se_method", seClassical = "se_classical", seDesign = "se_design", deff
        case interval, straddlesBand = "straddles_band", bootstrap
        case topBox = "top_box", scale, codes
    }
}

/// Location and spread of an item's answers. Weighted where weights exist: mean Σw·c/Σw, SD
/// √(n/(n−1) · Σw(c − mean)²/Σw) (R: `svymean`, `sqrt(svyvar(~x, design, na.rm = TRUE))`; `mean`, `sd`
/// without weights). Quartiles: R's `quantile(x, type = 7)` without weights; with weights the
/// inverse of the weighted distribution function, the lowest code whose weighted cumulative share
/// reaches p (R: `svyquantile(~x, design, c(.25, .5, .75), qrule = "math")`).
public struct CodeStatistics: Sendable, Hashable, Codable {
    public var mean: Double
    public var sd: Double?
    /// SD of the normalised score the index averages (reverse keying applied), same formula.
    public var scoreSD: Double?
    public var q1: Double
    public var median: Double
    public var q3: Double
    /// "type 7" or "weighted (qrule math)".
    public var quantileRule: String

    enum CodingKeys: String, CodingKey { case mean, sd, scoreSD = "score_sd", q1, median, q3, quantileRule = "quantile_rule" }
}

/// What the bootstrap replicates say about an index.
public struct BootstrapSummary: Sendable, Hashable, Codable {
    public var replicates: Int
    /// Standard deviation of the replicate indices.
    public var se: Double
    /// Percentile interval of the replicate indices.
    public var interval: Interval
    /// Share of replicates whose index, rounded as reported, falls in the printed band, 0…1.
    public var bandCertainty: Double
    /// How the replicates were made: from the level counts (exact Poisson bootstrap) or by
    /// normal draws (weighted indices, composites); see the Method section.
    public var method: String

    enum CodingKeys: String, CodingKey { case replicates, se, interval, bandCertainty = "band_certainty", method }
}

/// Share-style statistics beside the index, in the scored direction (reverse keying applied).
public struct TopBox: Sendable, Hashable, Codable {
    /// Weighted share in the two highest-scoring levels ("positive"), 0…1.
    public var top2: Double
    /// Weighted share in the two lowest-scoring levels, 0…1.
    public var bottom2: Double
    /// top2 − bottom2.
    public var net: Double
    /// The level at which the weighted cumulative share first reaches one half.
    public var median: String

    enum CodingKeys: String, CodingKey { case top2 = "top2", bottom2 = "bottom2", net, median }
}

/// The overall assessment (OA) of a table: the mean of its items' indices.
public struct CompositeEstimate: Sendable, Hashable, Codable {
    /// Items that had an index and entered the mean.
    public var items: Int
    /// True when the items are on different scales: each index was mapped to 0…1 by its
    /// scale's lowest and highest score before the mean (nil: one scale, indices as they are).
    public var rescaled: Bool? = nil
    public var wai: Double
    public var waiReported: String
    public var band: String
    public var se: Double? = nil
    public var interval: Interval? = nil
    public var straddlesBand: Bool? = nil
    public var bootstrap: BootstrapSummary? = nil

    enum CodingKeys: String, CodingKey {
        case items, rescaled, wai, waiReported = "wai_reported", band, se, interval, straddlesBand = "straddles_band", bootstrap
    }
}

/// A table or figure of the spec, estimated for one group of respondents.
public struct TableEstimate: Sendable, Hashable, Codable {
    /// The table's id in the spec.
    public var id: String
    public var title: String
    /// How the study numbers it ("Table 1"), when the spec says.
    public var caption: String?
    /// The band labels this table prints with, lowest first.
    public var bandLabels: [String]
    /// The table's items, in spec order.
    public var items: [ItemEstimate]
    /// The overall assessment (OA), when the table has one and some item has an index.
    public var composite: CompositeEstimate?
    /// Cronbach's alpha of the table's items (overall analysis only).
    public var reliability: Reliability? = nil
    /// Why the table has no alpha, when the reason is the spec's and not the data's
    /// ("alpha not computed: items on different scales (degree, lr7)").
    public var reliabilityNote: String? = nil

    enum CodingKeys: String, CodingKey {
        case id, title, caption, bandLabels = "band_labels", items, composite, reliability, reliabilityNote = "reliability_note"
    }
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
    /// Per item, tests of whether the groups differ (answered categories only).
    public var comparisons: [ItemComparison] = []
    /// Per table, how far the answered groups agree on the ranking of its items.
    public var rankAgreement: [RankAgreement] = []

    enum CodingKeys: String, CodingKey { case column, label, groups, comparisons, rankAgreement = "rank_agreement" }

    public init(column: String, label: String, groups: [Group], comparisons: [ItemComparison] = [], rankAgreement: [RankAgreement] = []) {
        (self.column, self.label, self.groups, self.comparisons, self.rankAgreement) = (column, label, groups, comparisons, rankAgreement)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        column = try c.decode(String.self, forKey: .column)
        label = try c.decode(String.self, forKey: .label)
        groups = try c.decode([Group].self, forKey: .groups)
        comparisons = try c.decodeIfPresent([ItemComparison].self, forKey: .comparisons) ?? []
        rankAgreement = try c.decodeIfPresent([RankAgreement].self, forKey: .rankAgreement) ?? []
    }
}
