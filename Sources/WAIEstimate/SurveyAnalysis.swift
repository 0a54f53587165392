import WAIAggregate
import WAIModel


/// Everything computed for one survey: what every renderer draws from.
public struct SurveyAnalysis: Sendable, Hashable, Codable {
    public struct Method: Sendable, Hashable, Codable {
        public struct ScaleLevel: Sendable, Hashable, Codable {
            public var code: Int
            public var label: String
            public var weight: Double
        }
        /// One scale the items use, and which tables and items use it.
        public struct ScaleUse: Sendable, Hashable, Codable {
            public var name: String
            public var weighting: String
            public var levels: [ScaleLevel]
            public var missing: [String]
            /// Tables with at least one item on the scale, in spec order.
            public var tables: [String]
            /// Items on the scale, in the statistics' order.
            public var items: [String]
        }
        /// The default scale's weighting and levels (`scales` lists every scale used).
        public var weighting: String
        public var levels: [ScaleLevel]
        public var precision: Int
        public var bands: [Band]
        /// The survey-weight column, when the spec names one.
        public var weightColumn: String?
        /// Coverage of every interval, bootstrap replicates and their seed.
        public var inference: InferenceOptions
        /// Every scale an item uses, in order of first use.
        public var scales: [ScaleUse] = []
        /// Which standard error `se` is: "classical" (no weights or design), "linearization"
        /// (weights, rows as PSUs) or "taylor" (strata, clusters or fpc).
        public var seMethod: String = "classical"
        /// The complex design, when the spec gives one.
        public var design: DesignSummary? = nil

        enum CodingKeys: String, CodingKey {
            case weighting, levels, precision, bands, weightColumn = "weight_column", inference, scales, seMethod = "se_method", design
        }

        public init(weighting: String, levels: [ScaleLevel], precision: Int, bands: [Band], weightColumn: String?,
                    inference: InferenceOptions, scales: [ScaleUse] = [], seMethod: String = "classical", design: DesignSummary? = nil) {
            (self.weighting, self.levels, self.precision, self.bands, self.weightColumn) = (weighting, levels, precision, bands, weightColumn)
            (self.inference, self.scales, self.seMethod, self.design) = (inference, scales, seMethod, design)
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            weighting = try c.decode(String.self, forKey: .weighting)
            levels = try c.decode([ScaleLevel].self, forKey: .levels)
            precision = try c.decode(Int.self, forKey: .precision)
            bands = try c.decode([Band].self, forKey: .bands)
            weightColumn = try c.decodeIfPresent(String.self, forKey: .weightColumn)
            inference = try c.decode(InferenceOptions.self, forKey: .inference)
            scales = try c.decodeIfPresent([ScaleUse].self, forKey: .scales) ?? []
            seMethod = try c.decodeIfPresent(String.self, forKey: .seMethod) ?? (weightColumn == nil ? "classical" : "linearization")
            design = try c.decodeIfPresent(DesignSummary.self, forKey: .design)
        }

        /// Whether the items are on more than one scale.
        public var mixesScales: Bool { scales.count > 1 }
    }

    /// The design's columns and size, as the Method section names them.
    public struct DesignSummary: Sendable, Hashable, Codable {
        public var strata: String?
        public var cluster: String?
        public var fpc: String?
        /// Strata and PSU design only (nil with replicate weights), as the next two.
        public var lonelyPSU: String?
        public var strataCount: Int?
        /// PSUs in the sample (rows, without a cluster column).
        public var psus: Int?
        /// Replicate weights, when the design is given by them.
        public var replicates: Replicates? = nil
        public struct Replicates: Sendable, Hashable, Codable {
            /// JK1, JKn, BRR, Fay or bootstrap.
            public var type: String
            public var columns: [String]
            /// The variance's scale as used (the type's, or the spec's).
            public var scale: Double
            public var rscales: [Double]?
            public var rho: Double?
            public var mse: Bool
        }
        enum CodingKeys: String, CodingKey { case strata, cluster, fpc, lonelyPSU = "lonely_psu", strataCount = "strata_count", psus, replicates }
    }

