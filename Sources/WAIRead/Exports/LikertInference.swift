import Foundation
import WAIModel

/// A column wai did not analyse, and why.
public struct LeftOutColumn: Sendable, Hashable {
    public var column: String
    public var reason: String
}

/// A column whose answers look like a scale whose order wai cannot tell.
public struct AmbiguousColumn: Sendable, Hashable {
    public var column: String
    public var question: String
    /// The answers seen (most frequent first).
    public var values: [String]
    /// Why the order is unknown.
    public var problem: String
    /// The same in a few words, for the warning: "is not on a known scale".
    public var why: String
    /// The user asked for the column as an item (a codebook entry names it): refused, not tabulated.
    public var asked: Bool
    /// Where the column's header is.
    public var location: SourceLocation
    /// Its categories when it is tabulated as a demographic instead ("E1–E5"); nil when it is not.
    public var tabulated: String? = nil
}

/// A column that looks like a survey weight: proposed, never applied without a spec.
public struct WeightCandidate: Sendable, Hashable {
    public var column: String
    /// "positive numbers, named w".
    public var evidence: String
}

/// A spec inferred from a responses file, with everything that was assumed.
public struct InferredSurvey: Sendable {
    public var spec: SurveySpec
    public var layout: ExportLayout
    /// The scale the items share.
    public var vocabulary: Vocabulary
    /// Data rows looked at.
    public var rows: Int
    /// What was assumed, one sentence each (printed on standard error, written as comments by `wai init`).
    public var assumptions: [String]
    public var leftOut: [LeftOutColumn]
    public var ambiguous: [AmbiguousColumn]
    /// Lines of the malformed rows left out under `--lenient` (a quoted field never closed, a wrong field count).
    public var malformedLines: [Int] = []
    /// Items on other scales than the default (`vocabulary`): kept, their tables on named scales.
    public var otherScales: [(vocabulary: String, columns: [String])]
    /// Per demographic column: its categories as seen, most frequent first.
    public var demographicValues: [String: [String]]
    /// A column that looks like the survey weight (`weight:` stays unset: `wai init` proposes it in a comment).
    public var weightCandidate: WeightCandidate? = nil

    /// What `wai analyze` without a spec warns of, in the report and on standard error: the
    /// columns not analysed, the ones tabulated as demographics because their order is unknown,
    /// and a weight found but not applied.
    public var warnings: [DataQuality.Warning] {
        var warnings = notAnalysed
        for column in ambiguous {
            guard let categories = column.tabulated else { continue }
            warnings.append(.init(kind: "not_analysed", subject: column.column,
                                  message: "column \(Quoted(column.column)) (\(categories)) \(column.why): tabulated as a demographic, not analysed as an item; give a spec or --codebook to analyse it as an item"))
        }
        if let weight = weightCandidate {
            warnings.append(.init(kind: "not_analysed", subject: weight.column,
                                  message: "column \(Quoted(weight.column)) looks like a survey weight (\(weight.evidence)): not applied, every response weighs 1; give a spec with `weight: \(Quoted(weight.column))` to use it"))
        }
        return warnings
    }

    /// The columns not analysed but for platform metadata and the id, as the report's warnings.
    public var notAnalysed: [DataQuality.Warning] {
        leftOut.filter { !$0.reason.hasSuffix("metadata") && $0.reason != "respondent id" }.map {
            .init(kind: "not_analysed", subject: $0.column, message: "column \(Quoted($0.column)) was not analysed: \($0.reason)")
        }
    }

    /// The refusal `wai analyze` gives when a column asked for as an item has an order it cannot tell.
    public func ambiguityError(file: String) -> InputError? {
        let asked = ambiguous.filter(\.asked)
        return asked.isEmpty ? nil : Self.ambiguityError(asked, expected: "the answers of one known scale, or a spec that orders them: `wai init \(file) > survey.yaml`, edit its scale and tables, then `wai analyze \(file) --spec survey.yaml`")
    }

    static func ambiguityError(_ ambiguous: [AmbiguousColumn], expected: String) -> InputError {
        let first = ambiguous[0]
        let shown = first.values.prefix(10).joined(separator: ", ") + (first.values.count > 10 ? ", …" : "")
        let others = ambiguous.count > 1 ? " (and \(ambiguous.count - 1) more column\(ambiguous.count > 2 ? "s" : ""): \(ambiguous.dropFirst().map { Quoted($0.column).description }.joined(separator: ", ")))" : ""
        return InputError(
            "cannot tell the order of the answers in column \(Quoted(first.column)): \(first.problem)\(others)",
            at: first.location, found: shown, expected: expected)
    }
}

/// Finds the Likert items of a responses file by their answers.
///
/// Every column is profiled (its distinct answers, up to a bound, and whether they are numbers),
/// then classified: platform metadata, free text, multi-select, a Likert item (its answers are
/// all spellings of one known scale — agreement, frequency, quality, importance, satisfaction,
/// likelihood, degree, numeric 1–5/1–7/0–10 — or of a codebook entry), a demographic (few
/// distinct answers), the weight (a numeric column named like a weight) or nothing. Items that
/// share a scale and a question stem (a grid) form one table. Answers such as "Don't know",
/// "N/A" or a platform code like -99 outside the scale are missing.
public enum LikertInference {
    /// Distinct answers kept per column; a column with more is free text or a continuous number.
    static let maxDistinct = 100
    /// Demographics have at most this many categories.
    static let maxCategories = 12

    struct Profile {
        var counts: [String: Int] = [:]
        var order: [String] = []
        var overflow = false
        var filled = 0
        var numeric = true
        var integer = true
        var minimum = Double.infinity

