import WAIIO
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

        enum CodingKeys: String, CodingKey { case weighting, levels, precision, bands, weightColumn = "weight_column", inference, scales }

        /// Whether the items are on more than one scale.
        public var mixesScales: Bool { scales.count > 1 }
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

    public init(confidence: Double = 0.95, replicates: Int = 1000, seed: UInt64 = 20240601, covariances: Bool = true) {
        self.confidence = confidence
        self.replicates = replicates
        self.seed = seed
        self.covariances = covariances
    }

    private enum CodingKeys: String, CodingKey { case confidence, replicates, seed, covariances }

    /// Outputs written before `covariances` existed decode as having computed them.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(confidence: try container.decode(Double.self, forKey: .confidence),
                  replicates: try container.decode(Int.self, forKey: .replicates),
                  seed: try container.decode(UInt64.self, forKey: .seed),
                  covariances: try container.decodeIfPresent(Bool.self, forKey: .covariances) ?? true)
    }
}

/// Reads a responses file through a spec and computes its analysis.
public enum Analyzer {
    /// What the aggregation must collect for `inference`: every composite's pairwise
    /// cross-products, each table's reliability cross-products (tables of one scale only:
    /// alpha is not computed over items on different scales), and the replicates.
    public static func plan(spec: SurveySpec, items: [Item], inference: InferenceOptions) -> AggregationPlan {
        let position = Dictionary(uniqueKeysWithValues: items.enumerated().map { ($1.id, $0) })
        let tables = spec.tables.filter { !spec.mixesScales($0) }.map { $0.items.map { position[$0.id]! } }.filter { $0.count >= 2 }
        var unique: [[Int]] = []
        for table in tables where !unique.contains(table) { unique.append(table) }
        return AggregationPlan(replicates: inference.replicates, seed: inference.seed, pairwise: inference.covariances,
                               reliabilityTables: inference.covariances ? unique : [])
    }

    /// Per item, the score of each level of its own scale (reverse keying applied); the
    /// statistics' layout has `spec.levelCount` slots per item, the slots past its scale unused.
    public static func scores(spec: SurveySpec, items: [Item]) -> [[Double]] {
        items.map { item in
            let weights = spec.scale(of: item).weights
            return item.reverse ? weights.reversed() : weights
        }
    }

    /// Streams the responses CSV at `csvPath` through `spec` and computes everything a report
    /// prints. Bad input throws an `InputError` located in the CSV (or the spec).
    ///
    /// - Parameters:
    ///   - displayName: how messages and the report name the data file (default `csvPath`).
    ///   - specName: how messages name the spec.
    ///   - options: strict or lenient reading.
    ///   - path: how answers are summed (OpenBLAS or loops: the same statistics).
    ///   - breakdowns: demographic columns to break every item down by; nil means all of them.
    ///   - inference: interval coverage and bootstrap replicates (0 replicates: linearization only).
    ///   - pipeline: workers and thresholds of the parallel pipeline.
    public static func analyze(
        spec: SurveySpec, csvPath: String, displayName: String? = nil, specName: String = "the spec",
        options: ReadOptions = ReadOptions(), path: AggregationPath = .blas, breakdowns: [String]? = nil,
        inference: InferenceOptions = InferenceOptions(), pipeline execution: PipelineOptions = PipelineOptions()
    ) throws -> SurveyAnalysis {
        // Platform exports, other encodings and delimiters: read through their layout (see PreparedInput).
        let input = try PreparedInput.prepare(csvPath: csvPath, displayName: displayName, spec: spec, options: options)
        defer { input.discard() }
        let (csvPath, displayName, options) = (input.path, input.displayName, input.options)
        let open = { try ResponseReader(spec: spec, csvPath: csvPath, displayName: displayName, specName: specName, options: options) }
        let calibration = try spec.population.map { try Calibration.fit(spec: spec, population: $0, reader: open) }
        var reader = try open()
        // A large regular file goes through the parallel byte-level pipeline: the same statistics,
        // or nil and the reader below reads it (`execution.trace` says which; see ParallelAnalyzer).
        var pipeline = PipelineReport(pipeline: "")
        if let fast = options.needsSequentialReader ? nil : ParallelAnalyzer.aggregate(
            reader: reader, csvPath: csvPath, plan: plan(spec: spec, items: reader.items, inference: inference),
            scores: scores(spec: spec, items: reader.items), path: path, calibration: calibration, options: execution, report: &pipeline) {
            var analysis = try summarize(spec: spec, items: reader.items, statistics: fast.statistics,
                                         categories: fast.categories, quality: fast.quality,
                                         data: reader.fileName, breakdowns: breakdowns, confidence: inference.confidence)
            analysis.weighting = calibration?.report
            analysis.quality.speeders = input.speeders
            return analysis
        }
        if let stop = pipeline.stoppedAt {
            // Bad input is usually where the fast scanner stopped: check from that record first, so
            // an error at the end of a large file is found without reading it all again.
            var probe = try open()
            try probe.skip(toRecordAt: stop.offset, line: stop.line)
            _ = try probe.nextChunk()
        }
        var aggregator = Aggregator(itemCount: reader.items.count, levelCount: spec.levelCount,
                                    demographicCount: spec.demographics.count, path: path,
                                    plan: plan(spec: spec, items: reader.items, inference: inference),
                                    scores: scores(spec: spec, items: reader.items))
        while var chunk = try reader.nextChunk() {
            calibration?.adjust(&chunk)
            aggregator.add(chunk)
        }
        var analysis = try summarize(spec: spec, items: reader.items, statistics: aggregator.statistics,
                                     categories: reader.categories.map(\.names), quality: reader.quality,
                                     data: reader.fileName, breakdowns: breakdowns, confidence: inference.confidence)
        analysis.quality.fullyBlankResponses = reader.fullyBlankLines.isEmpty ? nil : reader.fullyBlankLines
        analysis.quality.speeders = input.speeders
        analysis.weighting = calibration?.report
        return analysis
    }

