import WAIModel

/// How strictly answers are read.
public struct ReadOptions: Sendable {
    /// Turn unknown answers into missing (counted in the data-quality section) and reject
    /// malformed rows, instead of stopping at the first problem.
    public var lenient = false
    /// Rows per chunk handed to the statistics.
    public var chunkRows = 4096
    public var delimiter = UInt8(ascii: ",")
    /// How `Analyzer.analyze` recognises the file first (platform, encoding, delimiter; see `PreparedInput`).
    public var format = InputFormat()
    /// Header records after the first (Qualtrics 2, SurveyMonkey 1): read past, never data.
    public var extraHeaderRows = 0
    /// Column names a spec uses instead of the header's (a multi-row header flattened, one per
    /// column); the header's own names are still accepted.
    public var columnNames: [String]? = nil
    /// Data lines left out as rejected rows, with the reason (speeders under `--drop-speeders`).
    public var excludedLines: [Int: String] = [:]
    /// Whether these options need `ResponseReader` itself (the parallel scanner reads one header row, every row).
    public var needsSequentialReader: Bool { extraHeaderRows > 0 || !excludedLines.isEmpty }

    public init(lenient: Bool = false, chunkRows: Int = 4096) {
        self.lenient = lenient
        self.chunkRows = chunkRows
    }
}

/// The categories of one demographic column as they are met in the data (or as the spec fixes them).
public struct CategoryIndex: Sendable, Hashable {
    public private(set) var names: [String] = []
    public let fixed: Bool
    private var lookup: [String: UInt32] = [:]

    init(fixed categories: [String]?) {
        fixed = categories != nil
        for name in categories ?? [] { _ = insert(name) }
    }

    /// c + 1 for a known category, nil for an unknown one when the list is fixed.
    mutating func number(of value: String) -> UInt32? {
        if let found = lookup[normalizedAnswer(value)] { return found }
        return fixed ? nil : insert(value.split(whereSeparator: \.isWhitespace).joined(separator: " "))
    }

    /// c + 1 for a category already in the index, without adding one.
    func known(_ value: String) -> UInt32? {
        lookup[normalizedAnswer(value)]
    }

    private mutating func insert(_ name: String) -> UInt32 {
        names.append(name)
        let number = UInt32(names.count)
        lookup[normalizedAnswer(name)] = number
        return number
    }
}

/// A responses file's header resolved against a spec: which column holds every item,
/// demographic, the weight and the id, and how answers are coded. Reading the rows is the
/// range scanner's (`forEachChunk`, or `RangeReader` in parallel).
///
///     let reader = try ResponseReader(spec: spec, csvPath: "responses.csv")
///     let rows = try reader.forEachChunk { chunk in aggregator.add(chunk) }
///     print(rows.quality.rowsRead, rows.categories.map(\.names))
public struct ResponseReader {
    public let spec: SurveySpec
    /// The distinct items of the spec, in first-appearance order; chunk codes follow this order.
    public let items: [Item]
    public let options: ReadOptions
    /// The file's name as messages show it.
    public let fileName: String
    /// The file this reader resolved the header of.
    public let path: String
    /// What the header says: duplicate header names among the columns not read.
    public private(set) var quality = DataQuality()
    /// Category indices before any row: the spec's fixed lists, or empty.
    public let categories: [CategoryIndex]

    /// The default scale's coder: its missing markers are the missing demographic answers.
    let coder: AnswerCoder
    /// One coder per distinct scale of the items, and which one codes each item.
    let scaleCoders: [AnswerCoder]
    let coderOfItem: [Int]
    let itemColumns: [Int]
    let demographicColumns: [Int]
    let weightColumn: Int?
    let idColumn: Int?
    let headerCount: Int
    /// The header's column names, in file order.
    public let columnNames: [String]

