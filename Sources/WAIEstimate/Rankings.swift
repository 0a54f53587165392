import Foundation

/// Items ranked by their index within a table, as Relative Importance Index studies rank them,
/// and how far the groups of a demographic agree on that ranking.
public struct RankAgreement: Sendable, Hashable, Codable {
    /// Spearman's rho between two groups' rankings of the table's items.
    public struct Pair: Sendable, Hashable, Codable {
        public var groups: [String]
        /// Pearson's correlation of the two groups' ranks (average ranks for ties): R's
        /// `cor(x, y, method = "spearman")`.
        public var rho: Double?
        /// Two-sided, from Student's t with n − 2 degrees of freedom: R's
        /// `cor.test(x, y, method = "spearman", exact = FALSE)`; 0 when |rho| = 1 (as R); nil with fewer than 3 items.
        public var pValue: Double?

        enum CodingKeys: String, CodingKey { case groups, rho, pValue = "p_value" }
    }

    public var table: String
    /// Items ranked: those with an index in every group below.
    public var items: [String]
    /// The answered categories whose rankings are compared (the raters).
    public var groups: [String]
    /// Kendall's coefficient of concordance with the correction for ties:
    /// W = 12·S / (m²(n³ − n) − m·Σ T), S = Σ (R_i − m(n + 1)/2)², T = Σ (t³ − t) over each
    /// group's tied ranks (R: `irr::kendall(ratings, correct = TRUE)`).
    public var kendallW: Double?
    /// m(n − 1)·W, χ² with n − 1 degrees of freedom under no agreement.
    public var chiSquare: Double?
    public var df: Int
    public var pValue: Double?
    /// Every pair of groups, in category order.
    public var spearman: [Pair]

    enum CodingKeys: String, CodingKey {
        case table, items, groups, kendallW = "kendall_w", chiSquare = "chi_square", df, pValue = "p_value", spearman
    }
}

enum Rankings {
    /// Ranks 1…n of `values`, highest first, ties sharing the average of their ranks (R:
    /// `rank(-x, ties.method = "average")`); nil values get no rank and take none.
    static func descendingRanks(_ values: [Double?]) -> [Double?] {
        let present = values.indices.filter { values[$0] != nil }.sorted { values[$0]! > values[$1]! }
        var ranks = [Double?](repeating: nil, count: values.count)
        var start = 0
        while start < present.count {
            var end = start
            while end + 1 < present.count && values[present[end + 1]]! == values[present[start]]! { end += 1 }
            let average = Double(start + end + 2) / 2
            for k in start...end { ranks[present[k]] = average }
            start = end + 1
        }
        return ranks
    }

    /// Every table's items ranked by index (`ItemEstimate.rank`).
    static func rank(_ tables: inout [TableEstimate]) {
        for t in tables.indices {
            let ranks = descendingRanks(tables[t].items.map(\.wai))
            for i in tables[t].items.indices { tables[t].items[i].rank = ranks[i] }
        }
    }

    /// Per table, the agreement of the answered groups' rankings; items without an index in some
    /// group are left out of that table's comparison.
    static func agreement(_ breakdown: Breakdown) -> [RankAgreement] {
        let groups = breakdown.groups.filter { $0.category != nil && $0.rows > 0 }
        guard groups.count >= 2, let first = groups.first else { return [] }
        return first.tables.indices.map { t in
            let table = first.tables[t]
            let kept = table.items.indices.filter { i in groups.allSatisfy { $0.tables[t].items[i].wai != nil } }
            let ranks = groups.map { group in descendingRanks(kept.map { group.tables[t].items[$0].wai }).map { $0! } }
            let names = groups.map { $0.category! }
            var pairs: [RankAgreement.Pair] = []
            for a in 0..<groups.count {
                for b in (a + 1)..<groups.count {
                    let rho = kept.count >= 2 ? pearson(ranks[a], ranks[b]) : nil
                    pairs.append(.init(groups: [names[a], names[b]], rho: rho, pValue: rho.flatMap { spearmanP($0, n: kept.count) }))
                }
            }
            let (w, chi) = kept.count >= 2 ? kendall(ranks) : (nil, nil)
            return RankAgreement(
                table: table.id, items: kept.map { table.items[$0].id }, groups: names, kendallW: w, chiSquare: chi,
                df: max(0, kept.count - 1), pValue: chi.map { Distributions.chiSquareSurvival($0, df: Double(kept.count - 1)) },
                spearman: pairs)
        }
    }

    /// Pearson's r; nil when either side is constant.
    static func pearson(_ x: [Double], _ y: [Double]) -> Double? {
        let n = Double(x.count)
        let mx = x.reduce(0, +) / n, my = y.reduce(0, +) / n
        var sxy = 0.0, sxx = 0.0, syy = 0.0
        for k in x.indices {
            sxy += (x[k] - mx) * (y[k] - my)
            sxx += (x[k] - mx) * (x[k] - mx)
            syy += (y[k] - my) * (y[k] - my)
        }
        guard sxx > 0, syy > 0 else { return nil }
        return max(-1, min(1, sxy / (sxx * syy).squareRoot()))
    }

    /// cor.test's asymptotic p-value of Spearman's rho: t = rho·√((n − 2)/(1 − rho²)) on n − 2 df.
    static func spearmanP(_ rho: Double, n: Int) -> Double? {
        guard n >= 3 else { return nil }
        guard abs(rho) < 1 else { return 0 }
        let t = rho * (Double(n - 2) / (1 - rho * rho)).squareRoot()
        return min(1, 2 * Distributions.studentSurvival(abs(t), df: Double(n - 2)))
    }

    /// Kendall's W (tie-corrected) and its χ², over `ranks[rater][object]`; nil W when every
    /// rater ties every object.
    static func kendall(_ ranks: [[Double]]) -> (Double?, Double?) {
        let m = Double(ranks.count), n = ranks[0].count
        let nn = Double(n)
        let sums = (0..<n).map { i in ranks.reduce(0) { $0 + $1[i] } }
        let mean = m * (nn + 1) / 2
        let s = sums.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        var ties = 0.0
        for rater in ranks {
            for count in Dictionary(grouping: rater, by: { $0 }).values.map(\.count) where count > 1 {
                let t = Double(count)
                ties += t * t * t - t
            }
        }
        let denominator = m * m * (nn * nn * nn - nn) - m * ties
        guard denominator > 0 else { return (nil, nil) }
        let w = 12 * s / denominator
        return (w, m * (nn - 1) * w)
    }
}
