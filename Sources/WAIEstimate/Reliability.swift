import WAIAggregate
import WAIModel
/// Cronbach's alpha of a table's items, from weighted cross-products over the rows that
/// answered every item (listwise deletion). Reverse-keyed items enter with their reversed scores.
public struct Reliability: Sendable, Hashable, Codable {
    public struct ItemStatistic: Sendable, Hashable, Codable {
        public var id: String
        /// Correlation of the item with the sum of the other items ("corrected item–total", psych's r.drop).
        public var itemTotal: Double?
        /// Raw alpha of the table without this item.
        public var alphaIfDeleted: Double?

        enum CodingKeys: String, CodingKey { case id, itemTotal = "item_total", alphaIfDeleted = "alpha_if_deleted" }
    }

    /// Rows that answered every item of the table.
    public var rows: Int
    public var alpha: Double
    /// Alpha of the standardized items: k·r̄ / (1 + (k−1)·r̄) with r̄ the mean inter-item
    /// correlation; nil when an item has no variance (its correlations are undefined).
    public var standardizedAlpha: Double?
    /// Duhachek's asymptotic standard error of alpha (as psych::alpha reports it).
    public var se: Double
    public var interval: Interval
    public var items: [ItemStatistic]
    /// How missing answers were handled.
    public var missing = "listwise"

    enum CodingKeys: String, CodingKey {
        case rows, alpha, standardizedAlpha = "standardized_alpha", se, interval, items, missing
    }

    static func estimate(_ statistics: ReliabilityStatistics, items ids: [String], z: Double, confidence: Double) -> Reliability? {
        let p = statistics.items.count
        let width = p + 1
        guard p >= 2, statistics.rows > 2 else { return nil }
        func at(_ a: Int, _ b: Int) -> Double { a <= b ? statistics.crossProducts[a * width + b] : statistics.crossProducts[b * width + a] }
        let total = at(p, p)
        let mean = (0..<p).map { at($0, p) / total }
        // Sample covariance with the (Σw − 1) denominator; alpha and correlations do not depend on it.
        var covariance = [[Double]](repeating: [Double](repeating: 0, count: p), count: p)
        for i in 0..<p {
            for j in 0..<p { covariance[i][j] = (at(i, j) - total * mean[i] * mean[j]) / (total - 1) }
        }
        guard let alpha = Self.alpha(covariance), alpha.isFinite else { return nil }
        let k = Double(p)
        var correlationSum = 0.0
        for i in 0..<p {
            for j in 0..<p where i != j {
                correlationSum += covariance[i][j] / (covariance[i][i] * covariance[j][j]).squareRoot()
            }
        }
        let meanCorrelation = correlationSum / (k * (k - 1))
        let standardized = k * meanCorrelation / (1 + (k - 1) * meanCorrelation)

        // Duhachek & Iacobucci (2004): Q = 2k²/((k−1)²(jᵀCj)³) · [jᵀCj (tr C² + (tr C)²) − 2 tr C · jᵀC²j].
        let sumC = covariance.joined().reduce(0, +)
        let traceC = (0..<p).reduce(0) { $0 + covariance[$1][$1] }
        var squared = [[Double]](repeating: [Double](repeating: 0, count: p), count: p)
        for i in 0..<p { for j in 0..<p { for l in 0..<p { squared[i][j] += covariance[i][l] * covariance[l][j] } } }
        let traceC2 = (0..<p).reduce(0) { $0 + squared[$1][$1] }
        let sumC2 = squared.joined().reduce(0, +)
        let q = 2 * k * k / ((k - 1) * (k - 1) * sumC * sumC * sumC) * (sumC * (traceC2 + traceC * traceC) - 2 * traceC * sumC2)
        let se = (max(0, q) / statistics.rows).squareRoot()
        guard se.isFinite else { return nil }

        let itemStatistics = (0..<p).map { i -> ItemStatistic in
            let others = (0..<p).filter { $0 != i }
            let covItemRest = others.reduce(0) { $0 + covariance[i][$1] }
            let varRest = others.reduce(0) { sum, a in others.reduce(sum) { $0 + covariance[a][$1] } }
            let reduced = others.map { a in others.map { covariance[a][$0] } }
            return ItemStatistic(id: ids[i], itemTotal: finite(covItemRest / (covariance[i][i] * varRest).squareRoot()),
                                 alphaIfDeleted: p > 2 ? Self.alpha(reduced).flatMap(finite) : nil)
        }
        return Reliability(rows: Int(statistics.rows), alpha: alpha, standardizedAlpha: finite(standardized), se: se,
                           interval: Interval(lower: alpha - z * se, upper: alpha + z * se, level: confidence, method: "Duhachek"),
                           items: itemStatistics)
    }

    /// k/(k−1) · (1 − Σ var_i / Σ_ij cov_ij).
    static func alpha(_ covariance: [[Double]]) -> Double? {
        let k = Double(covariance.count)
        let total = covariance.joined().reduce(0, +)
        guard k >= 2, total > 0 else { return nil }
        let variances = covariance.indices.reduce(0) { $0 + covariance[$1][$1] }
        return k / (k - 1) * (1 - variances / total)
    }
}

func finite(_ x: Double) -> Double? { x.isFinite ? x : nil }
