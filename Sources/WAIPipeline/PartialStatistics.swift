import Foundation
import WAIAggregate
import WAIEstimate
import WAIModel
import WAIRead

/// The sufficient statistics of part of a survey's responses — one shard of the CSV, or several
/// shards already merged — with what is needed to add them to other parts: the category names
/// of every demographic, the data-quality account, the spec they belong to and the shards they
/// came from. `wai aggregate` writes one as a `wai.partial/2` JSON file; `wai merge` adds them
/// up and prints what one pass over all the rows prints.
///
/// Adding is exact for counts and for sums of integer weights; with fractional weights the sums
/// may differ from a single pass in the last bits (floating-point addition order).
public struct PartialStatistics: Sendable, Hashable {
    /// The file format: bumped when a field changes meaning; other versions are refused.
    public static let format = "wai.partial/2"

    /// One responses file that went into the statistics.
    public struct Shard: Sendable, Hashable, Codable {
        /// The shard's CSV: name, SHA-256, size.
        public var data: Provenance.FileDigest
        /// Rows used.
        public var rows: Int
        /// Whether unknown answers were counted as missing.
        public var lenient: Bool
        /// "blas", "loops" or "counts".
        public var aggregation: String

        public init(data: Provenance.FileDigest, rows: Int, lenient: Bool, aggregation: String) {
            self.data = data
            self.rows = rows
            self.lenient = lenient
            self.aggregation = aggregation
        }
    }

    /// The engine that wrote the statistics.
    public var engine: String
    /// `specDigest(_:)` of the spec the statistics were computed with.
    public var specSHA256: String
    /// The responses files added up, in order.
    public var shards: [Shard]
    /// Item ids along the statistics' item axis.
    public var items: [String]
    /// The demographic columns, in spec order.
    public var demographics: [String]
    /// Per demographic, the category names in the statistics' numbering (cell c + 1 is category c).
    public var categories: [[String]]
    /// Row accounting, added up over the shards.
    public var quality: DataQuality
    /// Per item × group × level counts and weighted sums (and cross-products, replicates).
    public var statistics: SufficientStatistics

    public init(engine: String = Engine.name, specSHA256: String, shards: [Shard], items: [String], demographics: [String],
                categories: [[String]], quality: DataQuality, statistics: SufficientStatistics) {
        self.engine = engine
        self.specSHA256 = specSHA256
        self.shards = shards
        self.items = items
        self.demographics = demographics
        self.categories = categories
        self.quality = quality
        self.statistics = statistics
    }

    /// SHA-256 of the spec's canonical JSON form, without its `data` path (shards name their
    /// own CSVs): comments, layout and key order of the YAML do not count; anything that
    /// changes the numbers does.
    public static func specDigest(_ spec: SurveySpec) throws -> String {
        var canonical = spec
        canonical.data = nil
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return SHA256.hex(try encoder.encode(canonical))
    }

    /// The spec's distinct items in first-appearance order: the statistics' item axis (as `ResponseReader.items`).
    public static func items(of spec: SurveySpec) -> [Item] {
        var seen: Set<String> = []
        return spec.allItems.filter { seen.insert($0.id).inserted }
    }

    /// Reads one responses CSV into partial statistics: the aggregation `Analyzer.analyze` does,
    /// without an analysis. A spec that adjusts weights to population shares is refused: raking
    /// needs every row at once, so shards of it cannot be added up.
    ///
    /// Shards need no coordination: the bootstrap is drawn from the merged statistics, so any
    /// split of the rows gives the replicates of one pass.
    public static func aggregate(
        spec: SurveySpec, csvPath: String, displayName: String? = nil, specName: String = "the spec",
        options: ReadOptions = ReadOptions(), path: AggregationPath = .loops,
        inference: InferenceOptions = InferenceOptions(), pipeline: PipelineOptions = PipelineOptions()
    ) throws -> PartialStatistics {
        if spec.population != nil {
            throw InputError(
                "cannot aggregate a shard of a survey whose weights are adjusted to population shares",
                at: SourceLocation(file: specName, keyPath: "population"),
                expected: "a spec without `population:` (raking and post-stratification need every row at once: run `wai analyze` on the whole file)")
        }
        if spec.design != nil {
            throw InputError(
                "cannot aggregate a shard of a survey with a sampling design: `wai.partial/2` statistics carry no per-PSU sums",
                at: SourceLocation(file: specName, keyPath: "design"), found: "design: with \(spec.design!.described)",
                expected: "a spec without `design:`, or `wai analyze` on the whole file")
        }
        // Platform exports, other encodings and delimiters, as `Analyzer.analyze` reads them.
        let input = try PreparedInput.prepare(csvPath: csvPath, displayName: displayName, spec: spec, options: options)
        defer { input.discard() }
        do {
            var partial = try aggregate(prepared: input, spec: spec, csvPath: csvPath, displayName: displayName, specName: specName,
                                        options: options, path: path, inference: inference, pipeline: pipeline)
            partial.quality = input.relocate(partial.quality)
            return partial
        } catch {
            throw input.relocate(error)
        }
    }

