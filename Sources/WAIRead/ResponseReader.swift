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

    private mutating func insert(_ name: String) -> UInt32 {
        names.append(name)
        let number = UInt32(names.count)
        lookup[normalizedAnswer(name)] = number
        return number
    }
}

/// Streams a responses CSV through a spec: finds the columns, codes every answer, and
/// accounts for every row.
///
///     var reader = try ResponseReader(spec: spec, csvPath: "responses.csv")
///     while let chunk = try reader.nextChunk() { aggregator.add(chunk) }
///     print(reader.quality.rowsRead, reader.categories.map(\.names))
public struct ResponseReader {
    public let spec: SurveySpec
    /// The distinct items of the spec, in first-appearance order; chunk codes follow this order.
    public let items: [Item]
    public let options: ReadOptions
    /// The file's name as messages show it.
    public let fileName: String
    /// Row accounting so far; complete once `nextChunk()` has returned nil.
    public private(set) var quality = DataQuality()
    public private(set) var categories: [CategoryIndex]
    /// Lines of the rows used whose every item is missing (complete once `nextChunk()` has returned nil).
    public private(set) var fullyBlankLines: [Int] = []

    private var csv: CSVReader
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
    private var unknownIndex: [String: Int] = [:]
    private var idLines: [String: [Int]] = [:]
    private var finished = false
    /// Lenient reading after a malformed quoted field: its rejection, held until reading is back
    /// in step (see `nextChunk`), and the last line read past since.
    private var resynchronizing: (rejected: MalformedRecord, lastLine: Int)? = nil

    /// Opens `path` and reads its header. `displayName` is used in messages (defaults to `path`).
    public init(spec: SurveySpec, csvPath path: String, displayName: String? = nil, specName: String = "the spec", options: ReadOptions = ReadOptions()) throws {
        let name = displayName ?? path
        var reader = try CSVReader(path: path, name: name, delimiter: options.delimiter)
        try self.init(spec: spec, csv: &reader, specName: specName, options: options)
    }

