import CByteScan
import WAIModel

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

private let lf = UInt8(ascii: "\n")
private let cr = UInt8(ascii: "\r")
private let quote = UInt8(ascii: "\"")

// Column kinds of a `FastScanPlan`.
private let kindSkip: UInt8 = 0
private let kindItem: UInt8 = 1
private let kindGroup: UInt8 = 2
private let kindWeight: UInt8 = 3
private let kindID: UInt8 = 4

/// Everything the range scanner needs to know about one responses file, taken from a
/// `ResponseReader` that has resolved the spec against its header.
///
/// The range scanner is the one reader of survey rows: it reads any byte range of the data in
/// large blocks with `pread`, maps each used cell straight from its bytes to a level number (a
/// 256-entry table for one-byte cells, a small hash of the bytes for longer ones; a cell is
/// decoded and normalised through `AnswerCoder` only the first time its exact bytes are met),
/// and skips unused columns without decoding them. A record the fast loop does not read
/// exactly (a quoted cell with a doubled quote is fine; an unknown answer, a ragged row, a new
/// category, invalid UTF-8, a malformed quote, an excluded line are not) goes to the general
/// record reader (`readGeneralRecord`), which finds every field with its line and column and
/// then codes, rejects (lenient reading) or throws the located error.
package struct FastScanPlan: Sendable {
    /// The file path, and its name as errors show it.
    package let path: String
    package let fileName: String
    package let fileSize: Int
    /// Offset of the first byte after the header's line end, and the line it is on.
    package let dataStart: Int
    package let dataLine: Int
    package let itemCount: Int
    package let levelCount: Int
    package let demographicCount: Int
    /// Whether the spec names a weight column (otherwise every weight is 1).
    package let weighted: Bool
    /// The accounting known from the header (duplicate unused header names).
    package let headerQuality: DataQuality
    /// Category indices as the header left them (fixed lists from the spec, or empty).
    package let initialCategories: [CategoryIndex]
    /// Lenient reading: unknown answers become missing, malformed rows are rejected.
    package let lenient: Bool
    /// Physical lines left out as rejected rows, with the reason.
    package let excludedLines: [Int: String]

    let headerCount: Int
    let delimiter: UInt8
    /// Per column: what it is for, and which item or demographic.
    let kinds: [UInt8]
    let slots: [Int]
    let hasID: Bool
    /// Whether every record goes to the general reader (a column read twice, a NUL delimiter).
    let generalOnly: Bool
    /// The default scale's coder (missing demographic answers are its missing markers).
    let coder: AnswerCoder
    /// One coder per distinct scale of the items, and which one codes each item slot.
    let coders: [AnswerCoder]
    let coderOfItem: [Int]
    /// What the general reader needs: the columns of every item, demographic, weight and id.
    let itemColumns: [Int]
    let itemIDs: [String]
    let itemColumnNames: [String]
    let demographicColumns: [Int]
    let demographicNames: [String]
    let weightColumn: Int?
    let weightName: String?
    let idColumn: Int?

    /// Builds the plan for `path`, whose header `reader` has just read.
    package static func make(reader: ResponseReader, path: String) throws -> FastScanPlan {
        var kinds = [UInt8](repeating: kindSkip, count: reader.headerCount)
        var slots = [Int](repeating: 0, count: reader.headerCount)
        var generalOnly = reader.options.delimiter == 0
        func claim(_ column: Int, _ kind: UInt8, _ slot: Int) {
            guard kinds[column] == kindSkip else { generalOnly = true; return }
            kinds[column] = kind
            slots[column] = slot
        }
        for (i, column) in reader.itemColumns.enumerated() { claim(column, kindItem, i) }
        for (d, column) in reader.demographicColumns.enumerated() { claim(column, kindGroup, d) }
        if let column = reader.weightColumn { claim(column, kindWeight, 0) }
        if let column = reader.idColumn { claim(column, kindID, 0) }

        // Non-blocking, so that a FIFO is not waited on: only a regular file goes on.
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else {
            throw InputError("cannot open file", at: SourceLocation(file: reader.fileName),
                             found: String(cString: strerror(errno)), expected: "a readable CSV file")
        }
        defer { _ = close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            throw InputError("cannot read file", at: SourceLocation(file: reader.fileName),
                             found: "not a regular file (a pipe or a device)", expected: "a regular file that can be read from any position")
        }
        let size = Int(info.st_size)
        var want = min(size, 1 << 16)
        var found: (offset: Int, line: Int)? = nil
        while found == nil {
            var head = [UInt8](repeating: 0, count: want)
            let got = head.withUnsafeMutableBytes { preadFully(fd, $0.baseAddress!, want, 0) }
            guard got == want else {
                throw InputError("cannot read file", at: SourceLocation(file: reader.fileName),
                                 found: String(cString: strerror(errno)), expected: "a readable file")
            }
            found = headerEnd(head, delimiter: reader.options.delimiter, records: 1 + reader.options.extraHeaderRows, complete: want == size)
            want = min(size, 2 * want)
        }
        let (start, line) = found!
        let spec = reader.spec
        return FastScanPlan(
            path: path, fileName: reader.fileName, fileSize: size, dataStart: start, dataLine: line,
            itemCount: reader.items.count, levelCount: spec.levelCount,
            demographicCount: reader.demographicColumns.count, weighted: reader.weightColumn != nil,
            headerQuality: reader.quality, initialCategories: reader.categories,
            lenient: reader.options.lenient, excludedLines: reader.options.excludedLines,
            headerCount: reader.headerCount, delimiter: reader.options.delimiter, kinds: kinds, slots: slots,
            hasID: reader.idColumn != nil, generalOnly: generalOnly,
            coder: reader.coder, coders: reader.scaleCoders, coderOfItem: reader.coderOfItem,
            itemColumns: reader.itemColumns, itemIDs: reader.items.map(\.id), itemColumnNames: reader.items.map(\.column),
            demographicColumns: reader.demographicColumns, demographicNames: spec.demographics.map(\.column),
            weightColumn: reader.weightColumn, weightName: spec.weight, idColumn: reader.idColumn)
    }

    /// Where the data starts: after a byte order mark, blank lines and `records` header records
    /// (the header, then any extra header rows, a blank line counting as one). nil when they do
    /// not end within `bytes`.
    static func headerEnd(_ bytes: [UInt8], delimiter: UInt8, records: Int = 1, complete: Bool) -> (offset: Int, line: Int)? {
        let n = bytes.count
        var i = 0
        var line = 1
        if n >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF { i = 3 }
        // Blank lines before the header.
        while i < n && (bytes[i] == lf || bytes[i] == cr) {
            if bytes[i] == cr && i + 1 < n && bytes[i + 1] == lf { i += 1 }
            if bytes[i] == cr && i + 1 == n && !complete { return nil }
            i += 1
            line += 1
        }
        for _ in 0..<records {
            guard i < n else { return complete ? (n, line) : nil }
            // One record: fields, quoted or not, up to an unquoted line end.
            var atFieldStart = true
            var ended = false
            while i < n && !ended {
                let b = bytes[i]
                if atFieldStart && b == quote {
                    i += 1
                    var pcr = false
                    while true {
                        guard i < n else { return complete ? (n, line) : nil }
                        let q = bytes[i]
                        if q == quote {
                            if i + 1 < n && bytes[i + 1] == quote { i += 2; pcr = false; continue }
                            if i + 1 == n && !complete { return nil }
                            i += 1
                            break
                        }
                        if q == lf { if !pcr { line += 1 }; pcr = false } else if q == cr { line += 1; pcr = true } else { pcr = false }
                        i += 1
                    }
                    atFieldStart = false
                    continue
                }
                if b == delimiter {
                    atFieldStart = true
                    i += 1
                } else if b == lf || b == cr {
                    if b == cr {
                        if i + 1 < n { if bytes[i + 1] == lf { i += 1 } } else if !complete { return nil }
                    }
                    i += 1
                    line += 1
                    ended = true
                } else {
                    atFieldStart = false
                    i += 1
                }
            }
            if !ended { return complete ? (n, line) : nil }
        }
        return (i, line)
    }

    /// Offsets where `workers` workers start: the data start, then for each further worker the
    /// byte after the first LF at or after an equal share of the data. A start may lie inside a
    /// quoted field: `FastCodeScanner.scan` results say where each worker really stopped, and
    /// the caller checks the chain (and re-reads a region whose guessed start was wrong).
    package func splitPoints(workers: Int) -> [Int] {
        var points = [dataStart]
        let bytes = fileSize - dataStart
        guard workers > 1, bytes > 0 else { return points }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return points }
        defer { _ = close(fd) }
        let window = 1 << 16
        let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: window)
        defer { buffer.deallocate() }
        for k in 1..<workers {
            var offset = max(dataStart + bytes / workers * k, points.last!)
            var found = fileSize
            search: while offset < fileSize {
                let got = preadFully(fd, buffer, min(window, fileSize - offset), offset)
                if got <= 0 { break }
                for j in 0..<got where buffer[j] == lf {
                    found = offset + j + 1
                    break search
                }
                offset += got
            }
            points.append(found)
        }
        return points
    }
}

