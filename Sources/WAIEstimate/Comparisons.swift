import WAIAggregate
import WAIModel

/// Whether the groups of a demographic answer an item differently.
public struct ItemComparison: Sendable, Hashable, Codable {
    public struct RankTest: Sendable, Hashable, Codable {
        /// Unweighted: "Mann-Whitney" (two groups; W as R's wilcox.test reports it) or
        /// "Kruskal-Wallis" (H). With weights or a design: "Design-based Wilcoxon" (t, as R's
        /// svyranktest) or "Design-based Kruskal-Wallis" (χ² = β'V⁻¹β; p from F(χ²/df; df, ddf)).
        public var name: String
        public var statistic: Double
        /// Kruskal-Wallis: G − 1; design-based Wilcoxon: the t's degrees of freedom.
        public var df: Int?
        /// Design-based Kruskal-Wallis: the F's denominator degrees of freedom.
        public var ddf: Double?
        public var p: Double
        /// Holm-adjusted across the items of this breakdown.
        public var pHolm: Double?
        /// Design-based Wilcoxon: the difference in mean rank score (second group minus first).
        public var estimate: Double?
        /// Design-based: how tied answers were ranked, "file-order" (R's mean running weight
        /// sum, which depends on the rows' order when weights differ) or "midpoint" (C + W/2,
        /// when the statistics carry no tie sums, as from a counts table or shard files).
        public var ties: String?

        public init(name: String, statistic: Double, df: Int? = nil, ddf: Double? = nil, p: Double, pHolm: Double? = nil,
                    estimate: Double? = nil, ties: String? = nil) {
            self.name = name
            self.statistic = statistic
            self.df = df
            self.ddf = ddf
            self.p = p
            self.pHolm = pHolm
            self.estimate = estimate
            self.ties = ties
        }

        public var isDesignBased: Bool { name.hasPrefix("Design-based") }

        enum CodingKeys: String, CodingKey { case name, statistic, df, ddf, p, pHolm = "p_holm", estimate, ties }
    }

    public struct ChiSquareTest: Sendable, Hashable, Codable {
        /// Pearson: X² (R's chisq.test); Rao-Scott: F = X²/tr Δ (R's svychisq, statistic "F").
        public var statistic: Double
        /// (groups − 1)(levels − 1).
        public var df: Int
        public var p: Double
        public var pHolm: Double?
        /// Yates' continuity correction was applied (2 × 2 tables, as R's chisq.test does).
        public var yates: Bool
        /// Some expected count (unweighted) is below 5: the χ² approximation is doubtful.
        public var smallExpected: Bool
        /// "Pearson" (unweighted) or "Rao-Scott" (weights or a design).
        public var method: String
        /// Rao-Scott: the F's degrees of freedom, d₀ and d₀·degf.
        public var ndf: Double?
        public var ddf: Double?

        public init(statistic: Double, df: Int, p: Double, pHolm: Double? = nil, yates: Bool, smallExpected: Bool,
                    method: String = "Pearson", ndf: Double? = nil, ddf: Double? = nil) {
            self.statistic = statistic
            self.df = df
            self.p = p
            self.pHolm = pHolm
            self.yates = yates
            self.smallExpected = smallExpected
            self.method = method
            self.ndf = ndf
            self.ddf = ddf
        }

        enum CodingKeys: String, CodingKey {
            case statistic, df, p, pHolm = "p_holm", yates, smallExpected = "small_expected", method, ndf, ddf
        }
    }

    public struct Difference: Sendable, Hashable, Codable {
        public var group: String
        public var reference: String
        /// WAI(group) − WAI(reference).
        public var difference: Double
        public var se: Double
        public var interval: Interval
        /// Cliff's delta: P(group answers higher) − P(group answers lower), unweighted.
        public var cliffsDelta: Double

        enum CodingKeys: String, CodingKey { case group, reference, difference, se, interval, cliffsDelta = "cliffs_delta" }
    }

    public var table: String
    public var item: String
    /// The groups compared: answered categories with at least one answer to the item.
    public var groups: [String]
    public var rankTest: RankTest?
    public var chiSquare: ChiSquareTest?
    /// Each group against the first (the largest, or the spec's first category).
    public var differences: [Difference]
    /// Groups with fewer than `smallGroupLimit` answers: shown, but read with care.
    public var smallGroups: [String]

    public static let smallGroupLimit = 10

    enum CodingKeys: String, CodingKey {
        case table, item, groups, rankTest = "rank_test", chiSquare = "chi_square", differences, smallGroups = "small_groups"
    }
}

