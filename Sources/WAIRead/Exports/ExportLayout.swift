import Foundation
import WAIModel

/// What a column of an export holds, as far as its header tells.
public enum ColumnRole: String, Sendable, Hashable {
    /// An answer to a question (Likert or not: the answers decide).
    case answer
    /// The platform's own bookkeeping: timestamps, ids, IP addresses, progress, …
    case metadata
    /// Typed text ("Other (please specify)", Qualtrics `_TEXT`).
    case freeText = "free text"
    /// A multiple-choice question with several answers (one 0/1 column per option, or the joined choices).
    case multiSelect = "multi-select"
}

/// One column of an export, named as a spec refers to it.
public struct ExportColumn: Sendable, Hashable {
    /// The flattened name a spec's `column:` uses: Qualtrics `Q1_1`, SurveyMonkey `Question [Sub]`,
    /// KoboToolbox without its `group/` prefix, otherwise the header as written.
    public var name: String
    /// The first header row's cell as written.
    public var header: String
    /// The question's full wording (the item text of a report).
    public var question: String
    /// Columns of one grid or matrix question share a stem (`Q1` for Qualtrics `Q1_1`, `Q1_2`).
    public var stem: String?
    /// The wording common to the stem's columns (the grid question itself).
    public var stemText: String?
    /// The column's own part of a grid (its row label), when it has a stem.
    public var sub: String?
    /// The stem is read off a plain file's names or wording (`A1`…`A5`, "Roads: …"), not marked by
    /// a platform: its columns make one table only when they are on one scale.
    public var stemInferred = false
    public var role: ColumnRole
    /// Why the role is not `answer`, for messages ("Qualtrics metadata").
    public var reason: String?

    public init(name: String, header: String, question: String? = nil, stem: String? = nil, stemText: String? = nil,
                sub: String? = nil, role: ColumnRole = .answer, reason: String? = nil) {
        self.name = name
        self.header = header
        self.question = question ?? name
        self.stem = stem
        self.stemText = stemText
        self.sub = sub
        self.role = role
        self.reason = reason
    }

    /// The text an item of this column prints: its row label inside a grid, else its question.
    public var itemText: String {
        if let sub, !sub.isEmpty, stemText != nil { return sub }
        return question
    }
}

/// Where a respondent's time spent can be read: a seconds column, or start and end timestamps.
public enum DurationColumns: Sendable, Hashable {
    case seconds(Int)
    case interval(start: Int, end: Int)
}

/// How a responses file is laid out: what `ExportLayout.detect` finds in its first rows.
public struct ExportLayout: Sendable {
    public var source: DataSource
    /// Whether the source was recognised from the file (false: named by the user or the spec).
    public var recognised: Bool
    public var encoding: TextEncoding
    /// The encoding was found by looking at the bytes (Windows-1252 for a file that is not UTF-8),
    /// not named nor marked by a byte order mark.
    public var encodingDetected = false
    public var delimiter: UInt8
    /// Header records: 1, 2 (SurveyMonkey) or 3 (Qualtrics).
    public var headerRows: Int
    /// Line of the first header record and of the first data record.
    public var headerLine: Int
    public var dataLine: Int
    public var columns: [ExportColumn]
    /// 1-based column (in characters) of each header cell on `headerLine`, for messages.
    public var headerPositions: [Int] = []
    /// The respondent-id column (ResponseId, Respondent ID, _uuid, id), when there is one.
    public var idColumn: Int?
    /// Where durations are, for flagging speeders.
    public var duration: DurationColumns?
    /// What the file was before it became this CSV ("SPSS .sav"), when it was converted.
    public var origin: String? = nil
    /// The workbook sheet this CSV was converted from (its line n is row n of the sheet).
    public var sheet: String? = nil

    /// The names a spec uses, one per column.
    public var names: [String] { columns.map(\.name) }
    /// The header's own names (first header row).
    public var headers: [String] { columns.map(\.header) }