/// Reads `count` bytes at `offset` (fewer only at the end of the file); -1 on an error.
func preadFully(_ fd: Int32, _ destination: UnsafeMutableRawPointer, _ count: Int, _ offset: Int) -> Int {
    var done = 0
    while done < count {
        let n = pread(fd, destination + done, count - done, off_t(offset + done))
        if n > 0 { done += n; continue }
        if n == 0 { break }
        if errno == EINTR { continue }
        return -1
    }
    return done
}

/// Coded rows as the fast scanner hands them on: row-major codes (0 = missing, 1…k), a weight
/// per row (only when the plan is weighted) and per demographic a group per row (0 = missing,
/// c + 1 = category c of the scanner's own category index).
package final class FastChunk {
    package let capacity: Int
    package let itemCount: Int
    package let demographicCount: Int
    package internal(set) var rowCount = 0
    /// File offset just past the chunk's last record.
    package internal(set) var endOffset = 0
    /// `capacity × itemCount` codes.
    package let codes: UnsafeMutablePointer<UInt8>
    /// `capacity` weights; meaningful only when the plan is weighted.
    package let weights: UnsafeMutablePointer<Double>
    /// Demographic-major: demographic d's groups start at `groups + d * capacity`.
    package let groups: UnsafeMutablePointer<UInt32>

    init(capacity: Int, itemCount: Int, demographicCount: Int) {
        self.capacity = capacity
        self.itemCount = itemCount
        self.demographicCount = demographicCount
        codes = .allocate(capacity: max(1, capacity * itemCount))
        weights = .allocate(capacity: capacity)
        weights.initialize(repeating: 1, count: capacity)
        groups = .allocate(capacity: max(1, capacity * demographicCount))
    }

    deinit {
        codes.deallocate()
        weights.deallocate()
        groups.deallocate()
    }

    /// The rows as a `CodedChunk` (weights are 1 when `weighted` is false).
    package func codedChunk(weighted: Bool) -> CodedChunk {
        var chunk = CodedChunk(demographicCount: demographicCount)
        chunk.rowCount = rowCount
        chunk.codes = Array(UnsafeBufferPointer(start: codes, count: rowCount * itemCount))
        chunk.weights = weighted ? Array(UnsafeBufferPointer(start: weights, count: rowCount))
                                 : Array(repeating: 1, count: rowCount)
        for d in 0..<demographicCount {
            chunk.groups[d] = Array(UnsafeBufferPointer(start: groups + d * capacity, count: rowCount))
        }
        return chunk
    }
}

/// What one scan of a byte range found.
package struct FastScanOutcome: Sendable {
    /// Where the scan began and the offset right after the last record it read.
    package var start: Int
    package var end: Int
    /// The physical line the scan was told `start` is on: every line below counts from it.
    package var firstLine: Int
    /// Line breaks between `start` and `end` (a line end, or a line break inside a quoted field).
    package var lines = 0
    /// Data rows read (rejected ones included) and used.
    package var rowsRead = 0
    package var rowsUsed = 0
    package var blankLines = 0
    /// Lenient reading: rows left out, and answers counted as missing.
    package var rejections: [DataQuality.Rejection] = []
    package var unknownAnswers: [DataQuality.UnknownAnswer] = []
    /// The scanner's own category indices (numbers in its chunks refer to them).
    package var categories: [CategoryIndex]
    /// Respondent id → lines of its rows.
    package var idLines: [String: [Int]] = [:]
    /// Lines of the rows whose every item is missing.
    package var fullyBlankLines: [Int] = []
    /// The located error of the record at `end`, when the scan stopped at one.
    package var error: InputError?
    /// Seconds spent in the chunk consumer (the rest of the scan is parsing and coding).
    package var sinkSeconds = 0.0
    package var seconds = 0.0
}

/// The labels a scanner has met, by their exact bytes (`wai_cell_table`, in C so that the label
/// loop `wai_label_cells` reads it without leaving C).
final class ByteCache {
    let table = wai_cell_table_create()!

    deinit { wai_cell_table_destroy(table) }

    /// `bytes[0..<n]`, n ≥ 1, read with up to 8 bytes of padding on either side.
    @inline(__always)
    func find(_ bytes: UnsafePointer<UInt8>, _ n: Int) -> UInt32? {
        let value = wai_cell_find(table, bytes, Int64(n))
        return value < 0 ? nil : UInt32(truncatingIfNeeded: value)
    }

    func insert(_ bytes: UnsafePointer<UInt8>, _ n: Int, _ value: UInt32) {
        wai_cell_table_insert(table, bytes, Int64(n), value)
    }

