import WAIAggregate
import WAIModel
/// Cronbach's alpha of a table's items and the rest of psych::alpha's table, from the items'
/// covariance matrix: over the rows that answered every item (listwise, weighted where weights
/// exist), or each pair over the rows that answered both (pairwise, psych's default
/// `use = "pairwise"`; unweighted). Reverse-keyed items enter with their reversed scores.
public struct Reliability: Sendable, Hashable, Codable {
    public struct ItemStatistic: Sendable, Hashable, Codable {
        public var id: String
        /// Correlation of the item with the sum of the other items ("corrected item–total", psych's r.drop).
        public var itemTotal: Double?
        /// Raw alpha of the table without this item (psych's alpha.drop raw_alpha).
        public var alphaIfDeleted: Double?
        /// Standardized alpha without this item (alpha.drop std.alpha).
        public var standardizedAlphaIfDeleted: Double?
        /// Average inter-item correlation without this item (alpha.drop average_r).
        public var averageRIfDeleted: Double?
        /// Correlation of the item with the total score (psych's raw.r); listwise, or with no missing answers, only.
        public var rawR: Double?
        /// Correlation of the standardized item with the standardized total (psych's std.r).
        public var standardizedR: Double?
        /// Item–total correlation corrected for item overlap and reliability (psych's r.cor).
        public var correctedR: Double?

        enum CodingKeys: String, CodingKey {
            case id, itemTotal = "item_total", alphaIfDeleted = "alpha_if_deleted"
            case standardizedAlphaIfDeleted = "standardized_alpha_if_deleted", averageRIfDeleted = "average_r_if_deleted"
            case rawR = "raw_r", standardizedR = "std_r", correctedR = "r_cor"
        }
    }

    /// Listwise: rows that answered every item of the table; pairwise: every respondent.
    public var rows: Int
    public var alpha: Double
    /// Alpha of the standardized items: k·r̄ / (1 + (k−1)·r̄) with r̄ the mean inter-item
    /// correlation; nil when an item has no variance (its correlations are undefined).
    public var standardizedAlpha: Double?
    /// Duhachek's asymptotic standard error of alpha (as psych::alpha reports it: √(Q/n), n the rows).
    public var se: Double
    public var interval: Interval
    public var items: [ItemStatistic]
    /// How missing answers were handled: "listwise" or "pairwise".
    public var missing = "listwise"
    /// Guttman's lambda 6 from squared multiple correlations (psych's G6(smc)).
    public var g6: Double? = nil
    /// Mean and median of the inter-item correlations; signal/noise k·r̄/(1 − r̄).
    public var averageR: Double? = nil
    public var medianR: Double? = nil
    public var signalToNoise: Double? = nil
    /// Mean and SD over respondents of their mean code (psych's mean and sd, cumulative = FALSE),
    /// in the scale's codes; nil with pairwise deletion and missing answers, or level weights
    /// that are not a linear function of the codes.
    public var scaleMean: Double? = nil
    public var scaleSD: Double? = nil

    enum CodingKeys: String, CodingKey {
        case rows, alpha, standardizedAlpha = "standardized_alpha", se, interval, items, missing
        case g6, averageR = "average_r", medianR = "median_r", signalToNoise = "signal_noise", scaleMean = "scale_mean", scaleSD = "scale_sd"
    }

    /// Listwise, from the cross-products of the complete rows; `codes` maps a score back to its
    /// code (score = intercept + slope·code) when the level weights are linear in the codes.
    static func listwise(_ statistics: ReliabilityStatistics, items ids: [String], codes: (intercept: Double, slope: Double)?,
                         z: Double, confidence: Double) -> Reliability? {
        let p = statistics.items.count
        let width = p + 1
        guard p >= 2, statistics.rows > 2 else { return nil }
        func at(_ a: Int, _ b: Int) -> Double { a <= b ? statistics.crossProducts[a * width + b] : statistics.crossProducts[b * width + a] }
        let total = at(p, p)
        let mean = (0..<p).map { at($0, p) / total }
        // Sample covariance with the (Σw − 1) denominator (n − 1 without weights, as R's cov).
        var covariance = [[Double]](repeating: [Double](repeating: 0, count: p), count: p)
        for i in 0..<p {
            for j in 0..<p { covariance[i][j] = (at(i, j) - total * mean[i] * mean[j]) / (total - 1) }
        }
        guard var result = estimate(covariance: covariance, items: ids, rows: statistics.rows, z: z, confidence: confidence) else { return nil }
        result.missing = "listwise"
        result.setTotalMoments(covariance: covariance, means: mean, codes: codes)
        return result
    }