    /// "Qualtrics export (3 header rows), comma-separated, UTF-8; data from line 4".
    public var summary: String {
        let delimiterName: String
        switch delimiter {
        case UInt8(ascii: ","): delimiterName = "comma-separated"
        case UInt8(ascii: ";"): delimiterName = "semicolon-separated"
        case UInt8(ascii: "\t"): delimiterName = "tab-separated"
        case UInt8(ascii: "|"): delimiterName = "pipe-separated"
        default: delimiterName = "separated by \(Quoted(String(UnicodeScalar(delimiter))))"
        }
        if let origin { return "\(origin) file (read through ReadStat; messages name the case and variable)" }
        let kind = source == .plain ? "plain CSV" : "\(source.displayName) export"
        let rows = headerRows == 1 ? "1 header row" : "\(headerRows) header rows"
        let book = sheet.map { "sheet \(Quoted($0)) of an Excel workbook, as a " } ?? ""
        return "\(book)\(kind) (\(rows)\(recognised ? "" : ", as named")), \(delimiterName), \(encoding.displayName)\(encodingDetected ? " (detected: the bytes are not UTF-8)" : ""); data from \(sheet == nil ? "line" : "row") \(dataLine)"
    }

    /// The layout of the UTF-8 file at `path` (named `name` in messages), from its first records.
    /// `source` and `delimiter` force what would otherwise be detected. An empty file gets a plain
    /// one-row layout (the reader then says it is empty).
    public static func detect(path: String, name: String, encoding: TextEncoding = .utf8,
                              source forced: DataSource? = nil, delimiter forcedDelimiter: UInt8? = nil) throws -> ExportLayout {
        let head = try readHead(path: path, name: name)
        let delimiter = forcedDelimiter ?? sniffDelimiter(head)
        var reader = try CSVReader(path: path, name: name, delimiter: delimiter, chunkSize: 1 << 16)
        var records: [CSVRecord] = []
        // The first record's errors are the reader's own (it would stop there too); later ones
        // are left for the reader to report in its turn.
        do {
            while records.count < 4, let record = try reader.next() {
                if record.isBlank && records.isEmpty { continue }
                records.append(record)
            }
        } catch let error as InputError {
            if records.isEmpty { throw error }
        }
        return layout(records: records, encoding: encoding, delimiter: delimiter, forced: forced)
    }

    /// The layout of records already read (the first is the header).
    public static func layout(records: [CSVRecord], encoding: TextEncoding, delimiter: UInt8, forced: DataSource?) -> ExportLayout {
        let rows = records.map { $0.fields.map(\.value) }
        let source = forced ?? recognise(rows)
        var layout = ExportLayout(
            source: source, recognised: forced == nil, encoding: encoding, delimiter: delimiter, headerRows: 1,
            headerLine: records.first?.line ?? 1, dataLine: (records.first?.line ?? 1) + 1, columns: [])
        guard let header = rows.first else { return layout }
        layout.headerPositions = records[0].fields.map(\.column)
        switch source {
        case .qualtrics: Adapters.qualtrics(rows, into: &layout)
        case .surveymonkey: Adapters.surveyMonkey(rows, into: &layout)
        case .google: Adapters.google(header, into: &layout)
        case .kobo: Adapters.kobo(header, into: &layout)
        case .limesurvey: Adapters.limeSurvey(header, into: &layout)
        case .plain: Adapters.plain(header, into: &layout)
        }
        if layout.headerRows <= records.count {
            layout.dataLine = layout.headerRows < records.count ? records[layout.headerRows].line
                : (records.last.map { $0.line + 1 + lineBreaks(in: $0) } ?? 2)
        }
        // Names the header repeats stay repeated: the reader reports them when a spec reads one.
        return layout
    }

