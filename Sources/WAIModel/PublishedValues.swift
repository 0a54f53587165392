/// Numbers and bands a study printed, kept beside its survey as `published.yaml` so that
/// `wai verify` can check a computation against them.
public struct PublishedValues: Sendable, Hashable, Codable {
    public struct Category: Sendable, Hashable, Codable {
        public var value: String
        public var count: Int?
        /// Percent of those who answered, as printed.
        public var percent: Double?
        public var note: String?
    }

    public struct Frequency: Sendable, Hashable, Codable {
        public var column: String
        public var categories: [Category]
        public var note: String?
    }

    public struct Value: Sendable, Hashable, Codable {
        public var id: String
        public var wai: Double?
        public var band: String?
        public var note: String?
    }

    public struct Composite: Sendable, Hashable, Codable {
        public var wai: Double?
        public var band: String?
        public var note: String?
    }

    public struct Table: Sendable, Hashable, Codable {
        public var id: String
        /// Respondents per item, when the table prints one n for all items.
        public var n: Int?
        public var items: [Value]
        public var composite: Composite?
        public var note: String?
    }

    public var source: String?
    public var respondents: Int?
    public var frequencies: [Frequency]
    public var tables: [Table]
    public var note: String?

    enum CodingKeys: String, CodingKey, CaseIterable { case source, respondents, frequencies, tables, note }

    public init(from decoder: any Decoder) throws {
        try rejectUnknownKeys(in: decoder, allowed: CodingKeys.allCases.map(\.rawValue))
        let c = try decoder.container(keyedBy: CodingKeys.self)
        source = try c.decodeIfPresent(String.self, forKey: .source)
        respondents = try c.decodeIfPresent(Int.self, forKey: .respondents)
        frequencies = try c.decodeIfPresent([Frequency].self, forKey: .frequencies) ?? []
        tables = try c.decodeIfPresent([Table].self, forKey: .tables) ?? []
        note = try c.decodeIfPresent(String.self, forKey: .note)
    }
}
