import Foundation
import WAIAggregate
import WAIEstimate
import WAIModel
import WAIRead

/// A counts table — `item,level,group_column,group,count[,weight_sum[,weight_sq_sum]]`, as a SQL
/// `GROUP BY` in DuckDB or Spark produces it — read into partial statistics (Surveys/COUNTS.md).
///
/// - `item`: an item id of the spec, or the CSV column it is read from;
/// - `level`: any answer the spec accepts for a level (code, label or alias); empty or a
///   missing marker means the respondents who did not answer the item;
/// - `group_column`, `group`: empty both for the overall rows; otherwise a demographic column of
///   the spec and one of its categories (empty or a missing marker: those who did not answer it);
/// - `count`: respondents; `weight_sum`: their Σw (required when the spec names a weight column,
///   refused otherwise); `weight_sq_sum`: their Σw².
///
/// Rows with the same key add up. Every item must account for the same respondents in every
/// group (include the unanswered rows), and every demographic's groups must add up to the
/// overall rows. A counts table has no per-respondent rows, so the composite's standard error,
/// reliability and the bootstrap are not available; with weights but without `weight_sq_sum`,
/// neither are standard errors, intervals and Kish's effective n.
public enum CountsTable {
    static let required = ["item", "level", "group_column", "group", "count"]
    static let optional = ["weight_sum", "weight_sq_sum"]
    /// The columns `wai sql` adds (format `wai.counts/2`, see `SQLQuery`).
    static let extended = ["kind", "item2", "table", "sum1", "sum2", "sum12"]