        mutating func add(_ cell: String) {
            let text = cell.trimmingCharacters(in: " \t")
            if text.isEmpty { return }
            filled += 1
            if let value = Double(text) {
                if value.rounded() != value { integer = false }
                minimum = min(minimum, value)
            } else {
                numeric = false
                integer = false
            }
            if let n = counts[text] {
                counts[text] = n + 1
            } else if !overflow {
                if counts.count >= LikertInference.maxDistinct {
                    overflow = true
                } else {
                    counts[text] = 1
                    order.append(text)
                }
            }
        }

        /// Distinct answers, most frequent first (first seen first on a tie).
        var values: [String] {
            order.enumerated().sorted { (counts[$0.element]!, -$0.offset) > (counts[$1.element]!, -$1.offset) }.map(\.element)
        }
    }

    enum Kind {
        case metadata(String)
        case leftOut(String)
        case likert([Vocabulary])
        /// `why` in a few words ("is not on a known scale"); `asked`: a codebook entry names the column.
        case ambiguous(problem: String, why: String, asked: Bool)
        case other          // a demographic, weight or nothing, decided later
    }

    /// Reads `prepared` (see `PreparedInput`) and infers its spec. `title` defaults to the file's name.
    public static func infer(_ prepared: PreparedInput, codebook: Codebook? = nil, title: String? = nil) throws -> InferredSurvey {
        guard let layout = prepared.layout else {
            preconditionFailure("LikertInference needs a prepared input with its layout (InputFormat.detect)")
        }
        let name = prepared.displayName
        var columns = layout.columns
        // The user's codebook first, then what the file itself says (SPSS/Stata value labels).
        let codebook: Codebook? = {
            switch (codebook, prepared.codebook) {
            case (nil, nil): return nil
            case (let given?, nil): return given
            case (nil, let own?): return own
            case (let given?, let own?): return Codebook(name: given.name, entries: given.entries + own.entries.filter { entry in !given.entries.contains { $0.question == entry.question } })
            }
        }()
        // A file headed by codes takes its wording from the codebook (LimeSurvey's structure).
        for i in columns.indices where columns[i].question == columns[i].name {
            guard let texts = codebook?.texts, !texts.isEmpty else { break }
            if let stem = columns[i].stem, let stemText = texts[stem], let sub = texts[columns[i].name] {
                columns[i].stemText = stemText
                columns[i].sub = sub
                columns[i].question = "\(stemText) [\(sub)]"
            } else if let text = texts[columns[i].name] {
                columns[i].question = text
            }
        }
        // 1. Profile every column.
        var profiles = [Profile](repeating: Profile(), count: columns.count)
        var reader = try CSVReader(path: prepared.path, name: name, delimiter: layout.delimiter)
        var header: CSVRecord?
        repeat { header = try reader.next() } while header?.isBlank == true
        guard header != nil else {
            throw InputError("empty file", at: SourceLocation(file: name, line: 1, column: 1), expected: "a header row naming the columns, then one row per respondent")
        }
        for _ in 1..<max(1, layout.headerRows) { _ = try reader.next() }
        let lenient = prepared.options.lenient
        reader.recoversMalformedQuotes = lenient
        var rows = 0
        var skippedLines: [Int] = []
        while true {
            let next: CSVRecord?
            do { next = try reader.next() } catch let bad as MalformedRecord {
                skippedLines.append(bad.line)
                continue
            }
            guard let record = next else { break }
            if record.isBlank && columns.count > 1 { continue }
            guard record.fields.count == columns.count else {
                if lenient {
                    skippedLines.append(record.line)
                    continue
                }
                let last = record.fields.last!
                throw InputError("ragged row: \(record.fields.count) fields where the header has \(columns.count)",
                                 at: SourceLocation(file: name, line: last.line, column: last.column),
                                 found: "\(record.fields.count) fields", expected: "\(columns.count) fields, as in the header (quote a value that contains the delimiter)")
            }
            rows += 1
            for (i, field) in record.fields.enumerated() { profiles[i].add(field.value) }
        }

        // 2. Classify each column on its own.
        var kinds: [Kind] = []
        var nameCounts: [String: Int] = [:]
        for column in columns { nameCounts[column.name, default: 0] += 1 }
        for (i, column) in columns.enumerated() {
            if nameCounts[column.name]! > 1 && column.role == .answer {
                kinds.append(.leftOut("\(nameCounts[column.name]!) columns have this name: rename them to use them"))
                continue
            }
            kinds.append(classify(column, profiles[i], codebook: codebook, rows: rows, isID: i == layout.idColumn, layout: layout))
        }

        // 3. Group the Likert columns: a grid's columns (same stem), or neighbouring single questions, on one scale.
        // A stem read off a plain file's names or wording joins only columns of one scale; one
        // left alone by that is a single question again, to join its neighbours.
        struct Group {
            var stem: String?
            var stemText: String?
            var stemInferred: Bool
            var columns: [Int]
            var candidates: [Vocabulary]
        }
        func grouped(stems: [String?]) -> [Group] {
            var groups: [Group] = []
            var lastLikert: Int?
            for (i, kind) in kinds.enumerated() {
                guard case .likert(let candidates) = kind else {
                    if case .leftOut = kind { continue }      // free text between items does not split a grid
                    if case .metadata = kind { continue }
                    lastLikert = nil
                    continue
                }
                let stem = stems[i]
                let grid = stem != nil && !columns[i].stemInferred
                if var group = groups.last, let last = lastLikert, last == group.columns.last,
                   group.stem == stem, let joined = join(group.candidates, candidates, grid: grid) {
                    group.columns.append(i)
                    group.candidates = joined
                    groups[groups.count - 1] = group
                } else {
                    groups.append(Group(stem: stem, stemText: stem == nil ? nil : columns[i].stemText,
                                        stemInferred: stem != nil && columns[i].stemInferred, columns: [i], candidates: candidates))
                }
                lastLikert = i
            }
            return groups
        }
        var stems = columns.map(\.stem)
        var groups = grouped(stems: stems)
        let alone = groups.filter { $0.stemInferred && $0.columns.count == 1 }.map { $0.columns[0] }
        if !alone.isEmpty {
            for i in alone { stems[i] = nil }
            groups = grouped(stems: stems)
        }

        // 4. One scale per group; the scale of most items is the survey's.
        var ambiguous: [AmbiguousColumn] = []
        func location(_ i: Int) -> SourceLocation {
            SourceLocation(file: name, line: layout.headerLine, column: i < layout.headerPositions.count ? layout.headerPositions[i] : nil)
        }
        for (i, kind) in kinds.enumerated() {
            if case .ambiguous(let problem, let why, let asked) = kind {
                ambiguous.append(AmbiguousColumn(column: columns[i].name, question: columns[i].question, values: profiles[i].values, problem: problem,
                                                 why: why, asked: asked, location: location(i)))
            }
        }
        func best(_ candidates: [Vocabulary]) -> [Vocabulary] {
            let top = candidates.map(\.rank).min()!
            return candidates.filter { $0.rank == top }
        }
        var itemsPerVocabulary: [Vocabulary: Int] = [:]
        for group in groups {
            let top = best(group.candidates)
            if top.count == 1 { itemsPerVocabulary[top[0], default: 0] += group.columns.count }
        }
        let firstIndex = { (v: Vocabulary) in groups.firstIndex { best($0.candidates).contains(v) } ?? Int.max }
        let dominant = itemsPerVocabulary.max { a, b in (a.value, -firstIndex(a.key)) < (b.value, -firstIndex(b.key)) }?.key
        var chosen: [(group: Group, vocabulary: Vocabulary)] = []
        for group in groups {
            let top = best(group.candidates)
            if top.count == 1 {
                chosen.append((group, top[0]))
            } else if let dominant, group.candidates.contains(dominant) {
                chosen.append((group, dominant))
            } else {
                for i in group.columns {
                    ambiguous.append(AmbiguousColumn(
                        column: columns[i].name, question: columns[i].question, values: profiles[i].values,
                        problem: "its answers fit several scales with different orders: \(top.map(\.name).joined(separator: "; "))",
                        why: "fits several known scales with different orders", asked: false, location: location(i)))
                }
            }
        }
        guard let vocabulary = dominant ?? chosen.first?.vocabulary else {
            if !ambiguous.isEmpty {
                throw InferredSurvey.ambiguityError(ambiguous, expected: "the answers of one known scale, or a spec that orders them (Surveys/SPEC.md)")
            }
            let described = columns.enumerated().map { i, c in "\(c.name) (\(describe(kinds[i], profiles[i])))" }
            throw InputError(
                "no Likert items found", at: SourceLocation(file: name, line: layout.headerLine, column: 1),
                found: described.prefix(12).joined(separator: ", ") + (described.count > 12 ? ", …" : ""),
                expected: "columns whose answers are spellings of one known scale (agreement, frequency, quality, importance, satisfaction, likelihood, degree, numeric 1–5/1–7/0–10), or a spec (Surveys/SPEC.md)")
        }
        // Every scale found is kept: the survey's (of most items) is the default, each other one
        // a named scale of its own tables.
        let scale = vocabulary
        var vocabularies: [Vocabulary] = [vocabulary]
        for entry in chosen where !vocabularies.contains(entry.vocabulary) { vocabularies.append(entry.vocabulary) }
        let used = chosen
        var otherScales: [String: [String]] = [:]
        var otherOrder: [String] = []
        for entry in chosen where entry.vocabulary != vocabulary {
            if otherScales[entry.vocabulary.name] == nil { otherOrder.append(entry.vocabulary.name) }
            otherScales[entry.vocabulary.name, default: []] += entry.group.columns.map { columns[$0].name }
        }

        // 5. Levels: labels (English, or the answers' own language), aliases as spelled in the file.
        var levelsOf: [[Level]] = []
        var missingOf: [[String: Int]] = []
        var unseenOf: [[String]] = []
        for scale in vocabularies {
            let index = scale.index
            var spellings = [[String: Int]](repeating: [:], count: scale.levelCount)
            var missingSeen: [String: Int] = [:]
            for i in used.filter({ $0.vocabulary == scale }).flatMap(\.group.columns) {
                for (text, n) in profiles[i].counts {
                    if let level = index[Vocabulary.key(text)] {
                        spellings[level][text, default: 0] += n
                    } else if isMissing(text) || scale.missingCodes.contains(text) {
                        missingSeen[text, default: 0] += n
                    }   // else a rare typo: left for the reader to report where it is
                }
            }
            let khmer = spellings.joined().filter { Vocabulary.isKhmer($0.key) }.map(\.value).reduce(0, +)
            let latin = spellings.joined().filter { !Vocabulary.isKhmer($0.key) }.map(\.value).reduce(0, +)
            var levels: [Level] = []
            for (i, known) in scale.levels.enumerated() {
                let seen = spellings[i].sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map(\.key)
                var label = known[0]
                if let start = scale.numericStart {
                    label = String(start + i)
                } else if khmer > latin {
                    label = seen.first(where: Vocabulary.isKhmer) ?? known.first(where: Vocabulary.isKhmer) ?? known[0]
                } else if let written = seen.first(where: { !Vocabulary.isKhmer($0) }),
                          let word = known.first(where: { Vocabulary.key($0) == Vocabulary.key(written) }) {
                    // The file's own word for the level ("Medium", not "Neutral"); only case and `_` are tidied.
                    label = word
                }
                var aliases: [String] = []
                // Spellings as the reader compares them (normalizedAnswer), so that `very_high` stays an alias.
                var keys: Set<String> = [normalizedAnswer(label)]
                let code = scale.numericStart.map { $0 + i } ?? (i + 1)
                keys.insert(String(code))
                if let codes = scale.codes, keys.insert(normalizedAnswer(codes[i])).inserted { aliases.append(codes[i]) }
                for spelling in seen where keys.insert(normalizedAnswer(spelling)).inserted { aliases.append(spelling) }
                if khmer > 0 && scale.numericStart == nil {
                    // Both languages, so that a later wave in the other one reads too.
                    for spelling in [known[0]] + known.filter(Vocabulary.isKhmer).prefix(1) where keys.insert(normalizedAnswer(spelling)).inserted {
                        aliases.append(spelling)
                    }
                }
                levels.append(Level(code: code, label: label, aliases: aliases))
            }
            levelsOf.append(levels)
            missingOf.append(missingSeen)
            unseenOf.append(levels.enumerated().filter { spellings[$0.offset].isEmpty }.map { Quoted($0.element.label).description })
        }
        let levels = levelsOf[0]
        let usedColumns = used.flatMap(\.group.columns)
        // The default scale's missing markers are also the demographics' (as the reader reads them).
        var missingSeen = missingOf[0]

        // 6. Demographics, weight, id; missing markers.
        var demographics: [Demographic] = []
        var demographicValues: [String: [String]] = [:]
        var weightCandidate: WeightCandidate?
        var leftOut: [LeftOutColumn] = []
        let usedSet = Set(usedColumns)
        let ambiguousAt = Dictionary(ambiguous.enumerated().map { ($1.column, $0) }, uniquingKeysWith: { first, _ in first })
        /// A demographic's categories (a numeric missing code is no category), or why the column is none.
        func categories(_ i: Int) -> Result<[String], LeftOutReason> {
            let profile = profiles[i]
            var categories: [String] = []
            for value in profile.values {
                // "Prefer not to say" and "Other" are a respondent's answer about who they are: kept as categories.
                if isMissingCode(value, scale: nil) {
                    missingSeen[value, default: 0] += profile.counts[value]!
                } else {
                    categories.append(value)
                }
            }
            let distinct = Set(categories.map(Vocabulary.key)).count
            if profile.filled == 0 { return .failure("empty") }
            if profile.overflow || distinct > maxCategories {
                return .failure(LeftOutReason(profile.numeric ? "a number with many values" : "free text (many different answers)"))
            }
            if distinct >= 3 && distinct == profile.filled && !profile.numeric { return .failure("free text (every answer different)") }
            if distinct >= 2 && profile.filled >= 2 * distinct { return .success(categories) }
            if distinct >= 2 && distinct * 2 > profile.filled && distinct >= 5 { return .failure("free text (mostly different answers)") }
            if distinct < 2 { return .failure("one answer only") }
            return .success(categories)
        }
        func demographic(_ column: ExportColumn, _ values: [String], categories fixed: [String]? = nil) {
            demographics.append(Demographic(column: column.name, label: column.question == column.name ? nil : column.question, categories: fixed))
            // Numeric codes show in numeric order, as the report tabulates them.
            demographicValues[column.name] = values.numericOrder.map { $0.map { values[$0] } } ?? values
        }
        for (i, column) in columns.enumerated() where !usedSet.contains(i) {
            let profile = profiles[i]
            switch kinds[i] {
            case .metadata(let why):
                leftOut.append(LeftOutColumn(column: column.name, reason: why))
            case .leftOut(let why):
                leftOut.append(LeftOutColumn(column: column.name, reason: why))
            case .likert, .ambiguous:
                if let a = ambiguousAt[column.name] {
                    // An order wai cannot tell: tabulated as a demographic, unless it was asked for as an item.
                    guard !ambiguous[a].asked else { continue }
                    switch categories(i) {
                    case .success(let values):
                        let sorted = codeOrder(values)
                        demographic(column, values, categories: sorted)
                        ambiguous[a].tabulated = describeCategories(sorted ?? values)
                    case .failure(let reason):
                        let distinct = Set(profile.values.filter { !isMissingCode($0, scale: nil) }.map(Vocabulary.key)).count
                        let detail = distinct > maxCategories ? "its \(distinct) different answers are too many for a demographic" : "it is no demographic either: \(reason.text)"
                        leftOut.append(LeftOutColumn(column: column.name, reason: "it \(ambiguous[a].why), and \(detail); give a spec or --codebook to analyse it as an item"))
                    }
                } else if !otherScales.values.contains(where: { $0.contains(column.name) }) {
                    leftOut.append(LeftOutColumn(column: column.name, reason: "not on the survey's scale"))
                }
            case .other:
                if i == layout.idColumn {
                    leftOut.append(LeftOutColumn(column: column.name, reason: "respondent id"))
                    continue
                }
                if let evidence = weightEvidence(column.name, profile) {
                    if weightCandidate == nil {
                        weightCandidate = WeightCandidate(column: column.name, evidence: evidence)
                    } else {
                        leftOut.append(LeftOutColumn(column: column.name, reason: "looks like a survey weight too (\(evidence)); \(Quoted(weightCandidate!.column)) is the one proposed"))
                    }
                    continue
                }
                switch categories(i) {
                case .success(let values): demographic(column, values)
                case .failure(let reason): leftOut.append(LeftOutColumn(column: column.name, reason: reason.text))
                }
            }
        }
        func missingMarkers(_ seen: [String: Int], levels: [Level]) -> [String] {
            var missing: [String] = [""]
            var missingKeys: Set<String> = [""]
            let levelKeys = Set(levels.flatMap { [normalizedAnswer($0.label), String($0.code)] + $0.aliases.map(normalizedAnswer) })
            for (text, _) in seen.sorted(by: { ($0.value, $1.key) > ($1.value, $0.key) })
            where !levelKeys.contains(normalizedAnswer(text)) && missingKeys.insert(normalizedAnswer(text)).inserted {
                missing.append(text)
            }
            return missing
        }
        let missing = missingMarkers(missingSeen, levels: levels)
        // Scale names: the vocabulary's name as an identifier ("frequency_5-point"), unique.
        var scaleNames: [String] = []
        for v in vocabularies {
            let base = v.specName ?? identifier(v.name, maxLength: 32) ?? "scale\(scaleNames.count + 1)"
            var name = base == Scale.defaultName ? "scale\(scaleNames.count + 1)" : base
            var suffix = 2
            while scaleNames.contains(name) {
                name = "\(base)_\(suffix)"
                suffix += 1
            }
            scaleNames.append(name)
        }
        let scales = vocabularies.count == 1 ? [] : vocabularies.indices.map { s in
            Scale(levels: levelsOf[s], weighting: .normalized, missing: s == 0 ? missing : missingMarkers(missingOf[s], levels: levelsOf[s]), name: scaleNames[s])
        }

        // 7. Tables.
        var tables: [ItemTable] = []
        var tableIDs: Set<String> = []
        var itemIDs: Set<String> = []
        for (g, entry) in used.enumerated() {
            let group = entry.group
            let items = group.columns.map { i -> Item in
                let column = columns[i]
                var id = identifier(column.name, maxLength: 24) ?? column.sub.flatMap { shortIdentifier($0) } ?? shortIdentifier(column.name) ?? "q\(i + 1)"
                if !itemIDs.insert(id).inserted {
                    id = "q\(i + 1)"
                    itemIDs.insert(id)
                }
                let text = group.stemText != nil && group.columns.count > 1 ? column.itemText : column.question
                return Item(id: id, column: column.name, text: text)
            }
            // A table's id: its stem's (lowercased when wai read the stem off the file), made unique.
            let stemID = group.stem.flatMap { identifier($0, maxLength: 24) ?? shortIdentifier($0) }.map { group.stemInferred ? $0.lowercased() : $0 }
            var id = stemID ?? "t\(g + 1)"
            var suffix = 2
            while !tableIDs.insert(id).inserted {
                id = "\(stemID ?? "t\(g + 1)")_\(suffix)"
                suffix += 1
            }
            let questions = group.columns.map { columns[$0].question }
            let worded = group.columns.allSatisfy { columns[$0].question != columns[$0].name }
            let title: String
            if let stemText = group.stemText, group.columns.count > 1 {
                title = stemText
            } else if group.columns.count == 1 {
                title = questions[0]
            } else if let shared = commonWords(questions), shared.count >= 8 {
                title = shared
            } else if worded {
                title = listTitle(questions)
            } else if group.stemInferred {
                title = "\(columns[group.columns.first!].name)–\(columns[group.columns.last!].name)"
            } else {
                let kind = entry.vocabulary.name.prefix(1).uppercased() + entry.vocabulary.name.dropFirst()
                title = "\(kind): \(items.count) questions"
            }
            let s = vocabularies.firstIndex(of: entry.vocabulary)!
            tables.append(ItemTable(id: id, title: title, composite: items.count > 1, scale: s == 0 || scales.isEmpty ? nil : scaleNames[s], items: items))
        }

        var spec = SurveySpec(
            title: title ?? ((name as NSString).lastPathComponent as NSString).deletingPathExtension,
            data: (name as NSString).lastPathComponent,
            // A plain file's id column is not assumed: duplicate ids are found by keeping every id.
            id: layout.source == .plain ? nil : layout.idColumn.map { columns[$0].name }, weight: nil,
            scale: scales.first ?? Scale(levels: levels, weighting: .normalized, missing: missing), scales: scales,
            demographics: demographics, tables: tables)
        spec.sheet = layout.sheet
        spec.source = layout.origin == nil ? layout.source : nil   // a converted SPSS/Stata file is recognised by itself
        spec.encoding = layout.encoding == .utf8 ? nil : layout.encoding

        // 8. What was assumed.
        var assumptions: [String] = []
        assumptions.append("read \(name): \(layout.summary); \(rows) response\(rows == 1 ? "" : "s")")
        if !skippedLines.isEmpty {
            let shown = skippedLines.prefix(10).map(String.init).joined(separator: ", ") + (skippedLines.count > 10 ? ", …" : "")
            assumptions.append("--lenient: \(skippedLines.count) malformed line\(skippedLines.count == 1 ? "" : "s") left out of the inference (line\(skippedLines.count == 1 ? "" : "s") \(shown))")
        }
        for (s, vocabulary) in vocabularies.enumerated() {
            let scaleTables = tables.filter { spec.scale(of: $0.items[0]).name == (scales.isEmpty ? Scale.defaultName : scaleNames[s]) }
            let itemCount = scaleTables.reduce(0) { $0 + $1.items.count }
            let levels = levelsOf[s]
            let named = scales.isEmpty ? "" : " (named \(scaleNames[s])\(s == 0 ? ", the default" : ""))"
            assumptions.append("scale: \(vocabulary.name)\(named), lowest first: \(levels.map { Quoted($0.label).description }.joined(separator: " < ")) (\(itemCount) item\(itemCount == 1 ? "" : "s") in \(scaleTables.count) table\(scaleTables.count == 1 ? "" : "s")); weighting normalized: level i of \(levels.count) weighs (i−1)/\(levels.count - 1)")
            if let start = vocabulary.numericStart {
                assumptions.append("scale\(scales.isEmpty ? "" : " \(scaleNames[s])"): \(start)–\(start + vocabulary.levelCount - 1) from the observed codes; the instrument may have more levels")
            }
            if !unseenOf[s].isEmpty { assumptions.append("levels nobody chose, kept from the scale\(scales.isEmpty ? "" : " \(scaleNames[s])"): \(unseenOf[s].joined(separator: ", "))") }
            let markers = scales.isEmpty ? missing : scales[s].missing
            assumptions.append("missing\(scales.isEmpty ? "" : " on \(scaleNames[s])") (never scored): \(markers.map { Quoted($0).description }.joined(separator: ", "))")
        }
        assumptions.append("demographics: \(demographics.isEmpty ? "none" : demographics.map { Quoted($0.column).description }.joined(separator: ", ")); weight: none (every response weighs 1)\(weightCandidate.map { "; \(Quoted($0.column)) looks like one (\($0.evidence)) and is not applied without a spec" } ?? "")")
        let notMetadata = leftOut.filter { !$0.reason.hasSuffix("metadata") }
        if !notMetadata.isEmpty {
            assumptions.append("left out, not Likert: \(notMetadata.map { "\(Quoted($0.column)) (\($0.reason))" }.joined(separator: ", "))")
        }
        let metadata = leftOut.filter { $0.reason.hasSuffix("metadata") }
        if !metadata.isEmpty { assumptions.append("platform metadata: \(metadata.map { Quoted($0.column).description }.joined(separator: ", "))") }

        var inferred = InferredSurvey(
            spec: spec, layout: layout, vocabulary: scale, rows: rows, assumptions: assumptions, leftOut: leftOut,
            ambiguous: ambiguous, otherScales: otherOrder.map { ($0, otherScales[$0]!) }, demographicValues: demographicValues)
        inferred.weightCandidate = weightCandidate
        inferred.malformedLines = skippedLines
        return inferred
    }