    /// Pairwise, from the unweighted cross-products of every pair of items over the rows that
    /// answered both (`CellStatistics.pairwise`, items at `positions` of its `itemCount` items);
    /// `respondents` is psych's n for the SE.
    static func pairwise(_ cell: CellStatistics, itemCount: Int, positions: [Int], items ids: [String], respondents: Double,
                         z: Double, confidence: Double) -> Reliability? {
        let p = positions.count
        let width = 2 * itemCount
        guard p >= 2, respondents > 2, cell.pairwise.count == width * width else { return nil }
        func at(_ a: Int, _ b: Int) -> Double { a <= b ? cell.pairwise[a * width + b] : cell.pairwise[b * width + a] }
        var covariance = [[Double]](repeating: [Double](repeating: 0, count: p), count: p)
        for (i, a) in positions.enumerated() {
            for (j, b) in positions.enumerated() {
                // Over the rows that answered both: Σ s_a s_b, Σ s_a, Σ s_b and their count.
                let n = at(itemCount + a, itemCount + b)
                guard n > 1 else { return nil }
                covariance[i][j] = (at(a, b) - at(a, itemCount + b) * at(b, itemCount + a) / n) / (n - 1)
            }
        }
        guard var result = estimate(covariance: covariance, items: ids, rows: respondents, z: z, confidence: confidence) else { return nil }
        result.missing = "pairwise"
        return result
    }

    /// Scale mean and SD and the items' raw.r from the covariance of complete rows.
    mutating func setTotalMoments(covariance: [[Double]], means: [Double], codes: (intercept: Double, slope: Double)?) {
        let p = Double(means.count)
        let sumC = covariance.joined().reduce(0, +)
        for i in items.indices {
            items[i].rawR = finite(covariance[i].reduce(0, +) / (covariance[i][i] * sumC).squareRoot())
        }
        if let codes, codes.slope != 0 {
            scaleMean = (means.reduce(0, +) / p - codes.intercept) / codes.slope
            scaleSD = (sumC.squareRoot() / p) / abs(codes.slope)
        }
    }

    /// Everything psych::alpha derives from the covariance matrix C and its correlations R.
    static func estimate(covariance: [[Double]], items ids: [String], rows: Double, z: Double, confidence: Double) -> Reliability? {
        let p = covariance.count
        guard let whole = Coefficients(covariance), whole.raw.isFinite else { return nil }
        let se = (max(0, whole.q) / rows).squareRoot()
        guard se.isFinite else { return nil }
        let r = whole.correlation
        let sumR = r.joined().reduce(0, +)
        let smcR = squaredMultipleCorrelations(r)
        let itemStatistics = (0..<p).map { i -> ItemStatistic in
            let others = (0..<p).filter { $0 != i }
            let covItemRest = others.reduce(0) { $0 + covariance[i][$1] }
            let varRest = others.reduce(0) { sum, a in others.reduce(sum) { $0 + covariance[a][$1] } }
            var statistic = ItemStatistic(id: ids[i], itemTotal: finite(covItemRest / (covariance[i][i] * varRest).squareRoot()))
            if p > 2, let dropped = Coefficients(others.map { a in others.map { covariance[a][$0] } }) {
                statistic.alphaIfDeleted = finite(dropped.raw)
                statistic.standardizedAlphaIfDeleted = finite(dropped.standardized)
                statistic.averageRIfDeleted = finite(dropped.averageR)
            } else if p == 2 {
                // psych's two-item case: the other item's covariance over its variance, and r.
                let o = others[0]
                statistic.alphaIfDeleted = finite(covariance[i][o] / covariance[o][o])
                statistic.standardizedAlphaIfDeleted = finite(r[i][o])
                statistic.averageRIfDeleted = finite(r[i][o])
            }
            statistic.standardizedR = finite(r[i].reduce(0, +) / sumR.squareRoot())
            if let smcR {
                let rowSum = r[i].reduce(0, +) - 1 + smcR[i]
                statistic.correctedR = finite(rowSum / (sumR - Double(p) + smcR.reduce(0, +)).squareRoot())
            }
            return statistic
        }
        var result = Reliability(rows: Int(rows), alpha: whole.raw, standardizedAlpha: finite(whole.standardized), se: se,
                                 interval: Interval(lower: whole.raw - z * se, upper: whole.raw + z * se, level: confidence, method: "Duhachek"),
                                 items: itemStatistics)
        result.averageR = finite(whole.averageR)
        result.signalToNoise = finite(Double(p) * whole.averageR / (1 - whole.averageR))
        var lower: [Double] = []
        for i in 0..<p { for j in 0..<i { lower.append(r[i][j]) } }
        lower.sort()
        if lower.allSatisfy(\.isFinite) {
            result.medianR = finite(lower.count % 2 == 1 ? lower[lower.count / 2] : (lower[lower.count / 2 - 1] + lower[lower.count / 2]) / 2)
        }
        if let smcR { result.g6 = finite(1 - (Double(p) - smcR.reduce(0, +)) / sumR) }
        return result
    }

