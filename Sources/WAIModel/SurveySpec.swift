/// A Likert item: one question, read from one column.
public struct Item: Sendable, Hashable, Codable {
    public var id: String
    public var column: String
    /// The questionnaire wording, printed in reports.
    public var text: String
    /// Reverse-keyed: level i of k is scored as level k+1−i.
    public var reverse: Bool
    /// The name of the item's scale (its own, else its table's); nil: the spec's default `scale:`.
    public var scale: String?

    public init(id: String, column: String, text: String, reverse: Bool = false, scale: String? = nil) {
        self.id = id
        self.column = column
        self.text = text
        self.reverse = reverse
        self.scale = scale
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case id, column, text, reverse, scale }

    public init(from decoder: any Decoder) throws {
        try rejectUnknownKeys(in: decoder, allowed: CodingKeys.allCases.map(\.rawValue))
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        column = try c.decodeIfPresent(String.self, forKey: .column) ?? id
        text = try c.decodeIfPresent(String.self, forKey: .text) ?? column
        reverse = try c.decodeIfPresent(Bool.self, forKey: .reverse) ?? false
        scale = try c.decodeIfPresent(String.self, forKey: .scale)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(column, forKey: .column)
        try c.encode(text, forKey: .text)
        try c.encode(reverse, forKey: .reverse)
        try c.encodeIfPresent(scale, forKey: .scale)
    }
}

/// A group of items reported together: a published table or figure, with its composite (OA).
public struct ItemTable: Sendable, Hashable, Codable {
    public var id: String
    public var title: String
    /// How the study numbers it ("Table 1", "Figure 2").
    public var caption: String?
    /// Band labels for this table when they differ from the survey's ("Medium" for "Neutral").
    public var bandLabels: [String]?
    /// Whether the table carries an overall-assessment row: the mean of its items' indices.
    public var composite: Bool
    /// The scale of the table's items that name none; nil: the spec's default `scale:`.
    public var scale: String?
    /// Each item's `scale` is its own, or else the table's.
    public var items: [Item]

    public init(
        id: String, title: String, caption: String? = nil, bandLabels: [String]? = nil,
        composite: Bool = true, scale: String? = nil, items: [Item]
    ) {
        self.id = id
        self.title = title
        self.caption = caption
        self.bandLabels = bandLabels
        self.composite = composite
        self.scale = scale
        self.items = items.map { var item = $0; item.scale = item.scale ?? scale; return item }
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case id, title, caption, bandLabels = "band_labels", composite, scale, items
    }

    public init(from decoder: any Decoder) throws {
        try rejectUnknownKeys(in: decoder, allowed: CodingKeys.allCases.map(\.rawValue))
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            id: try c.decode(String.self, forKey: .id),
            title: try c.decodeIfPresent(String.self, forKey: .title) ?? c.decode(String.self, forKey: .id),
            caption: try c.decodeIfPresent(String.self, forKey: .caption),
            bandLabels: try c.decodeIfPresent([String].self, forKey: .bandLabels),
            composite: try c.decodeIfPresent(Bool.self, forKey: .composite) ?? true,
            scale: try c.decodeIfPresent(String.self, forKey: .scale),
            items: try c.decode([Item].self, forKey: .items))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(title, forKey: .title)
        try c.encodeIfPresent(caption, forKey: .caption)
        try c.encodeIfPresent(bandLabels, forKey: .bandLabels)
        try c.encode(composite, forKey: .composite)
        try c.encodeIfPresent(scale, forKey: .scale)
        try c.encode(items, forKey: .items)
    }
}

/// A column describing respondents (gender, job type), tabulated and usable for breakdowns.
public struct Demographic: Sendable, Hashable, Codable {
    public var column: String
    public var label: String
    /// The categories in the order they are printed; values outside the list are an error.
    /// When absent, categories are those found, most frequent first.
    public var categories: [String]?

    public init(column: String, label: String? = nil, categories: [String]? = nil) {
        self.column = column
        self.label = label ?? column
        self.categories = categories
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case column, label, categories }

    /// Either a bare column name or `{column, label, categories}`.
    public init(from decoder: any Decoder) throws {
        if let name = try? decoder.singleValueContainer().decode(String.self) {
            self.init(column: name)
            return
        }
        try rejectUnknownKeys(in: decoder, allowed: CodingKeys.allCases.map(\.rawValue))
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let column = try c.decode(String.self, forKey: .column)
        self.init(
            column: column,
            label: try c.decodeIfPresent(String.self, forKey: .label),
            categories: try c.decodeIfPresent([String].self, forKey: .categories))
    }
}

