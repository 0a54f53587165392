/// A complex sampling design, as R's `survey::svydesign(ids = ~cluster, strata = ~strata,
/// fpc = ~fpc, weights = ~weight, nest = TRUE)`: one stage of PSUs (or rows, without `cluster`)
/// drawn within strata.
public struct SurveyDesign: Sendable, Hashable, Codable {
    /// What a stratum with a single PSU contributes, as `options(survey.lonely.psu = …)`.
    public enum LonelyPSU: String, Sendable, Hashable, Codable, CaseIterable {
        case fail, adjust, average, certainty, remove
    }

    public var weight: String?
    public var strata: String?
    /// PSU column; PSU labels are nested within strata (the same label in two strata is two PSUs).
    public var cluster: String?
    /// Population count of PSUs (of rows, without `cluster`) in the stratum: R's `fpc = N_h`.
    public var fpc: String?
    public var lonelyPSU: LonelyPSU
    /// Replicate weights instead of strata and clusters, as R's `svrepdesign`.
    public var replicates: ReplicateWeights?

    public init(weight: String? = nil, strata: String? = nil, cluster: String? = nil, fpc: String? = nil,
                lonelyPSU: LonelyPSU = .fail, replicates: ReplicateWeights? = nil) {
        self.weight = weight
        self.strata = strata
        self.cluster = cluster
        self.fpc = fpc
        self.lonelyPSU = lonelyPSU
        self.replicates = replicates
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case weight, strata, cluster, fpc, lonelyPSU = "lonely_psu"
        case replicateWeights = "replicate_weights", replicateType = "replicate_type", scale, rscales, rho, mse
    }