    /// psych's alpha.1 on one covariance matrix.
    struct Coefficients {
        var raw: Double
        var standardized: Double
        var averageR: Double
        /// Duhachek & Iacobucci (2004): Q = 2k²/((k−1)²(jᵀCj)³) · [jᵀCj (tr C² + (tr C)²) − 2 tr C · jᵀC²j].
        var q: Double
        var correlation: [[Double]]

        init?(_ c: [[Double]]) {
            let p = c.count
            let k = Double(p)
            let sumC = c.joined().reduce(0, +)
            guard p >= 2, sumC > 0 else { return nil }
            let traceC = (0..<p).reduce(0) { $0 + c[$1][$1] }
            raw = k / (k - 1) * (1 - traceC / sumC)
            correlation = (0..<p).map { i in (0..<p).map { j in c[i][j] / (c[i][i] * c[j][j]).squareRoot() } }
            let sumR = correlation.joined().reduce(0, +)
            standardized = (1 - k / sumR) * (k / (k - 1))
            averageR = (sumR - k) / (k * (k - 1))
            var squared = [[Double]](repeating: [Double](repeating: 0, count: p), count: p)
            for i in 0..<p { for j in 0..<p { for l in 0..<p { squared[i][j] += c[i][l] * c[l][j] } } }
            let traceC2 = (0..<p).reduce(0) { $0 + squared[$1][$1] }
            let sumC2 = squared.joined().reduce(0, +)
            q = 2 * k * k / ((k - 1) * (k - 1) * sumC * sumC * sumC) * (sumC * (traceC2 + traceC * traceC) - 2 * traceC * sumC2)
        }
    }

    /// 1 − 1/diag(R⁻¹), psych's smc for an invertible correlation matrix (nil otherwise).
    static func squaredMultipleCorrelations(_ r: [[Double]]) -> [Double]? {
        let p = r.count
        var a = r.map { $0 + [Double](repeating: 0, count: p) }
        for i in 0..<p { a[i][p + i] = 1 }
        for col in 0..<p {
            guard let pivot = (col..<p).max(by: { abs(a[$0][col]) < abs(a[$1][col]) }), abs(a[pivot][col]) > 1e-12 else { return nil }
            a.swapAt(col, pivot)
            let d = a[col][col]
            for j in 0..<(2 * p) { a[col][j] /= d }
            for i in 0..<p where i != col {
                let f = a[i][col]
                if f != 0 { for j in 0..<(2 * p) { a[i][j] -= f * a[col][j] } }
            }
        }
        let smc = (0..<p).map { 1 - 1 / a[$0][p + $0] }
        return smc.allSatisfy(\.isFinite) ? smc : nil
    }
}

func finite(_ x: Double) -> Double? { x.isFinite ? x : nil }