    static func aggregate(
        prepared input: PreparedInput, spec: SurveySpec, csvPath: String, displayName: String?, specName: String,
        options: ReadOptions, path: AggregationPath, inference: InferenceOptions, pipeline: PipelineOptions
    ) throws -> PartialStatistics {
        let reader = try ResponseReader(spec: spec, csvPath: input.path, displayName: input.displayName, specName: specName, options: input.options)
        let read = try ParallelAnalyzer.aggregate(
            reader: reader, plan: Analyzer.plan(spec: spec, items: reader.items, inference: inference),
            scores: Analyzer.scores(spec: spec, items: reader.items), counts: path, calibration: nil, options: pipeline)
        let data = try Provenance.FileDigest(path: csvPath, name: ((displayName ?? csvPath) as NSString).lastPathComponent)
        return PartialStatistics(
            specSHA256: try specDigest(spec),
            shards: [Shard(data: data, rows: read.quality.rowsUsed, lenient: options.lenient, aggregation: path.rawValue)],
            items: reader.items.map(\.id), demographics: spec.demographics.map(\.column), categories: read.categories,
            quality: read.quality, statistics: read.statistics)
    }

    /// Checks that these statistics belong to `spec`; `name` locates the message.
    public func check(against spec: SurveySpec, name: String) throws {
        let digest = try Self.specDigest(spec)
        guard specSHA256 == digest else {
            throw InputError(
                "these statistics were aggregated with another spec", at: SourceLocation(file: name, keyPath: "spec_sha256"),
                found: specSHA256, expected: "\(digest), the digest of the spec given (aggregate every shard with the same spec)")
        }
        let ids = Self.items(of: spec).map(\.id)
        guard items == ids, statistics.itemCount == ids.count, statistics.levelCount == spec.levelCount,
              demographics == spec.demographics.map(\.column), categories.count == demographics.count,
              statistics.byDemographic.count == demographics.count else {
            throw InputError("the statistics' layout does not match the spec", at: SourceLocation(file: name, keyPath: "items"),
                             found: items.joined(separator: ", "), expected: ids.joined(separator: ", "))
        }
    }

