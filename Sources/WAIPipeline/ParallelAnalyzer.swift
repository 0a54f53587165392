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

/// How the parallel pipeline is run; the defaults are what `Analyzer.analyze` uses. A value
/// passed in: the library reads no environment (the `wai` command maps `WAI_*` variables onto it).
public struct PipelineOptions: Sendable {
    /// false: always the sequential reader.
    public var enabled = true
    public var workers: Int
    /// Bytes read per `pread`.
    public var blockSize = 1 << 20
    public var chunkRows = 4096
    /// Smaller data sections are read sequentially: the result is the same, and below this the
    /// set-up is not worth it.
    public var minimumBytes = 4 << 20
    /// At least this many bytes of data per worker.
    public var bytesPerWorker = 1 << 20
    /// How the pipeline counts levels: `.loops` (`LevelCounter`, about 20 times faster on one-hot
    /// answers; see Benchmarks/Speed) or `.blas` (`Aggregator`'s GEMM). This, not the caller's
    /// `path` (which the sequential reader follows), decides; cross-products and replicates are
    /// always BLAS (SYRK, GEMM), through `Aggregator`.
    public var countsPath: AggregationPath = .loops
    public var trace = false

    public init(workers: Int? = nil) {
        self.workers = max(1, workers ?? Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    }

    /// The defaults, changed by the variables of `environment` (the command line passes its
    /// process's): `WAI_PIPELINE=sequential` always reads with `ResponseReader`,
    /// `WAI_PIPELINE=parallel` uses the fast pipeline whatever the file size, `WAI_WORKERS=n`
    /// sets the number of workers, `WAI_COUNTS=blas` counts levels with the GEMM, and
    /// `WAI_PIPELINE_TRACE=1` prints which pipeline ran, and its times, to standard error.
    public init(environment: [String: String]) {
        self.init()
        switch environment["WAI_PIPELINE"] {
        case "sequential": enabled = false
        case "parallel": minimumBytes = 0; bytesPerWorker = 1
        default: break
        }
        if let text = environment["WAI_WORKERS"], let n = Int(text), n >= 1 { workers = n }
        if environment["WAI_COUNTS"] == "blas" { countsPath = .blas }
        if let text = environment["WAI_PIPELINE_TRACE"], !text.isEmpty, text != "0" { trace = true }
    }

}

/// Which pipeline read a file, and where the time went.
public struct PipelineReport: Sendable, Hashable, Codable {
    /// "parallel" or "sequential".
    public var pipeline: String
    /// Why the sequential reader ran.
    public var reason: String?
    public var workers = 1
    /// What aggregated: "loops" (`LevelCounter`), or `Aggregator` with its counts path (and the
    /// plan's cross-products and replicates on BLAS).
    public var aggregation = ""
    public var dataBytes = 0
    /// Ranges read again because a guessed start fell inside a quoted field.
    public var rereads = 0
    /// Whether a first pass counted each range's rows (for the bootstrap's row keys).
    public var countPass = false
    /// Seconds of all workers: parsing and coding, and aggregation.
    public var parseSeconds = 0.0
    public var aggregateSeconds = 0.0
    public var wallSeconds = 0.0
    /// Where the first record the fast scanner left to the reader starts (when it stopped at
    /// one): the reader can check from there instead of from the top of the file.
    public var stoppedAt: StopPoint?

    /// A record's byte offset in the file and its physical line.
    public struct StopPoint: Sendable, Hashable, Codable {
        public var offset: Int
        public var line: Int
    }

    public init(pipeline: String, reason: String? = nil) {
        self.pipeline = pipeline
        self.reason = reason
    }

    public var summary: String {
        var text = "pipeline \(pipeline)"
        if let reason { text += " (\(reason))" }
        if pipeline == "parallel" {
            text += ": \(workers) workers, aggregation \(aggregation), \(dataBytes) bytes"
            if countPass { text += ", row-count pass" }
            if rereads > 0 { text += ", \(rereads) ranges re-read" }
            text += ", parse \(seconds(parseSeconds)) s + aggregate \(seconds(aggregateSeconds)) s (summed over workers), wall \(seconds(wallSeconds)) s"
        }
        return text
    }