    // MARK: - Classification

    static func classify(_ column: ExportColumn, _ profile: Profile, codebook: Codebook?, rows: Int, isID: Bool, layout: ExportLayout) -> Kind {
        switch column.role {
        case .metadata: return .metadata(column.reason ?? "metadata")
        case .freeText: return .leftOut(column.reason ?? "free text")
        case .multiSelect: return .leftOut(column.reason ?? "multi-select")
        case .answer: break
        }
        if isID { return .other }
        if profile.filled == 0 { return .other }
        if profile.overflow { return .other }
        let values = profile.values
        let substantive = values.filter { !isMissing($0) }
        let keys = Set(substantive.map(Vocabulary.key))

        if let codebook, let entry = codebook.entry(for: column) {
            let vocabulary = codebook.vocabulary(entry)
            let index = vocabulary.index
            let unknown = substantive.filter { index[Vocabulary.key($0)] == nil && !isMissingCode($0, scale: nil) && !vocabulary.missingCodes.contains($0) }
            if unknown.isEmpty { return keys.isEmpty ? .other : .likert([vocabulary]) }
            if entry.question != "*" {
                return .ambiguous(problem: "answers not in \(codebook.name) for \(Quoted(entry.question)): \(unknown.prefix(5).map { Quoted($0).description }.joined(separator: ", "))",
                                  why: "has answers not in its codebook entry", asked: true)
            }
        }

        // Multi-select: choices joined by commas or semicolons.
        let joined = substantive.filter { $0.contains(",") || $0.contains(";") }
        if !joined.isEmpty {
            let parts = joined.flatMap { $0.split(whereSeparator: { $0 == "," || $0 == ";" }).map { Vocabulary.key(String($0)) } }
            let alone = Set(substantive.map(Vocabulary.key))
            if joined.count >= 2 || parts.contains(where: alone.contains) {
                return .leftOut("multi-select (choices joined by commas)")
            }
        }
        // One option of a multi-select as its own column: the option's text or nothing, or 0/1.
        if keys.count == 1, let sub = column.sub, keys.contains(Vocabulary.key(sub)) {
            return .leftOut("multi-select option (\(Quoted(sub)) or blank)")
        }
        if keys == ["y"], column.sub != nil, layout.source == .limesurvey {
            return .leftOut("multi-select option (Y or blank)")
        }

        // Integers, but for a rare typo (which the reader then reports where it is).
        let cells = { (values: [String]) in values.reduce(0) { $0 + profile.counts[$1]! } }
        let integerCells = cells(substantive.filter { Int($0) != nil })
        let otherCells = cells(substantive.filter { Int($0) == nil })
        if integerCells > 0 && (otherCells == 0 || (otherCells <= max(2, integerCells / 100) && otherCells * 20 <= integerCells)) {
            if looksLikeWeight(column.name) { return .other }
            let codes = substantive.compactMap { Int($0) }
            let distinct = Set(scaleCodes(codes))
            guard let low = distinct.min(), let high = distinct.max() else { return .other }
            if distinct.isSubset(of: [0, 1]) {
                if column.sub != nil || column.name.contains("/") { return .leftOut("multi-select option (0/1)") }
                return .other
            }
            if distinct.count < 3 || looksDemographic(column) { return .other }
            let start = min(low, 1)
            if high - start > 10 { return .other }
            if distinct.count == profile.filled && profile.filled >= 5 { return .other }
            return .likert([.numeric(from: start, to: high)])
        }

        if keys.isEmpty { return .other }
        let candidates = Vocabulary.known.filter { vocabulary in
            let index = vocabulary.index
            return keys.allSatisfy { index[$0] != nil }
        }
        if !candidates.isEmpty { return .likert(candidates) }
        // One scale's answers but for a rare typo: the reader reports the typo where it is.
        let near = Vocabulary.known.filter { vocabulary in
            let index = vocabulary.index
            let covered = substantive.filter { index[Vocabulary.key($0)] != nil }
            let coveredCells = cells(covered), uncoveredCells = cells(substantive) - coveredCells
            return Set(covered.map(Vocabulary.key)).count >= 2 && uncoveredCells <= max(2, coveredCells / 100) && uncoveredCells * 20 <= coveredCells
        }
        if !near.isEmpty { return .likert(near) }

        // Answer codes (A1, A2, …) without the labels that order them.
        let coded = keys.allSatisfy { key in
            let scalars = Array(key.unicodeScalars)
            let letters = scalars.prefix { $0.properties.isAlphabetic && $0.isASCII }.count
            return letters >= 1 && letters <= 3 && scalars.count > letters && scalars.dropFirst(letters).allSatisfy { ("0"..."9").contains($0) }
        }
        if coded && keys.count >= 2 && (layout.source == .limesurvey || keys.count >= 3) {
            return .ambiguous(problem: "its answers are codes (\(substantive.prefix(5).map { Quoted($0).description }.joined(separator: ", "))) whose labels and order are not in the file; give --codebook FILE (question,code,label in scale order)",
                              why: "is not on a known scale", asked: false)
        }
        var matched: [String: [String]] = [:]
        for vocabulary in Vocabulary.known {
            let index = vocabulary.index
            for key in keys where index[key] != nil { matched[key, default: []].append(vocabulary.name) }
        }
        if matched.count >= 2 {
            let unknown = substantive.filter { matched[Vocabulary.key($0)] == nil }
            if unknown.isEmpty {
                return .ambiguous(problem: "its answers mix the wordings of different scales", why: "mixes the wordings of different scales", asked: false)
            }
            return .ambiguous(problem: "\(unknown.prefix(5).map { Quoted($0).description }.joined(separator: ", ")) \(unknown.count == 1 ? "is" : "are") not in any known scale with the others",
                              why: "is not on a known scale", asked: false)
        }
        return .other
    }

