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

    public init(cells: Int) {
        counts = Array(repeating: 0, count: cells)
        weighted = Array(repeating: 0, count: cells)
    }

    public static func += (lhs: inout CellStatistics, rhs: CellStatistics) {
        precondition(lhs.counts.count == rhs.counts.count, "merging statistics of different layouts")
        lhs.rows += rhs.rows
        lhs.weightSum += rhs.weightSum
        lhs.weightSquaredSum += rhs.weightSquaredSum
        for j in lhs.counts.indices {
            lhs.counts[j] += rhs.counts[j]
            lhs.weighted[j] += rhs.weighted[j]
        }
    }
}

/// The sufficient statistics of a survey: one cell for all rows, and per demographic one
/// cell for "missing" followed by one per category (in the reader's category order).
public struct SufficientStatistics: Sendable, Hashable, Codable {
    public var itemCount: Int
    public var levelCount: Int
    public var overall: CellStatistics
    /// `byDemographic[d][0]` is the rows with no answer for demographic d; `[d][c + 1]` is category c.
    public var byDemographic: [[CellStatistics]]

    public init(itemCount: Int, levelCount: Int, demographicCount: Int) {
        self.itemCount = itemCount
        self.levelCount = levelCount
        overall = CellStatistics(cells: itemCount * levelCount)
        byDemographic = Array(repeating: [CellStatistics(cells: itemCount * levelCount)], count: demographicCount)
    }

    /// Makes room for categories up to number `categories` (1-based) of demographic d.
    mutating func ensure(demographic d: Int, categories: Int) {
        while byDemographic[d].count <= categories {
            byDemographic[d].append(CellStatistics(cells: itemCount * levelCount))
        }
    }

    /// Adds another set of statistics computed over other rows with the same layout.
    public static func += (lhs: inout SufficientStatistics, rhs: SufficientStatistics) {
        precondition(lhs.itemCount == rhs.itemCount && lhs.levelCount == rhs.levelCount
                     && lhs.byDemographic.count == rhs.byDemographic.count, "merging statistics of different layouts")
        lhs.overall += rhs.overall
        for d in rhs.byDemographic.indices {
            lhs.ensure(demographic: d, categories: rhs.byDemographic[d].count - 1)
            for g in rhs.byDemographic[d].indices { lhs.byDemographic[d][g] += rhs.byDemographic[d][g] }
        }
    }
}