    /// The analysis from statistics already aggregated (by this process or merged from elsewhere).
    public static func summarize(
        spec: SurveySpec, items: [Item], statistics: SufficientStatistics, categories: [[String]],
        quality: DataQuality, data: String, breakdowns: [String]? = nil, confidence: Double = 0.95
    ) throws -> SurveyAnalysis {
        let estimator = Estimator(spec: spec, items: items, designRows: statistics.overall.rows, confidence: confidence,
                                  replicates: statistics.plan.replicates, seed: statistics.plan.seed)
        let columns = spec.demographics.map(\.column)
        for (b, name) in (breakdowns ?? []).enumerated() where !columns.contains(name) {
            throw InputError(
                "cannot break down by \(Quoted(name)): it is not a demographic column of the spec",
                at: SourceLocation(file: "--by", keyPath: breakdowns!.count > 1 ? "[\(b)]" : nil),
                found: name, expected: columns.isEmpty ? "a column listed under `demographics:` in the spec" : "one of \(columns.joined(separator: ", "))",
                suggestion: nearestMatch(to: name, in: columns))
        }
        let chosen = spec.demographics.indices.filter { breakdowns?.contains(columns[$0]) ?? true }
        let overall = statistics.overall
        let weights = spec.scale.weights
        var analysis = SurveyAnalysis(
            title: spec.title, data: data,
            method: .init(
                weighting: spec.scale.weighting.name,
                levels: spec.scale.levels.enumerated().map { .init(code: $1.code, label: $1.label, weight: weights[$0]) },
                precision: spec.bands.precision,
                bands: spec.bands.labels.indices.map { .init(label: spec.bands.labels[$0], interval: spec.bands.intervalText($0)) },
                weightColumn: spec.weight,
                inference: InferenceOptions(confidence: confidence, replicates: statistics.plan.replicates, seed: statistics.plan.seed,
                                            covariances: statistics.plan.pairwise),
                scales: spec.usedScales.map { scale in
                    let weights = scale.weights
                    return .init(name: scale.name, weighting: scale.weighting.name,
                                 levels: scale.levels.enumerated().map { .init(code: $1.code, label: $1.label, weight: weights[$0]) },
                                 missing: scale.missing,
                                 tables: spec.tables.filter { $0.items.contains { spec.scale(of: $0).name == scale.name } }.map(\.id),
                                 items: items.filter { spec.scale(of: $0).name == scale.name }.map(\.id))
                }),
            respondents: Int(overall.rows), weightSum: overall.weightSum,
            effectiveN: overall.weightSquaredSum > 0 ? overall.weightSum * overall.weightSum / overall.weightSquaredSum : 0,
            quality: quality,
            tables: estimator.tables(in: overall, reliability: statistics.reliability, reliabilityNotes: statistics.plan.pairwise),
            frequencies: spec.demographics.indices.map { estimator.frequencies($0, statistics: statistics, categories: categories[$0]) },
            breakdowns: chosen.map { estimator.breakdown($0, statistics: statistics, categories: categories[$0]) })
        // Columns not analysed are the inference's to say; the others follow from these tables.
        let warnings = (quality.warnings ?? []).filter { $0.kind == "not_analysed" } + researcherWarnings(spec: spec, tables: analysis.tables)
        analysis.quality.warnings = warnings.isEmpty ? nil : warnings
        return analysis
    }

    /// An item whose correlation with the rest of its table is negative (likely reverse-worded),
    /// and a scale of numeric codes whose bottom or top level no item's respondents chose.
    static func researcherWarnings(spec: SurveySpec, tables: [TableEstimate]) -> [DataQuality.Warning] {
        var warnings: [DataQuality.Warning] = []
        for table in tables {
            for statistic in table.reliability?.items ?? [] {
                guard let r = statistic.itemTotal, r <= -0.005 else { continue }   // prints as −0.01 or below
                let reversed = table.items.first { $0.id == statistic.id }?.reverse == true
                warnings.append(.init(
                    kind: "reverse_worded", subject: statistic.id,
                    message: "item \(statistic.id) correlates negatively with the rest of table \(table.id) (r = \((r * 100).rounded() / 100))"
                        + (reversed ? ", although it is reversed: check its keying" : ": likely reverse-worded; if so, give it `reverse: true` in the spec")))
            }
        }
        for scale in spec.usedScales where scale.levels.count >= 3 && scale.levels.allSatisfy({ Int($0.label) != nil }) {
            let items = tables.flatMap(\.items).filter { ($0.scale ?? spec.scale.name) == scale.name }
            guard !items.isEmpty, items.allSatisfy({ $0.counts.count == scale.levels.count }) else { continue }
            let total = { (level: Int) in items.reduce(0) { $0 + $1.counts[level].count } }
            guard items.reduce(0, { $0 + $1.n }) > 0 else { continue }
            for (end, level) in [("bottom", 0), ("top", scale.levels.count - 1)] where total(level) == 0 {
                warnings.append(.init(
                    kind: "unchosen_level", subject: scale.name,
                    message: "no one chose the \(end) level \(scale.levels[level].label) of scale \(scale.name) (\(items.count) item\(items.count == 1 ? "" : "s")): if the instrument's scale is shorter, its weights are wrong; say the levels in the spec"))
            }
        }
        return warnings
    }
}