    /// The vocabularies both lists allow. Numeric codes join to the range of both within a grid
    /// (one question's rows), and only when equal between separate questions.
    static func join(_ a: [Vocabulary], _ b: [Vocabulary], grid: Bool) -> [Vocabulary]? {
        if a.count == 1, b.count == 1, let sa = a[0].numericStart, let sb = b[0].numericStart {
            if !grid { return a[0] == b[0] ? a : nil }
            return [.numeric(from: min(sa, sb), to: max(sa + a[0].levelCount, sb + b[0].levelCount) - 1)]
        }
        let common = a.filter(b.contains)
        return common.isEmpty ? nil : common
    }

    /// A column's integer answers without its missing codes: negative ones, and 77, 88, 97–99, …
    /// above the others (a "99 = no answer" beside 1–5; not a 99 within 0–100).
    static func scaleCodes(_ codes: [Int]) -> [Int] {
        let kept = codes.filter { $0 >= 0 }
        let ordinary = kept.filter { !Vocabulary.missingCodes.contains($0) }
        guard let top = ordinary.max() else { return [] }
        return kept.filter { !Vocabulary.missingCodes.contains($0) || $0 <= top + 1 }
    }

    static func isMissing(_ value: String) -> Bool {
        Vocabulary.nonSubstantive.contains(Vocabulary.key(value)) || isMissingCode(value, scale: nil)
    }