    /// Which platform wrote these header rows (plain when none is recognised).
    public static func recognise(_ rows: [[String]]) -> DataSource {
        guard let header = rows.first else { return .plain }
        let names = Set(header.map { $0.trimmingCharacters(in: " \t") })
        let lower = Set(names.map { $0.lowercased() })
        if rows.count >= 3 {
            let third = rows[2].filter { !$0.isEmpty }
            if !third.isEmpty && third.filter({ $0.hasPrefix("{\"ImportId\"") }).count * 2 >= third.count { return .qualtrics }
        }
        // Qualtrics' legacy layout and its newer one exported without the ImportId row: the
        // second row is the question text, recognised by its metadata column named again in words.
        if rows.count >= 2, Adapters.isQualtricsTextRow(rows) { return .qualtrics }
        if rows.count >= 2 {
            let second = Set(rows[1])
            if (names.contains("Respondent ID") && names.contains("Collector ID"))
                || (header.contains("") && (second.contains("Response") || second.contains("Open-Ended Response"))) {
                return .surveymonkey
            }
        }
        if (lower.contains("submitdate") && lower.contains("lastpage")) || lower.contains("startlanguage")
            || (names.contains("Date submitted") && names.contains("Last page")) {
            return .limesurvey
        }
        if !lower.isDisjoint(with: ["_uuid", "_submission_time", "_index", "_validation_status", "__version__", "meta/instanceid", "formhub/uuid"]) {
            return .kobo
        }
        if let first = header.first, Adapters.googleTimestamps.contains(first.lowercased()) { return .google }
        return .plain
    }

    /// The delimiter of the header line: the most frequent of `,` `;` tab `|` outside quotes
    /// (comma on a tie, or when there is none).
    public static func sniffDelimiter(_ head: [UInt8]) -> UInt8 {
        var i = 0
        if head.count >= 3 && head[0] == 0xEF && head[1] == 0xBB && head[2] == 0xBF { i = 3 }
        while i < head.count && (head[i] == 0x0A || head[i] == 0x0D) { i += 1 }
        let candidates: [UInt8] = [UInt8(ascii: ","), UInt8(ascii: "\t"), UInt8(ascii: ";"), UInt8(ascii: "|")]
        var counts = [Int](repeating: 0, count: candidates.count)
        var quoted = false
        while i < head.count {
            let b = head[i]
            if b == UInt8(ascii: "\"") {
                quoted.toggle()
            } else if !quoted {
                if b == 0x0A || b == 0x0D { break }
                if let k = candidates.firstIndex(of: b) { counts[k] += 1 }
            }
            i += 1
        }
        var best = 0
        for k in candidates.indices where counts[k] > counts[best] { best = k }
        return candidates[best]
    }

    static func readHead(path: String, name: String, count: Int = 1 << 16) throws -> [UInt8] {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            _ = try CSVReader(path: path, name: name)   // throws the reader's "cannot open file"
            return []
        }
        defer { try? handle.close() }
        do {
            return [UInt8](try handle.read(upToCount: count) ?? Data())
        } catch {
            throw InputError("cannot read file", at: SourceLocation(file: name), found: error.localizedDescription, expected: "a readable file")
        }
    }

    /// Line breaks inside a record's quoted fields (its last field's line minus its first line).
    static func lineBreaks(in record: CSVRecord) -> Int {
        (record.fields.last?.line ?? record.line) - record.line
    }
}

/// One adapter per platform: header rows in, named columns with roles out.
enum Adapters {
    static let googleTimestamps: Set<String> = [
        "timestamp", "marca temporal", "horodateur", "zeitstempel", "carimbo de data/hora", "informazioni cronologiche",
        "tijdstempel", "dấu thời gian", "stempel waktu", "ត្រាពេលវេលា",
    ]

    static func plain(_ header: [String], into layout: inout ExportLayout) {
        layout.columns = header.map { cell in
            var column = ExportColumn(name: cell, header: cell)
            if let (stem, sub) = bracketed(cell) {
                column.stem = stem
                column.stemText = stem
                column.sub = sub
            }
            return column
        }
        layout.idColumn = header.firstIndex { ["id", "respondent", "respondent_id", "respondent id", "responseid"].contains($0.lowercased()) }
        inferStems(&layout.columns)
    }

