import WAIModel

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// One cell of a CSV record, with where it starts in the file.
public struct CSVField: Sendable, Equatable {
    /// The cell's text: for a quoted field, without the surrounding quotes and with `""` turned into `"`.
    public var value: String
    /// 1-based physical line of the field's first character (for a quoted field: the opening quote).
    public var line: Int
    /// 1-based column of the field's first character, counted in Unicode scalars from the start
    /// of its physical line (a byte order mark does not count).
    public var column: Int
    /// Whether the field was written between double quotes.
    public var wasQuoted: Bool

    public init(value: String, line: Int, column: Int, wasQuoted: Bool = false) {
        self.value = value
        self.line = line
        self.column = column
        self.wasQuoted = wasQuoted
    }
}

/// One record (row) of a CSV file.
public struct CSVRecord: Sendable, Equatable {
    /// 1-based physical line where the record starts.
    public var line: Int
    /// At least one field: an empty line is one empty, unquoted field.
    public var fields: [CSVField]

    /// An empty line: nothing between two line ends. (`""` on a line of its own is not blank.)
    public var isBlank: Bool { fields.count == 1 && fields[0].value.isEmpty && !fields[0].wasQuoted }

    public init(line: Int, fields: [CSVField]) {
        self.line = line
        self.fields = fields
    }
}

/// A streaming RFC 4180 CSV reader working on bytes, record by record, on the grammar of the
/// range scanner (`RecordSplitter`).
///
/// The input is read in blocks of `chunkSize` bytes and only the record being parsed is held
/// in memory, so memory does not grow with the number of rows. The records returned do not
/// depend on the block size: a block boundary may fall anywhere, including inside a quoted
/// field, a doubled quote, a CRLF pair, a multi-byte UTF-8 character or the byte order mark.
///
/// The dialect:
/// - fields are separated by `delimiter`; records end at LF, CRLF or a lone CR (old Excel);
///   the last record needs no line end, and a line end at the very end adds no empty record;
/// - a field that starts with `"` is quoted: it may contain the delimiter, CR, LF and `""`
///   (one quote), and must be followed by the delimiter, a line end or the end of the input;
/// - a quote inside an unquoted field (`ab"c`, `5" screen`) is taken literally. RFC 4180 does
///   not allow it, but Excel and Google Sheets write such fields and read them back this way,
///   and rejecting them would only make people hand-edit files that every spreadsheet opens.
///   For the same reason a space before an opening quote makes the whole field unquoted text;
/// - a UTF-8 byte order mark at the very start is skipped; every field must be valid UTF-8;
/// - an empty line is a record of one empty, unquoted field (`isBlank`): the caller decides
///   what it means. Empty input (no bytes, or only a byte order mark) has no records at all.
///
/// Bad input throws an `InputError` whose location is the file, line and column (in Unicode
/// scalars, as an editor shows them) of the offending character:
/// - "unterminated quoted field" (at the opening quote);
/// - "unexpected text after a closing quote" (at the character after the quote);
/// - "invalid UTF-8" (at the character the bad byte starts);
/// - "record too long" (at the record, or the quote that opened a field still open), when a
///   record is longer than `maxRecordBytes` — usually a quote opened and never closed;
/// - "cannot open file" / "cannot read file" (no line).
///
/// After an error the position in the input is unspecified: stop reading (unless
/// `recoversMalformedQuotes` made it a `MalformedRecord`).
///
/// The reader has reference semantics: copies share one position in the input.
public struct CSVReader {
    /// File name used in error locations.
    public let name: String
    public let delimiter: UInt8
    public let chunkSize: Int
    /// The longest record accepted, in bytes (line end excluded).
    public let maxRecordBytes: Int
    private let scanner: RecordReader

    /// The default limit on one record: far beyond any real survey row, small enough that a
    /// quote left open does not read a whole large file into memory before failing.
    public static let defaultMaxRecordBytes = 64 << 20

    /// Opens `path` for reading. `name` is the file name shown in errors (defaults to `path`).
    /// Throws an `InputError` ("cannot open file") when the file cannot be opened.
    public init(
        path: String, name: String? = nil, delimiter: UInt8 = UInt8(ascii: ","),
        chunkSize: Int = 1 << 20, maxRecordBytes: Int = CSVReader.defaultMaxRecordBytes
    ) throws {
        let name = name ?? path
        let fd = try RecordReader.openForReading(path: path, name: name)
        self.init(
            scanner: RecordReader(source: .file(fd, owned: true), name: name, delimiter: delimiter,
                                chunkSize: chunkSize, maxRecordBytes: maxRecordBytes),
            name: name, delimiter: delimiter, chunkSize: chunkSize, maxRecordBytes: maxRecordBytes)
    }

    /// Reads bytes already in memory (tests, small inputs), still block by block.
    public init(
        bytes: [UInt8], name: String, delimiter: UInt8 = UInt8(ascii: ","),
        chunkSize: Int = 1 << 20, maxRecordBytes: Int = CSVReader.defaultMaxRecordBytes
    ) {
        self.init(
            scanner: RecordReader(source: .memory(bytes), name: name, delimiter: delimiter,
                                chunkSize: chunkSize, maxRecordBytes: maxRecordBytes),
            name: name, delimiter: delimiter, chunkSize: chunkSize, maxRecordBytes: maxRecordBytes)
    }