    func insert(_ bytes: [UInt8], _ value: UInt8) {
        (bytes + [0]).withUnsafeBufferPointer { insert($0.baseAddress!, bytes.count, UInt32(value)) }
    }
}

/// Reads byte ranges of a responses file into coded chunks (see `FastScanPlan`).
///
/// One scanner per thread; a scanner keeps its caches and its own category index across
/// `scan` calls. Memory: one block buffer (grown only for a record longer than a block), one
/// chunk, and bounded caches — nothing grows with the number of rows, except the respondent ids
/// when the spec names an id column (duplicate ids must be found).
package final class FastCodeScanner {
    package let plan: FastScanPlan
    package let chunk: FastChunk
    private let fd: Int32
    private let blockSize: Int
    private let maxRecordBytes: Int

    @exclusivity(unchecked) private var buffer: UnsafeMutablePointer<UInt8>
    @exclusivity(unchecked) private var capacity: Int
    private static let padding = 64

    /// `capacity` bytes with 64 zero bytes before and after: cell keys are read 8 bytes at a
    /// time, also just before a cell and just past it, and cell ends 64 bytes at a time.
    private static func paddedBuffer(_ capacity: Int) -> UnsafeMutablePointer<UInt8> {
        let base = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity + 2 * padding)
        base.initialize(repeating: 0, count: capacity + 2 * padding)
        return base + padding
    }

    private static func free(_ buffer: UnsafeMutablePointer<UInt8>) {
        (buffer - padding).deallocate()
    }

    private let kinds: UnsafeMutablePointer<UInt8>
    private let slots: UnsafeMutablePointer<Int>
    /// Per column: how many item columns (or unused columns) follow in a row, itself included
    /// (0 for the other columns).
    private let runs: UnsafeMutablePointer<Int>
    /// Per column: whether the run's items are consecutive on the item axis.
    private let contiguous: UnsafeMutablePointer<Bool>
    /// Per coder: k when the cells "1"…"k" (k ≤ 9) are exactly levels 1…k, so a window of such
    /// cells is converted at once (`wai_digit_cells_64`); 0 otherwise.
    private let digitLevels: [Int]
    /// The codes of a window's cells (`wai_digit_cells_64` writes up to 72 bytes).
    private let windowCodes: UnsafeMutablePointer<UInt8>
    /// Per item column, the coder (scale) of its item; a run of item columns shares one.
    private let columnCoder: UnsafeMutablePointer<Int>
    /// Per coder, level of each one-byte cell (256 per coder): 0xFE not yet looked up, 0xFF
    /// unknown, 0xFD a delimiter, line end or quote (never a one-byte cell of the run loop).
    private let oneByte: UnsafeMutablePointer<UInt8>
    /// Per demographic, group of each one-byte cell: UInt32.max not yet looked up.
    private let groupOneByte: UnsafeMutablePointer<UInt32>
    /// Per coder.
    private let itemCaches: [ByteCache]
    private let groupCaches: [ByteCache]
    /// Per coder, level of the empty cell; 0xFF unknown.
    private let emptyCodes: [UInt8]
    @exclusivity(unchecked) private var emptyGroups: [UInt32?]
    @exclusivity(unchecked) private var categories: [CategoryIndex]
    @exclusivity(unchecked) private var scratch: UnsafeMutablePointer<UInt8>
    @exclusivity(unchecked) private var scratchCapacity = 256

    // Per-record results.
    @exclusivity(unchecked) private var recordLines = 0
    @exclusivity(unchecked) private var recordBlank = false
    @exclusivity(unchecked) private var recordID: String?

    private static let needMore = -1
    /// The fast loop cannot read the record exactly: the general reader does.
    private static let general = -2
    /// The scan stops: `out.error` says why.
    private static let fatal = -3
    
    // Per-scan results and state.
    @exclusivity(unchecked) var out = FastScanOutcome(start: 0, end: 0, firstLine: 0, categories: [])
    @exclusivity(unchecked) var unknownIndex: [String: Int] = [:]
    /// Lenient reading after a malformed quoted field: its rejection, held until reading is back
    /// in step (the first line start that reads as a record of the header's field count), and
    /// the last line read past since.
    @exclusivity(unchecked) var pending: (line: Int, error: InputError, lastLine: Int)?
    @exclusivity(unchecked) var skipLineFeed = false
    /// File offset of the first byte that is not UTF-8, once met.
    @exclusivity(unchecked) var invalidAt: Int?
    /// The grammar of the records the fast loop does not read.
    @exclusivity(unchecked) var splitter: RecordSplitter

    package init(plan: FastScanPlan, blockSize: Int = 4 << 20, chunkRows: Int = 4096,
                maxRecordBytes: Int = CSVReader.defaultMaxRecordBytes) throws {
        self.plan = plan
        // A small file needs no more than itself in the buffer (it grows for a longer record).
        self.blockSize = max(1, min(blockSize, max(1 << 12, plan.fileSize - plan.dataStart)))
        self.maxRecordBytes = maxRecordBytes
        let fd = open(plan.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw InputError("cannot open file", at: SourceLocation(file: plan.fileName), expected: "a readable CSV file")
        }
        self.fd = fd
        capacity = self.blockSize
        buffer = FastCodeScanner.paddedBuffer(capacity)
        scratch = FastCodeScanner.paddedBuffer(scratchCapacity)
        chunk = FastChunk(capacity: max(1, chunkRows), itemCount: plan.itemCount, demographicCount: plan.demographicCount)
        let columns = plan.headerCount
        kinds = .allocate(capacity: columns)
        slots = .allocate(capacity: columns)
        for c in 0..<columns {
            kinds[c] = plan.kinds[c]
            slots[c] = plan.slots[c]
        }
        runs = .allocate(capacity: columns + 1)
        runs[columns] = 0
        // Runs of item columns, and runs of unused columns (0 for the others).
        columnCoder = .allocate(capacity: columns + 1)
        columnCoder[columns] = 0
        for c in 0..<columns { columnCoder[c] = kinds[c] == kindItem ? plan.coderOfItem[slots[c]] : 0 }
        for c in stride(from: columns - 1, through: 0, by: -1) {
            let same = c + 1 < columns && kinds[c + 1] == kinds[c] && columnCoder[c + 1] == columnCoder[c]
            runs[c] = kinds[c] == kindItem || kinds[c] == kindSkip ? (same ? runs[c + 1] : 0) + 1 : 0
        }
        contiguous = .allocate(capacity: columns + 1)
        for c in 0...columns {
            contiguous[c] = c < columns && kinds[c] == kindItem && runs[c] > 0 && (0..<runs[c]).allSatisfy { plan.slots[c + $0] == plan.slots[c] + $0 }
        }
        windowCodes = .allocate(capacity: 80)
        let coderCount = max(1, plan.coders.count)
        oneByte = .allocate(capacity: 256 * coderCount)
        oneByte.initialize(repeating: 0xFE, count: 256 * coderCount)
        for s in 0..<coderCount {
            for b in [plan.delimiter, lf, cr, quote] { oneByte[s * 256 + Int(b)] = 0xFD }
        }
        digitLevels = plan.coders.map { coder in
            let k = coder.scale.levels.count
            let digitsAreLevels = k <= 9 && !(0x30...0x39).contains(plan.delimiter)
                && (1...k).allSatisfy { coder.code(String($0)) == UInt8($0) }
            return digitsAreLevels ? k : 0
        }
        itemCaches = (0..<coderCount).map { _ in ByteCache() }
        groupOneByte = .allocate(capacity: 256 * max(1, plan.demographicCount))
        groupOneByte.initialize(repeating: .max, count: 256 * max(1, plan.demographicCount))
        groupCaches = (0..<plan.demographicCount).map { _ in ByteCache() }
        emptyCodes = plan.coders.map { $0.code("") ?? 0xFF }
        for (s, code) in emptyCodes.enumerated() where code != 0xFF { itemCaches[s].insert([], code) }
        emptyGroups = Array(repeating: nil, count: plan.demographicCount)
        categories = plan.initialCategories
        splitter = RecordSplitter(delimiter: plan.delimiter, fileName: plan.fileName)
    }

    deinit {
        _ = close(fd)
        FastCodeScanner.free(buffer)
        FastCodeScanner.free(scratch)
        kinds.deallocate()
        slots.deallocate()
        runs.deallocate()
        columnCoder.deallocate()
        oneByte.deallocate()
        contiguous.deallocate()
        windowCodes.deallocate()
        groupOneByte.deallocate()
    }

    /// Reads the records that start in `[start, stop)` (the last one may run past `stop`),
    /// handing every full chunk, and the last partial one, to `sink`. `start` must be where a
    /// record starts, on physical line `line`, for the result to mean anything: the outcome's
    /// `end` lets the caller check that against the previous range. The scan stops at the first
    /// record it cannot read (strict reading, or invalid UTF-8 and unreadable files in any
    /// reading), with that record's located error in the outcome and `end` at its start.
    package func scan(from start: Int, to stop: Int, line firstLine: Int, sink: (FastChunk) -> Void) -> FastScanOutcome {
        let began = monotonicSeconds()
        out = FastScanOutcome(start: start, end: start, firstLine: firstLine, categories: [])
        unknownIndex = [:]
        pending = nil
        skipLineFeed = false
        invalidAt = nil
        var bufferBase = start        // file offset of buffer[0]
        var have = 0                  // bytes in the buffer
        var pos = 0                   // next record
        var validated = 0             // buffer[..<validated] is checked UTF-8 (up to `invalidAt`)
        var eof = start >= plan.fileSize
        var lines = 0
        var sinkSeconds = 0.0
        let checksExcluded = !plan.excludedLines.isEmpty
        chunk.rowCount = 0

        func flush() {
            guard chunk.rowCount > 0 else { return }
            let t = monotonicSeconds()
            chunk.endOffset = bufferBase + pos
            sink(chunk)
            sinkSeconds += monotonicSeconds() - t
            chunk.rowCount = 0
        }

        scanning: while true {
            if pos >= have {
                if eof { break }
                bufferBase += pos
                have = 0
                pos = 0
                validated = 0
                if !read(&have, base: bufferBase, eof: &eof, validated: &validated) { break }
                continue
            }
            if skipLineFeed {
                // The line end before was a CR at the end of the buffer.
                skipLineFeed = false
                if buffer[pos] == lf { pos += 1; continue }
            }
            if bufferBase + pos >= stop && pending == nil { break }
            let line = firstLine + lines
            var next = FastCodeScanner.general
            if !plan.generalOnly && pending == nil {
                next = parseRecord(buffer, pos, have, eof, row: chunk.rowCount)
                if next >= 0 {
                    if let bad = invalidAt, bufferBase + next > bad {
                        next = FastCodeScanner.general
                    } else if checksExcluded && !recordBlank && plan.excludedLines[line] != nil {
                        next = FastCodeScanner.general
                    }
                }
            }
            if next >= 0 {
                pos = next
                lines += recordLines
                if recordBlank {
                    out.blankLines += 1
                    continue
                }
                out.rowsRead += 1
                out.rowsUsed += 1
                if plan.hasID, let id = recordID {
                    out.idLines[id, default: []].append(line)
                    recordID = nil
                }
                if plan.itemCount > 0 && allMissing(chunk.codes + chunk.rowCount * plan.itemCount, plan.itemCount) {
                    out.fullyBlankLines.append(line)
                }
                chunk.rowCount += 1
                if chunk.rowCount == chunk.capacity { flush() }
                continue
            }
            if next == FastCodeScanner.general {
                recordID = nil
                next = readGeneralRecord(buffer, pos, have, eof, line: line, row: chunk.rowCount)
                if next >= 0 {
                    pos = next
                    lines += recordLines
                    if chunk.rowCount == chunk.capacity { flush() }
                    continue
                }
                if next == FastCodeScanner.fatal { break }
            }
            // The record runs past the buffer: keep it, make room, read on.
            if pos > 0 {
                let keep = have - pos
                buffer.update(from: buffer + pos, count: keep)
                bufferBase += pos
                validated = max(0, validated - pos)
                if let bad = invalidAt, bad < bufferBase { invalidAt = bufferBase }
                have = keep
                pos = 0
            }
            if have == capacity {
                guard capacity < maxRecordBytes else {
                    // Too long: the record is rejected (lenient, quoted) or located.
                    let resumed = recordTooLong(buffer, pos, have, line: line)
                    if resumed < 0 { break }
                    pos = resumed
                    lines += recordLines
                    continue
                }
                let grown = FastCodeScanner.paddedBuffer(2 * capacity)
                grown.update(from: buffer, count: have)
                FastCodeScanner.free(buffer)
                buffer = grown
                capacity *= 2
            }
            if !read(&have, base: bufferBase, eof: &eof, validated: &validated) { break }
        }
        if out.error == nil {
            endResynchronizing()
            flush()
        }
        var outcome = out
        outcome.end = bufferBase + pos
        outcome.lines = lines
        outcome.categories = categories
        outcome.sinkSeconds = sinkSeconds
        outcome.seconds = monotonicSeconds() - began
        out = FastScanOutcome(start: 0, end: 0, firstLine: 0, categories: [])
        // A grown buffer goes back to one block, so one long record does not hold memory.
        if capacity > blockSize {
            FastCodeScanner.free(buffer)
            capacity = blockSize
            buffer = FastCodeScanner.paddedBuffer(capacity)
        }
        return outcome
    }

    /// Appends the next block to the buffer and checks it is UTF-8 up to its last ASCII byte
    /// (the rest may be a character cut by the block end); the first bad byte is kept in
    /// `invalidAt`, for the general reader to locate. false, with the error set, when the file
    /// cannot be read.
    private func read(_ have: inout Int, base: Int, eof: inout Bool, validated: inout Int) -> Bool {
        let room = capacity - have
        let got = preadFully(fd, buffer + have, room, base + have)
        if got < 0 {
            out.error = InputError("cannot read file", at: SourceLocation(file: plan.fileName),
                                   found: String(cString: strerror(errno)), expected: "a readable file")
            return false
        }
        if got < room || base + have + got >= plan.fileSize { eof = true }
        have += got
        // Two zero bytes after the data let the run loop look one byte ahead without a bounds
        // check (a zero byte is never a delimiter, line end or quote).
        buffer[have] = 0
        buffer[have + 1] = 0
        // Valid UTF-8 in the whole stream means valid UTF-8 in every field: delimiters, quotes
        // and line ends are ASCII and never inside a multi-byte character.
        guard invalidAt == nil else { return true }
        var safe = have
        if !eof {
            while safe > validated && buffer[safe - 1] >= 0x80 { safe -= 1 }
        }
        if safe > validated {
            if !isASCII(buffer + validated, safe - validated),
               let bad = firstInvalidUTF8(UnsafeBufferPointer(start: buffer + validated, count: safe - validated)) {
                invalidAt = base + validated + bad
            }
            validated = safe
        }
        return true
    }

    /// Whether every code of a row is 0 (missing).
    @inline(__always)
    private func allMissing(_ codes: UnsafeMutablePointer<UInt8>, _ n: Int) -> Bool {
        let raw = UnsafeRawPointer(codes)
        var i = 0
        var acc: UInt64 = 0
        while i &+ 8 <= n {
            acc |= raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            i &+= 8
        }
        while i < n {
            acc |= UInt64(codes[i])
            i &+= 1
        }
        return acc == 0
    }

    private func isASCII(_ p: UnsafeMutablePointer<UInt8>, _ n: Int) -> Bool {
        let raw = UnsafeRawPointer(p)
        var i = 0
        var a: UInt64 = 0, b: UInt64 = 0, c: UInt64 = 0, d: UInt64 = 0
        while i &+ 32 <= n {
            a |= raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            b |= raw.loadUnaligned(fromByteOffset: i &+ 8, as: UInt64.self)
            c |= raw.loadUnaligned(fromByteOffset: i &+ 16, as: UInt64.self)
            d |= raw.loadUnaligned(fromByteOffset: i &+ 24, as: UInt64.self)
            i &+= 32
        }
        while i < n {
            a |= UInt64(p[i])
            i &+= 1
        }
        return (a | b | c | d) & 0x8080_8080_8080_8080 == 0
    }

    // MARK: - Records

    /// Parses the record at `start` into row `row` of the chunk. Returns the offset after its line
    /// end, `needMore` when it runs past `have` (and the input goes on), or `bail`.
    @inline(__always)
    private func parseRecord(_ p: UnsafeMutablePointer<UInt8>, _ start: Int, _ have: Int, _ eof: Bool, row: Int) -> Int {
        let d = plan.delimiter
        let columns = plan.headerCount
        var i = start
        var extra = 0
        recordBlank = false

        if columns > 1 && (p[i] == lf || p[i] == cr) {
            // An empty line: no respondent.
            if p[i] == cr {
                if i + 1 < have {
                    i += p[i + 1] == lf ? 2 : 1
                } else if eof {
                    i += 1
                } else {
                    return FastCodeScanner.needMore
                }
            } else {
                i += 1
            }
            recordBlank = true
            recordLines = 1
            return i
        }

        let codes = chunk.codes + row * chunk.itemCount
        let slots = self.slots
        var c = 0
        // Once a run stops at its first cell (a label, say), the rest of the record goes cell by cell.
        var tryRuns = true
        while true {
            let kind = kinds[c]
            if kind == kindItem && tryRuns {
                // The common case of a coded survey: a run of item columns whose cells are one
                // byte or empty. Cells are found from bitmaps of the delimiters and of the bytes
                // the fast way stops at (quotes, line ends, control bytes, the zero byte after the
                // data) over 64 bytes at a time.
                let run = runs[c]
                var k = 0
                let s = columnCoder[c]
                cells: do {
                    // Whole windows at once when the scale's levels are the digits: every cell
                    // before the window's first stop or first cell of two bytes is a digit or
                    // empty, and ends at a delimiter.
                    let digits = digitLevels[s], emptyCode = emptyCodes[s]
                    var n: Int32 = 0
                    while digits > 0 {
                        let bits = wai_cell_bits_64(p + i, d, quote)
                        let taken = Int(wai_digit_cells_64(p + i, bits, Int32(run &- k), d, UInt8(digits), emptyCode,
                                                           emptyCode == 0xFF ? 0 : 1, windowCodes, &n))
                        guard taken > 0 else { break }   // no such cell here, or one not a level
                        let n = Int(n)
                        if contiguous[c] {
                            (codes + (slots[c] &+ k)).update(from: windowCodes, count: n)
                        } else {
                            for m in 0..<n { codes[slots[c &+ k &+ m]] = windowCodes[m] }
                        }
                        i &+= taken
                        k &+= n
                        if k == run { break cells }
                    }
                    // Then cell by cell along the same bitmaps, each cell a key of the scale's
                    // cell table (a label, a one-byte code or the empty cell met before), in C.
                    var taken: Int64 = 0
                    i &+= Int(wai_label_cells(p + i, d, quote, Int64(run &- k), itemCaches[s].table, codes, slots + (c &+ k), &taken))
                    k &+= Int(taken)
                }
                c &+= k
                tryRuns = k > 0
                if k == run {
                    if c == columns {
                        return FastCodeScanner.general
                    }
                    continue
                }
            } else if kind == kindSkip {
                // Unused columns: each up to its delimiter, found in the bitmaps of 64 bytes, not
                // decoded; a long cell (free text) 64 bytes at a time. A quoted cell, a line end
                // or a control character goes the general way below, from the cell's start.
                let run = runs[c]
                var k = 0
                while k < run {
                    var j = i
                    var bits = wai_cell_bits_64(p + j, d, quote)
                    while bits.delimiters | bits.stops == 0 {
                        j &+= 64
                        bits = wai_cell_bits_64(p + j, d, quote)
                    }
                    var ends = wai_ends_before_first_stop(bits)
                    guard ends != 0 else { break }
                    var q = 0
                    while k < run && ends != 0 {
                        q = ends.trailingZeroBitCount
                        ends &= ends &- 1
                        k &+= 1
                    }
                    i = j &+ q &+ 1
                }
                c &+= k
                if k == run {
                    if c == columns {
                        return FastCodeScanner.general
                    }
                    continue
                }
            }
            var value = p + i
            var length = 0
            if i < have && p[i] == quote {
                // A quoted field: up to the quote not followed by another.
                var j = i + 1
                var doubled = false
                var pcr = false
                while true {
                    if j >= have {
                        if eof {
                            return FastCodeScanner.general
                        }
                        return FastCodeScanner.needMore
                    }
                    let b = p[j]
                    if b == quote {
                        if j + 1 < have {
                            if p[j + 1] == quote { doubled = true; j += 2; pcr = false; continue }
                            break
                        }
                        if eof { break }
                        return FastCodeScanner.needMore
                    }
                    if b == lf {
                        if !pcr { extra += 1 }
                        pcr = false
                    } else if b == cr {
                        extra += 1
                        pcr = true
                    } else {
                        pcr = false
                    }
                    j += 1
                }
                // p[j] is the closing quote.
                value = p + i + 1
                length = j - i - 1
                i = j + 1
                if i < have {
                    let t = p[i]
                    if t != d && t != lf && t != cr {
                        return FastCodeScanner.general
                    }
                } else if !eof {
                    return FastCodeScanner.needMore
                }
                if doubled && kind != kindSkip {
                    length = unescape(value, length)
                    value = scratch
                }
            } else {
                let j = terminator(p, from: i, have: have, delimiter: d)
                if j == have && !eof { return FastCodeScanner.needMore }
                length = j - i
                i = j
            }

            if kind != kindSkip {
                switch kind {
                case kindItem:
                    let code = itemCode(value, length, coder: columnCoder[c])
                    if code == 0xFF {
                        return FastCodeScanner.general
                    }
                    codes[slots[c]] = code
                case kindGroup:
                    let s = slots[c]
                    guard let g = group(s, value, length) else {
                        return FastCodeScanner.general
                    }
                    chunk.groups[s * chunk.capacity + row] = g
                case kindWeight:
                    guard let w = weight(value, length) else {
                        return FastCodeScanner.general
                    }
                    chunk.weights[row] = w
                default:
                    recordID = String(decoding: UnsafeBufferPointer(start: value, count: length), as: UTF8.self)
                }
            }

            // The field's terminator.
            if i >= have {
                // The end of the input ends the record.
                if c != columns - 1 {
                    return FastCodeScanner.general
                }
                recordLines = extra
                return have
            }
            let t = p[i]
            if t == d {
                c += 1
                if c == columns {
                    return FastCodeScanner.general
                }
                i += 1
                continue
            }
            if c != columns - 1 {
                return FastCodeScanner.general
            }
            if t == cr {
                if i + 1 < have {
                    i += p[i + 1] == lf ? 2 : 1
                } else if eof {
                    i += 1
                } else {
                    return FastCodeScanner.needMore
                }
            } else {
                i += 1
            }
            recordLines = extra + 1
            return i
        }
    }

    /// The first index from `start` whose byte is the delimiter, LF or CR, or `have`.
    ///
    /// Sixteen bytes at a time: a byte is a candidate when it is the delimiter or below 0x0E
    /// (LF and CR are), found with the has-zero-byte and has-less-than tests on 64-bit words,
    /// whose lowest flagged byte is always a true one; a candidate that is neither (a tab, say)
    /// is stepped over.
    @inline(__always)
    private func terminator(_ p: UnsafeMutablePointer<UInt8>, from start: Int, have: Int, delimiter d: UInt8) -> Int {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let dd = UInt64(d) &* ones, below = 0x0E &* ones
        let raw = UnsafeRawPointer(p)
        var j = start
        while j &+ 16 <= have {
            let w0 = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: j, as: UInt64.self))
            let w1 = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: j &+ 8, as: UInt64.self))
            let x0 = w0 ^ dd, x1 = w1 ^ dd
            let m0 = (((x0 &- ones) & ~x0) | ((w0 &- below) & ~w0)) & highs
            let m1 = (((x1 &- ones) & ~x1) | ((w1 &- below) & ~w1)) & highs
            if m0 | m1 == 0 {
                j &+= 16
                continue
            }
            let t0 = m0.trailingZeroBitCount &>> 3   // 8 when the first word has none
            let t1 = m1.trailingZeroBitCount &>> 3
            let t = j &+ t0 &+ (m0 == 0 ? t1 : 0)
            let b = p[t]
            if b == d || b == lf || b == cr { return t }
            j = t &+ 1
        }
        while j < have {
            let b = p[j]
            if b == d || b == lf || b == cr { break }
            j &+= 1
        }
        return j
    }

    /// A quoted field's text with `""` turned into `"`, into `scratch`; returns its length.
    private func unescape(_ value: UnsafeMutablePointer<UInt8>, _ length: Int) -> Int {
        if length > scratchCapacity {
            FastCodeScanner.free(scratch)
            scratchCapacity = max(length, 2 * scratchCapacity)
            scratch = FastCodeScanner.paddedBuffer(scratchCapacity)
        }
        var n = 0
        var j = 0
        while j < length {
            let b = value[j]
            scratch[n] = b
            n += 1
            j += b == quote ? 2 : 1
        }
        return n
    }

    // MARK: - Cells

    private func text(_ value: UnsafePointer<UInt8>, _ length: Int) -> String {
        String(decoding: UnsafeBufferPointer(start: value, count: length), as: UTF8.self)
    }

    private func resolveOneByte(_ b: UInt8, coder s: Int) -> UInt8 {
        // A lone byte ≥ 0x80 is not UTF-8; the buffer check has already refused it.
        let code = b < 0x80 ? (plan.coders[s].code(String(UnicodeScalar(b))) ?? 0xFF) : 0xFF
        oneByte[s * 256 + Int(b)] = code
        if code != 0xFF { itemCaches[s].insert([b], code) }
        return code
    }

    @inline(__always)
    private func itemCode(_ value: UnsafeMutablePointer<UInt8>, _ length: Int, coder s: Int) -> UInt8 {
        if length > 1 {
            if let found = itemCaches[s].find(value, length) { return UInt8(truncatingIfNeeded: found) }
        } else if length == 1 {
            let code = oneByte[s &* 256 &+ Int(value[0])]
            if code < 0xFD || code == 0xFF { return code }
        } else {
            return emptyCodes[s]
        }
        return itemCodeFirstTime(value, length, coder: s)
    }

    /// A cell whose exact bytes were not met before: decoded and looked up as `AnswerCoder` does.
    @inline(never)
    private func itemCodeFirstTime(_ value: UnsafeMutablePointer<UInt8>, _ length: Int, coder s: Int) -> UInt8 {
        let coder = plan.coders[s]
        if length == 1 {
            if oneByte[s * 256 + Int(value[0])] == 0xFE { return resolveOneByte(value[0], coder: s) }
            // A quoted delimiter, line end or quote.
            return coder.code(String(UnicodeScalar(value[0]))) ?? 0xFF
        }
        guard let code = coder.code(text(value, length)) else { return 0xFF }
        itemCaches[s].insert(value, length, UInt32(code))
        return code
    }

    @inline(__always)
    private func group(_ d: Int, _ value: UnsafeMutablePointer<UInt8>, _ length: Int) -> UInt32? {
        if length == 1 {
            let g = groupOneByte[d * 256 + Int(value[0])]
            if g != .max { return g }
        } else if length == 0 {
            if let g = emptyGroups[d] { return g }
        } else if let g = groupCaches[d].find(value, length) {
            return g
        }
        return groupFirstTime(d, value, length)
    }

    /// A demographic cell whose exact bytes were not met before.
    @inline(never)
    private func groupFirstTime(_ d: Int, _ value: UnsafeMutablePointer<UInt8>, _ length: Int) -> UInt32? {
        // A missing marker, else a category already known; a new one (or an unknown one of a
        // fixed list) is the general reader's, which adds it only when its row is used.
        let cell = text(value, length)
        let g: UInt32
        if plan.coder.isMissingMarker(cell) {
            g = 0
        } else if let number = categories[d].known(cell) {
            g = number
        } else {
            return nil
        }
        if length == 1 {
            groupOneByte[d * 256 + Int(value[0])] = g
        } else if length == 0 {
            emptyGroups[d] = g
        } else {
            groupCaches[d].insert(value, length, g)
        }
        return g
    }

    /// The weight of a cell as `surveyWeight` reads it: plain
    /// decimals of up to 15 digits are converted directly (one exact integer divided by an exact
    /// power of ten is correctly rounded, as Swift's parser is); anything else goes through it.
    @inline(__always)
    private func weight(_ value: UnsafeMutablePointer<UInt8>, _ length: Int) -> Double? {
        var mantissa: UInt64 = 0
        var digits = 0
        var fraction = -1
        var j = 0
        var plain = length > 0 && length <= 16
        while plain && j < length {
            let b = value[j]
            if b >= 0x30 && b <= 0x39 {
                mantissa = mantissa &* 10 &+ UInt64(b &- 0x30)
                digits += 1
                if fraction >= 0 { fraction += 1 }
            } else if b == 0x2E && fraction < 0 && j > 0 {
                fraction = 0
            } else {
                plain = false
            }
            j += 1
        }
        if plain && digits <= 15 && fraction != 0 {
            let w = Double(mantissa)
            return fraction > 0 ? w / powersOfTen[fraction] : w
        }
        return surveyWeight(text(value, length))
    }
}

