import Foundation
import WAIAggregate
import WAIEstimate
import WAIModel
import WAIRead

/// The `wai.partial/2` file: partial statistics as JSON with sorted keys (Schemas/wai.partial-2.schema.json).
///
///     {"format": "wai.partial/2", "engine": "wai 0.1.0", "spec_sha256": "…",
///      "shards": [{"name", "sha256", "bytes", "rows", "lenient", "aggregation"}],
///      "items": ["gov", …], "levels": 5,
///      "demographics": [{"column": "gender", "categories": ["Female", "Male"]}],
///      "quality": {…as in report.json…},
///      "plan": {"replicates", "seed", "pairwise", "reliability_tables", "tie_positions"},
///      "overall": cell, "by_demographic": [[cell, …], …], "reliability": [{"items", "rows", "cross_products"}],
///      "tie_positions": [[Σ k·w per item × level], …] (weighted rank tests; one per demographic, optional)}
///
/// A cell is {"rows", "weight_sum", "weight_squared_sum", "counts", "weighted", "weighted_squared",
/// "pairwise"}, the arrays laid out as in `CellStatistics`.
extension PartialStatistics {
    /// The file's bytes: compact JSON (cross-products make long arrays), keys sorted.
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Σw² is unknown (NaN) in statistics read from a weighted counts table without weight_sq_sum.
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        var data = try encoder.encode(FileBody(self))
        data.append(UInt8(ascii: "\n"))
        return data
    }

    /// Reads a `wai.partial/2` file; another format or version, or a damaged file, is an `InputError`.
    public static func read(path: String) throws -> PartialStatistics {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw InputError("cannot read file", at: SourceLocation(file: path), expected: "a partial-statistics file written by `wai aggregate`")
        }
        return try decode(data, name: path)
    }

    /// Reads the bytes of a `wai.partial/2` file; `name` locates messages.
    public static func decode(_ data: Data, name: String) throws -> PartialStatistics {
        struct Header: Decodable { var format: String? }
        guard let header = try? JSONDecoder().decode(Header.self, from: data) else {
            throw InputError("not a JSON object", at: SourceLocation(file: name), expected: "a partial-statistics file (\(format)) written by `wai aggregate`")
        }
        guard header.format == format else {
            throw InputError(
                "unsupported partial-statistics format", at: SourceLocation(file: name, keyPath: "format"),
                found: header.format ?? "no `format` key", expected: "\(Quoted(format)): aggregate the shard again with this version of wai")
        }
        let body: FileBody
        do {
            let decoder = JSONDecoder()
            decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
            body = try decoder.decode(FileBody.self, from: data)
        } catch let error as DecodingError {
            throw InputError(decoding: error, file: name)
        }
        return try body.statistics(name: name)
    }
}

extension InputError {
    /// A JSON decoding failure, located by its key path.
    init(decoding error: DecodingError, file: String) {
        func path(_ keys: [any CodingKey]) -> String {
            let text = keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return text.hasPrefix(".") ? String(text.dropFirst()) : text
        }
        switch error {
        case .keyNotFound(let key, let context):
            self.init("missing key \(Quoted(key.stringValue))", at: SourceLocation(file: file, keyPath: path(context.codingPath)))
        case .typeMismatch(let type, let context), .valueNotFound(let type, let context):
            self.init("wrong kind of value", at: SourceLocation(file: file, keyPath: path(context.codingPath)), expected: "\(type)")
        case .dataCorrupted(let context):
            self.init(context.debugDescription, at: SourceLocation(file: file, keyPath: path(context.codingPath)))
        @unknown default:
            self.init("cannot decode", at: SourceLocation(file: file), found: "\(error)")
        }
    }
}

/// The JSON layout, snake_case, decoupled from the in-memory types.
private struct FileBody: Codable {
    struct Shard: Codable {
        var name: String, sha256: String, bytes: Int, rows: Int, lenient: Bool, aggregation: String
        enum CodingKeys: String, CodingKey { case name, sha256, bytes, rows, lenient, aggregation }
    }
    struct Demographic: Codable { var column: String, categories: [String] }
    struct Plan: Codable {
        var replicates: Int, seed: UInt64, pairwise: Bool, reliabilityTables: [[Int]]
        /// Files written before tie sums existed have none (false).
        var tiePositions: Bool?
        enum CodingKeys: String, CodingKey { case replicates, seed, pairwise, reliabilityTables = "reliability_tables", tiePositions = "tie_positions" }
    }
    struct Cell: Codable {
        var rows: Double, weightSum: Double, weightSquaredSum: Double
        var counts: [Double], weighted: [Double], weightedSquared: [Double], pairwise: [Double]
        enum CodingKeys: String, CodingKey {
            case rows, weightSum = "weight_sum", weightSquaredSum = "weight_squared_sum", counts, weighted
            case weightedSquared = "weighted_squared", pairwise
        }
        init(_ c: CellStatistics) {
            (rows, weightSum, weightSquaredSum) = (c.rows, c.weightSum, c.weightSquaredSum)
            (counts, weighted, weightedSquared, pairwise) = (c.counts, c.weighted, c.weightedSquared, c.pairwise)
        }
    }
    struct Reliability: Codable {
        var items: [Int], rows: Double, crossProducts: [Double]
        enum CodingKeys: String, CodingKey { case items, rows, crossProducts = "cross_products" }
    }

    var format: String
    var engine: String
    var specSHA256: String
    var shards: [Shard]
    var items: [String]
    var levels: Int
    var demographics: [Demographic]
    var quality: DataQuality
    var plan: Plan
    var overall: Cell
    var byDemographic: [[Cell]]
    var reliability: [Reliability]
    var tiePositions: [[Double]]?