extension Estimator {
    /// Tests every item of every table across `cells` (answered categories of demographic
    /// `demographic`, in report order; `numbers`: their group numbers in the statistics).
    /// Without weights, rank and χ² tests are R's wilcox.test/kruskal.test/chisq.test on the
    /// counts; with weights or a design, svyranktest and svychisq (`designRankTest`, `raoScott`).
    /// Differences of indices use the weighted estimates and their SEs (domains of one design
    /// with independent rows have zero covariance).
    func compare(_ cells: [(String, CellStatistics)], groups: [Breakdown.Group], demographic: Int, numbers: [Int],
                 ties: [Double]?) -> [ItemComparison] {
        let designBased = spec.usesDesignBasedTests || design != nil || replicateDesign != nil
        var comparisons: [ItemComparison] = []
        var seen: Set<String> = []
        for (t, table) in spec.tables.enumerated() {
            for (i, item) in table.items.enumerated() where seen.insert(item.id).inserted {
                let index = position[item.id]!
                let k = scale(index).levels.count
                let scores = self.scores(index)
                let order = (0..<k).sorted { scores[$0] < scores[$1] }
                var names: [String] = [], counts: [[Double]] = [], estimates: [ItemEstimate] = []
                var compared = ComparedGroups(demographic: demographic, numbers: [], cells: [], ties: ties)
                for (g, (name, cell)) in cells.enumerated() {
                    let row = order.map { cell.counts[index * levelCount + $0] }
                    guard row.reduce(0, +) > 0 else { continue }
                    names.append(name)
                    counts.append(row)
                    estimates.append(groups[g].tables[t].items[i])
                    compared.numbers.append(numbers[g])
                    compared.cells.append(cell)
                }
                guard names.count >= 2 else { continue }
                var comparison = ItemComparison(
                    table: table.id, item: item.id, groups: names,
                    rankTest: designBased ? designRankTest(compared, index: index, order: order) : rankTest(counts),
                    chiSquare: designBased ? raoScott(compared, index: index, order: order, unweighted: counts) : chiSquare(counts),
                    differences: [], smallGroups: zip(names, counts).filter { $0.1.reduce(0, +) < Double(ItemComparison.smallGroupLimit) }.map(\.0))
                let reference = estimates[0]
                for g in 1..<names.count {
                    guard let a = estimates[g].wai, let b = reference.wai, let sa = estimates[g].se, let sb = reference.se else { continue }
                    let se = (sa * sa + sb * sb).squareRoot()
                    let d = a - b
                    comparison.differences.append(.init(
                        group: names[g], reference: names[0], difference: d, se: se,
                        interval: Interval(lower: d - z * se, upper: d + z * se, level: confidence, method: "linearization"),
                        cliffsDelta: cliffsDelta(counts[g], counts[0])))
                }
                comparisons.append(comparison)
            }
        }
        let rank = holmAdjusted(comparisons.map { $0.rankTest?.p })
        let chi = holmAdjusted(comparisons.map { $0.chiSquare?.p })
        for c in comparisons.indices {
            comparisons[c].rankTest?.pHolm = rank[c]
            comparisons[c].chiSquare?.pHolm = chi[c]
        }
        return comparisons
    }

    /// Mann–Whitney (normal approximation with tie and continuity corrections) for two
    /// groups, Kruskal–Wallis with the tie correction for more; from counts per ordered level.
    func rankTest(_ counts: [[Double]]) -> ItemComparison.RankTest? {
        let levels = counts[0].count
        let totals = (0..<levels).map { l in counts.reduce(0) { $0 + $1[l] } }
        let n = totals.reduce(0, +)
        var midrank = [Double](repeating: 0, count: levels)
        var before = 0.0
        for l in 0..<levels {
            midrank[l] = before + (totals[l] + 1) / 2
            before += totals[l]
        }
        let ties = totals.reduce(0) { $0 + $1 * $1 * $1 - $1 }
        let sizes = counts.map { $0.reduce(0, +) }
        let rankSums = counts.map { row in (0..<levels).reduce(0) { $0 + row[$1] * midrank[$1] } }
        if counts.count == 2 {
            let (n1, n2) = (sizes[0], sizes[1])
            let w = rankSums[0] - n1 * (n1 + 1) / 2
            let centered = w - n1 * n2 / 2
            let sigma = (n1 * n2 / 12 * ((n + 1) - ties / (n * (n - 1)))).squareRoot()
            guard sigma > 0 else { return nil }
            let zValue = (centered - 0.5 * (centered > 0 ? 1 : centered < 0 ? -1 : 0)) / sigma
            return .init(name: "Mann-Whitney", statistic: w, p: Distributions.normalTwoSided(zValue))
        }
        let correction = 1 - ties / (n * n * n - n)
        guard correction > 0 else { return nil }
        let sum = zip(rankSums, sizes).reduce(0) { $0 + $1.0 * $1.0 / $1.1 }
        let h = (12 * sum / (n * (n + 1)) - 3 * (n + 1)) / correction
        let df = counts.count - 1
        return .init(name: "Kruskal-Wallis", statistic: h, df: df, p: Distributions.chiSquareSurvival(h, df: Double(df)))
    }

    /// Pearson's χ² of groups × levels; levels no one chose are left out (their expected count is 0).
    func chiSquare(_ counts: [[Double]]) -> ItemComparison.ChiSquareTest? {
        let used = counts[0].indices.filter { l in counts.contains { $0[l] > 0 } }
        guard used.count >= 2 else { return nil }
        let table = counts.map { row in used.map { row[$0] } }
        let rowTotals = table.map { $0.reduce(0, +) }
        let columnTotals = used.indices.map { c in table.reduce(0) { $0 + $1[c] } }
        let n = rowTotals.reduce(0, +)
        let yates = table.count == 2 && used.count == 2
        var statistic = 0.0
        var small = false
        for r in table.indices {
            for c in used.indices {
                let expected = rowTotals[r] * columnTotals[c] / n
                if expected < 5 { small = true }
                let deviation = abs(table[r][c] - expected)
                let corrected = yates ? deviation - min(0.5, deviation) : deviation
                statistic += corrected * corrected / expected
            }
        }
        let df = (table.count - 1) * (used.count - 1)
        return .init(statistic: statistic, df: df, p: Distributions.chiSquareSurvival(statistic, df: Double(df)),
                     pHolm: nil, yates: yates, smallExpected: small)
    }

    /// P(X > Y) − P(X < Y) for X from `a` and Y from `b`, counts per ordered level.
    func cliffsDelta(_ a: [Double], _ b: [Double]) -> Double {
        let na = a.reduce(0, +), nb = b.reduce(0, +)
        var greater = 0.0, less = 0.0
        for i in a.indices {
            for j in b.indices {
                if i > j { greater += a[i] * b[j] } else if i < j { less += a[i] * b[j] }
            }
        }
        return (greater - less) / (na * nb)
    }
}