/// Everything wai needs to know about a survey: its scale, bands, items and columns.
public struct SurveySpec: Sendable, Hashable, Codable {
    public var title: String
    /// The wave of a repeated survey ("2024", "2024-Q2"): its label in `wai trend`, which orders
    /// waves by it when every survey has one.
    public var wave: String? = nil
    /// The responses file, relative to the spec.
    public var data: String?
    /// The platform the responses were exported from (header rows, column names, metadata);
    /// nil: recognised from the file itself.
    public var source: DataSource? = nil
    /// How the responses file's bytes encode text; nil: UTF-8, or UTF-16 with a byte order mark.
    public var encoding: TextEncoding? = nil
    /// The sheet of a workbook `data:` to read; nil: the first.
    public var sheet: String? = nil
    /// Respondent-id column; duplicate ids are reported.
    public var id: String?
    /// Survey-weight column; absent means every row weighs 1. Shorthand for `design: {weight: …}`;
    /// with a `design:` it is the design's weight.
    public var weight: String?
    /// Strata, PSUs and finite-population correction of a complex sample; nil: rows are an
    /// independent (weighted) sample.
    public var design: SurveyDesign? = nil
    /// The default scale: of every item whose table and item name none.
    public var scale: Scale
    /// The named scales (`scales:`), in spec order.
    public var scales: [Scale] = []
    /// The name `scale:` gives when it names one of `scales` instead of writing a scale out.
    public var scaleReference: String? = nil
    public var bands: BandTable
    public var demographics: [Demographic]
    /// Population shares to rake or post-stratify the weights to.
    public var population: Population?
    /// How Cronbach's alpha treats missing answers; nil: pairwise without weights (psych's
    /// default), listwise with them.
    public var reliabilityMissing: ReliabilityMissing? = nil
    public var tables: [ItemTable]

    public init(
        title: String, data: String? = nil, id: String? = nil, weight: String? = nil,
        scale: Scale, scales: [Scale] = [], bands: BandTable = .standard, demographics: [Demographic] = [],
        population: Population? = nil, tables: [ItemTable]
    ) {
        self.title = title
        self.data = data
        self.id = id
        self.weight = weight
        self.scale = scale
        self.scales = scales
        if scales.contains(scale) { scaleReference = scale.name }
        self.bands = bands
        self.demographics = demographics
        self.population = population
        self.tables = tables
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case title, wave, data, source, sheet, encoding, id, weight, design, scales, scale, bands, demographics, population, reliability, tables
    }

    enum ReliabilityKeys: String, CodingKey, CaseIterable { case missing }

