import WAIModel

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

/// A streaming RFC 4180 CSV reader working on bytes.
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
    private let scanner: CSVScanner

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
        let fd = try CSVScanner.openForReading(path: path, name: name)
        self.init(
            scanner: CSVScanner(source: .file(fd, owned: true), name: name, delimiter: delimiter,
                                chunkSize: chunkSize, maxRecordBytes: maxRecordBytes),
            name: name, delimiter: delimiter, chunkSize: chunkSize, maxRecordBytes: maxRecordBytes)
    }

    /// Reads bytes already in memory (tests, small inputs), still block by block.
    public init(
        bytes: [UInt8], name: String, delimiter: UInt8 = UInt8(ascii: ","),
        chunkSize: Int = 1 << 20, maxRecordBytes: Int = CSVReader.defaultMaxRecordBytes
    ) {
        self.init(
            scanner: CSVScanner(source: .memory(bytes), name: name, delimiter: delimiter,
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
            scanner: CSVScanner(source: .file(fileDescriptor, owned: false), name: name, delimiter: delimiter,
                                chunkSize: chunkSize, maxRecordBytes: maxRecordBytes),
            name: name, delimiter: delimiter, chunkSize: chunkSize, maxRecordBytes: maxRecordBytes)
    }

    private init(scanner: CSVScanner, name: String, delimiter: UInt8, chunkSize: Int, maxRecordBytes: Int) {
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

    /// Continues at byte `offset` of the file, where a record on physical line `line` starts
    /// (as the parallel scanner reports where it stopped): the records after it are read and
    /// located as a reading from the start would.
    public mutating func seek(toOffset offset: Int, line: Int) throws {
        try scanner.seek(toOffset: offset, line: line)
    }

    /// Every remaining record. Holds them all in memory: for tests and small files.
    public mutating func readAll() throws -> [CSVRecord] {
        var records: [CSVRecord] = []
        while let record = try next() { records.append(record) }
        return records
    }
}