    enum CodingKeys: String, CodingKey {
        case format, engine, specSHA256 = "spec_sha256", shards, items, levels, demographics, quality, plan, overall
        case byDemographic = "by_demographic", reliability, tiePositions = "tie_positions"
    }

    init(_ p: PartialStatistics) {
        format = PartialStatistics.format
        engine = p.engine
        specSHA256 = p.specSHA256
        shards = p.shards.map {
            Shard(name: $0.data.name, sha256: $0.data.sha256, bytes: $0.data.bytes, rows: $0.rows,
                  lenient: $0.lenient, aggregation: $0.aggregation)
        }
        items = p.items
        levels = p.statistics.levelCount
        demographics = zip(p.demographics, p.categories).map { Demographic(column: $0, categories: $1) }
        quality = p.quality
        let s = p.statistics
        plan = Plan(replicates: s.plan.replicates, seed: s.plan.seed, pairwise: s.plan.pairwise, reliabilityTables: s.plan.reliabilityTables,
                    tiePositions: s.plan.tiePositions)
        tiePositions = s.tiePositions.map { Array($0.prefix(p.demographics.count)) }
        overall = Cell(s.overall)
        byDemographic = s.byDemographic.map { $0.map(Cell.init) }
        reliability = s.reliability.map { Reliability(items: $0.items, rows: $0.rows, crossProducts: $0.crossProducts) }
    }

    /// Back to statistics, checking every array's length so that a damaged file is an error, not a crash.
    func statistics(name: String) throws -> PartialStatistics {
        func bad(_ keyPath: String, _ found: String, _ expected: String) -> InputError {
            InputError("damaged partial-statistics file", at: SourceLocation(file: name, keyPath: keyPath), found: found, expected: expected)
        }
        let p = items.count, k = levels
        guard k >= 2, p >= 1 else { throw bad("levels", "\(k) levels, \(p) items", "at least 2 levels and 1 item") }
        guard plan.replicates >= 0 else { throw bad("plan.replicates", "\(plan.replicates)", "0 or more") }
        let statisticsPlan = AggregationPlan(replicates: plan.replicates, seed: plan.seed, pairwise: plan.pairwise, reliabilityTables: plan.reliabilityTables,
                                             tiePositions: plan.tiePositions ?? false)
        var statistics = SufficientStatistics(itemCount: p, levelCount: k, demographicCount: demographics.count, plan: statisticsPlan)
        func cell(_ c: Cell, at keyPath: String) throws -> CellStatistics {
            let m = p * k
            let sizes = [("counts", c.counts.count, m), ("weighted", c.weighted.count, m), ("weighted_squared", c.weightedSquared.count, m),
                         ("pairwise", c.pairwise.count, plan.pairwise ? 4 * p * p : 0)]
            for (key, found, expected) in sizes where found != expected {
                throw bad("\(keyPath).\(key)", "\(found) numbers", "\(expected) numbers")
            }
            var out = statistics.emptyCell()
            (out.rows, out.weightSum, out.weightSquaredSum) = (c.rows, c.weightSum, c.weightSquaredSum)
            (out.counts, out.weighted, out.weightedSquared, out.pairwise) = (c.counts, c.weighted, c.weightedSquared, c.pairwise)
            return out
        }
        statistics.overall = try cell(overall, at: "overall")
        guard byDemographic.count == demographics.count else {
            throw bad("by_demographic", "\(byDemographic.count) demographics", "\(demographics.count), one per entry of `demographics`")
        }
        for d in byDemographic.indices {
            guard !byDemographic[d].isEmpty, byDemographic[d].count <= demographics[d].categories.count + 1 else {
                throw bad("by_demographic[\(d)]", "\(byDemographic[d].count) cells", "1 to \(demographics[d].categories.count + 1) (no answer, then one per category)")
            }
            statistics.byDemographic[d] = try byDemographic[d].enumerated().map { try cell($1, at: "by_demographic[\(d)][\($0)]") }
        }
        guard reliability.count == plan.reliabilityTables.count else {
            throw bad("reliability", "\(reliability.count) tables", "\(plan.reliabilityTables.count), one per plan.reliability_tables entry")
        }
        for (t, r) in reliability.enumerated() {
            let width = r.items.count + 1
            guard r.items == plan.reliabilityTables[t], r.items.allSatisfy({ (0..<p).contains($0) }), r.crossProducts.count == width * width else {
                throw bad("reliability[\(t)]", "items \(r.items), \(r.crossProducts.count) cross-products", "items \(plan.reliabilityTables[t]) and \(width * width) cross-products")
            }
            statistics.reliability[t].rows = r.rows
            statistics.reliability[t].crossProducts = r.crossProducts
        }
        if statisticsPlan.tiePositions {
            guard let ties = tiePositions, ties.count == demographics.count, ties.allSatisfy({ $0.count == p * k }) else {
                throw bad("tie_positions", tiePositions.map { "\($0.count) arrays of \($0.map(\.count))" } ?? "none",
                          "\(demographics.count) arrays of \(p * k) numbers (plan.tie_positions is true)")
            }
            statistics.tiePositions = ties
        }
        return PartialStatistics(
            engine: engine, specSHA256: specSHA256,
            shards: shards.map {
                .init(data: .init(name: $0.name, sha256: $0.sha256, bytes: $0.bytes), rows: $0.rows,
                      lenient: $0.lenient, aggregation: $0.aggregation)
            },
            items: items, demographics: demographics.map(\.column), categories: demographics.map(\.categories),
            quality: quality, statistics: statistics)
    }
}