    /// A plain file's question groups, which no platform marks: two or more columns whose
    /// wording shares its words before a separator ("How satisfied are you with: Roads"), or,
    /// without such wording, whose names share a stem (`A1`…`A5`, `q4_1`…`q4_6`, `Q4.1`,
    /// `sat_roads`). Stems inferred before (from names alone) are recomputed, so that wording
    /// learnt later (an SPSS variable label) counts.
    static func inferStems(_ columns: inout [ExportColumn]) {
        for i in columns.indices where columns[i].stemInferred {
            (columns[i].stem, columns[i].stemText, columns[i].sub, columns[i].stemInferred) = (nil, nil, nil, false)
        }
        let found: [(stem: String, text: String?, sub: String?)?] = columns.map { column in
            guard column.role == .answer, column.stem == nil else { return nil }
            if let (lead, rest) = leadingWording(column.question) { return (lead, lead, rest) }
            return nameStem(column.name).map { ($0, nil, nil) }
        }
        var counts: [String: Int] = [:]
        for case let group? in found { counts["\(group.text == nil ? "name" : "text")\u{1}\(group.stem)", default: 0] += 1 }
        for (i, group) in found.enumerated() {
            guard let group, counts["\(group.text == nil ? "name" : "text")\u{1}\(group.stem)"]! >= 2 else { continue }
            (columns[i].stem, columns[i].stemText, columns[i].sub, columns[i].stemInferred) = (group.stem, group.text, group.sub, true)
        }
    }

    /// "How satisfied are you with: Roads" → ("How satisfied are you with", "Roads"), split at the
    /// first of ": ", " - ", " – ", " — ", "…" or "..." with words on both sides.
    static func leadingWording(_ text: String) -> (String, String)? {
        guard text.contains(" ") else { return nil }
        let cut = [": ", " - ", " – ", " — ", "…", "..."].compactMap { text.range(of: $0) }.min { $0.lowerBound < $1.lowerBound }
        guard let cut else { return nil }
        let lead = text[..<cut.lowerBound].trimmingCharacters(in: .whitespaces)
        let rest = text[cut.upperBound...].trimmingCharacters(in: .whitespaces)
        return lead.isEmpty || rest.isEmpty ? nil : (lead, rest)
    }

    /// A name's stem: what comes before its last `_`, `.` or `-` (`q4_1` → `q4`, `sat_roads` →
    /// `sat`), or the letters before its closing number (`A1` → `A`); nil for a name with spaces
    /// or not starting with a letter.
    static func nameStem(_ name: String) -> String? {
        guard let first = name.first, first.isLetter, !name.contains(where: \.isWhitespace) else { return nil }
        if let cut = name.lastIndex(where: { $0 == "_" || $0 == "." || $0 == "-" }) {
            let stem = name[..<cut], rest = name[name.index(after: cut)...]
            return stem.isEmpty || rest.isEmpty ? nil : String(stem)
        }
        let letters = name.prefix { $0.isLetter }
        let rest = name.dropFirst(letters.count)
        return !rest.isEmpty && rest.allSatisfy(\.isNumber) ? String(letters) : nil
    }

    // MARK: Google Forms

    static func google(_ header: [String], into layout: inout ExportLayout) {
        let metadata: Set<String> = ["email address", "username", "score", "total score", "adresse e-mail", "e-mail-adresse", "dirección de correo electrónico"]
        layout.columns = header.enumerated().map { i, cell in
            var column = ExportColumn(name: cell, header: cell)
            if (i == 0 && googleTimestamps.contains(cell.lowercased())) || metadata.contains(cell.lowercased()) {
                column.role = .metadata
                column.reason = "Google Forms metadata"
            } else if let (stem, sub) = bracketed(cell) {
                column.stem = stem
                column.stemText = stem
                column.sub = sub
            }
            return column
        }
    }