    /// Adds up parts of one survey's data, in the order given (which fixes the order in which
    /// unfixed categories are first met, as in one pass over the concatenated rows).
    /// Categories are matched by name, as the reader matches answers. `names` locate messages.
    ///
    /// The data-quality account adds up; line numbers (rejected rows, the first line of an unknown
    /// answer, duplicate ids, fully blank responses) are those of each shard's own file, and
    /// rejection reasons name the shard.
    public static func merge(_ parts: [PartialStatistics], names: [String], spec: SurveySpec) throws -> PartialStatistics {
        precondition(!parts.isEmpty && parts.count == names.count)
        if spec.design != nil {
            throw InputError(
                "cannot merge statistics of a survey with a sampling design: `wai.partial/2` statistics carry no per-PSU sums",
                at: SourceLocation(file: "the spec", keyPath: "design"), found: "design: with \(spec.design!.described)",
                expected: "a spec without `design:`, or `wai analyze` on the whole file")
        }
        for (part, name) in zip(parts, names) { try part.check(against: spec, name: name) }
        let first = parts[0]
        for (part, name) in zip(parts, names).dropFirst() where part.statistics.plan != first.statistics.plan {
            let plan = { (p: AggregationPlan) in "\(p.replicates) replicates, seed \(p.seed)" }
            throw InputError(
                "the shards were aggregated with different bootstrap settings", at: SourceLocation(file: name, keyPath: "plan"),
                found: plan(part.statistics.plan), expected: "\(plan(first.statistics.plan)) as in \(names[0]) (the same --replicates and --seed for every shard)")
        }
        var seen: [String: String] = [:]
        for (part, name) in zip(parts, names) {
            for shard in part.shards {
                if let earlier = seen[shard.data.sha256] {
                    throw InputError(
                        "the same responses file twice: its rows would be counted twice", at: SourceLocation(file: name, keyPath: "shards"),
                        found: "\(shard.data.name) (SHA-256 \(shard.data.sha256.prefix(12))…), already in \(earlier)",
                        expected: "each shard once")
                }
                seen[shard.data.sha256] = name
            }
        }
        var merged = SufficientStatistics(
            itemCount: first.statistics.itemCount, levelCount: first.statistics.levelCount,
            demographicCount: spec.demographics.count, plan: first.statistics.plan)
        var categories = spec.demographics.map { $0.categories ?? [] }
        var lookup = categories.map { names in Dictionary(names.enumerated().map { (normalizedAnswer($1), $0) }, uniquingKeysWith: { a, _ in a }) }
        var quality = DataQuality()
        var unknownIndex: [String: Int] = [:]
        var duplicateIndex: [String: Int] = [:]
        for (part, name) in zip(parts, names) {
            var remapped = part.statistics
            for d in spec.demographics.indices {
                let cells = part.statistics.byDemographic[d]
                var target = [cells[0]]
                for (c, category) in part.categories[d].enumerated() {
                    let key = normalizedAnswer(category)
                    let u: Int
                    if let known = lookup[d][key] {
                        u = known
                    } else if spec.demographics[d].categories == nil {
                        u = categories[d].count
                        categories[d].append(category)
                        lookup[d][key] = u
                    } else {
                        throw InputError("category not in the spec's fixed list", at: SourceLocation(file: name, keyPath: "demographics[\(d)].categories[\(c)]"),
                                         found: category, expected: "one of \(categories[d].joined(separator: ", "))")
                    }
                    while target.count <= u + 1 { target.append(merged.emptyCell()) }
                    if c + 1 < cells.count { target[u + 1] = cells[c + 1] }
                }
                remapped.byDemographic[d] = target
            }
            merged += remapped

            let q = part.quality
            let prefix = parts.count > 1 ? "\(part.shards.map(\.data.name).joined(separator: "+")): " : ""
            quality.rowsRead += q.rowsRead
            quality.rowsUsed += q.rowsUsed
            quality.blankLines += q.blankLines
            if let lines = q.fullyBlankResponses { quality.fullyBlankResponses = (quality.fullyBlankResponses ?? []) + lines }
            quality.rejections += q.rejections.map { rejection in
                var located = rejection
                located.reason = prefix + rejection.reason
                return located
            }
            for unknown in q.unknownAnswers {
                let key = unknown.field + "\u{0}" + unknown.value
                if let index = unknownIndex[key] {
                    quality.unknownAnswers[index].count += unknown.count
                } else {
                    unknownIndex[key] = quality.unknownAnswers.count
                    quality.unknownAnswers.append(unknown)
                }
            }
            // An id repeated within several shards is listed once. Ids met once in each of two
            // shards are not found: a shard keeps no list of its ids.
            for duplicate in q.duplicateIDs {
                if let index = duplicateIndex[duplicate.id] {
                    quality.duplicateIDs[index].lines += duplicate.lines
                } else {
                    duplicateIndex[duplicate.id] = quality.duplicateIDs.count
                    quality.duplicateIDs.append(duplicate)
                }
            }
            quality.duplicateUnusedHeaders = Array(Set(quality.duplicateUnusedHeaders + q.duplicateUnusedHeaders)).sorted()
        }
        return PartialStatistics(
            engine: first.engine, specSHA256: first.specSHA256, shards: parts.flatMap(\.shards), items: first.items,
            demographics: first.demographics, categories: categories, quality: quality, statistics: merged)
    }

    /// The analysis of these statistics, as `Analyzer.analyze` gives it for the same rows.
    /// - Parameter data: how the report names its data ("3 shards").
    public func analysis(spec: SurveySpec, data: String, breakdowns: [String]? = nil, confidence: Double = 0.95) throws -> SurveyAnalysis {
        try Estimation.summarize(
            spec: spec, items: Self.items(of: spec), statistics: statistics, categories: categories, quality: quality,
            data: data, breakdowns: breakdowns, confidence: confidence)
    }

    /// Provenance of a report made from these statistics.
    public func provenance(spec: Provenance.FileDigest, source: String, formats: [String], breakdowns: [String]?) -> Provenance {
        var aggregation: [String] = []
        for shard in shards where !aggregation.contains(shard.aggregation) { aggregation.append(shard.aggregation) }
        return Provenance(
            spec: spec, source: source, data: shards.map(\.data),
            options: .init(lenient: shards.contains(where: \.lenient), aggregation: aggregation.joined(separator: "+"),
                           formats: formats, breakdowns: breakdowns),
            rows: .init(quality))
    }
}
