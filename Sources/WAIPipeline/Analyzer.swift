import Foundation
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
                               reliabilityTables: inference.covariances ? unique : [],
                               tiePositions: spec.usesDesignBasedTests && inference.rankTies == .fileOrder && !spec.demographics.isEmpty)
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
    ///   - path: how level counts are summed (loops or an OpenBLAS GEMM: the same statistics).
    ///   - breakdowns: demographic columns to break every item down by; nil means all of them.
    ///   - inference: interval coverage and bootstrap replicates (0 replicates: linearization only).
    ///   - pipeline: workers and block sizes of the range pipeline.
    public static func analyze(
        spec: SurveySpec, csvPath: String, displayName: String? = nil, specName: String = "the spec",
        options: ReadOptions = ReadOptions(), path: AggregationPath = .loops, breakdowns: [String]? = nil,
        inference: InferenceOptions = InferenceOptions(), pipeline execution: PipelineOptions = PipelineOptions()
    ) throws -> SurveyAnalysis {
        try run(spec: spec, csvPath: csvPath, displayName: displayName, specName: specName, options: options, path: path,
                breakdowns: breakdowns, inference: inference, pipeline: execution).analysis
    }

    /// An analysis and how it was actually computed, which provenance records.
    public struct Run: Sendable {
        public var analysis: SurveyAnalysis
        /// Which pipeline read the file, and why.
        public var pipeline: PipelineReport
        /// How level counts were summed.
        public var aggregation: AggregationPath
    }

    /// `analyze`, also saying which pipeline and counts path were taken.
    public static func run(
        spec: SurveySpec, csvPath: String, displayName: String? = nil, specName: String = "the spec",
        options: ReadOptions = ReadOptions(), path: AggregationPath = .loops, breakdowns: [String]? = nil,
        inference: InferenceOptions = InferenceOptions(), pipeline execution: PipelineOptions = PipelineOptions()
    ) throws -> Run {
        // Platform exports, other encodings and delimiters: read through their layout (see PreparedInput).
        let input = try PreparedInput.prepare(csvPath: csvPath, displayName: displayName, spec: spec, options: options)
        defer { input.discard() }
        do {
            var run = try analyze(prepared: input, spec: spec, specName: specName, path: path, breakdowns: breakdowns, inference: inference, pipeline: execution)
            run.analysis.quality = input.relocate(run.analysis.quality)
            return run
        } catch {
            throw input.relocate(error)
        }
    }

    static func analyze(
        prepared input: PreparedInput, spec: SurveySpec, specName: String, path: AggregationPath, breakdowns: [String]?,
        inference: InferenceOptions, pipeline execution: PipelineOptions
    ) throws -> Run {
        let (csvPath, displayName, options) = (input.path, input.displayName, input.options)
        if let design = spec.design, let replicates = design.replicates {
            return try analyzeReplicates(spec: spec, design: design, replicates: replicates, prepared: input, specName: specName,
                                         path: path, breakdowns: breakdowns, inference: inference, pipeline: execution)
        }
        if let design = spec.design, design.isComplex {
            return try analyzeDesign(spec: spec, design: design, csvPath: csvPath, displayName: displayName, specName: specName,
                                     options: options, path: path, breakdowns: breakdowns, inference: inference,
                                     speeders: input.speeders, progress: execution.progress)
        }
        let reader = try ResponseReader(spec: spec, csvPath: csvPath, displayName: displayName, specName: specName, options: options)
        let calibration = try spec.population.map { try Calibration.fit(spec: spec, population: $0, reader: reader) }
        let read = try ParallelAnalyzer.aggregate(
            reader: reader, plan: plan(spec: spec, items: reader.items, inference: inference),
            scores: scores(spec: spec, items: reader.items), counts: path, calibration: calibration, options: execution)
        var analysis = try Estimation.summarize(spec: spec, items: reader.items, statistics: read.statistics,
                                     categories: read.categories, quality: read.quality,
                                     data: reader.fileName, breakdowns: breakdowns, confidence: inference.confidence)
        analysis.weighting = calibration?.report
        analysis.quality.speeders = input.speeders
        return Run(analysis: analysis, pipeline: read.report, aggregation: path)
    }

    /// Replicate weights: the full-sample pass as without a design (weighted by `design.weight`),
    /// then one counts-only pass per replicate column, weighted by it, through the same
    /// reader; `ReplicateVariance` recomputes every index from each pass's weighted level counts.
    /// Each pass reads the whole file, so the time grows with the number of replicate columns.
    static func analyzeReplicates(
        spec: SurveySpec, design: SurveyDesign, replicates: ReplicateWeights, prepared input: PreparedInput, specName: String,
        path: AggregationPath, breakdowns: [String]?, inference: InferenceOptions, pipeline execution: PipelineOptions
    ) throws -> Run {
        let began = ParallelAnalyzer.monotonic()
        var base = spec
        base.design = nil
        base.weight = design.weight
        let reader = try ResponseReader(spec: base, csvPath: input.path, displayName: input.displayName, specName: specName, options: input.options)
        let columns = reader.columnNames.filter { name in
            fnmatch(replicates.pattern, name, 0) == 0 && name != design.weight
        }
        let scores = scores(spec: spec, items: reader.items)
        // With `population:`, the full-sample weights and every replicate's are calibrated to it,
        // as R's rake()/postStratify() on a svrepdesign: the replicates then carry the calibration.
        let calibration = try spec.population.map { try Calibration.fit(spec: base, population: $0, reader: reader) }
        var read = try ParallelAnalyzer.aggregate(
            reader: reader, plan: plan(spec: spec, items: reader.items, inference: inference),
            scores: scores, counts: path, calibration: calibration, options: execution)
        read.statistics.dropCalibrationSums()
        var passes: [SufficientStatistics] = []
        // The progress line counts the file once: the full-sample pass.
        var quiet = execution
        quiet.progress = nil
        for column in columns {
            var weighted = base
            weighted.weight = column
            let replicateReader = try ResponseReader(spec: weighted, csvPath: input.path, displayName: input.displayName, specName: specName, options: input.options)
            let replicateCalibration: Calibration?
            do {
                replicateCalibration = try spec.population.map { try Calibration.fit(spec: weighted, population: $0, reader: replicateReader) }
            } catch var error as InputError {
                error.problem = "replicate column \(Quoted(column)): " + error.problem
                throw error
            }
            let pass = try ParallelAnalyzer.aggregate(reader: replicateReader, plan: .countsOnly, scores: scores, counts: path,
                                                      calibration: replicateCalibration, options: quiet)
            guard pass.quality.rowsUsed == read.quality.rowsUsed else {
                // Only --lenient gets here: the replicate pass rejected a row the full sample used.
                let known = Set(read.quality.rejections.map(\.line))
                let extra = pass.quality.rejections.first { !known.contains($0.line) }
                throw InputError(
                    "replicate column \(Quoted(column)) has no usable weight on a row the full sample uses (--lenient cannot leave a row out of one replicate only)",
                    at: SourceLocation(file: reader.fileName, line: extra?.line), found: extra?.reason ?? "\(pass.quality.rowsUsed) rows used of \(read.quality.rowsUsed)",
                    expected: "a non-negative weight in every replicate column of every row")
            }
            passes.append(pass.statistics)
        }
        let variance = try ReplicateVariance(weights: replicates, columns: columns, statistics: passes)
        var analysis = try Estimation.summarize(spec: base, items: reader.items, statistics: read.statistics,
                                                categories: read.categories, quality: read.quality,
                                                data: reader.fileName, breakdowns: breakdowns, confidence: inference.confidence,
                                                replicateDesign: variance)
        analysis.quality.speeders = input.speeders
        if var weighting = calibration?.report {
            // Each replicate was calibrated again: the replicate SEs account for it, trimmed or not.
            weighting.seCalibrated = true
            weighting.replicatesCalibrated = true
            analysis.weighting = weighting
        }
        var report = read.report
        report.reason = "replicate weights: the full sample and \(columns.count) replicate passes"
        report.wallSeconds = ParallelAnalyzer.monotonic() - began
        return Run(analysis: analysis, pipeline: report, aggregation: path)
    }

    /// A complex design reads its strata, PSU and fpc columns as extra demographics after the
    /// spec's own, in one range (the per-PSU sums follow the file's category numbering);
    /// `DesignStatistics` sums per PSU beside the aggregator, and the extra demographics are
    /// dropped before estimation.
    static func analyzeDesign(
        spec: SurveySpec, design: SurveyDesign, csvPath: String, displayName: String, specName: String,
        options: ReadOptions, path: AggregationPath, breakdowns: [String]?, inference: InferenceOptions,
        speeders: DataQuality.Speeders?, progress: ReadProgress? = nil
    ) throws -> Run {
        let began = ParallelAnalyzer.monotonic()
        var readSpec = spec
        let own = spec.demographics.count
        func extra(_ column: String?) -> Int? {
            guard let column else { return nil }
            readSpec.demographics.append(Demographic(column: column))
            return readSpec.demographics.count - 1
        }
        let columns = DesignStatistics.Columns(strata: extra(design.strata), cluster: extra(design.cluster), fpc: extra(design.fpc),
                                               demographics: own)
        let reader: ResponseReader
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
        let calibration = try spec.population.map { try Calibration.fit(spec: spec, population: $0, reader: reader) }
        let plan = plan(spec: spec, items: reader.items, inference: inference)
        let scores = scores(spec: spec, items: reader.items)
        var aggregator = Aggregator(itemCount: reader.items.count, levelCount: spec.levelCount,
                                    demographicCount: readSpec.demographics.count, path: path, plan: plan, scores: scores)
        var sums = DesignStatistics(design: design, columns: columns, items: reader.items.count, levels: spec.levelCount,
                                    calibration: calibration?.residualizes == true ? calibration : nil)
        var calibrationSums = calibration.flatMap { calibration in
            calibration.residualizes ? CalibrationCounter(calibration: calibration, items: reader.items.count, levels: spec.levelCount,
                                                          demographics: readSpec.demographics.count) : nil
        }
        let rows = try reader.forEachChunk { chunk in
            var chunk = chunk
            calibration?.adjust(&chunk)
            aggregator.add(chunk)
            calibrationSums?.add(chunk)
            sums.add(chunk, levels: spec.levelCount)
            progress?.add(bytes: 0, rows: chunk.rowCount)
        }
        var variance = try sums.finished(fpcNames: columns.fpc.map { rows.categories[$0].names } ?? [])
        if columns.cluster == nil && plan.pairwise && spec.tables.contains(where: \.composite) {
            // Rows as PSUs: a composite's Σz² per stratum needs the items' cross-products; a
            // second pass sums them once, each row weighted by its stratum's variance factor.
            let factors = variance.pairwiseRowFactors
            var scaled = Aggregator(itemCount: reader.items.count, levelCount: spec.levelCount, demographicCount: readSpec.demographics.count,
                                    path: path, plan: AggregationPlan(pairwise: true), scores: scores)
            _ = try reader.forEachChunk { chunk in
                var chunk = chunk
                calibration?.adjust(&chunk)
                for r in 0..<chunk.rowCount {
                    let key = columns.strata.map { chunk.groups[$0][r] } ?? 0
                    chunk.weights[r] *= (factors[key] ?? 0).squareRoot()
                }
                scaled.addCrossProducts(chunk)
            }
            let statistics = scaled.statistics
            var pairwise: [DesignCell: [Double]] = [.overall: statistics.overall.pairwise]
            for d in 0..<own {
                for (g, cell) in statistics.byDemographic[d].enumerated() { pairwise[DesignCell(demographic: d, group: g)] = cell.pairwise }
            }
            variance.scaledPairwise = pairwise
        }
        var statistics = aggregator.statistics
        calibrationSums?.fill(&statistics)
        statistics.byDemographic.removeLast(readSpec.demographics.count - own)
        var analysis = try Estimation.summarize(spec: spec, items: reader.items, statistics: statistics,
                                     categories: Array(rows.categories.map(\.names).prefix(own)), quality: rows.quality,
                                     data: reader.fileName, breakdowns: breakdowns, confidence: inference.confidence, design: variance)
        analysis.quality.speeders = speeders
        analysis.weighting = calibration?.report
        var report = PipelineReport(pipeline: "ranges", reason: "a complex design is one range (per-PSU sums)")
        report.aggregation = "Aggregator \(path.rawValue) (counts) + per-PSU sums"
        report.wallSeconds = ParallelAnalyzer.monotonic() - began
        return Run(analysis: analysis, pipeline: report, aggregation: path)
    }
}