    /// Reads the header of an open CSV reader (a file, bytes in memory or standard input).
    /// `specName` names the spec in messages about its columns.
    public init(spec: SurveySpec, csv: inout CSVReader, specName: String = "the spec", options: ReadOptions = ReadOptions()) throws {
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
        csv.recoversMalformedQuotes = options.lenient
        self.csv = csv
        let headerNames = header.fields.map(\.value)
        let names = options.columnNames.flatMap { $0.count == headerNames.count ? $0 : nil } ?? headerNames
        headerCount = names.count

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

    /// Skips to the record at byte `offset` on physical line `line`, to check the rows from there
    /// on (their errors are located as in a reading from the start). The row accounting then
    /// covers only what is read after the jump.
    public mutating func skip(toRecordAt offset: Int, line: Int) throws {
        try csv.seek(toOffset: offset, line: line)
    }

    /// The next block of coded rows, or nil at the end of the file.
    public mutating func nextChunk() throws -> CodedChunk? {
        guard !finished else { return nil }
        var chunk = CodedChunk(demographicCount: demographicColumns.count)
        chunk.reserve(rows: options.chunkRows, items: items.count)
        var rowCodes = [UInt8](repeating: 0, count: items.count)
        var rowGroups = [UInt32](repeating: 0, count: demographicColumns.count)
        while chunk.rowCount < options.chunkRows {
            let next: CSVRecord?
            do {
                next = try csv.next()
            } catch let bad as MalformedRecord {
                if resynchronizing == nil { resynchronizing = (bad, bad.line) } else { resynchronizing!.lastLine = bad.line }
                continue
            }
            guard let record = next else {
                endResynchronizing()
                finished = true
                finishAccounting()
                break
            }
            // After a malformed quoted field, reading is back in step at the first line start that
            // reads as a record with the header's field count: the lines before it belong to the
            // rejected record (a quoted field that was never closed runs over them).
            if let pending = resynchronizing {
                if record.fields.count != headerCount || (record.isBlank && headerCount > 1) {
                    resynchronizing!.lastLine = max(pending.lastLine, record.line)
                    continue
                }
                endResynchronizing()
            }
            if record.isBlank && headerCount > 1 {
                quality.blankLines += 1
                continue
            }
            quality.rowsRead += 1
            if let reason = options.excludedLines[record.line] {
                quality.rejections.append(.init(line: record.line, reason: reason))
                continue
            }
            guard record.fields.count == headerCount else {
                let last = record.fields.last!
                let problem = "ragged row: \(record.fields.count) fields where the header has \(headerCount)"
                if options.lenient {
                    quality.rejections.append(.init(line: record.line, reason: problem))
                    continue
                }
                throw InputError(problem, at: SourceLocation(file: fileName, line: last.line, column: last.column),
                                 found: "\(record.fields.count) fields", expected: "\(headerCount) fields, as in the header (quote a value that contains the delimiter)")
            }
            var weight = 1.0
            if let weightColumn {
                let field = record.fields[weightColumn]
                guard let w = surveyWeight(field.value) else {
                    let problem = "invalid survey weight in column \(Quoted(spec.weight!))"
                    if options.lenient {
                        quality.rejections.append(.init(line: record.line, reason: "\(problem): \(Quoted(field.value))"))
                        continue
                    }
                    throw InputError(problem, at: location(field), found: field.value, expected: "a plain non-negative decimal number such as 1.25 (no hex, inf or nan)")
                }
                weight = w
            }
            for (i, column) in itemColumns.enumerated() {
                let field = record.fields[column]
                let coder = scaleCoders[coderOfItem[i]]
                if let code = coder.code(field.value) {
                    rowCodes[i] = code
                } else if options.lenient {
                    rowCodes[i] = 0
                    noteUnknown(field: items[i].id, column: items[i].column, value: field.value, line: field.line)
                } else {
                    throw coder.unknownAnswerError(field.value, column: items[i].column, item: items[i].id, at: location(field))
                }
            }
            for (d, column) in demographicColumns.enumerated() {
                let field = record.fields[column]
                if coder.isMissingMarker(field.value) {
                    rowGroups[d] = 0
                } else if let number = categories[d].number(of: field.value) {
                    rowGroups[d] = number
                } else if options.lenient {
                    rowGroups[d] = 0
                    noteUnknown(field: spec.demographics[d].column, column: spec.demographics[d].column, value: field.value, line: field.line)
                } else {
                    let accepted = categories[d].names
                    throw InputError(
                        "unknown category in column \(Quoted(spec.demographics[d].column))", at: location(field), found: field.value,
                        expected: "one of \(accepted.map { Quoted($0).description }.joined(separator: ", ")) (demographics[\(d)].categories), or a missing marker",
                        suggestion: nearestMatch(to: field.value, in: accepted))
                }
            }
            if let idColumn {
                idLines[record.fields[idColumn].value, default: []].append(record.line)
            }
            if !rowCodes.isEmpty && !rowCodes.contains(where: { $0 != 0 }) { fullyBlankLines.append(record.line) }
            quality.rowsUsed += 1
            chunk.rowCount += 1
            chunk.codes.append(contentsOf: rowCodes)
            chunk.weights.append(weight)
            for d in rowGroups.indices { chunk.groups[d].append(rowGroups[d]) }
        }
        return chunk.rowCount == 0 && finished ? nil : chunk
    }

    private func location(_ field: CSVField) -> SourceLocation {
        SourceLocation(file: fileName, line: field.line, column: field.column)
    }

    private mutating func noteUnknown(field: String, column: String, value: String, line: Int) {
        let key = field + "\u{0}" + value
        if let index = unknownIndex[key] {
            quality.unknownAnswers[index].count += 1
        } else {
            unknownIndex[key] = quality.unknownAnswers.count
            quality.unknownAnswers.append(.init(field: field, column: column, value: value, count: 1, firstLine: line))
        }
    }

    private mutating func endResynchronizing() {
        guard let (bad, lastLine) = resynchronizing else { return }
        resynchronizing = nil
        let error = bad.error
        var reason = "malformed quoted field: \(error.problem) at line \(error.location.line ?? bad.line), column \(error.location.column ?? 1)"
        if lastLine > bad.line {
            let lines = lastLine == bad.line + 1 ? "line \(lastLine)" : "lines \(bad.line + 1)–\(lastLine)"
            reason += "; \(lines) read as part of it (no record of \(headerCount) fields starts there)"
        }
        quality.rowsRead += 1
        quality.rejections.append(.init(line: bad.line, reason: reason))
    }

    private mutating func finishAccounting() {
        quality.duplicateIDs = idLines.filter { $0.value.count > 1 }
            .map { DataQuality.DuplicateID(id: $0.key, lines: $0.value) }
            .sorted { $0.lines[0] < $1.lines[0] }
        idLines = [:]
    }
}

extension AnswerCoder {
    func isMissingMarker(_ cell: String) -> Bool { code(cell) == 0 }
}
