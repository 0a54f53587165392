import WAIModel
/// Everything the estimators need from the rows of one group, summed.
///
/// Sums merge by addition, so statistics from chunks, threads, files or machines combine
/// exactly as one pass over all the rows would (up to floating-point summation order for
/// non-integer weights).
public struct CellStatistics: Sendable, Hashable, Codable {
    /// Rows in the group.
    public var rows: Double = 0
    /// Σw and Σw² over the group's rows.
    public var weightSum: Double = 0
    public var weightSquaredSum: Double = 0
    /// Per item × level (level fastest): rows that gave that answer.
    public var counts: [Double]
    /// Per item × level: Σw over the rows that gave that answer.
    public var weighted: [Double]
    /// Per item × level: Σw² over the rows that gave that answer (for linearization variances).
    public var weightedSquared: [Double]
    /// With p items, the 2p × 2p matrix [A M]ᵀ[A M] (row-major), where row r of A holds
    /// w_r·score_ri and row r of M holds w_r·answered_ri. Its blocks give, for every pair of
    /// items, the Σw² cross-products over the rows that answered both: what the covariance of
    /// two item indices — and so the variance of a composite — needs. Empty when not asked for.
    public var pairwise: [Double]
    /// After raking or post-stratification: the sums over the weighting cells that make the
    /// standard errors account for it (`CalibrationSums`); nil otherwise.
    public var calibration: CalibrationSums? = nil

    public init(cells: Int, items: Int = 0, pairwise: Bool = false) {
        counts = Array(repeating: 0, count: cells)
        weighted = Array(repeating: 0, count: cells)
        weightedSquared = Array(repeating: 0, count: cells)
        self.pairwise = pairwise ? Array(repeating: 0, count: 4 * items * items) : []
    }

    public static func += (lhs: inout CellStatistics, rhs: CellStatistics) {
        precondition(lhs.counts.count == rhs.counts.count && lhs.pairwise.count == rhs.pairwise.count, "merging statistics of different layouts")
        lhs.rows += rhs.rows
        lhs.weightSum += rhs.weightSum
        lhs.weightSquaredSum += rhs.weightSquaredSum
        add(&lhs.counts, rhs.counts)
        add(&lhs.weighted, rhs.weighted)
        add(&lhs.weightedSquared, rhs.weightedSquared)
        add(&lhs.pairwise, rhs.pairwise)
        if let sums = rhs.calibration {
            if lhs.calibration == nil { lhs.calibration = sums } else { lhs.calibration! += sums }
        }
    }
}

func add(_ target: inout [Double], _ source: [Double]) {
    for j in target.indices { target[j] += source[j] }
}

/// Weighted cross-products of one table's item scores over the rows that answered all of
/// them (listwise): the input of Cronbach's alpha.
public struct ReliabilityStatistics: Sendable, Hashable, Codable {
    /// Positions of the table's items on the statistics' item axis.
    public var items: [Int]
    /// Complete rows.
    public var rows: Double = 0
    /// (p+1) × (p+1), row-major: XᵀX with X = √w·[score₁ … score_p 1], so the last row holds
    /// Σw·score and the corner Σw.
    public var crossProducts: [Double]

    public init(items: [Int]) {
        self.items = items
        crossProducts = Array(repeating: 0, count: (items.count + 1) * (items.count + 1))
    }

    public static func += (lhs: inout ReliabilityStatistics, rhs: ReliabilityStatistics) {
        precondition(lhs.items == rhs.items, "merging statistics of different layouts")
        lhs.rows += rhs.rows
        add(&lhs.crossProducts, rhs.crossProducts)
    }
}

/// What an aggregation computes beyond level counts.
public struct AggregationPlan: Sendable, Hashable, Codable {
    /// Bootstrap replicates the estimates will be given (drawn from the statistics, see
    /// `Bootstrap`); 0 for none. Nothing about them is aggregated per row.
    public var replicates: Int
    /// Seed of the replicates: the same seed gives the same replicates.
    public var seed: UInt64
    /// Pairwise cross-products for composite standard errors.
    public var pairwise: Bool
    /// Item positions of each table whose reliability is wanted.
    public var reliabilityTables: [[Int]]
    /// The order-dependent tie sums of weighted rank tests (`TiePositionCounter`).
    public var tiePositions: Bool