    /// A negative number, or a platform code such as 99 (these never fall inside the scales wai infers).
    static func isMissingCode(_ value: String, scale: Vocabulary?) -> Bool {
        guard let n = Int(value.trimmingCharacters(in: " \t")) else { return false }
        return n < 0 || Vocabulary.missingCodes.contains(n)
    }

    /// Numbers coding who the respondent is (an age group 1–3 looks like a short scale otherwise).
    static func looksDemographic(_ column: ExportColumn) -> Bool {
        let text = (column.name + " " + column.question).lowercased()
        let words = text.split { !($0.isLetter || $0.isNumber) }.map(String.init)
        let keys: Set<String> = ["age", "gender", "sex", "education", "income", "region", "province", "district", "occupation",
                                 "job", "marital", "religion", "ethnicity", "household", "employment", "country", "language", "year", "born"]
        let khmer = ["ភេទ", "អាយុ", "ខេត្ត", "មុខរបរ", "ការអប់រំ", "ចំណូល", "ស្រុក"]
        return words.contains(where: keys.contains) || khmer.contains(where: text.contains)
    }

    static func looksLikeWeight(_ name: String) -> Bool {
        let lower = name.lowercased()
        let tokens = lower.split { !($0.isLetter || $0.isNumber) }.map(String.init)
        let words: Set<String> = ["weight", "weights", "wt", "wgt", "wght", "w8", "pweight", "weighting", "poids", "peso", "gewicht"]
        return lower == "w" || tokens.contains(where: words.contains) || lower.hasSuffix("weight") || lower.hasPrefix("weight") || lower.hasSuffix("_wt")
    }

