import Foundation
import WAIEstimate
import WAIModel

/// Renders analyses as JSON with sorted keys, so the same inputs give the same bytes.
public struct JSONRenderer: Sendable {
    /// Identifies the layout of the JSON documents; bumped when a field changes meaning.
    /// Each has a JSON Schema in Schemas/ (wai.analysis-2.schema.json, wai.table-1.schema.json).
    public static let schema = "wai.analysis/2"
    /// The layout of a one-table document (`<table>.json` of a report).
    public static let tableSchema = "wai.table/1"

    public init() {}

    /// `body`'s fields with the document's `schema` (and the `engine` that wrote it, when given).
    struct Document<Body: Encodable>: Encodable {
        var schema: String
        var engine: String? = nil
        var body: Body
        func encode(to encoder: any Encoder) throws {
            try body.encode(to: encoder)
            var c = encoder.container(keyedBy: Key.self)
            try c.encode(schema, forKey: .schema)
            try c.encodeIfPresent(engine, forKey: .engine)
        }
        enum Key: String, CodingKey { case schema, engine }
    }

    /// The whole analysis (report.json), schema `wai.analysis/2`.
    public func report(_ analysis: SurveyAnalysis) throws -> String {
        try encode(Document(schema: Self.schema, body: analysis))
    }

    /// One table (`<table>.json`), schema `wai.table/1`.
    public func table(_ table: TableEstimate, respondents: Int) throws -> String {
        struct Body: Encodable {
            var respondents: Int
            var table: TableEstimate
        }
        return try encode(Document(schema: Self.tableSchema, body: Body(respondents: respondents, table: table)))
    }

    func encode(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self) + "\n"
    }
}