private let powersOfTen: [Double] = (0...22).map { k in
    var p = 1.0
    for _ in 0..<k { p *= 10 }
    return p
}

func monotonicSeconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
}

// MARK: - Merging the scans of a file

extension FastScanPlan {
    /// The category indices of a whole file from its ranges' scans, in file order: a category
    /// gets the number a sequential read would give it (its first appearance in the file), and
    /// `maps[k][d][g]` is the file-wide number of scan k's group g of demographic d.
    /// nil when a range's category is unknown to a fixed list (cannot happen after a clean scan).
    package func mergeCategories(_ scans: [[CategoryIndex]]) -> (categories: [CategoryIndex], maps: [[[UInt32]]])? {
        var merged = initialCategories
        var maps: [[[UInt32]]] = []
        for local in scans {
            var map: [[UInt32]] = []
            for d in local.indices {
                var numbers: [UInt32] = [0]
                for name in local[d].names {
                    guard let number = merged[d].number(of: name) else { return nil }
                    numbers.append(number)
                }
                map.append(numbers)
            }
            maps.append(map)
        }
        return (merged, maps)
    }

    /// The data-quality account of the whole file from its ranges' scans, in file order (each
    /// scan's lines moved to where its range really starts).
    package func mergeQuality(_ scans: [FastScanOutcome]) -> DataQuality {
        var quality = headerQuality
        var line = dataLine
        var idLines: [String: [Int]] = [:]
        var fullyBlank: [Int] = []
        var unknownIndex: [String: Int] = [:]
        for scan in scans {
            let shift = line - scan.firstLine
            quality.rowsRead += scan.rowsRead
            quality.rowsUsed += scan.rowsUsed
            quality.blankLines += scan.blankLines
            quality.rejections += scan.rejections.map { .init(line: $0.line + shift, reason: $0.reason) }
            for unknown in scan.unknownAnswers {
                let key = unknown.field + "\u{0}" + unknown.value
                if let index = unknownIndex[key] {
                    quality.unknownAnswers[index].count += unknown.count
                } else {
                    unknownIndex[key] = quality.unknownAnswers.count
                    var moved = unknown
                    moved.firstLine += shift
                    quality.unknownAnswers.append(moved)
                }
            }
            for (id, lines) in scan.idLines {
                idLines[id, default: []].append(contentsOf: lines.map { $0 + shift })
            }
            fullyBlank += scan.fullyBlankLines.map { $0 + shift }
            line += scan.lines
        }
        quality.fullyBlankResponses = fullyBlank.isEmpty ? nil : fullyBlank
        if hasID {
            quality.duplicateIDs = idLines.filter { $0.value.count > 1 }
                .map { DataQuality.DuplicateID(id: $0.key, lines: $0.value) }
                .sorted { $0.lines[0] < $1.lines[0] }
        }
        return quality
    }
}