    /// Reads an open file descriptor (such as 0, standard input) as it arrives, without
    /// closing it at the end.
    public init(
        fileDescriptor: Int32, name: String, delimiter: UInt8 = UInt8(ascii: ","),
        chunkSize: Int = 1 << 20, maxRecordBytes: Int = CSVReader.defaultMaxRecordBytes
    ) {
        self.init(
            scanner: RecordReader(source: .file(fileDescriptor, owned: false), name: name, delimiter: delimiter,
                                chunkSize: chunkSize, maxRecordBytes: maxRecordBytes),
            name: name, delimiter: delimiter, chunkSize: chunkSize, maxRecordBytes: maxRecordBytes)
    }

    private init(scanner: RecordReader, name: String, delimiter: UInt8, chunkSize: Int, maxRecordBytes: Int) {
        self.scanner = scanner
        self.name = name
        self.delimiter = delimiter
        self.chunkSize = chunkSize
        self.maxRecordBytes = maxRecordBytes
    }

    /// Whether a malformed quoted field (unterminated, text after the closing quote, or open past
    /// `maxRecordBytes`) throws a `MalformedRecord` after moving to the start of the physical
    /// line after the one its record starts on, so that reading can go on (lenient reading).
    public var recoversMalformedQuotes: Bool {
        get { scanner.recoversMalformedQuotes }
        nonmutating set { scanner.recoversMalformedQuotes = newValue }
    }

    /// The next record, or nil at the end of the input.
    public mutating func next() throws -> CSVRecord? {
        try scanner.next()
    }

    /// Every remaining record. Holds them all in memory: for tests and small files.
    public mutating func readAll() throws -> [CSVRecord] {
        var records: [CSVRecord] = []
        while let record = try next() { records.append(record) }
        return records
    }
}

/// The engine behind `CSVReader`: a buffer of the input from the record being read on, and
/// the line of its first byte.
final class RecordReader {
    enum Source {
        case memory([UInt8])
        case file(Int32, owned: Bool)
    }

    let name: String
    private let chunkSize: Int
    private let maxRecordBytes: Int
    private let source: Source
    private var memoryOffset = 0
    private var splitter: RecordSplitter
    /// `buffer[pos..<have]` is read and not yet consumed.
    private var buffer: [UInt8] = []
    private var pos = 0
    private var eof = false
    private var started = false
    /// Physical line of `buffer[pos]`.
    private var line = 1
    var recoversMalformedQuotes = false

    init(source: Source, name: String, delimiter: UInt8, chunkSize: Int, maxRecordBytes: Int) {
        precondition(chunkSize >= 1, "CSVReader chunkSize must be at least 1")
        precondition(delimiter < 0x80 && delimiter != quote && delimiter != lf && delimiter != cr,
                     "CSVReader delimiter must be an ASCII character other than a quote or a line end")
        self.source = source
        self.name = name
        self.chunkSize = chunkSize
        self.maxRecordBytes = maxRecordBytes
        splitter = RecordSplitter(delimiter: delimiter, fileName: name)
    }

    deinit {
        if case .file(let fd, owned: true) = source { _ = close(fd) }
    }

    func next() throws -> CSVRecord? {
        if !started {
            started = true
            while buffer.count - pos < 3 && !eof { try readMore() }
            if buffer.count - pos >= 3 && buffer[pos] == 0xEF && buffer[pos + 1] == 0xBB && buffer[pos + 2] == 0xBF { pos += 3 }
        }
        while true {
            if pos == buffer.count {
                if eof { return nil }
                try readMore()
                continue
            }
            // The record is split within its first `maxRecordBytes` bytes and a line end.
            let window = min(buffer.count, pos + maxRecordBytes + 2)
            let complete = eof && window == buffer.count
            let result = buffer.withUnsafeBufferPointer { splitter.split($0.baseAddress!, pos, window, complete, line: line) }
            switch result {
            case .record(let end):
                // A record ends at its line end, if any (a field never ends in CR or LF).
                var length = end - pos
                if length > 0 && (buffer[end - 1] == lf || buffer[end - 1] == cr) {
                    length -= buffer[end - 1] == lf && length > 1 && buffer[end - 2] == cr ? 2 : 1
                }
                if length > maxRecordBytes { throw tooLong() }
                return record(to: end)
            case .needMore:
                if window < buffer.count || buffer.count - pos > maxRecordBytes + 1 {
                    let error = tooLong()
                    if recoversMalformedQuotes, error.found?.hasPrefix("a quoted field") == true { try resynchronize(error) }
                    throw error
                }
                try readMore()
            case .malformed(let error):
                if recoversMalformedQuotes { try resynchronize(error) }
                throw error
            case .fatal(let error):
                throw error
            }
        }
    }

