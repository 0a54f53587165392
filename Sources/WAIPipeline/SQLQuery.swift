import Foundation
import WAIEstimate
import WAIRead
import WAIModel

/// The SQL engines `SQLQuery` writes for.
public enum SQLDialect: String, Sendable, CaseIterable {
    case duckdb, spark, postgres
}

/// Where the responses are: a table (or view) the engine knows, or a CSV/Parquet file.
public enum SQLSource: Sendable, Hashable {
    case table(String)
    case file(path: String, format: FileFormat)

    public enum FileFormat: String, Sendable { case csv, parquet }

    /// A path ending in .csv, .tsv, .txt (optionally .gz) or .parquet is a file; anything else a table name.
    public init(_ text: String) {
        let lower = text.lowercased()
        if lower.hasSuffix(".parquet") {
            self = .file(path: text, format: .parquet)
        } else if [".csv", ".tsv", ".txt", ".csv.gz", ".tsv.gz"].contains(where: lower.hasSuffix) {
            self = .file(path: text, format: .csv)
        } else {
            self = .table(text)
        }
    }
}

/// One SQL query that computes, where the responses live, the sufficient statistics `wai merge
/// --counts` rebuilds a `SufficientStatistics` from: a counts table of format `wai.counts/2`
/// (Surveys/COUNTS.md). Every answer is coded in the query as `AnswerCoder` codes it (exact
/// spelling first, then trimmed, white space collapsed, case ignored; per item's own scale),
/// and the rows hold, per cell (all rows, and each demographic's groups):
///
/// - `level`: per item × level (the unanswered with an empty level) the count, Σw and Σw²;
/// - `pair`: per item pair i ≤ j, over the rows that answered both, Σw²·sᵢ, Σw²·sⱼ, Σw²·sᵢsⱼ
///   and Σw² — the blocks of `CellStatistics.pairwise`;
/// - `alpha` (all rows only): per reliability table and item pair, over the rows that answered
///   all its items, Σw·sᵢ, Σw·sⱼ, Σw·sᵢsⱼ and Σw — `ReliabilityStatistics.crossProducts`;
/// - `unknown`, `invalid_weight`: answers or weights the reader would refuse (count, one example);
/// - `format`, `spec`: the format version and the spec's digest.
public struct SQLQuery: Sendable {
    public static let format = "wai.counts/2"

    public let spec: SurveySpec
    public let dialect: SQLDialect
    public let source: SQLSource

    /// Refuses, as an `InputError` at the spec key that causes it, what SQL cannot compute as
    /// `wai analyze` does (`specName` locates messages).
    public init(spec: SurveySpec, dialect: SQLDialect, source: SQLSource, specName: String = "the spec") throws {
        if spec.population != nil {
            throw InputError(
                "cannot compute counts for a spec that weights respondents to population shares", at: SourceLocation(file: specName, keyPath: "population"),
                expected: "a spec without `population:` (raking and post-stratification reweight every respondent's row: run `wai analyze`)")
        }
        if let design = spec.design, design.isComplex {
            throw InputError(
                "cannot compute counts for a spec with a sampling design: design-based SEs need per-PSU sums", at: SourceLocation(file: specName, keyPath: "design"),
                found: "design: with \(design.described)",
                expected: "a spec without strata, cluster or fpc (run `wai analyze` on the responses)")
        }
        if let platform = spec.source {
            throw InputError(
                "cannot compute counts for a platform export: its extra header rows, renamed columns and speeder rules are applied by wai's reader",
                at: SourceLocation(file: specName, keyPath: "source"), found: "source: \(platform.rawValue)",
                expected: "a table with one header row and the spec's column names, and no `source:` (wai analyze reads the export itself)")
        }
        if dialect == .postgres, case .file(let path, _) = source {
            throw InputError(
                "PostgreSQL cannot query a file", at: SourceLocation(file: "--table"), found: path,
                expected: "a table name: load the file first (`CREATE TABLE responses (…); COPY responses FROM '\(path)' (FORMAT csv, HEADER)`, every column as text) and pass --table responses")
        }
        if case .file = source, let encoding = spec.encoding, encoding != .utf8 {
            throw InputError(
                "cannot read a \(encoding.rawValue) file in SQL as wai reads it", at: SourceLocation(file: specName, keyPath: "encoding"),
                found: "encoding: \(encoding.rawValue)", expected: "UTF-8 data (convert it, e.g. `iconv -f \(encoding.rawValue) -t utf-8`), and no `encoding:`")
        }
        self.spec = spec
        self.dialect = dialect
        self.source = source
    }