    public struct Band: Sendable, Hashable, Codable {
        public var label: String
        public var interval: String
    }

    /// The spec's title.
    public var title: String
    /// The responses file, as named in messages.
    public var data: String
    /// How the indices were made: level weights, bands, precision, inference options.
    public var method: Method
    /// Rows used.
    public var respondents: Int
    /// Σ survey weight of the rows used (equal to `respondents` without weights).
    public var weightSum: Double
    /// Kish's effective sample size, (Σw)²/Σw²; equal to `respondents` without weights.
    public var effectiveN: Double
    /// Row accounting: rows read = rows used + rows rejected, unknown answers, duplicate ids.
    public var quality: DataQuality
    /// Every table of the spec over all respondents, in spec order.
    public var tables: [TableEstimate]
    /// One per demographic column of the spec.
    public var frequencies: [FrequencyTable]
    /// Every table per category of each demographic asked for.
    public var breakdowns: [Breakdown]
    /// How weights were raked or post-stratified, when the spec gives population shares.
    public var weighting: WeightingReport? = nil
    /// Where the report came from (input hashes, options, row accounting); set by the command line.
    public var provenance: Provenance? = nil

    /// Kish's design effect of unequal weights, n·Σw²/(Σw)²: 1 without weights.
    public var designEffect: Double { effectiveN > 0 ? Double(respondents) / effectiveN : 1 }

    enum CodingKeys: String, CodingKey {
        case title, data, method, respondents, weightSum = "weight_sum", effectiveN = "effective_n"
        case quality, tables, frequencies, breakdowns, weighting, provenance
    }
}

/// How much uncertainty an analysis computes.
public struct InferenceOptions: Sendable, Hashable, Codable {
    /// Nominal coverage of every interval.
    public var confidence: Double
    /// Bootstrap replicates (Poisson(1) row multipliers); 0 turns the bootstrap off.
    public var replicates: Int
    /// The same seed gives the same replicates, whatever the chunking.
    public var seed: UInt64
    /// Whether the items' cross-products are aggregated: composites' standard errors and
    /// Cronbach's alpha need them. They are a 2p × 2p SYRK per chunk (p items), the dominant
    /// cost on files of millions of rows; without them item intervals are unchanged and
    /// composites are reported without an interval.
    public var covariances: Bool
    /// How weighted and design-based rank tests rank tied answers (see `RankTies`).
    public var rankTies: RankTies

    /// Tied answers in a weighted rank test: R's svyranktest gives each row the running weight
    /// sum less half its weight in file order and averages that over the tied rows, which
    /// depends on the order of the rows when their weights differ (`fileOrder`, the default:
    /// R's numbers); `midpoint` gives every tied row C + W/2 (the weight below the level plus
    /// half the level's), the same in any order, and what statistics without a file order
    /// (counts tables, SQL) give.
    public enum RankTies: String, Sendable, Hashable, Codable, CaseIterable {
        case fileOrder = "file-order"
        case midpoint
    }

    public init(confidence: Double = 0.95, replicates: Int = 1000, seed: UInt64 = 20240601, covariances: Bool = true,
                rankTies: RankTies = .fileOrder) {
        self.confidence = confidence
        self.replicates = replicates
        self.seed = seed
        self.covariances = covariances
        self.rankTies = rankTies
    }

    private enum CodingKeys: String, CodingKey { case confidence, replicates, seed, covariances, rankTies = "rank_ties" }

    /// Outputs written before `covariances` existed decode as having computed them.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(confidence: try container.decode(Double.self, forKey: .confidence),
                  replicates: try container.decode(Int.self, forKey: .replicates),
                  seed: try container.decode(UInt64.self, forKey: .seed),
                  covariances: try container.decodeIfPresent(Bool.self, forKey: .covariances) ?? true,
                  rankTies: try container.decodeIfPresent(RankTies.self, forKey: .rankTies) ?? .fileOrder)
    }
}