    /// Why a column looks like a survey weight: named like one (`w`, `wt`, `weight`, `pweight`,
    /// `*_weight`, …), positive numbers, and not only a few whole numbers (codes 1–3 are no weight).
    static func weightEvidence(_ name: String, _ profile: Profile) -> String? {
        guard looksLikeWeight(name), profile.numeric, profile.filled > 0, profile.minimum > 0,
              !profile.integer || profile.overflow || profile.counts.count > maxCategories else { return nil }
        return "positive numbers, named \(name)"
    }

    /// The whole words the questions begin with ("How much do you trust"), when they share some.
    static func commonWords(_ questions: [String]) -> String? {
        let split = questions.map { $0.split(separator: " ", omittingEmptySubsequences: true) }
        guard let first = split.first else { return nil }
        var shared = 0
        while shared < first.count, split.allSatisfy({ $0.count > shared && $0[shared] == first[shared] }) { shared += 1 }
        let joining: Set<String> = ["the", "a", "an", "of", "in", "with", "about", "for", "to", "your", "our", "-", "–", ":"]
        while shared > 0, joining.contains(first[shared - 1].lowercased()) { shared -= 1 }
        guard shared > 0, split.contains(where: { $0.count > shared }) else { return nil }
        return first.prefix(shared).joined(separator: " ")
    }

