import Dispatch
import WAIModel

/// Reads a responses file as byte ranges, one `FastCodeScanner` per range, in parallel: the one
/// way wai reads survey rows, for every file size (a small file is one range).
///
/// A guessed range start may fall inside a quoted field that holds a line break: each range's
/// scan says where its last record ended, and a range whose start differs from that is read
/// again from the right place. The error of the read is the first one in file order: a range's
/// error counts only when every range before it was read without one.
package enum RangeReader {
    /// One range's scan, and whether it was read again.
    package struct RangeScan: Sendable {
        package var outcome: FastScanOutcome
        package var reread: Bool
    }

    /// Scans `[starts[k], stops[k])` for every k with `makeSink(k)` (made again for a range read
    /// again); throws the first located error in file order.
    package static func scan(
        _ plan: FastScanPlan, starts: [Int], stops: [Int], blockSize: Int, chunkRows: Int,
        makeSink: (Int) -> (FastChunk) -> Void
    ) throws -> [RangeScan] {
        // Safe: slot k is written only by the worker of range k, and read after
        // `concurrentPerform` has returned.
        final class Slot: @unchecked Sendable {
            var outcome: FastScanOutcome?
            var error: (any Error)?
        }
        let n = starts.count
        let slots = (0..<n).map { _ in Slot() }
        let sinks = (0..<n).map { makeSink($0) }
        // Only the first range's line is known before the ranges before it are read; the
        // others count from 0 and are moved when merged.
        let run: (Int) -> Void = { k in
            do {
                let scanner = try FastCodeScanner(plan: plan, blockSize: blockSize, chunkRows: chunkRows)
                slots[k].outcome = scanner.scan(from: starts[k], to: stops[k], line: k == 0 ? plan.dataLine : 0, sink: sinks[k])
            } catch {
                slots[k].error = error
            }
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
            if let error = slots[k].error { throw error }
            var outcome = slots[k].outcome!
            var reread = false
            if outcome.start != expected {
                // The guessed start was inside a record: read this range again from where the
                // previous one really ended.
                let scanner = try FastCodeScanner(plan: plan, blockSize: blockSize, chunkRows: chunkRows)
                outcome = scanner.scan(from: expected, to: max(expected, stops[k]), line: line, sink: makeSink(k))
                reread = true
            }
            if let error = outcome.error {
                guard outcome.firstLine != line else { throw error }
                // Counted from 0: read the bad record again from its start, on its real line.
                let scanner = try FastCodeScanner(plan: plan, blockSize: blockSize, chunkRows: chunkRows)
                let located = scanner.scan(from: outcome.end, to: outcome.end + 1, line: line + outcome.lines) { _ in }
                throw located.error ?? error
            }
            scans.append(RangeScan(outcome: outcome, reread: reread))
            expected = outcome.end
            line += outcome.lines
        }
        return scans
    }
}

// Safe: `concurrentPerform` calls the boxed closure from its workers only while the caller
// waits inside it, and the closure writes only its own range's slot.
private final class UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

extension ResponseReader {
    /// What reading every row gave: the categories met, in file order, and the row accounting.
    package struct Rows: Sendable {
        package var categories: [CategoryIndex]
        package var quality: DataQuality
    }

    /// Reads every row of the file whose header this reader resolved, in one range, handing the
    /// coded rows to `body` in file order, `options.chunkRows` at a time, `blockSize` bytes read
    /// at once; throws the first located error.
    package func forEachChunk(blockSize: Int = 1 << 20, _ body: (CodedChunk) -> Void) throws -> Rows {
        let plan = try FastScanPlan.make(reader: self, path: path)
        let weighted = plan.weighted
        let scans = try withoutActuallyEscaping(body) { body in
            try RangeReader.scan(plan, starts: [plan.dataStart], stops: [plan.fileSize], blockSize: blockSize, chunkRows: options.chunkRows) { _ in
                { chunk in body(chunk.codedChunk(weighted: weighted)) }
            }
        }
        return Rows(categories: scans[0].outcome.categories, quality: plan.mergeQuality(scans.map(\.outcome)))
    }
}
