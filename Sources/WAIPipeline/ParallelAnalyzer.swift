import Dispatch
import WAIAggregate
import WAIEstimate
import WAIModel
import WAIRead

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// How the range pipeline is run; the defaults are what `Analyzer.analyze` uses. A value
/// passed in: the library reads no environment (the `wai` command maps `WAI_*` variables onto it).
public struct PipelineOptions: Sendable {
    public var workers: Int
    /// Bytes read per `pread`.
    public var blockSize = 1 << 20
    public var chunkRows = 4096
    /// At least this many bytes of data per worker: a smaller file is one range.
    public var bytesPerWorker = 1 << 20
    public var trace = false
    /// Counts bytes and rows as they are read (for a progress line); nil: not counted.
    public var progress: ReadProgress? = nil

    public init(workers: Int? = nil) {
        self.workers = max(1, workers ?? Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    }

    /// The defaults, changed by the variables of `environment` (the command line passes its
    /// process's): `WAI_WORKERS=n` sets the number of workers, `WAI_BYTES_PER_WORKER=n` the
    /// data a worker needs at least (1 cuts even a small file into one range per worker), and
    /// `WAI_PIPELINE_TRACE=1` prints the ranges, the aggregation and the times to standard error.
    public init(environment: [String: String]) {
        self.init()
        if let text = environment["WAI_WORKERS"], let n = Int(text), n >= 1 { workers = n }
        if let text = environment["WAI_BYTES_PER_WORKER"], let n = Int(text), n >= 1 { bytesPerWorker = n }
        if let text = environment["WAI_PIPELINE_TRACE"], !text.isEmpty, text != "0" { trace = true }
    }
}

/// How a file was read, and where the time went.
public struct PipelineReport: Sendable, Hashable, Codable {
    /// "ranges": the range scanner, the one reader.
    public var pipeline: String
    /// Why the file was read in fewer ranges than workers.
    public var reason: String?
    public var workers = 1
    /// What aggregated: "loops" (`LevelCounter`), or `Aggregator` with its counts path (and the
    /// plan's cross-products on BLAS).
    public var aggregation = ""
    public var dataBytes = 0
    /// Ranges read again because a guessed start fell inside a quoted field.
    public var rereads = 0
    /// Seconds of all workers: parsing and coding, and aggregation.
    public var parseSeconds = 0.0
    public var aggregateSeconds = 0.0
    public var wallSeconds = 0.0

    public init(pipeline: String, reason: String? = nil) {
        self.pipeline = pipeline
        self.reason = reason
    }

    public var summary: String {
        var text = "pipeline \(pipeline)"
        if let reason { text += " (\(reason))" }
        text += ": \(workers) workers, aggregation \(aggregation), \(dataBytes) bytes"
        if rereads > 0 { text += ", \(rereads) ranges re-read" }
        text += ", parse \(seconds(parseSeconds)) s + aggregate \(seconds(aggregateSeconds)) s (summed over workers), wall \(seconds(wallSeconds)) s"
        return text
    }