    /// `Question [Row]` → ("Question", "Row").
    static func bracketed(_ cell: String) -> (String, String)? {
        guard cell.hasSuffix("]"), let open = cell.range(of: " [", options: .backwards) else { return nil }
        let stem = String(cell[..<open.lowerBound]).trimmingCharacters(in: " ")
        let sub = String(cell[open.upperBound..<cell.index(before: cell.endIndex)])
        return stem.isEmpty || sub.isEmpty ? nil : (stem, sub)
    }

    // MARK: Qualtrics

    static let qualtricsMetadata: Set<String> = [
        "startdate", "enddate", "status", "ipaddress", "progress", "duration (in seconds)", "finished", "recordeddate",
        "responseid", "recipientlastname", "recipientfirstname", "recipientemail", "externalreference",
        "externaldatareference", "locationlatitude", "locationlongitude", "distributionchannel", "userlanguage",
        "_recordid", "duration",
    ]

    /// Row 2 names the response id column in words ("Response ID", or "ResponseID" under the
    /// legacy layout's V1…V10), and row 1 has Qualtrics' metadata names or V1…V10.
    static func isQualtricsTextRow(_ rows: [[String]]) -> Bool {
        guard rows.count >= 2 else { return false }
        let squeeze = { (s: String) in s.lowercased().filter { !$0.isWhitespace } }
        let first = rows[0].map(squeeze), second = rows[1].map(squeeze)
        guard let id = second.firstIndex(of: "responseid") else { return false }
        let legacy = first.prefix(10).enumerated().allSatisfy { $0.element == "v\($0.offset + 1)" } && first.count >= 10
        let named = first[id] == "responseid" && first.contains { ["startdate", "enddate", "finished", "recordeddate"].contains($0) }
        return legacy || named
    }

    static func qualtrics(_ rows: [[String]], into layout: inout ExportLayout) {
        let ids = rows[0]
        let importRow = rows.count >= 3 && rows[2].contains { $0.hasPrefix("{\"ImportId\"") }
        layout.headerRows = importRow ? 3 : 2
        let legacy = isQualtricsTextRow(rows) && ids.prefix(10).enumerated().allSatisfy { $0.element == "V\($0.offset + 1)" }
        layout.columns = ids.enumerated().map { i, id in
            let text = cell(rows, 1, i)
            let importID = importRow ? importIDOf(cell(rows, 2, i)) : (legacy && i < 10 ? text : nil)
            var column = ExportColumn(name: id, header: id, question: text.isEmpty ? id : collapse(text))
            let lowerID = id.lowercased()
            if (legacy && i < 10) || qualtricsMetadata.contains(lowerID) || (importID.map { qualtricsMetadata.contains($0.lowercased()) } ?? false)
                || id.hasPrefix("Q_") {
                column.role = .metadata
                column.reason = "Qualtrics metadata"
            } else if lowerID.hasSuffix("_text") || (importID?.uppercased().hasSuffix("_TEXT") ?? false) {
                column.role = .freeText
                column.reason = "Qualtrics text entry (_TEXT)"
            } else if let underscore = id.lastIndex(of: "_"), id[id.index(after: underscore)...].allSatisfy(\.isNumber),
                      underscore != id.startIndex, id.index(after: underscore) != id.endIndex {
                column.stem = String(id[..<underscore])
                if let dash = column.question.range(of: " - ", options: .backwards) {
                    column.stemText = String(column.question[..<dash.lowerBound])
                    column.sub = String(column.question[dash.upperBound...])
                }
            }
            return column
        }
        layout.idColumn = ids.firstIndex { ["responseid", "_recordid"].contains($0.lowercased()) }
            ?? (legacy ? rows[1].firstIndex { $0.lowercased() == "responseid" } : nil)
        if let seconds = ids.firstIndex(where: { $0.lowercased() == "duration (in seconds)" }) {
            layout.duration = .seconds(seconds)
        }
        // Grid stems need the same question wording before " - " in every column.
        var texts: [String: Set<String>] = [:]
        for column in layout.columns { if let stem = column.stem { texts[stem, default: []].insert(column.stemText ?? "") } }
        for i in layout.columns.indices {
            if let stem = layout.columns[i].stem, texts[stem]!.count > 1 || texts[stem]!.first == "" {
                layout.columns[i].stemText = nil
                layout.columns[i].sub = nil
            }
        }
    }

