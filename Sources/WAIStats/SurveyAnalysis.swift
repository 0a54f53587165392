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
        public var lonelyPSU: String
        public var strataCount: Int
        /// PSUs in the sample (rows, without a cluster column).
        public var psus: Int
        enum CodingKeys: String, CodingKey { case strata, cluster, fpc, lonelyPSU = "lonely_psu", strataCount = "strata_count", psus }
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
        try run(spec: spec, csvPath: csvPath, displayName: displayName, specName: specName, options: options, path: path,
                breakdowns: breakdowns, inference: inference, pipeline: execution).analysis
    }

    /// An analysis and how it was actually computed, which provenance records (the counts path
    /// the parallel pipeline took can differ from the `path` asked for).
    public struct Run: Sendable {
        public var analysis: SurveyAnalysis
        /// Which pipeline read the file, and why.
        public var pipeline: PipelineReport
        /// How level counts were summed: `path` in the sequential reader, the pipeline's own otherwise.
        public var aggregation: AggregationPath
    }

    /// `analyze`, also saying which pipeline and counts path were taken.
    public static func run(
        spec: SurveySpec, csvPath: String, displayName: String? = nil, specName: String = "the spec",
        options: ReadOptions = ReadOptions(), path: AggregationPath = .blas, breakdowns: [String]? = nil,
        inference: InferenceOptions = InferenceOptions(), pipeline execution: PipelineOptions = PipelineOptions()
    ) throws -> Run {
        // Platform exports, other encodings and delimiters: read through their layout (see PreparedInput).
        let input = try PreparedInput.prepare(csvPath: csvPath, displayName: displayName, spec: spec, options: options)
        defer { input.discard() }
        do {
            return try analyze(prepared: input, spec: spec, specName: specName, path: path, breakdowns: breakdowns, inference: inference, pipeline: execution)
        } catch {
            throw input.relocate(error)
        }
    }

    static func analyze(
        prepared input: PreparedInput, spec: SurveySpec, specName: String, path: AggregationPath, breakdowns: [String]?,
        inference: InferenceOptions, pipeline execution: PipelineOptions
    ) throws -> Run {
        let (csvPath, displayName, options) = (input.path, input.displayName, input.options)
        let open = { try ResponseReader(spec: spec, csvPath: csvPath, displayName: displayName, specName: specName, options: options) }
        let calibration = try spec.population.map { try Calibration.fit(spec: spec, population: $0, reader: open) }
        var reader = try open()
        // A large regular file goes through the parallel byte-level pipeline: the same statistics,
        // or nil and the reader below reads it (`execution.trace` says which; see ParallelAnalyzer).
        if let design = spec.design, design.isComplex {
            let analysis = try analyzeDesign(spec: spec, design: design, csvPath: csvPath, displayName: displayName, specName: specName,
                                             options: options, path: path, breakdowns: breakdowns, inference: inference,
                                             calibration: calibration, speeders: input.speeders)
            return Run(analysis: analysis, pipeline: PipelineReport(pipeline: "sequential", reason: "a complex design (per-PSU sums)"),
                       aggregation: path)
        }
        var pipeline = PipelineReport(pipeline: "")
        if let fast = options.needsSequentialReader ? nil : ParallelAnalyzer.aggregate(
            reader: reader, csvPath: csvPath, plan: plan(spec: spec, items: reader.items, inference: inference),
            scores: scores(spec: spec, items: reader.items), path: path, calibration: calibration, options: execution, report: &pipeline) {
            var analysis = try summarize(spec: spec, items: reader.items, statistics: fast.statistics,
                                         categories: fast.categories, quality: fast.quality,
                                         data: reader.fileName, breakdowns: breakdowns, confidence: inference.confidence)
            analysis.weighting = calibration?.report
            analysis.quality.speeders = input.speeders
            return Run(analysis: analysis, pipeline: fast.report, aggregation: execution.countsPath)
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
        if options.needsSequentialReader { pipeline = PipelineReport(pipeline: "sequential", reason: "extra header rows or excluded lines") }
        return Run(analysis: analysis, pipeline: pipeline, aggregation: path)
    }

    /// A complex design goes through the sequential reader, which reads its strata, PSU and fpc
    /// columns as extra demographics after the spec's own; `DesignStatistics` sums per PSU
    /// beside the aggregator, and the extra demographics are dropped before estimation.
    static func analyzeDesign(
        spec: SurveySpec, design: SurveyDesign, csvPath: String, displayName: String, specName: String,
        options: ReadOptions, path: AggregationPath, breakdowns: [String]?, inference: InferenceOptions,
        calibration: Calibration?, speeders: DataQuality.Speeders?
    ) throws -> SurveyAnalysis {
        var readSpec = spec
        let own = spec.demographics.count
        func extra(_ column: String?) -> Int? {
            guard let column else { return nil }
            readSpec.demographics.append(Demographic(column: column))
            return readSpec.demographics.count - 1
        }
        let columns = DesignStatistics.Columns(strata: extra(design.strata), cluster: extra(design.cluster), fpc: extra(design.fpc),
                                               demographics: own)
        var reader: ResponseReader
        do {
            reader = try ResponseReader(spec: readSpec, csvPath: csvPath, displayName: displayName, specName: specName, options: options)
        } catch var error as InputError {
            // The design's columns are read as demographics past the spec's own: name them as the spec does.
            for (key, index) in [("design.strata", columns.strata), ("design.cluster", columns.cluster), ("design.fpc", columns.fpc)] {
                guard let index else { continue }
                if error.location.keyPath?.hasPrefix("demographics[\(index)]") == true { error.location.keyPath = key }
                error.problem = error.problem.replacingOccurrences(of: "demographics[\(index)].column", with: key)
            }
            throw error
        }
        var aggregator = Aggregator(itemCount: reader.items.count, levelCount: spec.levelCount,
                                    demographicCount: readSpec.demographics.count, path: path,
                                    plan: plan(spec: spec, items: reader.items, inference: inference),
                                    scores: scores(spec: spec, items: reader.items))
        var sums = DesignStatistics(design: design, columns: columns, items: reader.items.count, levels: spec.levelCount)
        while var chunk = try reader.nextChunk() {
            calibration?.adjust(&chunk)
            aggregator.add(chunk)
            sums.add(chunk, levels: spec.levelCount)
        }
        let variance = try sums.finished(fpcNames: columns.fpc.map { reader.categories[$0].names } ?? [])
        var statistics = aggregator.statistics
        statistics.byDemographic.removeLast(readSpec.demographics.count - own)
        var analysis = try summarize(spec: spec, items: reader.items, statistics: statistics,
                                     categories: Array(reader.categories.map(\.names).prefix(own)), quality: reader.quality,
                                     data: reader.fileName, breakdowns: breakdowns, confidence: inference.confidence, design: variance)
        analysis.quality.fullyBlankResponses = reader.fullyBlankLines.isEmpty ? nil : reader.fullyBlankLines
        analysis.quality.speeders = speeders
        analysis.weighting = calibration?.report
        return analysis
    }

    /// The analysis from statistics already aggregated (by this process or merged from elsewhere).
    public static func summarize(
        spec: SurveySpec, items: [Item], statistics: SufficientStatistics, categories: [[String]],
        quality: DataQuality, data: String, breakdowns: [String]? = nil, confidence: Double = 0.95,
        design: DesignVariance? = nil
    ) throws -> SurveyAnalysis {
        var estimator = Estimator(spec: spec, items: items, designRows: statistics.overall.rows, confidence: confidence,
                                  replicates: statistics.plan.replicates, seed: statistics.plan.seed)
        estimator.design = design
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
                },
                seMethod: design != nil ? "taylor" : estimator.hasWeights ? "linearization" : "classical",
                design: design.map { v in
                    .init(strata: v.design.strata, cluster: v.design.cluster, fpc: v.design.fpc, lonelyPSU: v.design.lonelyPSU.rawValue,
                          strataCount: v.strataCount, psus: v.psuTotal)
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
