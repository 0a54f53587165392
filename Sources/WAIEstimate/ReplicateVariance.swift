import WAIAggregate
import WAIModel

/// Replicate-weight variances, as R's `svrepdesign(…, combined.weights = TRUE)` with `svrVar`:
/// per replicate column r, the estimate θ_r recomputed with that column as the weights; then
/// Var θ = scale · Σ_r rscales_r (θ_r − θ̄)², θ̄ the mean of the θ_r (or θ with `mse`).
///
/// An index is a ratio of weighted level counts, so θ_r needs only the replicate's weighted
/// level counts per cell (item × level, per group), which one counts-only pass per replicate
/// column gives; a composite's θ_r is the mean of its items' θ_r, so it needs nothing more.
public struct ReplicateVariance: Sendable {
    public let weights: ReplicateWeights
    /// The replicate columns, in header order.
    public let columns: [String]
    /// One per column: the statistics of a pass weighted by that column.
    let statistics: [SufficientStatistics]
    let scale: Double
    let rscales: [Double]

    public init(weights: ReplicateWeights, columns: [String], statistics: [SufficientStatistics]) throws {
        precondition(columns.count == statistics.count)
        guard columns.count >= 2 else {
            throw InputError("replicate weights need at least two replicate columns",
                             at: SourceLocation(file: "the spec", keyPath: "design.replicate_weights"),
                             found: columns.isEmpty ? "no column matching \(Quoted(weights.pattern))" : "only \(Quoted(columns[0]))",
                             expected: "a glob matching every replicate column, such as \"rep_*\"")
        }
        if let r = weights.rscales, r.count != columns.count {
            throw InputError("rscales must give one number per replicate column",
                             at: SourceLocation(file: "the spec", keyPath: "design.rscales"),
                             found: "\(r.count) numbers for \(columns.count) columns matching \(Quoted(weights.pattern))",
                             expected: "\(columns.count) numbers")
        }
        self.weights = weights
        self.columns = columns
        self.statistics = statistics
        scale = weights.scale(replicates: columns.count)
        rscales = weights.rscales ?? Array(repeating: 1, count: columns.count)
    }

    func cell(_ r: Int, _ designCell: DesignCell) -> CellStatistics? {
        let s = statistics[r]
        if designCell.demographic < 0 { return s.overall }
        let cells = s.byDemographic[designCell.demographic]
        return designCell.group < cells.count ? cells[designCell.group] : nil
    }

    /// The replicate's index of the item whose level slots start at `base`: NaN where no
    /// respondent of the cell who answered it has weight in the replicate.
    func index(_ cell: CellStatistics?, base: Int, scores: [Double]) -> Double {
        guard let cell else { return .nan }
        var total = 0.0, sum = 0.0
        for (l, s) in scores.enumerated() {
            total += cell.weighted[base + l]
            sum += cell.weighted[base + l] * s
        }
        return sum / total
    }

    /// svrVar of the replicates of `estimate`, centred on `point` with `mse`: NaN when a
    /// replicate has no estimate (R gives NA).
    func variance(point: Double, _ estimate: (Int) -> Double) -> Double {
        let thetas = (0..<columns.count).map(estimate)
        guard thetas.allSatisfy(\.isFinite) else { return .nan }
        let centre = weights.mse ? point : thetas.reduce(0, +) / Double(thetas.count)
        var v = 0.0
        for (r, theta) in thetas.enumerated() { v += rscales[r] * (theta - centre) * (theta - centre) }
        return scale * v
    }

    package func itemVariance(cell: DesignCell, base: Int, scores: [Double], point: Double) -> Double {
        variance(point: point) { r in index(self.cell(r, cell), base: base, scores: scores) }
    }

    /// The variance of (1/q)·Σ (ȳ_i − low_i)/width_i over the composite's items.
    package func compositeVariance(cell: DesignCell, parts: [(base: Int, scores: [Double], low: Double, width: Double)], point: Double) -> Double {
        variance(point: point) { r in
            let c = self.cell(r, cell)
            return parts.reduce(0) { $0 + (index(c, base: $1.base, scores: $1.scores) - $1.low) / $1.width } / Double(parts.count)
        }
    }

    /// The covariance matrix (row-major, K × K) of the totals T_k = Σ_rows w·a_k (see
    /// `DesignVariance.totalsCovariance`), each replicate's T_k from its own weighted level
    /// counts with the coefficients held at their full-sample values, as `svytotal` on a
    /// replicate design does with a fixed influence variable.
    package func totalsCovariance(_ parts: [(cell: DesignCell, full: CellStatistics, coefficients: [[Double]])], slots: [Int], count k: Int) -> [Double] {
        func totals(_ cellOf: (DesignCell, CellStatistics) -> CellStatistics?) -> [Double] {
            var t = Array(repeating: 0.0, count: k)
            for part in parts {
                guard let cell = cellOf(part.cell, part.full) else { continue }
                for (j, slot) in slots.enumerated() where cell.weighted[slot] != 0 {
                    for a in 0..<k { t[a] += part.coefficients[a][j] * cell.weighted[slot] }
                }
            }
            return t
        }
        let replicates = (0..<columns.count).map { r in totals { cell, _ in self.cell(r, cell) } }
        let centre = weights.mse ? totals { $1 }
            : (0..<k).map { a in replicates.reduce(0) { $0 + $1[a] } / Double(replicates.count) }
        var v = Array(repeating: 0.0, count: k * k)
        for (r, t) in replicates.enumerated() {
            for a in 0..<k {
                for b in 0..<k { v[a * k + b] += rscales[r] * (t[a] - centre[a]) * (t[b] - centre[b]) }
            }
        }
        return v.map { $0 * scale }
    }

    /// The covariance matrix (row-major) of the cell shares p_gj = T_gj/Σ T over `cells` ×
    /// `slots`, each replicate's shares recomputed from its own totals, as `svymean` of the
    /// cell indicators on a replicate design does (svychisq's V).
    package func sharesCovariance(_ cells: [(cell: DesignCell, full: CellStatistics)], slots: [Int]) -> [Double] {
        func shares(_ cellOf: (DesignCell, CellStatistics) -> CellStatistics?) -> [Double] {
            let t = cells.flatMap { c in slots.map { slot in cellOf(c.cell, c.full)?.weighted[slot] ?? 0 } }
            let total = t.reduce(0, +)
            return t.map { $0 / total }
        }
        let k = cells.count * slots.count
        let replicates = (0..<columns.count).map { r in shares { cell, _ in self.cell(r, cell) } }
        let centre = weights.mse ? shares { $1 }
            : (0..<k).map { a in replicates.reduce(0) { $0 + $1[a] } / Double(replicates.count) }
        var v = Array(repeating: 0.0, count: k * k)
        for (r, p) in replicates.enumerated() {
            for a in 0..<k {
                for b in 0..<k { v[a * k + b] += rscales[r] * (p[a] - centre[a]) * (p[b] - centre[b]) }
            }
        }
        return v.map { $0 * scale }
    }

    /// R's `degf` of a replicate design: the rank of its replicate weights less one, taken as
    /// min(replicates, rows) − 1 (the rank unless two replicates weight those rows alike).
    package func degreesOfFreedom(rows: Int) -> Int { min(columns.count, rows) - 1 }
}