    // MARK: quoting

    func identifier(_ name: String) -> String {
        switch dialect {
        case .spark: "`" + name.replacingOccurrences(of: "`", with: "``") + "`"
        case .duckdb, .postgres: "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
    }

    /// A string literal. Spark SQL reads backslash escapes in literals; the others do not.
    func literal(_ text: String) -> String {
        switch dialect {
        case .spark: "'" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'"
        case .duckdb, .postgres: "'" + text.replacingOccurrences(of: "'", with: "''") + "'"
        }
    }

    func number(_ x: Double) -> String {
        x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) + ".0" : "\(x)"
    }

    var textType: String { dialect == .spark ? "STRING" : "VARCHAR" }

    func asText(_ column: String) -> String { "coalesce(CAST(\(identifier(column)) AS \(textType)), '')" }

    /// `normalizedAnswer` in SQL: white space runs to one space, trimmed, lower case.
    func normalized(_ text: String) -> String {
        switch dialect {
        case .spark: "lower(trim(regexp_replace(\(text), \(literal("\\s+")), ' ')))"
        case .duckdb, .postgres: "lower(trim(regexp_replace(\(text), \(literal("\\s+")), ' ', 'g')))"
        }
    }

    func matches(_ text: String, pattern: String) -> String {
        switch dialect {
        case .duckdb: "regexp_full_match(\(text), \(literal(pattern)))"
        case .spark: "(\(text) RLIKE \(literal("^" + pattern + "$")))"
        case .postgres: "(\(text) ~ \(literal("^" + pattern + "$")))"
        }
    }

    var rowNumber: String {
        switch dialect {
        case .spark: "monotonically_increasing_id()"
        case .duckdb, .postgres: "row_number() OVER ()"
        }
    }

    /// The relation the query reads.
    public var relation: String {
        switch (source, dialect) {
        case (.table(let name), _): name
        case (.file(let path, .csv), .duckdb): "read_csv(\(literal(path)), header = true, all_varchar = true)"
        case (.file(let path, .parquet), .duckdb): "read_parquet(\(literal(path)))"
        case (.file, .spark): Self.sparkView
        case (.file, .postgres): preconditionFailure("refused in init")
        }
    }

    public static let sparkView = "wai_responses"

    /// For Spark and a file: the statement that registers it as the view the query reads.
    public var setup: String? {
        guard dialect == .spark, case .file(let path, let format) = source else { return nil }
        switch format {
        case .csv:
            let separator = path.lowercased().contains(".tsv") ? "\\t" : ","
            return "CREATE OR REPLACE TEMPORARY VIEW \(Self.sparkView) USING csv OPTIONS (path \(literal(path)), header 'true', inferSchema 'false', multiLine 'true', escape '\"', sep \(literal(separator)))"
        case .parquet:
            return "CREATE OR REPLACE TEMPORARY VIEW \(Self.sparkView) USING parquet OPTIONS (path \(literal(path)))"
        }
    }

    // MARK: the query

    /// One output row of the layout: what it is and where its numbers come from in `sums`.
    struct LayoutRow {
        var kind: String
        var item = "", level = "", item2 = "", table = ""
        /// Columns of `sums`: count, weight_sum, weight_sq_sum, sum1, sum2, sum12 (nil: 0).
        var values: [String?] = Array(repeating: nil, count: 6)
        /// A column of `sums` holding the text for `level` (examples of refused values).
        var levelColumn: String?
        var overallOnly = false
        var onlyWhenCounted = false
    }