// MARK: - The general record reader

extension FastCodeScanner {
    /// Reads the record at `start` the general way into row `row` of the chunk (when used).
    /// Returns the offset after it (with `recordLines` set), `needMore`, or `fatal` with
    /// `out.error` set.
    func readGeneralRecord(_ p: UnsafeMutablePointer<UInt8>, _ start: Int, _ have: Int, _ eof: Bool, line: Int, row: Int) -> Int {
        let next: Int
        switch splitter.split(p, start, have, eof, line: line) {
        case .needMore:
            return FastCodeScanner.needMore
        case .fatal(let error):
            out.error = error
            return FastCodeScanner.fatal
        case .malformed(let error):
            return rejectMalformed(p, start, have, eof, line: line, error: error)
        case .record(let end):
            next = end
        }
        recordLines = splitter.lineBreaks(p, start, next)
        let blank = splitter.fields.count == 1 && splitter.fields[0].valueLength == 0 && !splitter.fields[0].quoted
        if let held = pending {
            // Lines that do not read as a record of the header's field count belong to the
            // rejected record (a quoted field that was never closed runs over them).
            if splitter.fields.count != plan.headerCount || (blank && plan.headerCount > 1) {
                pending!.lastLine = max(held.lastLine, line)
                return next
            }
            endResynchronizing()
        }
        if blank && plan.headerCount > 1 {
            out.blankLines += 1
            return next
        }
        if code(p, start, line: line, row: row) { return next }
        return out.error == nil ? next : FastCodeScanner.fatal
    }

