import Foundation
import WAIEstimate
import WAIModel

/// What `wai batch` did with each survey, and its indices: `summary.json` (schema
/// `wai.batch-summary/1`, Schemas/wai.batch-summary-1.schema.json) and `summary.csv`.
public struct BatchSummary: Sendable, Hashable, Codable {
    /// The layout of summary.json; bumped when a field changes meaning.
    public static let schema = "wai.batch-summary/1"

    /// One index: an item's, or a table's composite (item "OA").
    public struct Row: Sendable, Hashable, Codable {
        /// The item id, or "OA" for the table's composite.
        public var item: String
        /// Respondents who answered (nil for the composite).
        public var n: Int?
        /// The index, unrounded; nil when nobody answered.
        public var wai: Double?
        /// The index as printed ("0.60").
        public var waiReported: String?
        public var band: String?
        /// The linearization interval, when the estimate has one.
        public var ciLower: Double?
        public var ciUpper: Double?

        enum CodingKeys: String, CodingKey {
            case item, n, wai, waiReported = "wai_reported", band, ciLower = "ci_lower", ciUpper = "ci_upper"
        }
    }

    /// One table of the spec.
    public struct Table: Sendable, Hashable, Codable {
        public var id: String
        public var title: String
        /// The items, then the composite when the table has one.
        public var rows: [Row]
    }

    /// One survey directory of the batch.
    public struct Survey: Sendable, Hashable, Codable {
        /// What the batch did with the survey.
        public enum Status: String, Sendable, Hashable, Codable {
            case ok
            case skipped = "skipped (unchanged)"
            case failed
        }
        /// The survey directory's name (its report is `<out>/<name>`).
        public var survey: String
        /// The survey directory, as found.
        public var path: String
        public var status: Status
        /// Rows used, when the survey was analysed.
        /// Why it failed: the message also printed on standard error.
        public var error: String?
        /// SHA-256 over the spec and data bytes, the engine version and the options: unchanged
        /// inputs, unchanged key, so a re-run skips the survey.
        public var inputs: String?
        public var respondents: Int?
        public var tables: [Table]

        /// A survey without indices (a failed one).
        public init(survey: String, path: String, status: Status, error: String? = nil, inputs: String? = nil,
                    respondents: Int? = nil, tables: [Table] = []) {
            self.survey = survey
            self.path = path
            self.status = status
            self.error = error
            self.inputs = inputs
            self.respondents = respondents
            self.tables = tables
        }

        /// The summary of an analysis: every item's index, band and interval, and each composite.
        public init(survey: String, path: String, status: Status, inputs: String?, analysis: SurveyAnalysis) {
            self.init(survey: survey, path: path, status: status, inputs: inputs, respondents: analysis.respondents, tables: analysis.tables.map { table in
                var rows = table.items.map {
                    Row(item: $0.id, n: $0.n, wai: $0.wai, waiReported: $0.waiReported, band: $0.band,
                        ciLower: $0.interval?.lower, ciUpper: $0.interval?.upper)
                }
                if let c = table.composite {
                    rows.append(Row(item: "OA", n: nil, wai: c.wai, waiReported: c.waiReported, band: c.band,
                                    ciLower: c.interval?.lower, ciUpper: c.interval?.upper))
                }
                return Table(id: table.id, title: table.title, rows: rows)
            })
        }
    }

    /// The engine that ran the batch ("wai 0.1.0").
    public var engine: String
    /// In the order the surveys were found, whatever order they finished in.
    public var surveys: [Survey]

    public init(engine: String = Engine.name, surveys: [Survey]) {
        self.engine = engine
        self.surveys = surveys
    }

    /// summary.json, keys sorted.
    public func json() throws -> String {
        try JSONRenderer().encode(JSONRenderer.Document(schema: Self.schema, body: self))
    }

    /// summary.csv: one row per index (per survey when it has none, as a failed one), with the
    /// survey's status and error in every row.
    public func csv() -> String {
        var out = csvLine(["survey", "status", "error", "table", "item", "n", "wai", "wai_reported", "band", "ci_lower", "ci_upper"])
        let number = CSVRenderer().number
        for survey in surveys {
            let head = [survey.survey, survey.status.rawValue, survey.error ?? ""]
            let rows = survey.tables.flatMap { table in table.rows.map { (table.id, $0) } }
            if rows.isEmpty { out += csvLine(head + Array(repeating: "", count: 8)) }
            for (table, row) in rows {
                out += csvLine(head + [table, row.item, row.n.map(String.init) ?? "", row.wai.map(number) ?? "", row.waiReported ?? "",
                                       row.band ?? "", row.ciLower.map(number) ?? "", row.ciUpper.map(number) ?? ""])
            }
        }
        return out
    }
}
