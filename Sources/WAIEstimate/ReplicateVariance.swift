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
}