    public init(from decoder: any Decoder) throws {
        try rejectUnknownKeys(in: decoder, allowed: CodingKeys.allCases.map(\.rawValue))
        let c = try decoder.container(keyedBy: CodingKeys.self)
        if c.contains(.replicateWeights) || c.contains(.replicateType) {
            replicates = try ReplicateWeights(from: c)
            if let key = [CodingKeys.strata, .cluster, .fpc].first(where: { c.contains($0) }) {
                throw DecodingError.dataCorruptedError(
                    forKey: key, in: c,
                    debugDescription: "a replicate-weight design carries its strata and clusters in its weights; expected `replicate_weights` without `\(key.rawValue)` (or strata/cluster/fpc without replicate weights)")
            }
        } else {
            if let key = [CodingKeys.scale, .rscales, .rho, .mse].first(where: { c.contains($0) }) {
                throw DecodingError.dataCorruptedError(
                    forKey: key, in: c, debugDescription: "`\(key.rawValue)` belongs to replicate weights; expected it beside `replicate_weights` and `replicate_type`")
            }
            replicates = nil
        }
        weight = try c.decodeIfPresent(String.self, forKey: .weight)
        strata = try c.decodeIfPresent(String.self, forKey: .strata)
        cluster = try c.decodeIfPresent(String.self, forKey: .cluster)
        fpc = try c.decodeIfPresent(String.self, forKey: .fpc)
        if let name = try c.decodeIfPresent(String.self, forKey: .lonelyPSU) {
            guard let value = LonelyPSU(rawValue: name) else {
                throw DecodingError.dataCorruptedError(
                    forKey: .lonelyPSU, in: c,
                    debugDescription: "unknown lonely_psu \(Quoted(name)); expected one of \(LonelyPSU.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            lonelyPSU = value
        } else {
            lonelyPSU = .fail
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(weight, forKey: .weight)
        try c.encodeIfPresent(strata, forKey: .strata)
        try c.encodeIfPresent(cluster, forKey: .cluster)
        try c.encodeIfPresent(fpc, forKey: .fpc)
        try c.encode(lonelyPSU.rawValue, forKey: .lonelyPSU)
        if let replicates {
            try c.encode(replicates.pattern, forKey: .replicateWeights)
            try c.encode(replicates.type.rawValue, forKey: .replicateType)
            try c.encodeIfPresent(replicates.scale, forKey: .scale)
            try c.encodeIfPresent(replicates.rscales, forKey: .rscales)
            try c.encodeIfPresent(replicates.rho, forKey: .rho)
            if replicates.mse { try c.encode(true, forKey: .mse) }
        }
    }

    /// Whether the design has more than weights: strata, clusters or a finite-population correction.
    public var isComplex: Bool { strata != nil || cluster != nil || fpc != nil || replicates != nil }

    /// The design's columns the reader must read besides items, weight and demographics.
    public var columns: [String] { [strata, cluster, fpc].compactMap { $0 } }

    /// What the design names, for messages: its columns and any replicate-weight pattern.
    public var described: String {
        (columns + (replicates.map { ["replicate weights \($0.pattern)"] } ?? [])).joined(separator: ", ")
    }
}

/// Replicate weights, as R's `svrepdesign(repweights = …, type = …, combined.weights = TRUE)`:
/// each replicate column holds a full set of weights (the sampling weight already in it), and
/// the variance of an estimate θ is scale · Σ_r rscales_r (θ_r − θ̄)², θ̄ the replicates' mean
/// (or θ itself with `mse: true`).
public struct ReplicateWeights: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        case JK1, JKn, BRR, Fay, bootstrap
    }
    /// A glob over column names (`*`, `?`, `[…]`), matched in header order.
    public var pattern: String
    public var type: Kind
    /// Overrides the type's scale.
    public var scale: Double?
    /// One per replicate (JKn needs them); 1 for every replicate otherwise.
    public var rscales: [Double]?
    /// Fay's ρ: the replicates' perturbation.
    public var rho: Double?
    /// Centre the squared deviations on the full-sample estimate (R: mse = TRUE) rather than the replicates' mean.
    public var mse: Bool

    public init(pattern: String, type: Kind, scale: Double? = nil, rscales: [Double]? = nil, rho: Double? = nil, mse: Bool = false) {
        (self.pattern, self.type, self.scale, self.rscales, self.rho, self.mse) = (pattern, type, scale, rscales, rho, mse)
    }

    init(from c: KeyedDecodingContainer<SurveyDesign.CodingKeys>) throws {
        guard let pattern = try c.decodeIfPresent(String.self, forKey: .replicateWeights), !pattern.isEmpty else {
            throw DecodingError.dataCorruptedError(
                forKey: .replicateWeights, in: c, debugDescription: "`replicate_type` needs `replicate_weights`: a glob over the replicate columns' names such as \"rep_*\"")
        }
        guard let name = try c.decodeIfPresent(String.self, forKey: .replicateType) else {
            throw DecodingError.dataCorruptedError(
                forKey: .replicateType, in: c, debugDescription: "replicate weights need `replicate_type`: one of \(Kind.allCases.map(\.rawValue).joined(separator: ", ")) (R: svrepdesign(type = ...))")
        }
        guard let type = Kind.allCases.first(where: { $0.rawValue.lowercased() == name.lowercased() }) else {
            throw DecodingError.dataCorruptedError(
                forKey: .replicateType, in: c, debugDescription: "unknown replicate_type \(Quoted(name)); expected one of \(Kind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        self.pattern = pattern
        self.type = type
        scale = try c.decodeIfPresent(Double.self, forKey: .scale)
        rscales = try c.decodeIfPresent([Double].self, forKey: .rscales)
        rho = try c.decodeIfPresent(Double.self, forKey: .rho)
        mse = try c.decodeIfPresent(Bool.self, forKey: .mse) ?? false
        if let scale, !(scale > 0 && scale.isFinite) {
            throw DecodingError.dataCorruptedError(forKey: .scale, in: c, debugDescription: "scale must be a positive number, found \(scale)")
        }
        if let rscales, rscales.contains(where: { !($0 >= 0 && $0.isFinite) }) {
            throw DecodingError.dataCorruptedError(forKey: .rscales, in: c, debugDescription: "rscales must be non-negative numbers, one per replicate column")
        }
        if type == .JKn, rscales == nil {
            throw DecodingError.dataCorruptedError(forKey: .rscales, in: c, debugDescription: "replicate_type JKn needs `rscales`, one per replicate column ((n_h − 1)/n_h of its stratum), as R's svrepdesign")
        }
        if type == .Fay {
            guard let rho, rho >= 0, rho < 1 else {
                throw DecodingError.dataCorruptedError(forKey: .rho, in: c, debugDescription: "replicate_type Fay needs `rho`, 0 ≤ rho < 1 (R: svrepdesign(type = \"Fay\", rho = ...))")
            }
        } else if rho != nil {
            throw DecodingError.dataCorruptedError(forKey: .rho, in: c, debugDescription: "`rho` belongs to replicate_type Fay")
        }
    }

    /// The variance's scale for `count` replicates, as svrepdesign sets it.
    public func scale(replicates count: Int) -> Double {
        if let scale { return scale }
        let r = Double(count)
        switch type {
        case .JK1: return (r - 1) / r
        case .JKn: return 1
        case .BRR: return 1 / r
        case .Fay: return 1 / (r * (1 - (rho ?? 0)) * (1 - (rho ?? 0)))
        case .bootstrap: return 1 / (r - 1)
        }
    }
}