    public init(from decoder: any Decoder) throws {
        try rejectUnknownKeys(in: decoder, allowed: CodingKeys.allCases.map(\.rawValue))
        let c = try decoder.container(keyedBy: CodingKeys.self)
        title = try c.decode(String.self, forKey: .title)
        wave = try c.decodeIfPresent(String.self, forKey: .wave)
        data = try c.decodeIfPresent(String.self, forKey: .data)
        if let name = try c.decodeIfPresent(String.self, forKey: .source) {
            guard let source = DataSource(rawValue: name.lowercased()) else {
                throw DecodingError.dataCorruptedError(forKey: .source, in: c, debugDescription: "unknown source \(Quoted(name)); expected \(DataSource.choices)")
            }
            self.source = source
        }
        if let name = try c.decodeIfPresent(String.self, forKey: .encoding) {
            guard let encoding = TextEncoding(name: name) else {
                throw DecodingError.dataCorruptedError(forKey: .encoding, in: c, debugDescription: "unknown encoding \(Quoted(name)); expected \(TextEncoding.choices)")
            }
            self.encoding = encoding
        }
        sheet = try c.decodeIfPresent(String.self, forKey: .sheet)
        id = try c.decodeIfPresent(String.self, forKey: .id)
        weight = try c.decodeIfPresent(String.self, forKey: .weight)
        design = try c.decodeIfPresent(SurveyDesign.self, forKey: .design)
        if let designWeight = design?.weight {
            if let weight, weight != designWeight {
                throw DecodingError.dataCorruptedError(
                    forKey: .design, in: c,
                    debugDescription: "`weight: \(weight)` and `design: {weight: \(designWeight)}` name different weight columns; expected one weight column")
            }
            weight = designWeight
        }
        if design?.isComplex == false { design = nil }
        if c.contains(.scales) {
            let named = try c.nestedContainer(keyedBy: UnknownKey.self, forKey: .scales)
            scales = try named.allKeys.map { key in
                var scale = try named.decode(Scale.self, forKey: key)
                scale.name = key.stringValue
                return scale
            }
        }
        if let name = try? c.decode(String.self, forKey: .scale) {
            scaleReference = name
            scale = scales.first { $0.name == name } ?? Scale(levels: [], name: name)
        } else {
            scale = try c.decode(Scale.self, forKey: .scale)
        }
        bands = try c.decodeIfPresent(BandTable.self, forKey: .bands) ?? .standard
        demographics = try c.decodeIfPresent([Demographic].self, forKey: .demographics) ?? []
        population = try c.decodeIfPresent(Population.self, forKey: .population)
        tables = try c.decode([ItemTable].self, forKey: .tables)
        if c.contains(.reliability) {
            let r = try c.nestedContainer(keyedBy: ReliabilityKeys.self, forKey: .reliability)
            let allowed = Set(ReliabilityKeys.allCases.map(\.rawValue))
            if let unknown = try c.nestedContainer(keyedBy: UnknownKey.self, forKey: .reliability).allKeys.first(where: { !allowed.contains($0.stringValue) }) {
                throw DecodingError.dataCorruptedError(forKey: .reliability, in: c,
                                                       debugDescription: "unknown key \(Quoted(unknown.stringValue)) in reliability; expected missing: pairwise | listwise")
            }
            if let name = try r.decodeIfPresent(String.self, forKey: .missing) {
                guard let value = ReliabilityMissing(rawValue: name) else {
                    throw DecodingError.dataCorruptedError(forKey: .missing, in: r, debugDescription: "unknown reliability.missing \(Quoted(name)); expected pairwise or listwise")
                }
                reliabilityMissing = value
            }
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(title, forKey: .title)
        try c.encodeIfPresent(wave, forKey: .wave)
        try c.encodeIfPresent(data, forKey: .data)
        try c.encodeIfPresent(source?.rawValue, forKey: .source)
        try c.encodeIfPresent(sheet, forKey: .sheet)
        try c.encodeIfPresent(encoding, forKey: .encoding)
        try c.encodeIfPresent(id, forKey: .id)
        try c.encodeIfPresent(weight, forKey: .weight)
        try c.encodeIfPresent(design, forKey: .design)
        if !scales.isEmpty {
            var named = c.nestedContainer(keyedBy: UnknownKey.self, forKey: .scales)
            for scale in scales { try named.encode(scale, forKey: UnknownKey(stringValue: scale.name)) }
        }
        if let scaleReference { try c.encode(scaleReference, forKey: .scale) } else { try c.encode(scale, forKey: .scale) }
        try c.encode(bands, forKey: .bands)
        try c.encode(demographics, forKey: .demographics)
        try c.encodeIfPresent(population, forKey: .population)
        if let reliabilityMissing {
            var r = c.nestedContainer(keyedBy: ReliabilityKeys.self, forKey: .reliability)
            try r.encode(reliabilityMissing.rawValue, forKey: .missing)
        }
        try c.encode(tables, forKey: .tables)
    }

    /// Every item of every table, in spec order. An item may appear in several tables.
    public var allItems: [Item] { tables.flatMap(\.items) }

    /// The scale an item's answers are coded and scored with: its own, its table's, or the default.
    public func scale(of item: Item) -> Scale {
        guard let name = item.scale, name != scaleReference else { return scale }
        return scales.first { $0.name == name } ?? scale
    }

    /// The scales the items use, in order of first use (the default first when an item uses it).
    public var usedScales: [Scale] {
        var seen: Set<String> = []
        return allItems.map(scale(of:)).filter { seen.insert($0.name).inserted }
    }

    /// Levels per item in the statistics' layout: the most levels of any item's scale (an item
    /// with fewer leaves its higher level slots at zero).
    public var levelCount: Int { usedScales.map(\.levels.count).max() ?? scale.levels.count }

    /// Whether rows carry weights or a design, so that group comparisons are design-based
    /// (R's svyranktest and svychisq) rather than wilcox.test/kruskal.test/chisq.test.
    public var usesDesignBasedTests: Bool { weight != nil || population != nil || design != nil }

    /// Whether the table's items are on different scales (its composite then averages the
    /// items' indices mapped to 0…1, and it gets no alpha).
    public func mixesScales(_ table: ItemTable) -> Bool {
        Set(table.items.map { scale(of: $0).name }).count > 1
    }

    /// The names of the scales of a table's items, in order of first use.
    public func scaleNames(of table: ItemTable) -> [String] {
        var seen: Set<String> = []
        return table.items.map { scale(of: $0).name }.filter { seen.insert($0).inserted }
    }

    /// The band table a given table prints with.
    public func bands(for table: ItemTable) -> BandTable { bands.relabeled(table.bandLabels) }
}

/// A key the decoder does not know: rejected, so that a typo cannot silently change a report.
struct UnknownKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

func rejectUnknownKeys(in decoder: any Decoder, allowed: [String]) throws {
    guard let c = try? decoder.container(keyedBy: UnknownKey.self) else { return }
    for key in c.allKeys where !allowed.contains(key.stringValue) {
        var message = "unknown key \(Quoted(key.stringValue)); expected one of \(allowed.joined(separator: ", "))"
        if let near = nearestMatch(to: key.stringValue, in: allowed) {
            message += " (did you mean \(Quoted(near))?)"
        }
        throw DecodingError.dataCorrupted(
            DecodingError.Context(codingPath: decoder.codingPath + [key], debugDescription: message))
    }
}

/// Which rows Cronbach's alpha uses, as psych::alpha's `use`.
public enum ReliabilityMissing: String, Sendable, Hashable, Codable, CaseIterable {
    /// Each pair of items over the rows that answered both (psych: use = "pairwise").
    case pairwise
    /// The rows that answered every item of the table (psych on na.omit(x)).
    case listwise
}