    /// The query text (for Spark with a file, run `setup` first).
    public func text() throws -> String {
        let items = PartialStatistics.items(of: spec)
        let scores = Analyzer.scores(spec: spec, items: items)
        let plan = Analyzer.plan(spec: spec, items: items, inference: InferenceOptions())
        let p = items.count
        let weighted = spec.weight != nil

        var cells: [String] = ["wai_row"]
        var coded: [String] = ["wai_row"]
        for (i, item) in items.enumerated() {
            cells.append("\(asText(item.column)) AS a\(i)")
            cells.append("\(normalized(asText(item.column))) AS na\(i)")
            coded.append("\(codeExpression(scale: spec.scale(of: item), cell: "a\(i)", normalizedCell: "na\(i)")) AS c\(i)")
            coded.append("a\(i)")
        }
        if let weight = spec.weight {
            let trimmed = "regexp_replace(\(asText(weight)), \(literal("^[ \\t]+|[ \\t]+$")), ''\(dialect == .spark ? "" : ", 'g'"))"
            cells.append("\(trimmed) AS wr")
            coded.append("wr")
        }
        for (d, demographic) in spec.demographics.enumerated() {
            cells.append("\(asText(demographic.column)) AS g\(d)")
            coded.append("g\(d)")
        }

        var scored: [String] = ["*"]
        if let _ = spec.weight {
            scored.append("CASE WHEN \(matches("wr", pattern: "([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][+-]?[0-9]+)?")) THEN CAST(wr AS \(dialect == .spark ? "DOUBLE" : "DOUBLE PRECISION")) END AS w")
        } else {
            scored.append("1.0 AS w")
        }
        for (i, item) in items.enumerated() {
            let levels = spec.scale(of: item).levels.count
            let cases = (1...levels).map { "WHEN \($0) THEN \(number(scores[i][$0 - 1]))" }.joined(separator: " ")
            scored.append("CASE c\(i) \(cases) END AS s\(i)")
        }

        var sums: [String] = ["min(wai_row) AS first_row"]
        for d in spec.demographics.indices { sums.append("g\(d)"); sums.append("GROUPING(g\(d)) AS gg\(d)") }
        var layout: [LayoutRow] = []
        func aggregates(_ name: String, _ condition: String, count: Bool = true, weights: Bool = true) {
            if count { sums.append("count(CASE WHEN \(condition) THEN 1 END) AS n_\(name)") }
            if weights {
                sums.append("sum(CASE WHEN \(condition) THEN w END) AS w_\(name)")
                sums.append("sum(CASE WHEN \(condition) THEN w * w END) AS q_\(name)")
            }
        }
        layout.append(LayoutRow(kind: "format", level: Self.format, overallOnly: true))
        layout.append(LayoutRow(kind: "spec", level: try PartialStatistics.specDigest(spec), overallOnly: true))
        if weighted {
            sums.append("count(CASE WHEN w IS NULL THEN 1 END) AS n_badw")
            sums.append("min(CASE WHEN w IS NULL THEN wr END) AS x_badw")
            layout.append(LayoutRow(kind: "invalid_weight", item: spec.weight!, values: ["n_badw", nil, nil, nil, nil, nil],
                                    levelColumn: "x_badw", overallOnly: true, onlyWhenCounted: true))
        }
        for (i, item) in items.enumerated() {
            sums.append("count(CASE WHEN c\(i) < 0 THEN 1 END) AS n_u\(i)")
            sums.append("min(CASE WHEN c\(i) < 0 THEN a\(i) END) AS x_u\(i)")
            layout.append(LayoutRow(kind: "unknown", item: item.id, values: ["n_u\(i)", nil, nil, nil, nil, nil],
                                    levelColumn: "x_u\(i)", overallOnly: true, onlyWhenCounted: true))
            let scale = spec.scale(of: item)
            for level in 0...scale.levels.count {
                let name = "\(i)_\(level)"
                aggregates(name, "c\(i) = \(level)")
                layout.append(LayoutRow(kind: "level", item: item.id, level: level == 0 ? "" : spelling(of: level, in: scale),
                                        values: ["n_\(name)", "w_\(name)", "q_\(name)", nil, nil, nil], onlyWhenCounted: true))
            }
        }
        if plan.pairwise {
            for i in 0..<p {
                for j in i..<p {
                    let name = "\(i)_\(j)", both = "c\(i) > 0 AND c\(j) > 0"
                    sums.append("count(CASE WHEN \(both) THEN 1 END) AS pn_\(name)")
                    sums.append("sum(CASE WHEN \(both) THEN w * w END) AS pq_\(name)")
                    sums.append("sum(CASE WHEN \(both) THEN w * w * s\(i) END) AS p1_\(name)")
                    sums.append("sum(CASE WHEN \(both) THEN w * w * s\(j) END) AS p2_\(name)")
                    sums.append("sum(CASE WHEN \(both) THEN w * w * s\(i) * s\(j) END) AS p12_\(name)")
                    layout.append(LayoutRow(kind: "pair", item: items[i].id, item2: items[j].id,
                                            values: ["pn_\(name)", nil, "pq_\(name)", "p1_\(name)", "p2_\(name)", "p12_\(name)"]))
                }
            }
        }
        for (t, members) in plan.reliabilityTables.enumerated() {
            let table = spec.tables.first { $0.items.map(\.id) == members.map { items[$0].id } }!.id
            let complete = members.map { "c\($0) > 0" }.joined(separator: " AND ")
            sums.append("count(CASE WHEN \(complete) THEN 1 END) AS rn_\(t)")
            sums.append("sum(CASE WHEN \(complete) THEN w END) AS rw_\(t)")
            for (a, i) in members.enumerated() {
                for j in members[a...] {
                    let name = "\(t)_\(i)_\(j)"
                    sums.append("sum(CASE WHEN \(complete) THEN w * s\(i) END) AS r1_\(name)")
                    sums.append("sum(CASE WHEN \(complete) THEN w * s\(j) END) AS r2_\(name)")
                    sums.append("sum(CASE WHEN \(complete) THEN w * s\(i) * s\(j) END) AS r12_\(name)")
                    layout.append(LayoutRow(kind: "alpha", item: items[i].id, item2: items[j].id, table: table,
                                            values: ["rn_\(t)", "rw_\(t)", nil, "r1_\(name)", "r2_\(name)", "r12_\(name)"], overallOnly: true))
                }
            }
        }

        let demographics = spec.demographics.indices
        let groupingSets = (["()"] + demographics.map { "(g\($0))" }).joined(separator: ", ")
        let groupColumn = demographics.isEmpty ? "''"
            : "CASE " + demographics.map { "WHEN gg\($0) = 0 THEN \(literal(spec.demographics[$0].column))" }.joined(separator: " ") + " ELSE '' END"
        let group = demographics.isEmpty ? "''" : "CASE " + demographics.map { "WHEN gg\($0) = 0 THEN g\($0)" }.joined(separator: " ") + " ELSE '' END"
        let overall = demographics.isEmpty ? "1 = 1" : demographics.map { "gg\($0) = 1" }.joined(separator: " AND ")

        let valuesList = layout.enumerated().map { k, row in
            "(\(k), \(literal(row.kind)), \(literal(row.item)), \(literal(row.level)), \(literal(row.item2)), \(literal(row.table)), \(row.overallOnly ? 1 : 0), \(row.onlyWhenCounted ? 1 : 0))"
        }.joined(separator: ",\n    ")
        func pick(_ position: Int, integral: Bool) -> String {
            let branches = layout.enumerated().compactMap { k, row in row.values[position].map { "WHEN \(k) THEN \($0)" } }
            let zero = integral ? "0" : "0.0"
            return branches.isEmpty ? zero : "coalesce(CASE layout.k \(branches.joined(separator: " ")) END, \(zero))"
        }
        let levelBranches = layout.enumerated().compactMap { k, row in row.levelColumn.map { "WHEN \(k) THEN \($0)" } }
        let level = levelBranches.isEmpty ? "layout.level" : "CASE layout.k \(levelBranches.joined(separator: " ")) ELSE layout.level END"
        let names = ["count", "weight_sum", "weight_sq_sum", "sum1", "sum2", "sum12"]
        let picked = names.enumerated().map { n, name in "\(pick(n, integral: n == 0)) AS \(name)" }

        let q = identifier
        return """
        WITH source AS (
          SELECT \(rowNumber) AS wai_row, * FROM \(relation)
        ), cells AS (
          SELECT \(cells.joined(separator: ",\n    "))
          FROM source
        ), coded AS (
          SELECT \(coded.joined(separator: ",\n    "))
          FROM cells
        ), scored AS (
          SELECT \(scored.joined(separator: ",\n    "))
          FROM coded
        ), sums AS (
          SELECT \(sums.joined(separator: ",\n    "))
          FROM scored
          GROUP BY GROUPING SETS (\(groupingSets))
        ), rows_out AS (
          SELECT layout.kind AS kind, layout.item AS item, \(level) AS level,
            \(groupColumn) AS group_column, \(group) AS \(q("group")),
            \(picked.joined(separator: ",\n    ")),
            layout.item2 AS item2, layout.tbl AS \(q("table")),
            sums.first_row AS first_row, layout.k AS k, layout.overall_only AS overall_only, layout.when_counted AS when_counted,
            CASE WHEN \(overall) THEN 1 ELSE 0 END AS is_overall
          FROM sums CROSS JOIN (VALUES
            \(valuesList)
          ) AS layout(k, kind, item, level, item2, tbl, overall_only, when_counted)
        )
        SELECT kind, item, level, group_column, \(q("group")), count, weight_sum, weight_sq_sum, item2, \(q("table")), sum1, sum2, sum12
        FROM rows_out
        WHERE (overall_only = 0 OR is_overall = 1) AND (when_counted = 0 OR count > 0)
        ORDER BY first_row, is_overall DESC, group_column, \(q("group")), k
        """
    }

