
/// What happened to every line of a responses file: the accounting a report prints so
/// that nothing is dropped without a trace.
public struct DataQuality: Sendable, Hashable, Codable {
    /// Data rows read (the header and blank lines excluded).
    public var rowsRead = 0
    /// Rows that entered the statistics.
    public var rowsUsed = 0
    /// Rows left out, each with its reason (only in lenient mode; strict mode stops instead).
    public var rowsRejected: Int { rejections.count }
    public var rejections: [Rejection] = []
    /// Empty lines, skipped: they hold no respondent.
    public var blankLines = 0
    /// Answers that matched no level and were counted as missing (lenient mode).
    public var unknownAnswers: [UnknownAnswer] = []
    /// Respondent ids seen more than once (when the spec names an id column).
    public var duplicateIDs: [DuplicateID] = []
    /// Header names used by more than one column that the spec does not read.
    public var duplicateUnusedHeaders: [String] = []
    /// Lines of the rows used in which every item is missing; nil when there are none. Merged
    /// shards list the lines of each shard's own file.
    public var fullyBlankResponses: [Int]? = nil
    /// Respondents much faster than the others, when the file has a duration (nil: no duration column).
    public var speeders: Speeders? = nil
    /// What a researcher should look at before reading the indices (nil: nothing).
    public var warnings: [Warning]? = nil

    public init() {}

    /// A likely reverse-worded item, a numeric scale's end that no one chose, or a column that
    /// looked like an item and was not analysed.
    public struct Warning: Sendable, Hashable, Codable {
        /// "reverse_worded", "unchosen_level" or "not_analysed".
        public var kind: String
        /// The item id, scale name or column it is about.
        public var subject: String
        public var message: String

        public init(kind: String, subject: String, message: String) {
            self.kind = kind
            self.subject = subject
            self.message = message
        }
    }

    /// Respondents who took less than a third of the median time: flagged, and left out only
    /// when asked (`--drop-speeders`; they are then among the rejections).
    public struct Speeders: Sendable, Hashable, Codable {
        /// Where the durations come from: "Duration (in seconds)", or "start to end".
        public var source: String
        /// Rows with a readable duration.
        public var timed: Int
        public var medianSeconds: Double
        public var thresholdSeconds: Double
        public var lines: [Int]
        public var dropped: Bool

        public init(source: String, timed: Int, medianSeconds: Double, thresholdSeconds: Double, lines: [Int], dropped: Bool) {
            self.source = source
            self.timed = timed
            self.medianSeconds = medianSeconds
            self.thresholdSeconds = thresholdSeconds
            self.lines = lines
            self.dropped = dropped
        }

        enum CodingKeys: String, CodingKey {
            case source, timed, medianSeconds = "median_seconds", thresholdSeconds = "threshold_seconds", lines, dropped
        }
    }

    public struct Rejection: Sendable, Hashable, Codable {
        /// The line of the CSV read (for a workbook or an SPSS/Stata file, of its CSV copy).
        public var line: Int
        public var reason: String
        /// For a workbook or an SPSS/Stata file: the row as the user's file names it
        /// ("case 6", "Sheet1 row 7"), since the copy's lines drift with line breaks in text values.
        public var record: String?

        public init(line: Int, reason: String, record: String? = nil) {
            (self.line, self.reason, self.record) = (line, reason, record)
        }
    }

    public struct UnknownAnswer: Sendable, Hashable, Codable {
        /// The item id, or the demographic column.
        public var field: String
        public var column: String
        public var value: String
        public var count: Int
        public var firstLine: Int

        public init(field: String, column: String, value: String, count: Int, firstLine: Int) {
            (self.field, self.column, self.value, self.count, self.firstLine) = (field, column, value, count, firstLine)
        }

        enum CodingKeys: String, CodingKey { case field, column, value, count, firstLine = "first_line" }
    }

    public struct DuplicateID: Sendable, Hashable, Codable {
        public var id: String
        public var lines: [Int]

        public init(id: String, lines: [Int]) {
            (self.id, self.lines) = (id, lines)
        }
    }

    enum CodingKeys: String, CodingKey {
        case rowsRead = "rows_read", rowsUsed = "rows_used", rowsRejected = "rows_rejected", rejections
        case blankLines = "blank_lines", unknownAnswers = "unknown_answers", duplicateIDs = "duplicate_ids"
        case duplicateUnusedHeaders = "duplicate_unused_headers"
        case fullyBlankResponses = "fully_blank_responses", speeders, warnings
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(rowsRead, forKey: .rowsRead)
        try c.encode(rowsUsed, forKey: .rowsUsed)
        try c.encode(rowsRejected, forKey: .rowsRejected)
        try c.encode(rejections, forKey: .rejections)
        try c.encode(blankLines, forKey: .blankLines)
        try c.encode(unknownAnswers, forKey: .unknownAnswers)
        try c.encode(duplicateIDs, forKey: .duplicateIDs)
        try c.encode(duplicateUnusedHeaders, forKey: .duplicateUnusedHeaders)
        // Only when there are some, so that reports of complete data keep their form.
        if let lines = fullyBlankResponses, !lines.isEmpty { try c.encode(lines, forKey: .fullyBlankResponses) }
        try c.encodeIfPresent(speeders, forKey: .speeders)
        if let warnings, !warnings.isEmpty { try c.encode(warnings, forKey: .warnings) }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        rowsRead = try c.decode(Int.self, forKey: .rowsRead)
        rowsUsed = try c.decode(Int.self, forKey: .rowsUsed)
        rejections = try c.decode([Rejection].self, forKey: .rejections)
        blankLines = try c.decode(Int.self, forKey: .blankLines)
        unknownAnswers = try c.decode([UnknownAnswer].self, forKey: .unknownAnswers)
        duplicateIDs = try c.decode([DuplicateID].self, forKey: .duplicateIDs)
        duplicateUnusedHeaders = try c.decode([String].self, forKey: .duplicateUnusedHeaders)
        fullyBlankResponses = try c.decodeIfPresent([Int].self, forKey: .fullyBlankResponses)
        speeders = try c.decodeIfPresent(Speeders.self, forKey: .speeders)
        warnings = try c.decodeIfPresent([Warning].self, forKey: .warnings)
    }
}
