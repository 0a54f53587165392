/// One answer option of a Likert scale.
public struct Level: Sendable, Hashable, Codable {
    /// The code a survey export may use for this level (`1` … `5`).
    public var code: Int
    /// The label printed in reports.
    public var label: String
    /// Other spellings that mean this level: translations, platform wordings.
    public var aliases: [String]

    public init(code: Int, label: String, aliases: [String] = []) {
        self.code = code
        self.label = label
        self.aliases = aliases
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case code, label, aliases }

    public init(from decoder: any Decoder) throws {
        try rejectUnknownKeys(in: decoder, allowed: CodingKeys.allCases.map(\.rawValue))
        let c = try decoder.container(keyedBy: CodingKeys.self)
        code = try c.decode(Int.self, forKey: .code)
        label = try c.decode(String.self, forKey: .label)
        aliases = try c.decodeIfPresent([String].self, forKey: .aliases) ?? []
    }
}

/// How levels are turned into scores before they are averaged.
public enum Weighting: Sendable, Hashable {
    /// Level i of k weighs (i−1)/(k−1): the lowest level scores 0, the highest 1.
    case normalized
    /// Level i of k weighs i/k: the lowest level scores 1/k, so no index can fall below it.
    case proportional
    /// One weight per level, lowest level first.
    case explicit([Double])

    /// The weight of each of `levelCount` levels, lowest first.
    public func weights(levelCount k: Int) -> [Double] {
        switch self {
        case .normalized:
            return (0..<k).map { k == 1 ? 0 : Double($0) / Double(k - 1) }
        case .proportional:
            return (1...k).map { Double($0) / Double(k) }
        case .explicit(let weights):
            return weights
        }
    }

    /// The name used in specs and reports.
    public var name: String {
        switch self {
        case .normalized: return "normalized"
        case .proportional: return "proportional"
        case .explicit: return "explicit"
        }
    }
}

/// The ordered answer options of a set of Likert items, with their weights and missing markers.
public struct Scale: Sendable, Hashable {
    /// The scale's key under `scales:` in the spec; "default" for a `scale:` written out.
    public var name: String
    /// Lowest first.
    public var levels: [Level]
    public var weighting: Weighting
    /// Answers that mean "no answer": they are counted as missing, never scored.
    public var missing: [String]

    public static let defaultName = "default"

    public init(levels: [Level], weighting: Weighting = .normalized, missing: [String] = [""], name: String = Scale.defaultName) {
        self.name = name
        self.levels = levels
        self.weighting = weighting
        self.missing = missing
    }

    /// The five-level degree scale of the reference study.
    public static let fivePointDegree = Scale(levels: [
        Level(code: 1, label: "Very Low"), Level(code: 2, label: "Low"), Level(code: 3, label: "Neutral"),
        Level(code: 4, label: "High"), Level(code: 5, label: "Very High"),
    ])

    public var weights: [Double] { weighting.weights(levelCount: levels.count) }

    /// The lowest and highest score a level can have: the range a composite over several
    /// scales maps to 0…1.
    public var scoreRange: (low: Double, high: Double) {
        let w = weights
        return (w.min() ?? 0, w.max() ?? 1)
    }

    /// Whether two scales code answers the same way and score them alike (the name aside).
    public func measuresLike(_ other: Scale) -> Bool {
        levels == other.levels && weights == other.weights && missing == other.missing
    }
}

extension Scale: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable { case levels, weighting, weights, missing }

    /// The name is not part of the mapping: it is the key the scale is listed under.
    public init(from decoder: any Decoder) throws {
        try rejectUnknownKeys(in: decoder, allowed: CodingKeys.allCases.map(\.rawValue))
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = Scale.defaultName
        levels = try c.decode([Level].self, forKey: .levels)
        missing = try c.decodeIfPresent([String].self, forKey: .missing) ?? [""]
        let name = try c.decodeIfPresent(String.self, forKey: .weighting)
        let explicit = try c.decodeIfPresent([Double].self, forKey: .weights)
        switch (name, explicit) {
        case (nil, nil), ("normalized", nil): weighting = .normalized
        case ("proportional", nil): weighting = .proportional
        case (nil, let weights?): weighting = .explicit(weights)
        case (let other?, nil):
            throw DecodingError.dataCorruptedError(
                forKey: .weighting, in: c,
                debugDescription: "unknown weighting \(Quoted(other)); expected normalized or proportional (or give `weights:` instead)")
        case (_?, _?):
            throw DecodingError.dataCorruptedError(
                forKey: .weights, in: c,
                debugDescription: "give either `weighting:` or `weights:`, not both")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(levels, forKey: .levels)
        switch weighting {
        case .explicit(let weights): try c.encode(weights, forKey: .weights)
        default: try c.encode(weighting.name, forKey: .weighting)
        }
        try c.encode(missing, forKey: .missing)
    }
}
