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
        /// The scale's name in a spec (`agree5`), when it has one of its own.
        public var scaleID: String? = nil
        /// Codes of options that are no answer ("Don't know", "No answer"): missing, never levels.
        public var missingCodes: [String] = []
    }

    public var name: String
    public var entries: [Entry]
    /// Wording by question code (`Q1`) and by column (`Q1[SQ001]`), when the codebook has it
    /// (LimeSurvey's structure): the questions' and items' texts of a file headed by codes.
    public var texts: [String: String] = [:]

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
        if names.contains("class") && names.contains("name") && names.contains("text") && !names.contains("code") {
            return try limeSurveyStructure(&reader, header: header, names: names, name: name)
        }
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

    /// LimeSurvey's survey structure as it exports it ("Tab Separated Values format (*.txt)"):
    /// one row per group (class G), question (Q: type, name, text), subquestion (SQ) and answer
    /// option (A: name the code, text the label), answers after their question in scale order,
    /// the base language first. The answers of array questions (types F, H, 1), and of lists
    /// (L, !) whose labels are a known scale's, make the entries; options such as "Don't know"
    /// or "No answer" are missing codes.
    static func limeSurveyStructure(_ reader: inout CSVReader, header: CSVRecord, names: [String], name: String) throws -> Codebook {
        func index(_ wanted: String) -> Int? { names.firstIndex(of: wanted) }
        let cls = index("class")!, code = index("name")!, text = index("text")!
        let type = index("type/scale"), language = index("language")
        struct Question { var name: String; var type: String; var line: Int; var codes: [String] = []; var labels: [String] = []; var missing: [String] = [] }
        var questions: [Question] = []
        var texts: [String: String] = [:]
        var baseLanguage: String?
        while let record = try reader.next() {
            if record.isBlank { continue }
            let field = { (i: Int?) in i.flatMap { $0 < record.fields.count ? record.fields[$0].value.trimmingCharacters(in: " \t") : nil } ?? "" }
            let rowLanguage = field(language)
            if !rowLanguage.isEmpty, ["Q", "SQ", "A", "G"].contains(field(cls)) {
                if baseLanguage == nil { baseLanguage = rowLanguage }
                if rowLanguage != baseLanguage { continue }
            }
            switch field(cls) {
            case "Q":
                questions.append(Question(name: field(code), type: field(type), line: record.line))
                if !plainText(field(text)).isEmpty { texts[field(code)] = plainText(field(text)) }
            case "SQ":
                if let question = questions.last, !plainText(field(text)).isEmpty { texts["\(question.name)[\(field(code))]"] = plainText(field(text)) }
            case "A":
                guard !questions.isEmpty, field(type) == "0" || field(type).isEmpty else { continue }
                let label = plainText(field(text)), answer = field(code)
                guard !answer.isEmpty, !label.isEmpty else { continue }
                if Vocabulary.nonSubstantive.contains(Vocabulary.key(label)) {
                    questions[questions.count - 1].missing.append(answer)
                } else {
                    questions[questions.count - 1].codes.append(answer)
                    questions[questions.count - 1].labels.append(label)
                }
            default:
                continue
            }
        }
        let known = Vocabulary.known.map(\.index)
        var entries: [Entry] = []
        for question in questions where question.codes.count >= 2 && !question.name.isEmpty {
            let array = ["F", "H", "1"].contains(question.type)
            let scaleList = ["L", "!"].contains(question.type) && known.contains { index in question.labels.allSatisfy { index[Vocabulary.key($0)] != nil } }
            guard array || scaleList else { continue }
            var entry = Entry(question: question.name, codes: question.codes, labels: question.labels, line: question.line)
            entry.missingCodes = question.missing
            entries.append(entry)
        }
        var codebook = Codebook(name: name, entries: entries)
        codebook.texts = texts
        return codebook
    }

    /// A LimeSurvey text without its HTML tags and entities for spaces.
    static func plainText(_ html: String) -> String {
        var out = "", inTag = false
        for character in html {
            if character == "<" { inTag = true } else if character == ">" { inTag = false } else if !inTag { out.append(character) }
        }
        return out.replacingOccurrences(of: "&nbsp;", with: " ").replacingOccurrences(of: "&amp;", with: "&").trimmingCharacters(in: " \t")
    }

    /// The entry for a column: by its name, its question code (the name before `[`, or a
    /// platform's grid stem; not a stem wai read off a plain file's names), else `*`.
    public func entry(for column: ExportColumn) -> Entry? {
        let base = column.name.split(separator: "[", maxSplits: 1).first.map(String.init) ?? column.name
        return entries.first { $0.question == column.name }
            ?? entries.first { $0.question == base || (!column.stemInferred && $0.question == column.stem) }
            ?? entries.first { $0.question == "*" }
    }

    /// The entry as a scale: its labels, with the codes as further spellings.
    public func vocabulary(_ entry: Entry) -> Vocabulary {
        Vocabulary(name: entry.scaleName ?? "codebook \(entry.question == "*" ? "(*)" : Quoted(entry.question).description) (\(entry.labels.count)-point)",
                   levels: entry.labels.map { [$0] }, codes: entry.codes, rank: 0, missingCodes: entry.missingCodes, specName: entry.scaleID)
    }
}