    /// A malformed quoted field in the record at `start`: in strict reading its error; in
    /// lenient reading the record is held as rejected and reading resumes at the start of the
    /// physical line after the one it starts on.
    private func rejectMalformed(_ p: UnsafeMutablePointer<UInt8>, _ start: Int, _ have: Int, _ eof: Bool, line: Int, error: InputError) -> Int {
        guard plan.lenient else {
            out.error = error
            return FastCodeScanner.fatal
        }
        var i = start
        while i < have && p[i] != lf && p[i] != cr { i += 1 }
        if i == have && !eof { return FastCodeScanner.needMore }
        var resume = min(i + 1, have)
        if i < have && p[i] == cr {
            if i + 1 < have { if p[i + 1] == lf { resume = i + 2 } } else if !eof { skipLineFeed = true }
        }
        if let held = pending {
            pending!.lastLine = max(held.lastLine, line)
        } else {
            pending = (line, error, line)
        }
        recordLines = 1
        return resume
    }

    /// The record at `start` ran past `maxRecordBytes` in a full buffer.
    func recordTooLong(_ p: UnsafeMutablePointer<UInt8>, _ start: Int, _ have: Int, line: Int) -> Int {
        let limit = maxRecordBytes >= 1 << 20 && maxRecordBytes % (1 << 20) == 0 ? "\(maxRecordBytes >> 20) MiB"
            : maxRecordBytes >= 1 << 10 && maxRecordBytes % (1 << 10) == 0 ? "\(maxRecordBytes >> 10) KiB" : "\(maxRecordBytes) bytes"
        if case .needMore(let open?) = splitter.split(p, start, have, false, line: line) {
            let at = splitter.location(p, from: start, line: line, of: open)
            let error = InputError("record too long", at: at, found: "a quoted field still open after \(limit)",
                                   expected: "a closing quote (\") for the quote at line \(at.line!), column \(at.column!)")
            let resumed = rejectMalformed(p, start, have, false, line: line, error: error)
            if resumed >= 0 || out.error != nil { return resumed >= 0 ? resumed : FastCodeScanner.fatal }
        }
        out.error = InputError("record too long", at: SourceLocation(file: plan.fileName, line: line, column: 1),
                               found: "more than \(limit) before the end of the line", expected: "records of at most \(limit)")
        return FastCodeScanner.fatal
    }