    /// `{"ImportId":"QID1_1"}` → "QID1_1".
    static func importIDOf(_ cell: String) -> String? {
        guard let data = cell.data(using: .utf8),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return nil }
        return object["ImportId"] as? String
    }

    // MARK: SurveyMonkey

    static let surveyMonkeyMetadata: Set<String> = [
        "respondent id", "collector id", "start date", "end date", "ip address", "email address", "first name", "last name",
    ]

    static func surveyMonkey(_ rows: [[String]], into layout: inout ExportLayout) {
        let questions = rows[0]
        layout.headerRows = 2
        var current = ""
        var spans: [String: Int] = [:]
        var owner: [String] = []
        for cell in questions {
            if !cell.isEmpty { current = cell }
            owner.append(current)
            spans[current, default: 0] += 1
        }
        layout.columns = questions.indices.map { i in
            let question = owner[i]
            let sub = cell(rows, 1, i)
            let whole = sub.isEmpty || sub == "Response" || sub == "Open-Ended Response"
            var column = ExportColumn(name: whole ? question : "\(question) [\(sub)]", header: questions[i],
                                      question: whole ? question : "\(question) [\(sub)]")
            let lower = question.lowercased()
            if surveyMonkeyMetadata.contains(lower) || lower.hasPrefix("custom data") {
                column.role = .metadata
                column.reason = "SurveyMonkey metadata"
            } else if sub == "Open-Ended Response" || sub.lowercased().hasPrefix("other (please specify)") {
                column.role = .freeText
                column.reason = "SurveyMonkey open-ended answer"
            } else if !whole && (spans[question] ?? 1) > 1 {
                column.stem = question
                column.stemText = question
                column.sub = sub
            }
            return column
        }
        layout.idColumn = questions.firstIndex { $0 == "Respondent ID" }
        if let start = questions.firstIndex(of: "Start Date"), let end = questions.firstIndex(of: "End Date") {
            layout.duration = .interval(start: start, end: end)
        }
    }

    // MARK: KoboToolbox

    static let koboMetadata: Set<String> = [
        "start", "end", "today", "deviceid", "subscriberid", "simserial", "phonenumber", "username", "audit", "imei",
        "__version__", "meta/instanceid", "meta/rootuuid", "meta/deprecatedid", "formhub/uuid", "instanceid",
    ]

    static func kobo(_ header: [String], into layout: inout ExportLayout) {
        let all = Set(header)
        // A select_multiple question has its own column and one 0/1 column per option under it.
        let parents = Set(header.compactMap { cell -> String? in
            guard let slash = cell.lastIndex(of: "/") else { return nil }
            let parent = String(cell[..<slash])
            return all.contains(parent) ? parent : nil
        })
        var columns: [ExportColumn] = header.map { cell in
            let parts = cell.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
            let last = parts.last ?? cell
            let parentPath = parts.count > 1 ? parts.dropLast().joined(separator: "/") : nil
            var column = ExportColumn(name: last, header: cell, question: last)
            let lower = cell.lowercased()
            if koboMetadata.contains(lower) || last.hasPrefix("_") || lower.hasPrefix("meta/") || lower.hasPrefix("formhub/") {
                column.role = .metadata
                column.reason = "KoboToolbox metadata"
                column.name = last.hasPrefix("_") ? last : cell
            } else if let parentPath, all.contains(parentPath) {
                let parentLast = parentPath.split(separator: "/").last.map(String.init) ?? parentPath
                column.name = "\(parentLast)/\(last)"
                column.role = .multiSelect
                column.reason = "KoboToolbox select_multiple option of \(parentLast)"
            } else if parents.contains(cell) {
                column.role = .multiSelect
                column.reason = "KoboToolbox select_multiple (choices joined by spaces)"
            } else if let parentPath {
                column.stem = parentPath
                column.stemText = parentPath.split(separator: "/").last.map(String.init)
                column.sub = last
            }
            if lower.hasSuffix("_other") || lower.hasSuffix("/other") {
                column.role = .freeText
                column.reason = "KoboToolbox \"other\" text"
            }
            return column
        }
        // Names without the group prefix must stay unique; colliding ones keep the full path.
        var counts: [String: Int] = [:]
        for column in columns { counts[column.name, default: 0] += 1 }
        for i in columns.indices where counts[columns[i].name]! > 1 { columns[i].name = columns[i].header }
        layout.columns = columns
        layout.idColumn = header.firstIndex { $0 == "_uuid" || $0.hasSuffix("/_uuid") }
        if let start = header.firstIndex(where: { $0.lowercased() == "start" }), let end = header.firstIndex(where: { $0.lowercased() == "end" }) {
            layout.duration = .interval(start: start, end: end)
        }
    }

    // MARK: LimeSurvey

    static let limeSurveyMetadata: Set<String> = [
        "id", "submitdate", "lastpage", "startlanguage", "seed", "startdate", "datestamp", "ipaddr", "refurl", "token",
        "interviewtime", "response id", "date submitted", "last page", "start language", "date started",
        "date last action", "ip address", "referrer url", "total time",
    ]

    static func limeSurvey(_ header: [String], into layout: inout ExportLayout) {
        layout.columns = header.map { cell in
            // "Q1[SQ001]. How satisfied …? [Price]" (code and text) or the code or the text alone.
            var code = cell
            var text = cell
            if let dot = cell.range(of: ". "), isLimeCode(String(cell[..<dot.lowerBound])) {
                code = String(cell[..<dot.lowerBound])
                text = String(cell[dot.upperBound...])
            }
            var column = ExportColumn(name: code, header: cell, question: collapse(text))
            let lower = code.lowercased()
            if limeSurveyMetadata.contains(lower) || lower.hasPrefix("grouptime") || (lower.hasSuffix("time") && lower.first?.isNumber == true) {
                column.role = .metadata
                column.reason = "LimeSurvey metadata"
            } else if lower.hasSuffix("[other]") || lower.hasSuffix("[comment]") || lower.hasSuffix("[other comment]") {
                column.role = .freeText
                column.reason = "LimeSurvey \"other\" or comment text"
            } else if let open = code.firstIndex(of: "["), code.hasSuffix("]") {
                column.stem = String(code[..<open])
                column.sub = String(code[code.index(after: open)..<code.index(before: code.endIndex)])
                if let (stemText, sub) = bracketed(column.question) {
                    column.stemText = stemText
                    column.sub = sub
                }
            } else if let (stemText, sub) = bracketed(column.question) {
                column.stem = stemText
                column.stemText = stemText
                column.sub = sub
            }
            return column
        }
        layout.idColumn = header.firstIndex { ["id", "response id"].contains($0.lowercased()) }
        if let seconds = header.firstIndex(where: { ["interviewtime", "total time"].contains($0.lowercased()) }) {
            layout.duration = .seconds(seconds)
        }
    }

    /// A LimeSurvey question code: a letter, then letters, digits and `_`, with optional `[sub]` parts.
    static func isLimeCode(_ text: String) -> Bool {
        let base = text.split(separator: "[", maxSplits: 1).first.map(String.init) ?? ""
        guard let first = base.unicodeScalars.first, first.isASCII, first.properties.isAlphabetic else { return false }
        return base.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_") }
    }

    // MARK: Helpers

    static func cell(_ rows: [[String]], _ row: Int, _ column: Int) -> String {
        row < rows.count && column < rows[row].count ? rows[row][column] : ""
    }

    /// White space (line breaks included) collapsed to single spaces, trimmed.
    static func collapse(_ text: String) -> String {
        text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }
}