    public init(replicates: Int = 0, seed: UInt64 = 20240601, pairwise: Bool = false, reliabilityTables: [[Int]] = [],
                tiePositions: Bool = false) {
        self.replicates = replicates
        self.seed = seed
        self.pairwise = pairwise
        self.reliabilityTables = reliabilityTables
        self.tiePositions = tiePositions
    }

    enum CodingKeys: String, CodingKey { case replicates, seed, pairwise, reliabilityTables, tiePositions }

    /// Partial-statistics files written before `tiePositions` existed read as without it.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        replicates = try c.decode(Int.self, forKey: .replicates)
        seed = try c.decode(UInt64.self, forKey: .seed)
        pairwise = try c.decode(Bool.self, forKey: .pairwise)
        reliabilityTables = try c.decode([[Int]].self, forKey: .reliabilityTables)
        tiePositions = try c.decodeIfPresent(Bool.self, forKey: .tiePositions) ?? false
    }

    /// Level counts only.
    public static let countsOnly = AggregationPlan()
}

/// The sufficient statistics of a survey: one cell for all rows, and per demographic one
/// cell for "missing" followed by one per category (in the reader's category order).
public struct SufficientStatistics: Sendable, Hashable, Codable {
    public var itemCount: Int
    public var levelCount: Int
    public var plan: AggregationPlan
    public var overall: CellStatistics
    /// `byDemographic[d][0]` is the rows with no answer for demographic d; `[d][c + 1]` is category c.
    public var byDemographic: [[CellStatistics]]
    /// One per `plan.reliabilityTables` entry, over all rows.
    public var reliability: [ReliabilityStatistics]
    /// With `plan.tiePositions`: per demographic, item × level, Σ k·w in file order
    /// (`TiePositionCounter`); nil when not kept.
    public var tiePositions: [[Double]]?

    public init(itemCount: Int, levelCount: Int, demographicCount: Int, plan: AggregationPlan = .countsOnly) {
        self.itemCount = itemCount
        self.levelCount = levelCount
        self.plan = plan
        overall = CellStatistics(cells: 0)
        byDemographic = []
        reliability = plan.reliabilityTables.map { ReliabilityStatistics(items: $0) }
        overall = emptyCell()
        byDemographic = Array(repeating: [emptyCell()], count: demographicCount)
    }

    package func emptyCell() -> CellStatistics {
        CellStatistics(cells: itemCount * levelCount, items: itemCount, pairwise: plan.pairwise)
    }

    /// Removes the calibration sums of every cell (replicate designs carry the calibration in
    /// their recalibrated replicates instead).
    package mutating func dropCalibrationSums() {
        overall.calibration = nil
        for d in byDemographic.indices {
            for g in byDemographic[d].indices { byDemographic[d][g].calibration = nil }
        }
    }

    /// Makes room for categories up to number `categories` (1-based) of demographic d.
    package mutating func ensure(demographic d: Int, categories: Int) {
        while byDemographic[d].count <= categories {
            byDemographic[d].append(emptyCell())
        }
    }

    /// Adds another set of statistics computed over other rows with the same layout (the rows
    /// after these: tie positions follow file order).
    public static func += (lhs: inout SufficientStatistics, rhs: SufficientStatistics) {
        precondition(lhs.itemCount == rhs.itemCount && lhs.levelCount == rhs.levelCount && lhs.plan == rhs.plan
                     && lhs.byDemographic.count == rhs.byDemographic.count, "merging statistics of different layouts")
        lhs.appendTiePositions(of: rhs)
        lhs.overall += rhs.overall
        for d in rhs.byDemographic.indices {
            lhs.ensure(demographic: d, categories: rhs.byDemographic[d].count - 1)
            for g in rhs.byDemographic[d].indices { lhs.byDemographic[d][g] += rhs.byDemographic[d][g] }
        }
        for t in lhs.reliability.indices { lhs.reliability[t] += rhs.reliability[t] }
    }
}
