import Foundation

/// The analysis engine: its version is part of every report's provenance.
public enum Engine {
    /// Bumped with every release; `wai --version` prints it.
    public static let version = "0.1.0"
    /// "wai 0.1.0", as reports print it.
    public static var name: String { "wai \(version)" }
}

/// Where a report came from: enough to tell whether two reports were made from the same
/// inputs by the same engine with the same options. It holds no timestamp, so identical
/// inputs still give byte-identical reports.
public struct Provenance: Sendable, Hashable, Codable {
    /// A file by its name (no directory: the same file gives the same provenance wherever it lies),
    /// its SHA-256 and its size.
    public struct FileDigest: Sendable, Hashable, Codable {
        /// The file's name, without its directory.
        public var name: String
        /// 64 lowercase hex digits.
        public var sha256: String
        /// Size in bytes.
        public var bytes: Int

        public init(name: String, sha256: String, bytes: Int) {
            self.name = name
            self.sha256 = sha256
            self.bytes = bytes
        }
    }

    /// The options that change what a report says.
    public struct Options: Sendable, Hashable, Codable {
        /// Unknown answers counted as missing instead of stopping the run.
        public var lenient: Bool
        /// How answers were summed: "blas", "loops", or "counts" for a counts table.
        public var aggregation: String
        /// Formats written (`wai report`, `wai batch`) or printed (`wai analyze`, `wai merge`).
        public var formats: [String]
        /// Demographic columns broken down by; nil means all of them.
        public var breakdowns: [String]?

        public init(lenient: Bool, aggregation: String, formats: [String], breakdowns: [String]? = nil) {
            self.lenient = lenient
            self.aggregation = aggregation
            self.formats = formats
            self.breakdowns = breakdowns
        }
    }

    /// Row accounting: rows read = rows used + rows rejected.
    public struct Rows: Sendable, Hashable, Codable {
        /// Data rows read (header and blank lines excluded).
        public var read: Int
        /// Rows that entered the statistics.
        public var used: Int
        /// Rows left out, with a reason in the report (lenient mode).
        public var rejected: Int
        /// Empty lines skipped.
        public var blankLines: Int

        public init(_ quality: DataQuality) {
            read = quality.rowsRead
            used = quality.rowsUsed
            rejected = quality.rowsRejected
            blankLines = quality.blankLines
        }

        enum CodingKeys: String, CodingKey { case read, used, rejected, blankLines = "blank_lines" }
    }

    /// The engine that computed the report ("wai 0.1.0").
    public var engine: String
    /// The spec file.
    public var spec: FileDigest
    /// What the statistics were computed from: "responses" (one CSV), "shards" (partial
    /// statistics merged with `wai merge`; `data` lists each shard's CSV) or "counts" (a
    /// counts table, `data` is that table).
    public var source: String
    /// The responses file, the shards' files, or the counts table.
    public var data: [FileDigest]
    public var options: Options
    public var rows: Rows

    public init(engine: String = Engine.name, spec: FileDigest, source: String = "responses", data: [FileDigest], options: Options, rows: Rows) {
        self.engine = engine
        self.spec = spec
        self.source = source
        self.data = data
        self.options = options
        self.rows = rows
    }
}
