import WAIModel

/// The answer codes of coded exports (LimeSurvey's `A1`…`A5`) with their labels, in scale order.
///
/// A small CSV with a header row naming the columns `question`, `code` and `label` (any order,
/// other columns ignored), one row per answer option, lowest level first:
///
///     question,code,label
///     Q1,A1,Strongly disagree
///     Q1,A2,Disagree
///     …
///     *,A1,Very Low
///
/// `question` is a column name (`Q1[SQ001]`), a question code covering its sub-questions (`Q1`
/// for `Q1[SQ001]`, `Q1[SQ002]`, …) or `*` for every column not otherwise listed. List only the
/// Likert questions: a listed question's columns are read as items on that scale.
public struct Codebook: Sendable, Hashable {
    public struct Entry: Sendable, Hashable {
        public var question: String
        public var codes: [String]
        public var labels: [String]
        /// Line of the entry's first row.
        public var line: Int
        /// The scale's name in messages, when several questions share it (SPSS value-label sets).
        public var scaleName: String? = nil
    }

    public var name: String
    public var entries: [Entry]

    public init(name: String, entries: [Entry]) {
        self.name = name
        self.entries = entries
    }

    public static func load(path: String, name: String? = nil) throws -> Codebook {
        let name = name ?? path
        var reader = try CSVReader(path: path, name: name, delimiter: ExportLayout.sniffDelimiter(try ExportLayout.readHead(path: path, name: name)))
        var header: CSVRecord?
        repeat { header = try reader.next() } while header?.isBlank == true
        guard let header else {
            throw InputError("empty codebook", at: SourceLocation(file: name, line: 1, column: 1), expected: "a header row question,code,label, then one row per answer option in scale order")
        }
        let names = header.fields.map { Vocabulary.key($0.value) }
        func column(_ wanted: String) throws -> Int {
            guard let i = names.firstIndex(of: wanted) else {
                throw InputError("the codebook has no \(Quoted(wanted)) column", at: SourceLocation(file: name, line: header.line, column: 1),
                                 found: "columns \(header.fields.map { Quoted($0.value).description }.joined(separator: ", "))",
                                 expected: "a header row naming question, code and label",
                                 suggestion: nearestMatch(to: wanted, in: header.fields.map(\.value)))
            }
            return i
        }
        let q = try column("question"), c = try column("code"), l = try column("label")
        var entries: [Entry] = []
        var position: [String: Int] = [:]
        while let record = try reader.next() {
            if record.isBlank { continue }
            guard record.fields.count == header.fields.count else {
                let last = record.fields.last!
                throw InputError("ragged row: \(record.fields.count) fields where the header has \(header.fields.count)",
                                 at: SourceLocation(file: name, line: last.line, column: last.column),
                                 found: "\(record.fields.count) fields", expected: "\(header.fields.count) fields: question, code, label")
            }
            let question = record.fields[q].value.trimmingCharacters(in: " \t")
            let code = record.fields[c].value.trimmingCharacters(in: " \t")
            let label = record.fields[l].value.trimmingCharacters(in: " \t")
            for (value, field, what) in [(question, record.fields[q], "question"), (code, record.fields[c], "code"), (label, record.fields[l], "label")] where value.isEmpty {
                throw InputError("empty \(what) in the codebook", at: SourceLocation(file: name, line: field.line, column: field.column),
                                 expected: "a \(what) on every row")
            }
            let k = position[question] ?? {
                entries.append(Entry(question: question, codes: [], labels: [], line: record.line))
                position[question] = entries.count - 1
                return entries.count - 1
            }()
            for (value, field, existing) in [(code, record.fields[c], entries[k].codes), (label, record.fields[l], entries[k].labels)]
            where existing.contains(where: { Vocabulary.key($0) == Vocabulary.key(value) }) {
                throw InputError("\(Quoted(value)) is listed twice for question \(Quoted(question))",
                                 at: SourceLocation(file: name, line: field.line, column: field.column),
                                 found: value, expected: "each code and label once per question")
            }
            entries[k].codes.append(code)
            entries[k].labels.append(label)
        }
        for entry in entries where entry.codes.count < 2 {
            throw InputError("question \(Quoted(entry.question)) has one answer option in the codebook",
                             at: SourceLocation(file: name, line: entry.line, column: 1),
                             expected: "2 or more rows per question, lowest level first")
        }
        return Codebook(name: name, entries: entries)
    }

    /// The entry for a column: by its name, its question code (the name before `[`), else `*`.
    public func entry(for column: ExportColumn) -> Entry? {
        let base = column.name.split(separator: "[", maxSplits: 1).first.map(String.init) ?? column.name
        return entries.first { $0.question == column.name }
            ?? entries.first { $0.question == base || $0.question == column.stem }
            ?? entries.first { $0.question == "*" }
    }

    /// The entry as a scale: its labels, with the codes as further spellings.
    public func vocabulary(_ entry: Entry) -> Vocabulary {
        Vocabulary(name: entry.scaleName ?? "codebook \(entry.question == "*" ? "(*)" : Quoted(entry.question).description) (\(entry.labels.count)-point)",
                   levels: entry.labels.map { [$0] }, codes: entry.codes, rank: 0)
    }
}