    private func seconds(_ value: Double) -> String {
        let scaled = (value * 1000).rounded() / 1000
        return "\(scaled)"
    }
}

/// Statistics of a whole file from the range pipeline, and how they were made.
package struct PipelineResult: Sendable {
    package var statistics: SufficientStatistics
    /// Per demographic, the category names in the order they first appear in the file.
    package var categories: [[String]]
    package var quality: DataQuality
    package var report: PipelineReport
}

/// From a survey CSV to its sufficient statistics.
///
/// The data section is cut into one range per worker at line starts (one range for a small
/// file). Each worker reads its range with its own `FastCodeScanner` (large `pread` blocks,
/// bytes coded straight to levels) and aggregates its own `SufficientStatistics`; the parts are
/// added up in file order, each worker's categories renumbered to the order they first appear
/// in the file. Memory is a block buffer, a chunk and the statistics per worker, whatever the
/// number of rows. Bad input throws the located error of the first bad record in the file.
package enum ParallelAnalyzer {
    /// The statistics of the file whose header `reader` resolved. `counts` says how level counts
    /// are summed (`LevelCounter` loops, or `Aggregator`'s GEMM); cross-products are BLAS.
    package static func aggregate(
        reader: ResponseReader, plan: AggregationPlan, scores: [[Double]], counts: AggregationPath = .loops,
        calibration: Calibration?, options: PipelineOptions = PipelineOptions()
    ) throws -> PipelineResult {
        let began = monotonic()
        let scanPlan = try FastScanPlan.make(reader: reader, path: reader.path)
        let dataBytes = scanPlan.fileSize - scanPlan.dataStart
        var workers = max(1, min(options.workers, dataBytes / max(1, options.bytesPerWorker)))
        var result = PipelineReport(pipeline: "ranges", reason: nil)
        if workers > 1 && (scanPlan.lenient || !scanPlan.excludedLines.isEmpty) {
            // Rejections name their lines, which only a read from the top knows.
            workers = 1
            result.reason = scanPlan.lenient ? "lenient reading is one range" : "excluded lines are one range"
        }
        let extras = plan.pairwise || !plan.reliabilityTables.isEmpty
        let useCounter = counts == .loops
        let weighted = scanPlan.weighted || calibration != nil
        result.workers = workers
        result.dataBytes = dataBytes
        result.aggregation = useCounter
            ? (extras ? "loops (counts) + BLAS (cross-products)" : "loops")
            : (extras ? "BLAS (counts, cross-products)" : "BLAS GEMM (counts)")

        BLASThreading.configure()
        let starts = scanPlan.splitPoints(workers: workers)
        let stops = Array(starts.dropFirst()) + [scanPlan.fileSize]

        // Every worker codes its range and aggregates its own statistics.
        // Safe: part k is written only by range k's sink, on one worker at a time, and read
        // after `RangeReader.scan` has returned.
        final class Part: @unchecked Sendable {
            var counter: LevelCounter?
            var aggregator: Aggregator?
            var calibrationSums: CalibrationCounter?
        }
        let levels = scanPlan.levelCount
        var parts = (0..<starts.count).map { _ in Part() }
        func makeSink(_ k: Int) -> (FastChunk) -> Void {
            let sink = makeCountingSink(k)
            guard let progress = options.progress else { return sink }
            var read = starts[k]
            return { chunk in
                sink(chunk)
                progress.add(bytes: chunk.endOffset - read, rows: chunk.rowCount)
                read = chunk.endOffset
            }
        }
        func makeCountingSink(_ k: Int) -> (FastChunk) -> Void {
            let part = Part()
            parts[k] = part
            if let calibration, calibration.residualizes {
                part.calibrationSums = CalibrationCounter(calibration: calibration, items: scanPlan.itemCount, levels: levels,
                                                          demographics: scanPlan.demographicCount)
            }
            if extras || !useCounter {
                // Cross-products (and GEMM counts when asked) through Aggregator.
                part.aggregator = Aggregator(itemCount: scanPlan.itemCount, levelCount: levels, demographicCount: scanPlan.demographicCount,
                                             path: .blas, plan: plan, scores: scores)
            }
            guard useCounter else {
                return { chunk in
                    var coded = chunk.codedChunk(weighted: scanPlan.weighted)
                    calibration?.adjust(&coded)
                    part.aggregator!.add(coded)
                    part.calibrationSums?.add(coded)
                }
            }
            let counter = LevelCounter(items: scanPlan.itemCount, levels: levels, demographics: scanPlan.demographicCount, weighted: weighted,
                                       tiePositions: plan.tiePositions)
            part.counter = counter
            if !extras && calibration == nil {
                return { chunk in
                    let groups = (0..<chunk.demographicCount).map { UnsafePointer(chunk.groups + $0 * chunk.capacity) }
                    counter.add(codes: chunk.codes, weights: chunk.weights, groups: groups, rows: chunk.rowCount)
                }
            }
            return { chunk in
                var coded = chunk.codedChunk(weighted: scanPlan.weighted)
                calibration?.adjust(&coded)
                counter.add(coded)
                part.calibrationSums?.add(coded)
                part.aggregator?.addCrossProducts(coded)
            }
        }
        let scans = try RangeReader.scan(scanPlan, starts: starts, stops: stops, blockSize: options.blockSize,
                                         chunkRows: options.chunkRows, makeSink: makeSink)
        result.rereads += scans.reduce(0) { $0 + ($1.reread ? 1 : 0) }

        // Add the parts up in file order, in the categories' file-wide numbering (a range's
        // categories are all known to a fixed list after a scan without error).
        let merged = scanPlan.mergeCategories(scans.map(\.outcome.categories))!
        var total = SufficientStatistics(itemCount: scanPlan.itemCount, levelCount: levels,
                                         demographicCount: scanPlan.demographicCount, plan: plan)
        for (k, scan) in scans.enumerated() {
            let part = parts[k]
            var statistics = part.counter?.statistics(plan: plan) ?? part.aggregator!.statistics
            if part.counter != nil, let aggregator = part.aggregator {
                statistics = withCounts(of: statistics, in: aggregator.statistics)
            }
            part.calibrationSums?.fill(&statistics)
            add(statistics, into: &total, map: merged.maps[k])
            result.aggregateSeconds += scan.outcome.sinkSeconds
            result.parseSeconds += scan.outcome.seconds - scan.outcome.sinkSeconds
        }
        result.wallSeconds = monotonic() - began
        if options.trace { printTrace(result) }
        return PipelineResult(statistics: total, categories: merged.categories.map(\.names),
                              quality: scanPlan.mergeQuality(scans.map(\.outcome)), report: result)
    }

    /// `extras` (cross-products and replicates from `Aggregator`) with the level counts, row
    /// totals and tie sums of `counts` (from `LevelCounter`); both have cells up to the largest group met.
    static func withCounts(of counts: SufficientStatistics, in extras: SufficientStatistics) -> SufficientStatistics {
        var out = extras
        out.tiePositions = counts.tiePositions
        func copy(_ from: CellStatistics, into cell: inout CellStatistics) {
            cell.rows = from.rows
            cell.weightSum = from.weightSum
            cell.weightSquaredSum = from.weightSquaredSum
            cell.counts = from.counts
            cell.weighted = from.weighted
            cell.weightedSquared = from.weightedSquared
        }
        copy(counts.overall, into: &out.overall)
        for d in counts.byDemographic.indices {
            out.ensure(demographic: d, categories: counts.byDemographic[d].count - 1)
            for g in counts.byDemographic[d].indices { copy(counts.byDemographic[d][g], into: &out.byDemographic[d][g]) }
        }
        return out
    }

    /// Adds `part` (numbered in a range's own categories) into `total` (numbered file-wide).
    static func add(_ part: SufficientStatistics, into total: inout SufficientStatistics, map: [[UInt32]]) {
        total.appendTiePositions(of: part)
        total.overall += part.overall
        for d in part.byDemographic.indices {
            for g in part.byDemographic[d].indices {
                let target = Int(map[d][g])
                total.ensure(demographic: d, categories: target)
                total.byDemographic[d][target] += part.byDemographic[d][g]
            }
        }
        for t in total.reliability.indices { total.reliability[t] += part.reliability[t] }
    }

    static func printTrace(_ report: PipelineReport) {
        let line = Array("wai: \(report.summary)\n".utf8)
        _ = line.withUnsafeBufferPointer { write(2, $0.baseAddress, $0.count) }
    }

    static func monotonic() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
    }
}