    /// Reads the counts table at `path` as partial statistics of `spec` (`displayName` and
    /// `specName` locate messages); every problem is an `InputError` at counts.csv:line:column.
    public static func read(path: String, spec: SurveySpec, displayName: String? = nil, specName: String = "the spec") throws -> PartialStatistics {
        let name = displayName ?? path
        if path.lowercased().hasSuffix(".parquet") {
            // No Parquet reader ships with wai (none is available without a heavy dependency).
            throw InputError(
                "cannot read a Parquet counts table", at: SourceLocation(file: name), found: "a .parquet file",
                expected: "CSV: convert it, in DuckDB `COPY (FROM '\(path)') TO 'counts.csv' (HEADER)` (Surveys/COUNTS.md)")
        }
        if spec.population != nil {
            throw InputError(
                "cannot weight a counts table to population shares", at: SourceLocation(file: specName, keyPath: "population"),
                expected: "a spec without `population:` (raking needs every respondent's row)")
        }
        if spec.design != nil {
            throw InputError(
                "a counts table carries no sampling design: its strata and PSUs are summed away", at: SourceLocation(file: specName, keyPath: "design"),
                found: "design: with \(spec.design!.described)",
                expected: "a spec without `design:` (design-based SEs need each row's stratum and PSU: run `wai analyze` on the responses)")
        }
        var csv = try CSVReader(path: path, name: name)
        var header: CSVRecord?
        repeat { header = try csv.next() } while header?.isBlank == true
        guard let header else {
            throw InputError("empty file", at: SourceLocation(file: name, line: 1, column: 1), expected: "a header row: \((required + optional).joined(separator: ","))")
        }
        var position: [String: Int] = [:]
        for field in header.fields {
            let key = normalizedAnswer(field.value)
            guard (required + optional + extended).contains(key) else {
                throw InputError("unknown column in a counts table", at: SourceLocation(file: name, line: field.line, column: field.column),
                                 found: field.value, expected: "the columns \((required + optional).joined(separator: ", "))",
                                 suggestion: nearestMatch(to: key, in: required + optional))
            }
            guard position[key] == nil else {
                throw InputError("duplicate column", at: SourceLocation(file: name, line: field.line, column: field.column), found: field.value, expected: "each column once")
            }
            position[key] = position.count
        }
        if let missing = required.first(where: { position[$0] == nil }) {
            throw InputError("missing column \(Quoted(missing))", at: SourceLocation(file: name, line: header.line, column: 1),
                             expected: "the columns \(required.joined(separator: ",")) (and optionally \(optional.joined(separator: ",")))")
        }
        let weighted = spec.weight != nil
        // A `kind` column marks the format `wai sql` writes: row kinds beyond the level counts.
        let extendedFormat = position["kind"] != nil
        if extendedFormat, let missing = (required + optional + extended).first(where: { position[$0] == nil }) {
            throw InputError("missing column \(Quoted(missing)) in a \(SQLQuery.format) counts table", at: SourceLocation(file: name, line: header.line, column: 1),
                             expected: "the columns \((required + optional + extended).joined(separator: ",")), as `wai sql` writes them")
        }
        if weighted, position["weight_sum"] == nil {
            throw InputError("the spec weights respondents by \(Quoted(spec.weight!)), but the counts table has no weight_sum column",
                             at: SourceLocation(file: name, line: header.line, column: 1), expected: "a weight_sum column: SUM(weight) per row of the GROUP BY")
        }
        if !weighted, !extendedFormat, let extra = optional.first(where: { position[$0] != nil }) {
            throw InputError("the counts table has a \(extra) column, but the spec names no weight column",
                             at: SourceLocation(file: name, line: header.line, column: 1), expected: "`weight:` in the spec, or no weight columns")
        }
        let haveSquares = !weighted || position["weight_sq_sum"] != nil

        let items = PartialStatistics.items(of: spec)
        var itemNumber: [String: Int] = [:]
        for (i, item) in items.enumerated().reversed() { itemNumber[item.column] = i }
        for (i, item) in items.enumerated() { itemNumber[item.id] = i }
        let coder = AnswerCoder(scale: spec.scale)
        // Levels are read on each item's own scale; the statistics hold the most levels of any.
        var coders: [String: AnswerCoder] = [spec.scale.name: coder]
        for scale in spec.usedScales where coders[scale.name] == nil { coders[scale.name] = AnswerCoder(scale: scale) }
        let itemCoders = items.map { coders[spec.scale(of: $0).name]! }
        let k = spec.levelCount
        let demographicNumber = Dictionary(spec.demographics.enumerated().map { ($1.column, $0) }, uniquingKeysWith: { a, _ in a })
        var categories = spec.demographics.map { $0.categories ?? [] }
        var lookup = categories.map { names in Dictionary(names.enumerated().map { (normalizedAnswer($1), $0) }, uniquingKeysWith: { a, _ in a }) }

        let plan = extendedFormat ? Analyzer.plan(spec: spec, items: items, inference: InferenceOptions()) : .countsOnly
        var statistics = SufficientStatistics(itemCount: items.count, levelCount: k, demographicCount: spec.demographics.count, plan: plan)
        let p = items.count
        var pairwise: [CellKey: [Double]] = [:]
        var pairsSeen: [CellKey: Set<Int>] = [:]
        var reliabilitySeen: [Int: Set<Int>] = [:]
        var sawFormat = false
        // Per cell (nil: overall; (d, g): group g of demographic d) and item: respondents, Σw, Σw², counting the unanswered too.
        struct CellKey: Hashable { var d: Int, g: Int }
        let tableNumber = Dictionary(spec.tables.compactMap { table -> (String, Int)? in
            let members = table.items.map { itemNumber[$0.id]! }
            return plan.reliabilityTables.firstIndex(of: members).map { (table.id, $0) }
        }, uniquingKeysWith: { a, _ in a })
        var totals: [CellKey: [(rows: Double, weight: Double, squares: Double)]] = [:]
        var seenDemographic = Set<Int>()
        var sawOverall = false

        while let record = try csv.next() {
            if record.isBlank { continue }
            guard record.fields.count == position.count else {
                let last = record.fields.last!
                throw InputError("ragged row: \(record.fields.count) fields where the header has \(position.count)",
                                 at: SourceLocation(file: name, line: last.line, column: last.column), expected: "\(position.count) fields")
            }
            func field(_ key: String) -> CSVField? { position[key].map { record.fields[$0] } }
            func location(_ f: CSVField) -> SourceLocation { SourceLocation(file: name, line: f.line, column: f.column) }
            // Cross-products of reverse-keyed or negative scores may be negative.
            func signed(_ key: String) throws -> Double {
                let f = field(key)!
                guard let x = Double(f.value.trimmingCharacters(in: .whitespaces)), x.isFinite else {
                    throw InputError("invalid \(key)", at: location(f), found: f.value, expected: "a number")
                }
                return x
            }
            func number(_ key: String, integral: Bool) throws -> Double? {
                guard let f = field(key) else { return nil }
                guard let x = Double(f.value.trimmingCharacters(in: .whitespaces)), x.isFinite, x >= 0, !integral || x == x.rounded() else {
                    throw InputError("invalid \(key)", at: location(f), found: f.value, expected: integral ? "a whole number, 0 or more" : "a number, 0 or more")
                }
                return x
            }
            let kind = field("kind")?.value ?? "level"
            switch kind {
            case "level", "pair", "alpha": break
            case "format":
                let f = field("level")!
                guard f.value == SQLQuery.format else {
                    throw InputError("unsupported counts format", at: location(f), found: f.value, expected: "\(SQLQuery.format) (regenerate the query with this wai's `wai sql`)")
                }
                sawFormat = true
                continue
            case "spec":
                let f = field("level")!, digest = try PartialStatistics.specDigest(spec)
                guard f.value == digest else {
                    throw InputError("these counts were computed from another spec", at: location(f), found: f.value,
                                     expected: "\(digest), the digest of \(specName) (run the query `wai sql` prints for this spec)")
                }
                continue
            case "unknown":
                let itemField = field("item")!, f = field("level")!
                let i = itemNumber[itemField.value]
                let n = try number("count", integral: true) ?? 0
                var error = i.map { itemCoders[$0].unknownAnswerError(f.value, column: items[$0].column, item: items[$0].id, at: location(f)) }
                    ?? InputError("unknown answer", at: location(f), found: f.value, expected: "an answer of the item's scale")
                error.problem += " in \(Int(n)) row\(n == 1 ? "" : "s") of the data"
                throw error
            case "invalid_weight":
                let f = field("level")!
                let n = try number("count", integral: true) ?? 0
                throw InputError("invalid survey weight in column \(Quoted(spec.weight ?? field("item")!.value)) in \(Int(n)) row\(n == 1 ? "" : "s") of the data",
                                 at: location(f), found: f.value, expected: "a plain non-negative decimal number such as 1.25 (no hex, inf or nan, not empty)")
            default:
                let f = field("kind")!
                throw InputError("unknown row kind", at: location(f), found: f.value, expected: "level, pair, alpha, unknown, invalid_weight, format or spec")
            }
            let itemField = field("item")!
            guard let i = itemNumber[itemField.value] else {
                throw InputError("unknown item", at: location(itemField), found: itemField.value,
                                 expected: "an item id or column of the spec", suggestion: nearestMatch(to: itemField.value, in: items.map(\.id) + items.map(\.column)))
            }
            let levelField = field("level")!
            let level: Int
            if kind != "level" {
                level = 0
            } else if levelField.value.isEmpty {
                level = 0
            } else if let code = itemCoders[i].code(levelField.value) {
                level = Int(code)
            } else {
                throw itemCoders[i].unknownAnswerError(levelField.value, column: "level", item: items[i].id, at: location(levelField))
            }
            let count = try number("count", integral: true)!
            let weight = try number("weight_sum", integral: false) ?? count
            let squares = haveSquares ? (try number("weight_sq_sum", integral: false) ?? count) : .nan

            let columnField = field("group_column")!, groupField = field("group")!
            let key: CellKey
            if columnField.value.isEmpty {
                guard groupField.value.isEmpty else {
                    throw InputError("a group without its group_column", at: location(groupField), found: groupField.value,
                                     expected: "group_column naming the demographic, or both empty for the overall rows")
                }
                key = CellKey(d: -1, g: 0)
                sawOverall = true
            } else {
                guard let d = demographicNumber[columnField.value] else {
                    throw InputError("unknown group_column", at: location(columnField), found: columnField.value,
                                     expected: spec.demographics.isEmpty ? "empty: the spec lists no demographics" : "a demographic column of the spec: \(spec.demographics.map(\.column).joined(separator: ", "))",
                                     suggestion: nearestMatch(to: columnField.value, in: spec.demographics.map(\.column)))
                }
                seenDemographic.insert(d)
                let g: Int
                if groupField.value.isEmpty || coder.isMissing(groupField.value) {
                    g = 0
                } else if let c = lookup[d][normalizedAnswer(groupField.value)] {
                    g = c + 1
                } else if spec.demographics[d].categories == nil {
                    lookup[d][normalizedAnswer(groupField.value)] = categories[d].count
                    categories[d].append(groupField.value.split(whereSeparator: \.isWhitespace).joined(separator: " "))
                    g = categories[d].count
                } else {
                    throw InputError("unknown category of \(Quoted(columnField.value))", at: location(groupField), found: groupField.value,
                                     expected: "one of \(categories[d].map { Quoted($0).description }.joined(separator: ", ")) (demographics[\(d)].categories), or empty",
                                     suggestion: nearestMatch(to: groupField.value, in: categories[d]))
                }
                statistics.ensure(demographic: d, categories: g)
                key = CellKey(d: d, g: g)
            }

            if kind == "alpha" || kind == "pair" {
                let otherField = field("item2")!
                guard let j = itemNumber[otherField.value], j >= i else {
                    throw InputError("invalid item2 of a \(kind) row", at: location(otherField), found: otherField.value,
                                     expected: "an item of the spec that comes at or after \(items[i].id)")
                }
                let sum1 = try signed("sum1"), sum2 = try signed("sum2")
                let sum12 = try signed("sum12")
                if kind == "pair" {
                    // Groups spelled differently in the data ("Male", "male") add up; the overall rows are one group.
                    guard pairsSeen[key, default: []].insert(i * p + j).inserted || key.d >= 0 else {
                        throw InputError("a pair counted twice", at: location(itemField), found: "\(items[i].id), \(items[j].id)", expected: "each pair once in the overall rows")
                    }
                    let width = 2 * p
                    var m = pairwise[key] ?? Array(repeating: 0, count: width * width)
                    m[i * width + j] += sum12
                    m[i * width + p + j] += sum1
                    if i != j { m[j * width + p + i] += sum2 }
                    m[(p + i) * width + p + j] += squares
                    pairwise[key] = m
                } else {
                    let tableField = field("table")!
                    guard key.d < 0, let t = tableNumber[tableField.value], let a = plan.reliabilityTables[t].firstIndex(of: i),
                          let b = plan.reliabilityTables[t].firstIndex(of: j) else {
                        throw InputError("invalid alpha row", at: location(tableField), found: "table \(tableField.value), items \(items[i].id), \(items[j].id)",
                                         expected: "overall rows of a table of the spec whose items share one scale, with two of its items")
                    }
                    guard reliabilitySeen[t, default: []].insert(a * p + b).inserted else {
                        throw InputError("an alpha pair counted twice", at: location(itemField), found: "\(items[i].id), \(items[j].id)", expected: "each pair once per table")
                    }
                    let width = plan.reliabilityTables[t].count + 1
                    statistics.reliability[t].rows = count
                    statistics.reliability[t].crossProducts[a * width + b] = sum12
                    statistics.reliability[t].crossProducts[a * width + width - 1] = sum1
                    statistics.reliability[t].crossProducts[b * width + width - 1] = sum2
                    statistics.reliability[t].crossProducts[width * width - 1] = weight
                }
                continue
            }
            var tally = totals[key] ?? Array(repeating: (0, 0, 0), count: items.count)
            tally[i].rows += count
            tally[i].weight += weight
            tally[i].squares += squares
            totals[key] = tally
            if level > 0 {
                let j = i * k + level - 1
                func add(_ cell: inout CellStatistics) {
                    cell.counts[j] += count
                    cell.weighted[j] += weight
                    cell.weightedSquared[j] += squares
                }
                if key.d < 0 { add(&statistics.overall) } else { add(&statistics.byDemographic[key.d][key.g]) }
            }
        }

        if extendedFormat {
            guard sawFormat else {
                throw InputError("a \(SQLQuery.format) counts table without its format row", at: SourceLocation(file: name),
                                 expected: "a row of kind format with level \(SQLQuery.format), as `wai sql` writes it")
            }
            let allPairs = p * (p + 1) / 2
            for key in totals.keys where plan.pairwise && pairsSeen[key, default: []].count != allPairs {
                let where_ = key.d < 0 ? "overall" : "group \(Quoted(key.g == 0 ? "(no answer)" : categories[key.d][key.g - 1])) of \(spec.demographics[key.d].column)"
                throw InputError("pair rows missing (\(where_))", at: SourceLocation(file: name),
                                 found: "\(pairsSeen[key, default: []].count) item pairs", expected: "\(allPairs): every pair of items, each with itself, as `wai sql` writes them")
            }
            for (t, members) in plan.reliabilityTables.enumerated() where reliabilitySeen[t, default: []].count != members.count * (members.count + 1) / 2 {
                throw InputError("alpha rows missing", at: SourceLocation(file: name), found: "\(reliabilitySeen[t, default: []].count) pairs of the items \(members.map { items[$0].id }.joined(separator: ", "))",
                                 expected: "\(members.count * (members.count + 1) / 2)")
            }
            for (key, m) in pairwise {
                if key.d < 0 { statistics.overall.pairwise = m } else { statistics.byDemographic[key.d][key.g].pairwise = m }
            }
        }
        guard sawOverall else {
            throw InputError("the counts table has no overall rows", at: SourceLocation(file: name),
                             expected: "rows with empty group_column and group: the counts over every respondent")
        }
        if let d = spec.demographics.indices.first(where: { !seenDemographic.contains($0) }) {
            throw InputError("the counts table has no rows for demographic \(Quoted(spec.demographics[d].column))", at: SourceLocation(file: name),
                             expected: "rows with group_column \(spec.demographics[d].column) (one GROUP BY per demographic), or the demographic removed from the spec")
        }
        for (key, tally) in totals {
            let where_ = key.d < 0 ? "overall" : "group \(Quoted(key.g == 0 ? "(no answer)" : categories[key.d][key.g - 1])) of \(spec.demographics[key.d].column)"
            if let i = tally.indices.first(where: { tally[$0].rows != tally[0].rows }) {
                throw InputError(
                    "items account for different numbers of respondents (\(where_))", at: SourceLocation(file: name),
                    found: "\(items[0].id): \(Int(tally[0].rows)), \(items[i].id): \(Int(tally[i].rows))",
                    expected: "every respondent counted once per item, the unanswered with an empty level (in DuckDB: UNPIVOT … INCLUDE NULLS)")
            }
            func fill(_ cell: inout CellStatistics) {
                cell.rows = tally[0].rows
                cell.weightSum = tally[0].weight
                cell.weightSquaredSum = tally[0].squares
            }
            if key.d < 0 { fill(&statistics.overall) } else { fill(&statistics.byDemographic[key.d][key.g]) }
        }
        for d in spec.demographics.indices {
            let sum = statistics.byDemographic[d].reduce(0) { $0 + $1.rows }
            guard sum == statistics.overall.rows else {
                throw InputError(
                    "the groups of \(Quoted(spec.demographics[d].column)) add up to \(Int(sum)) respondents, the overall rows to \(Int(statistics.overall.rows))",
                    at: SourceLocation(file: name), expected: "every respondent in exactly one group (those who did not answer with an empty group)")
            }
        }

        var quality = DataQuality()
        quality.rowsRead = Int(statistics.overall.rows)
        quality.rowsUsed = quality.rowsRead
        let digest = try Provenance.FileDigest(path: path, name: (name as NSString).lastPathComponent)
        return PartialStatistics(
            specSHA256: try PartialStatistics.specDigest(spec),
            shards: [.init(data: digest, rows: quality.rowsUsed, lenient: false, aggregation: "counts")],
            items: items.map(\.id), demographics: spec.demographics.map(\.column), categories: categories,
            quality: quality, statistics: statistics)
    }
}

extension AnswerCoder {
    /// A missing marker of the scale (an empty cell among them when the spec says so).
    func isMissing(_ cell: String) -> Bool { code(cell) == 0 }
}