    /// Ends a held rejection of a malformed quoted field.
    func endResynchronizing() {
        guard let (line, error, lastLine) = pending else { return }
        pending = nil
        var reason = "malformed quoted field: \(error.problem) at line \(error.location.line ?? line), column \(error.location.column ?? 1)"
        if lastLine > line {
            let lines = lastLine == line + 1 ? "line \(lastLine)" : "lines \(line + 1)–\(lastLine)"
            reason += "; \(lines) read as part of it (no record of \(plan.headerCount) fields starts there)"
        }
        out.rowsRead += 1
        out.rejections.append(.init(line: line, reason: reason))
    }

    /// Codes the record just split into row `row`, as the spec reads it: true when the row was
    /// used or rejected, false with `out.error` set when strict reading stops at it.
    private func code(_ p: UnsafeMutablePointer<UInt8>, _ start: Int, line: Int, row: Int) -> Bool {
        out.rowsRead += 1
        if let reason = plan.excludedLines[line] {
            out.rejections.append(.init(line: line, reason: reason))
            return true
        }
        func at(_ field: GeneralField) -> SourceLocation { splitter.location(p, from: start, line: line, of: field.start) }
        func reject(_ reason: String) -> Bool {
            out.rejections.append(.init(line: line, reason: reason))
            return true
        }
        guard splitter.fields.count == plan.headerCount else {
            let problem = "ragged row: \(splitter.fields.count) fields where the header has \(plan.headerCount)"
            if plan.lenient { return reject(problem) }
            out.error = InputError(problem, at: at(splitter.fields[splitter.fields.count - 1]), found: "\(splitter.fields.count) fields",
                                   expected: "\(plan.headerCount) fields, as in the header (quote a value that contains the delimiter)")
            return false
        }
        var weight = 1.0
        if let column = plan.weightColumn {
            let text = splitter.value(p, splitter.fields[column])
            guard let w = surveyWeight(text) else {
                let problem = "invalid survey weight in column \(Quoted(plan.weightName!))"
                if plan.lenient { return reject("\(problem): \(Quoted(text))") }
                out.error = InputError(problem, at: at(splitter.fields[column]), found: text,
                                       expected: "a plain non-negative decimal number such as 1.25 (no hex, inf or nan)")
                return false
            }
            weight = w
        }
        let codes = chunk.codes + row * chunk.itemCount
        for (i, column) in plan.itemColumns.enumerated() {
            let field = splitter.fields[column]
            let text = splitter.value(p, field)
            let coder = plan.coders[plan.coderOfItem[i]]
            if let code = coder.code(text) {
                codes[i] = code
            } else if plan.lenient {
                codes[i] = 0
                noteUnknown(field: plan.itemIDs[i], column: plan.itemColumnNames[i], value: text, line: at(field).line!)
            } else {
                out.error = coder.unknownAnswerError(text, column: plan.itemColumnNames[i], item: plan.itemIDs[i], at: at(field))
                return false
            }
        }
        var groups = [UInt32](repeating: 0, count: plan.demographicCount)
        for (d, column) in plan.demographicColumns.enumerated() {
            let field = splitter.fields[column]
            let text = splitter.value(p, field)
            if plan.coder.isMissingMarker(text) {
                groups[d] = 0
            } else if let number = categories[d].number(of: text) {
                groups[d] = number
            } else if plan.lenient {
                groups[d] = 0
                noteUnknown(field: plan.demographicNames[d], column: plan.demographicNames[d], value: text, line: at(field).line!)
            } else {
                let accepted = categories[d].names
                out.error = InputError(
                    "unknown category in column \(Quoted(plan.demographicNames[d]))", at: at(field), found: text,
                    expected: "one of \(accepted.map { Quoted($0).description }.joined(separator: ", ")) (demographics[\(d)].categories), or a missing marker",
                    suggestion: nearestMatch(to: text, in: accepted))
                return false
            }
        }
        if let column = plan.idColumn {
            out.idLines[splitter.value(p, splitter.fields[column]), default: []].append(line)
        }
        if plan.itemCount > 0 && allMissing(codes, plan.itemCount) { out.fullyBlankLines.append(line) }
        if plan.weighted { chunk.weights[row] = weight }
        for d in 0..<plan.demographicCount { chunk.groups[d * chunk.capacity + row] = groups[d] }
        out.rowsUsed += 1
        chunk.rowCount += 1
        return true
    }

    private func noteUnknown(field: String, column: String, value: String, line: Int) {
        let key = field + "\u{0}" + value
        if let index = unknownIndex[key] {
            out.unknownAnswers[index].count += 1
        } else {
            unknownIndex[key] = out.unknownAnswers.count
            out.unknownAnswers.append(.init(field: field, column: column, value: value, count: 1, firstLine: line))
        }
    }
}
