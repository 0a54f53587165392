/// Known population shares that the sample's weights are adjusted to.
///
/// `rake` adjusts weights by iterative proportional fitting until every margin matches;
/// `linear` matches the same margins in one step by linear (GREG) calibration, R's
/// `calibrate(…, calfun = "linear")` (weights w·(1 + x'λ), which may fall below zero);
/// `poststratify` matches the joint cells of the listed columns exactly (one step).
public struct Population: Sendable, Hashable, Codable {
    public enum Method: String, Sendable, Hashable, Codable { case rake, linear, poststratify }

    /// One column's categories and their population shares.
    public struct Margin: Sendable, Hashable, Codable {
        public var column: String
        /// Category → share; shares are rescaled to sum to 1.
        public var shares: [String: Double]

        public init(column: String, shares: [String: Double]) {
            self.column = column
            self.shares = shares
        }
    }

    /// A joint cell (one category per column) and its population share, for post-stratification.
    public struct Cell: Sendable, Hashable, Codable {
        public var categories: [String: String]
        public var share: Double
    }

    public var method: Method
    public var margins: [Margin]
    public var cells: [Cell]
    /// Final weights are kept within [lower, upper] × the mean weight (then rescaled to the same total).
    public var trim: [Double]?
    public var maxIterations: Int
    public var tolerance: Double

    public init(method: Method, margins: [Margin] = [], cells: [Cell] = [], trim: [Double]? = nil,
                maxIterations: Int = 100, tolerance: Double = 1e-8) {
        self.method = method
        self.margins = margins
        self.cells = cells
        self.trim = trim
        self.maxIterations = maxIterations
        self.tolerance = tolerance
    }

    /// The columns the adjustment uses, in a fixed order.
    public var columns: [String] {
        switch method {
        case .rake, .linear: return margins.map(\.column)
        case .poststratify:
            var seen: [String] = []
            for cell in cells { for column in cell.categories.keys.sorted() where !seen.contains(column) { seen.append(column) } }
            return seen
        }
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case method, margins, cells, trim, maxIterations = "max_iterations", tolerance
    }

    public init(from decoder: any Decoder) throws {
        try rejectUnknownKeys(in: decoder, allowed: CodingKeys.allCases.map(\.rawValue))
        let c = try decoder.container(keyedBy: CodingKeys.self)
        method = try c.decode(Method.self, forKey: .method)
        let marginMap = try c.decodeIfPresent([String: [String: Double]].self, forKey: .margins) ?? [:]
        margins = marginMap.keys.sorted().map { Margin(column: $0, shares: marginMap[$0]!) }
        cells = try c.decodeIfPresent([CellEntry].self, forKey: .cells)?.map(\.cell) ?? []
        trim = try c.decodeIfPresent([Double].self, forKey: .trim)
        maxIterations = try c.decodeIfPresent(Int.self, forKey: .maxIterations) ?? 100
        tolerance = try c.decodeIfPresent(Double.self, forKey: .tolerance) ?? 1e-8
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(method, forKey: .method)
        try c.encode(Dictionary(uniqueKeysWithValues: margins.map { ($0.column, $0.shares) }), forKey: .margins)
        try c.encode(cells.map { CellEntry(cell: $0) }, forKey: .cells)
        try c.encodeIfPresent(trim, forKey: .trim)
        try c.encode(maxIterations, forKey: .maxIterations)
        try c.encode(tolerance, forKey: .tolerance)
    }

    /// `{gender: Female, region: North, share: 0.2}`: every key but `share` names a column.
    struct CellEntry: Codable {
        var cell: Cell
        init(cell: Cell) { self.cell = cell }
        struct Key: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }
        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: Key.self)
            var categories: [String: String] = [:]
            var share: Double?
            for key in c.allKeys {
                if key.stringValue == "share" { share = try c.decode(Double.self, forKey: key) }
                else { categories[key.stringValue] = try c.decode(String.self, forKey: key) }
            }
            guard let share else {
                throw DecodingError.keyNotFound(Key(stringValue: "share"), .init(codingPath: c.codingPath, debugDescription: "a cell needs `share:`"))
            }
            cell = Cell(categories: categories, share: share)
        }
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: Key.self)
            for (column, category) in cell.categories { try c.encode(category, forKey: Key(stringValue: column)) }
            try c.encode(cell.share, forKey: Key(stringValue: "share"))
        }
    }
}