    /// An item's answer as a level number in SQL: 1…k, 0 for a missing marker, −1 for anything
    /// else; matched as `AnswerCoder` matches (exact spelling, then normalized).
    func codeExpression(scale: Scale, cell: String, normalizedCell: String) -> String {
        var exact: [String: Int] = [:], loose: [String: Int] = [:]
        for (i, level) in scale.levels.enumerated() {
            for spelling in [String(level.code), level.label] + level.aliases {
                exact[spelling] = i + 1
                loose[normalizedAnswer(spelling)] = i + 1
            }
        }
        for marker in scale.missing {
            exact[marker] = 0
            loose[normalizedAnswer(marker)] = 0
        }
        // Exact spellings matter only where they say otherwise than their normalized form.
        let overriding = exact.filter { loose[normalizedAnswer($0.key)] != $0.value }
        func branches(_ map: [String: Int], on text: String) -> [String] {
            Dictionary(grouping: map.keys, by: { map[$0]! }).sorted { $0.key < $1.key }.map { code, spellings in
                "WHEN \(text) IN (\(spellings.sorted().map(literal).joined(separator: ", "))) THEN \(code)"
            }
        }
        let all = branches(overriding, on: cell) + branches(loose, on: normalizedCell)
        return "CASE " + all.joined(separator: " ") + " ELSE -1 END"
    }

    /// A spelling of level `number` (1-based) that `AnswerCoder` reads back as that level.
    func spelling(of number: Int, in scale: Scale) -> String {
        let level = scale.levels[number - 1]
        let coder = AnswerCoder(scale: scale)
        return ([String(level.code), level.label] + level.aliases).first { coder.code($0) == UInt8(number) } ?? String(level.code)
    }
}