    private func seconds(_ value: Double) -> String {
        let scaled = (value * 1000).rounded() / 1000
        return "\(scaled)"
    }
}

/// Statistics of a whole file from the parallel pipeline: what a sequential
/// `ResponseReader` + `Aggregator` pass gives, and how they were made.
public struct PipelineResult: Sendable {
    public var statistics: SufficientStatistics
    /// Per demographic, the category names in the order a sequential read finds them.
    public var categories: [[String]]
    public var quality: DataQuality
    public var report: PipelineReport
}

/// The fast path from a survey CSV to its sufficient statistics.
///
/// The data section is cut into one range per worker at line starts. Each worker reads its
/// range with its own `FastCodeScanner` (large `pread` blocks, bytes coded straight to levels)
/// and aggregates its own `SufficientStatistics`; the parts are added up in file order, each
/// worker's categories renumbered to the order a sequential pass finds them. Memory is a block
/// buffer, a chunk and the statistics per worker, whatever the number of rows.
///
/// A cut may fall inside a quoted field that holds a line break: each worker reports where its
/// last record ended, and a range whose guessed start differs from that is read again from the
/// right place.
///
/// Whenever a scanner meets anything it does not handle itself (see `FastScanPlan`), the result
/// is nil and the caller reads the file with `ResponseReader`, which gives the same statistics
/// or throws the located error.
public enum ParallelAnalyzer {
    /// The statistics of the file `reader` has opened (and read the header of), or nil when the
    /// sequential reader must do it (`report` then says why).
    public static func aggregate(
        reader: ResponseReader, csvPath: String, plan: AggregationPlan, scores: [[Double]],
        path: AggregationPath, calibration: Calibration?, options: PipelineOptions = PipelineOptions(),
        report: UnsafeMutablePointer<PipelineReport>? = nil
    ) -> PipelineResult? {
        let began = monotonic()
        func sequential(_ reason: String, stoppedAt: PipelineReport.StopPoint? = nil) -> PipelineResult? {
            var result = PipelineReport(pipeline: "sequential", reason: reason)
            result.stoppedAt = stoppedAt
            if options.trace { printTrace(result) }
            report?.pointee = result
            return nil
        }
        guard options.enabled else { return sequential("WAI_PIPELINE=sequential") }
        let scanPlan: FastScanPlan
        switch FastScanPlan.make(reader: reader, path: csvPath) {
        case .unavailable(let why): return sequential(why)
        case .ready(let ready): scanPlan = ready
        }
        let dataBytes = scanPlan.fileSize - scanPlan.dataStart
        guard dataBytes >= options.minimumBytes else {
            return sequential("\(dataBytes) bytes of data, below the parallel pipeline's \(options.minimumBytes)")
        }
        let workers = max(1, min(options.workers, dataBytes / max(1, options.bytesPerWorker)))
        let extras = plan.pairwise || !plan.reliabilityTables.isEmpty
        let useCounter = options.countsPath == .loops
        let weighted = scanPlan.weighted || calibration != nil
        var result = PipelineReport(pipeline: "parallel", reason: nil)
        result.workers = workers
        result.dataBytes = dataBytes
        result.aggregation = useCounter
            ? (extras ? "loops (counts) + BLAS (cross-products)" : "loops")
            : (extras ? "BLAS (counts, cross-products)" : "BLAS GEMM (counts)")

        BLASThreading.configure()
        let starts = scanPlan.splitPoints(workers: workers)
        let stops = Array(starts.dropFirst()) + [scanPlan.fileSize]

        // The main pass: every worker codes its range and aggregates its own statistics.
        // Safe: part k is written only by range k's sink, on one worker at a time, and read
        // after `scanRanges` has returned.
        final class Part: @unchecked Sendable {
            var counter: LevelCounter?
            var aggregator: Aggregator?
        }
        let levels = scanPlan.levelCount
        var parts = (0..<starts.count).map { _ in Part() }
        func makeSink(_ k: Int) -> (FastChunk) -> Void {
            let part = Part()
            parts[k] = part
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
                }
            }
            let counter = LevelCounter(items: scanPlan.itemCount, levels: levels, demographics: scanPlan.demographicCount, weighted: weighted)
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
                part.aggregator?.addCrossProducts(coded)
            }
        }
        let scans: [RangeScan]
        switch scanRanges(scanPlan, starts: starts, stops: stops, options: options, makeSink: makeSink) {
        case .scanned(let all): scans = all
        case .stopped(let point): return sequential("the fast scanner met something it leaves to the reader", stoppedAt: point)
        }
        result.rereads += scans.reduce(0) { $0 + ($1.reread ? 1 : 0) }

        // Add the parts up in file order, in the categories' file-wide numbering.
        guard let merged = scanPlan.mergeCategories(scans.map(\.outcome.categories)) else {
            return sequential("internal: categories do not merge")
        }
        var total = SufficientStatistics(itemCount: scanPlan.itemCount, levelCount: levels,
                                         demographicCount: scanPlan.demographicCount, plan: plan)
        for (k, scan) in scans.enumerated() {
            let part = parts[k]
            var statistics = part.counter?.statistics(plan: plan) ?? part.aggregator!.statistics
            if part.counter != nil, let aggregator = part.aggregator {
                statistics = withCounts(of: statistics, in: aggregator.statistics)
            }
            add(statistics, into: &total, map: merged.maps[k])
            result.aggregateSeconds += scan.outcome.sinkSeconds
            result.parseSeconds += scan.outcome.seconds - scan.outcome.sinkSeconds
        }
        result.wallSeconds = monotonic() - began
        if options.trace { printTrace(result) }
        report?.pointee = result
        return PipelineResult(statistics: total, categories: merged.categories.map(\.names),
                              quality: scanPlan.mergeQuality(scans.map(\.outcome)), report: result)
    }

    /// One range's scan.
    struct RangeScan {
        var outcome: FastScanOutcome
        var reread: Bool
    }

    /// Scans every range in parallel, then checks that each range started where the previous
    /// one ended and reads again (on this thread, with a fresh scanner and sink) any range whose
    /// guessed start was wrong. `.stopped` when a range that started right met a problem, with
    /// where the record it stopped at starts (nil when unknown).
    ///
    /// `makeSink(k)` makes the sink of range k (again, for a range read again).
    static func scanRanges(
        _ plan: FastScanPlan, starts: [Int], stops: [Int], options: PipelineOptions,
        makeSink: (Int) -> (FastChunk) -> Void
    ) -> RangeScans {
        // Safe: slot k is written only by the worker of range k, and read after
        // `concurrentPerform` has returned.
        final class Slot: @unchecked Sendable {
            var outcome: FastScanOutcome?
            var failed = false
        }
        let n = starts.count
        let slots = (0..<n).map { _ in Slot() }
        let sinks = (0..<n).map { makeSink($0) }
        let run: (Int) -> Void = { k in
            guard let scanner = try? FastCodeScanner(plan: plan, blockSize: options.blockSize, chunkRows: options.chunkRows) else {
                slots[k].failed = true
                return
            }
            slots[k].outcome = scanner.scan(from: starts[k], to: stops[k], sink: sinks[k])
        }
        if n == 1 {
            run(0)
        } else {
            withoutActuallyEscaping(run) { body in
                let box = UncheckedBox(body)
                DispatchQueue.concurrentPerform(iterations: n) { k in box.value(k) }
            }
        }
        var scans: [RangeScan] = []
        var expected = starts[0]
        var line = plan.dataLine
        for k in 0..<n {
            guard var outcome = slots[k].outcome else { return .stopped(nil) }
            var reread = false
            if outcome.start != expected {
                // The guessed start was inside a record: read this range again from where the
                // previous one really ended.
                let sink = makeSink(k)
                guard let scanner = try? FastCodeScanner(plan: plan, blockSize: options.blockSize, chunkRows: options.chunkRows) else { return .stopped(nil) }
                outcome = scanner.scan(from: expected, to: max(expected, stops[k]), sink: sink)
                reread = true
            }
            if outcome.problem != nil {
                // The scan ends where the record it could not read starts, `lines` line breaks on.
                return .stopped(PipelineReport.StopPoint(offset: outcome.end, line: line + outcome.lines))
            }
            scans.append(RangeScan(outcome: outcome, reread: reread))
            expected = outcome.end
            line += outcome.lines
        }
        return .scanned(scans)
    }

    enum RangeScans {
        case scanned([RangeScan])
        case stopped(PipelineReport.StopPoint?)
    }

    /// `extras` (cross-products and replicates from `Aggregator`) with the level counts and row
    /// totals of `counts` (from `LevelCounter`); both have cells up to the largest group met.
    static func withCounts(of counts: SufficientStatistics, in extras: SufficientStatistics) -> SufficientStatistics {
        var out = extras
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

// Safe: `concurrentPerform` calls the boxed closure from its workers only while the caller
// waits inside it, and the closure writes only its own range's slot.
private final class UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