    /// Why a column is no demographic ("one answer only").
    struct LeftOutReason: Error, ExpressibleByStringLiteral {
        var text: String
        init(_ text: String) { self.text = text }
        init(stringLiteral text: String) { self.text = text }
    }

    /// Categories in the order of their numbers when they are numbers (2, 10) or codes of one
    /// prefix (E1 … E5); nil otherwise (most frequent first, as any demographic).
    static func codeOrder(_ values: [String]) -> [String]? {
        guard Set(values.map(normalizedAnswer)).count == values.count else { return nil }
        let numbers = values.compactMap { Double($0) }
        if numbers.count == values.count {
            return zip(values, numbers).sorted { $0.1 < $1.1 }.map(\.0)
        }
        let split = values.map { value -> (prefix: String, number: Int)? in
            let letters = value.prefix { $0.isLetter }
            guard !letters.isEmpty, let number = Int(value.dropFirst(letters.count)) else { return nil }
            return (String(letters).lowercased(), number)
        }
        guard split.allSatisfy({ $0 != nil }), Set(split.map { $0!.prefix }).count == 1 else { return nil }
        return zip(values, split).sorted { $0.1!.number < $1.1!.number }.map(\.0)
    }

    /// Categories in a few words: "E1–E5" for a run of codes, else the first five and "…".
    static func describeCategories(_ values: [String]) -> String {
        if let ordered = codeOrder(values), ordered.count >= 3 {
            let numbers = ordered.map { Int($0.drop { !$0.isNumber && $0 != "-" }) }
            if numbers.allSatisfy({ $0 != nil }), zip(numbers.dropFirst(), numbers).allSatisfy({ $0! == $1! + 1 }) {
                return "\(ordered.first!)–\(ordered.last!)"
            }
        }
        return values.prefix(5).joined(separator: ", ") + (values.count > 5 ? ", …" : "")
    }

