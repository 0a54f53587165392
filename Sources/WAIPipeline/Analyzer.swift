import WAIAggregate
import WAIEstimate
import WAIModel
import WAIRead


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
            var analysis = try Estimation.summarize(spec: spec, items: reader.items, statistics: fast.statistics,
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
        var analysis = try Estimation.summarize(spec: spec, items: reader.items, statistics: aggregator.statistics,
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
        var analysis = try Estimation.summarize(spec: spec, items: reader.items, statistics: statistics,
                                     categories: Array(reader.categories.map(\.names).prefix(own)), quality: reader.quality,
                                     data: reader.fileName, breakdowns: breakdowns, confidence: inference.confidence, design: variance)
        analysis.quality.fullyBlankResponses = reader.fullyBlankLines.isEmpty ? nil : reader.fullyBlankLines
        analysis.quality.speeders = speeders
        analysis.weighting = calibration?.report
        return analysis
    }
}