    /// Opens `path` and reads its header. `displayName` is used in messages (defaults to `path`).
    public init(spec: SurveySpec, csvPath path: String, displayName: String? = nil, specName: String = "the spec", options: ReadOptions = ReadOptions()) throws {
        let name = displayName ?? path
        var csv = try CSVReader(path: path, name: name, delimiter: options.delimiter)
        self.path = path
        self.spec = spec
        self.options = options
        self.fileName = csv.name
        let coder = AnswerCoder(scale: spec.scale)
        self.coder = coder
        var seen: Set<String> = []
        let items = spec.allItems.filter { seen.insert($0.id).inserted }
        self.items = items
        let scales = spec.usedScales
        self.scaleCoders = scales.map { $0.name == spec.scale.name ? coder : AnswerCoder(scale: $0) }
        self.coderOfItem = items.map { item in scales.firstIndex { $0.name == spec.scale(of: item).name }! }
        self.categories = spec.demographics.map { CategoryIndex(fixed: $0.categories) }

        var header: CSVRecord?
        repeat { header = try csv.next() } while header?.isBlank == true
        guard let header else {
            throw InputError("empty file", at: SourceLocation(file: csv.name, line: 1, column: 1), expected: "a header row naming the columns, then one row per respondent")
        }
        for _ in 0..<options.extraHeaderRows { _ = try csv.next() }
        let headerNames = header.fields.map(\.value)
        let names = options.columnNames.flatMap { $0.count == headerNames.count ? $0 : nil } ?? headerNames
        headerCount = names.count
        columnNames = names

        var positions: [String: [Int]] = [:]
        for (i, name) in names.enumerated() { positions[name, default: []].append(i) }
        let fileName = csv.name
        func column(_ wanted: String, keyPath: String) throws -> Int {
            var found = positions[wanted]
            if found == nil {
                let loose = names.indices.filter { normalizedAnswer(names[$0]) == normalizedAnswer(wanted) }
                if !loose.isEmpty { found = loose }
            }
            if found == nil, names != headerNames {
                let raw = headerNames.indices.filter { headerNames[$0] == wanted }
                if !raw.isEmpty { found = raw }
            }
            guard let found else {
                let shown = names.prefix(12).map { Quoted($0).description }.joined(separator: ", ") + (names.count > 12 ? ", …" : "")
                throw InputError(
                    "column \(Quoted(wanted)) named by \(specName) at \(keyPath) is not in the header",
                    at: SourceLocation(file: fileName, line: header.line, column: 1),
                    found: "columns \(shown)", expected: "a header column named \(Quoted(wanted))",
                    suggestion: nearestMatch(to: wanted, in: names))
            }
            guard found.count == 1 else {
                let second = header.fields[found[1]]
                throw InputError(
                    "duplicate header: \(found.count) columns are named \(Quoted(wanted)), which \(specName) reads at \(keyPath)",
                    at: SourceLocation(file: fileName, line: second.line, column: second.column),
                    found: names[found[1]], expected: "each column name once")
            }
            return found[0]
        }
        var itemColumns: [Int] = []
        for item in items {
            let (t, i) = spec.tables.enumerated().lazy.compactMap { t, table in
                table.items.firstIndex { $0.id == item.id }.map { (t, $0) }
            }.first!
            itemColumns.append(try column(item.column, keyPath: "tables[\(t)].items[\(i)].column"))
        }
        self.itemColumns = itemColumns
        demographicColumns = try spec.demographics.enumerated().map { d, demographic in
            try column(demographic.column, keyPath: "demographics[\(d)].column")
        }
        weightColumn = try spec.weight.map { try column($0, keyPath: "weight") }
        idColumn = try spec.id.map { try column($0, keyPath: "id") }
        let used = Set(itemColumns + demographicColumns + [weightColumn, idColumn].compactMap { $0 })
        quality.duplicateUnusedHeaders = positions.filter { $0.value.count > 1 && $0.value.allSatisfy { !used.contains($0) } }
            .map(\.key).sorted()
    }
}

extension AnswerCoder {
    func isMissingMarker(_ cell: String) -> Bool { code(cell) == 0 }
}