    /// Questions that share no wording, as a title: listed while short ("The staff listened to me;
    /// I was seen on time"), else the first ones and how many there are.
    static func listTitle(_ questions: [String]) -> String {
        let all = questions.joined(separator: "; ")
        if all.count <= 80 { return all }
        var shown: [String] = []
        for question in questions {
            guard (shown + [question]).joined(separator: "; ").count <= 60 else { break }
            shown.append(question)
        }
        return (shown.isEmpty ? String(questions[0].prefix(60)) + "…" : shown.joined(separator: "; ")) + "; … (\(questions.count) questions)"
    }

    /// A long wording as an id: its words up to 24 characters ("How_much_do_you_trust").
    static func shortIdentifier(_ text: String) -> String? {
        guard let full = identifier(text, maxLength: Int.max) else { return nil }
        var out = ""
        for word in full.split(separator: "_") where out.count + word.count + (out.isEmpty ? 0 : 1) <= 24 {
            out += (out.isEmpty ? "" : "_") + word
        }
        return out.isEmpty ? nil : identifier(out, maxLength: 24)
    }

    /// `text` as an id ([A-Za-z0-9_-]), when it is short and says something.
    static func identifier(_ text: String, maxLength: Int) -> String? {
        var out = ""
        var lastUnderscore = false
        for scalar in text.unicodeScalars {
            if scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "-") {
                out.unicodeScalars.append(scalar)
                lastUnderscore = false
            } else if !lastUnderscore && !out.isEmpty {
                out += "_"
                lastUnderscore = true
            }
        }
        while out.hasSuffix("_") { out.removeLast() }
        guard !out.isEmpty, out.count <= maxLength, out.unicodeScalars.contains(where: { $0.properties.isAlphabetic }) else { return nil }
        return out
    }

    static func describe(_ kind: Kind, _ profile: Profile) -> String {
        switch kind {
        case .metadata(let why), .leftOut(let why): return why
        case .likert(let candidates): return candidates.first.map(\.name) ?? "scale"
        case .ambiguous: return "answers in an unknown order"
        case .other:
            if profile.filled == 0 { return "empty" }
            let shown = profile.values.prefix(3).joined(separator: ", ")
            return "answers \(shown)\(profile.values.count > 3 || profile.overflow ? ", …" : "")"
        }
    }
}