    /// The record just split, ending at `end`: its fields with their lines and columns.
    private func record(to end: Int) -> CSVRecord {
        let recordLine = line
        var fields: [CSVField] = []
        fields.reserveCapacity(splitter.fields.count)
        buffer.withUnsafeBufferPointer { all in
            let p = all.baseAddress!
            var ln = line, column = 0, afterCR = false, i = pos
            for field in splitter.fields {
                while i < field.start {
                    let b = p[i]
                    if b == lf {
                        if !afterCR { ln += 1 }
                        column = 0
                    } else if b == cr {
                        ln += 1
                        column = 0
                    } else if b & 0xC0 != 0x80 {
                        column += 1
                    }
                    afterCR = b == cr
                    i += 1
                }
                fields.append(CSVField(value: splitter.value(p, field), line: ln, column: column + 1, wasQuoted: field.quoted))
            }
            line += splitter.lineBreaks(p, pos, end)
        }
        pos = end
        return CSVRecord(line: recordLine, fields: fields)
    }

    /// "record too long", as the state after the first `maxRecordBytes + 1` bytes says: a
    /// quoted field still open (at its quote), or a record without its line end.
    private func tooLong() -> InputError {
        let n = maxRecordBytes
        let limit = n >= 1 << 20 && n % (1 << 20) == 0 ? "\(n >> 20) MiB" : n >= 1 << 10 && n % (1 << 10) == 0 ? "\(n >> 10) KiB"
            : n == 1 ? "1 byte" : "\(n) bytes"
        return buffer.withUnsafeBufferPointer { all in
            let p = all.baseAddress!
            if case .needMore(let open?) = splitter.split(p, pos, min(all.count, pos + n + 1), false, line: line) {
                let at = splitter.location(p, from: pos, line: line, of: open)
                return InputError("record too long", at: at, found: "a quoted field still open after \(limit)",
                                  expected: "a closing quote (\") for the quote at line \(at.line!), column \(at.column!)")
            }
            return InputError("record too long", at: SourceLocation(file: name, line: line, column: 1),
                              found: "more than \(limit) before the end of the line", expected: "records of at most \(limit)")
        }
    }

    /// Moves to the start of the physical line after the one the record at `pos` starts on and
    /// throws `error` as a `MalformedRecord`, so that the next call reads from there.
    private func resynchronize(_ error: InputError) throws -> Never {
        var i = pos
        while true {
            while i < buffer.count && buffer[i] != lf && buffer[i] != cr { i += 1 }
            if i < buffer.count && !(buffer[i] == cr && i + 1 == buffer.count && !eof) { break }
            if i == buffer.count && eof { break }
            // `readMore` drops the bytes before `pos`: keep `i` at the same byte.
            let offset = i - pos
            try readMore()
            i = pos + offset
        }
        var resume = min(i + 1, buffer.count)
        if i + 1 < buffer.count && buffer[i] == cr && buffer[i + 1] == lf { resume = i + 2 }
        let recordLine = line
        pos = resume
        line = recordLine + 1
        throw MalformedRecord(line: recordLine, error: error)
    }

    /// Appends the next block of the input (dropping what was consumed), or sets `eof`.
    private func readMore() throws {
        if pos > 0 {
            buffer.removeSubrange(0..<pos)
            pos = 0
        }
        // At least as much again as is held: a long record is split O(log n) times, not O(n).
        let want = max(chunkSize, buffer.count)
        let before = buffer.count
        buffer.append(contentsOf: [UInt8](repeating: 0, count: want))  // a memset, also in debug builds
        let got = try buffer.withUnsafeMutableBufferPointer { all in try readBlock(into: all.baseAddress! + before, count: want) }
        buffer.removeLast(want - got)
        if got == 0 { eof = true }
    }

    private func readBlock(into destination: UnsafeMutablePointer<UInt8>, count: Int) throws -> Int {
        switch source {
        case .memory(let bytes):
            let n = min(count, bytes.count - memoryOffset)
            if n > 0 {
                bytes.withUnsafeBufferPointer { all in destination.update(from: all.baseAddress! + memoryOffset, count: n) }
                memoryOffset += n
            }
            return max(n, 0)
        case .file(let fd, _):
            while true {
                let n = read(fd, destination, count)
                if n >= 0 { return n }
                if errno == EINTR { continue }
                throw InputError("cannot read file", at: SourceLocation(file: name),
                                 found: String(cString: strerror(errno)), expected: "a readable file")
            }
        }
    }

    static func openForReading(path: String, name: String) throws -> Int32 {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw InputError("cannot open file", at: SourceLocation(file: name),
                             found: String(cString: strerror(errno)), expected: "a readable CSV file")
        }
        var info = stat()
        if fstat(fd, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR {
            _ = close(fd)
            throw InputError("cannot open file", at: SourceLocation(file: name),
                             found: "a directory", expected: "a readable CSV file")
        }
        return fd
    }
}

private let lf = UInt8(ascii: "\n")
private let cr = UInt8(ascii: "\r")
private let quote = UInt8(ascii: "\"")
