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

    public init(weight: String? = nil, strata: String? = nil, cluster: String? = nil, fpc: String? = nil,
                lonelyPSU: LonelyPSU = .fail) {
        self.weight = weight
        self.strata = strata
        self.cluster = cluster
        self.fpc = fpc
        self.lonelyPSU = lonelyPSU
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case weight, strata, cluster, fpc, lonelyPSU = "lonely_psu"
        case replicateWeights = "replicate_weights", replicateType = "replicate_type", scale, rscales, rho, mse
    }

    public init(from decoder: any Decoder) throws {
        try rejectUnknownKeys(in: decoder, allowed: CodingKeys.allCases.map(\.rawValue))
        let c = try decoder.container(keyedBy: CodingKeys.self)
        if c.contains(.replicateWeights) || c.contains(.replicateType) {
            throw DecodingError.dataCorruptedError(
                forKey: .replicateWeights, in: c,
                debugDescription: "replicate-weight designs are not supported yet; expected strata/cluster/fpc (Taylor linearization)")
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
    }

    /// Whether the design has more than weights: strata, clusters or a finite-population correction.
    public var isComplex: Bool { strata != nil || cluster != nil || fpc != nil }

    /// The design's columns the reader must read besides items, weight and demographics.
    public var columns: [String] { [strata, cluster, fpc].compactMap { $0 } }
}
