import WAIAggregate
import WAIModel

/// The groups of one demographic that an item's design-based tests compare.
struct ComparedGroups {
    var demographic: Int
    /// Each compared group's number in the statistics (category c is c + 1) and its cell.
    var numbers: [Int]
    var cells: [CellStatistics]
    /// Σ k·w per item × level slot over the rows that answered the demographic, in file order
    /// (`TiePositionCounter`); nil when the statistics do not carry them.
    var ties: [Double]?

    var designCells: [DesignCell] { numbers.map { DesignCell(demographic: demographic, group: $0) } }
}

/// The rank test and χ² test of a weighted or complex sample, as R's survey package computes
/// them (Lumley & Scott 2013; Rao & Scott 1984), from the statistics' per-cell level sums.
///
/// Both are functions of cell totals, so their influence on a row depends only on the row's
/// group and level: a row of group g at level l adds w·a_k(g, l) to the k-th total. The
/// covariance of those totals comes from the same design sums as every SE (`influenceCovariance`).
extension Estimator {
    /// Covariance (row-major, K × K) of T_k = Σ_rows w·a_k, `coefficients[g][k][j]` being a_k
    /// for a row of compared group g that answered level slot `slots[j]`.
    func influenceCovariance(_ groups: ComparedGroups, coefficients: [[[Double]]], slots: [Int], count k: Int) -> [Double] {
        let cells = groups.designCells
        if let replicateDesign {
            return replicateDesign.totalsCovariance(
                (0..<cells.count).map { (cell: cells[$0], full: groups.cells[$0], coefficients: coefficients[$0]) }, slots: slots, count: k)
        }
        let constants = calibrationConstants(groups, coefficients: coefficients, slots: slots, count: k)
        if let design {
            return design.totalsCovariance((0..<cells.count).map { (cell: cells[$0], coefficients: coefficients[$0]) }, slots: slots, count: k,
                                           residual: constants)
        }
        // Weights only: one stratum whose PSUs are the design's rows (groups are domains).
        let n = designRows
        var sums = Array(repeating: 0.0, count: k), products = Array(repeating: 0.0, count: k * k)
        for (g, cell) in groups.cells.enumerated() {
            for (j, slot) in slots.enumerated() {
                let (w, w2) = (cell.weighted[slot], cell.weightedSquared[slot])
                guard w != 0 || w2 != 0 else { continue }
                for a in 0..<k {
                    let ca = coefficients[g][a][j]
                    sums[a] += ca * w
                    for b in 0..<k { products[a * k + b] += ca * coefficients[g][b][j] * w2 }
                }
            }
        }
        if let constants, let all = calibration {
            let width = all.counts.count / max(1, all.cells)
            var wx = Array(repeating: Array(repeating: 0.0, count: all.cells), count: k)
            for (g, cell) in groups.cells.enumerated() {
                guard let domain = cell.calibration else { continue }
                for a in 0..<k {
                    for j in 0..<all.cells {
                        for (l, slot) in slots.enumerated() { wx[a][j] += coefficients[g][a][l] * domain.weightedSquared[j * width + slot] }
                    }
                }
            }
            ResidualizedSums.apply(sums: &sums, products: &products, constants: constants, weightedInfluence: wx,
                                   weight: all.weightSum, weightSquared: all.weightSquaredSum)
        }
        var v = Array(repeating: 0.0, count: k * k)
        for a in 0..<k {
            for b in 0..<k { v[a * k + b] = n / (n - 1) * (products[a * k + b] - sums[a] * sums[b] / n) }
        }
        return v
    }

    /// After raking or post-stratification: per total k, the constants C_J of its residualized
    /// influence (`CalibrationResidual`), summed over the compared groups (C is linear in the
    /// influence); nil without a calibration that residualizes.
    func calibrationConstants(_ groups: ComparedGroups, coefficients: [[[Double]]], slots: [Int], count k: Int) -> [[Double]]? {
        guard let all = calibration else { return nil }
        var constants = Array(repeating: Array(repeating: 0.0, count: all.cells), count: k)
        for (g, cell) in groups.cells.enumerated() {
            guard let residual = residual(in: cell) else { continue }
            for a in 0..<k {
                let c = residual.constants(slots.enumerated().map { (slot: $1, a: coefficients[g][a][$0]) })
                for j in c.indices { constants[a][j] += c[j] }
            }
        }
        return constants
    }

    /// R's `degf` of the design restricted to the rows that answered the item and the
    /// demographic (`rows` of them), as svyranktest subsets it.
    func answeredDegrees(_ groups: ComparedGroups, slots: [Int], rows: Int) -> Int {
        if let replicateDesign { return replicateDesign.degreesOfFreedom(rows: rows) }
        if let design { return design.degreesOfFreedom(answering: groups.designCells, slots: slots, rows: rows) }
        return rows - 1
    }

    /// R's `degf` of the whole design, as svychisq uses it.
    var designDegrees: Int {
        if let replicateDesign { return replicateDesign.degreesOfFreedom(rows: Int(designRows)) }
        if let design { return design.degreesOfFreedom }
        return Int(designRows) - 1
    }

    /// `svyranktest(item ~ group, design)` (Wilcoxon scores): each answered level gets the mean
    /// over its rows of the running weight sum less half the row's weight, in file order (R's
    /// `ave(cumsum(w) − w/2, y)`), over the total weight; the groups' weighted mean rank scores
    /// are compared through the influence of a weighted regression on the group. Two groups: t
    /// on degf − 1; more: χ² = β'V⁻¹β, p from F(χ²/(G − 1); G − 1, degf − G + 1). `order`: the
    /// item's level positions from lowest to highest score.
    func designRankTest(_ groups: ComparedGroups, index: Int, order: [Int]) -> ItemComparison.RankTest? {
        let slots = order.map { index * levelCount + $0 }
        let g = groups.cells.count
        let weights = groups.cells.map { cell in slots.map { cell.weighted[$0] } }
        let counts = slots.map { slot in groups.cells.reduce(0) { $0 + $1.counts[slot] } }
        let levelWeights = slots.indices.map { l in weights.reduce(0) { $0 + $1[l] } }
        let total = levelWeights.reduce(0, +)
        guard g >= 2, total > 0 else { return nil }
        var scores = Array(repeating: 0.0, count: slots.count)
        var below = 0.0
        for (l, slot) in slots.enumerated() where counts[l] > 0 {
            let m = counts[l], w = levelWeights[l]
            let rank = groups.ties.map { below + ((m + 0.5) * w - $0[slot]) / m } ?? below + w / 2
            scores[l] = rank / total
            below += w
        }
        let groupWeights = weights.map { $0.reduce(0, +) }
        let means = (0..<g).map { h in zip(weights[h], scores).reduce(0) { $0 + $1.0 * $1.1 } / groupWeights[h] }
        // β_k = μ_(k+1) − μ_0: a row of group 0 adds −(s − μ_0)/W_0, of group k + 1 (s − μ_(k+1))/W_(k+1).
        let k = g - 1
        let coefficients: [[[Double]]] = (0..<g).map { h in
            (0..<k).map { a in
                if h == 0 { return scores.map { -($0 - means[0]) / groupWeights[0] } }
                return h == a + 1 ? scores.map { ($0 - means[h]) / groupWeights[h] } : Array(repeating: 0, count: slots.count)
            }
        }
        let v = influenceCovariance(groups, coefficients: coefficients, slots: slots, count: k)
        let beta = (1..<g).map { means[$0] - means[0] }
        let degrees = answeredDegrees(groups, slots: slots, rows: Int(counts.reduce(0, +)))
        let ties = groups.ties == nil ? "midpoint" : "file-order"
        if g == 2 {
            guard v[0] > 0, degrees > 1 else { return nil }
            let t = beta[0] / v[0].squareRoot()
            let df = degrees - 1
            return .init(name: "Design-based Wilcoxon", statistic: t, df: df, p: min(1, 2 * Distributions.studentSurvival(abs(t), df: Double(df))),
                         estimate: beta[0], ties: ties)
        }
        guard let solved = LinearAlgebra.solve(v, beta, size: k) else { return nil }
        let chi = zip(beta, solved).reduce(0) { $0 + $1.0 * $1.1 }
        let ddf = degrees - k
        guard chi.isFinite, ddf > 0 else { return nil }
        return .init(name: "Design-based Kruskal-Wallis", statistic: chi, df: k, ddf: Double(ddf),
                     p: Distributions.fSurvival(chi / Double(k), d1: Double(k), d2: Double(ddf)), ties: ties)
    }

    /// `svychisq(~item + group, design)` (statistic "F"): Pearson's X² of the weighted table
    /// divided by the trace of the design effect matrix Δ = (C'D⁻¹C)⁻¹(C'D⁻¹VD⁻¹C) of the
    /// interaction contrasts C, V the design covariance of the cell proportions and D their
    /// diagonal; F on d₀ = tr(Δ)²/tr(Δ²) and d₀·degf degrees of freedom (Rao–Scott second order).
    func raoScott(_ groups: ComparedGroups, index: Int, order: [Int], unweighted: [[Double]]) -> ItemComparison.ChiSquareTest? {
        let candidates = order.map { index * levelCount + $0 }
        let slots = candidates.filter { slot in groups.cells.contains { $0.weighted[slot] > 0 } }
        let (rows, columns) = (groups.cells.count, slots.count)
        guard rows >= 2, columns >= 2 else { return nil }
        let table = groups.cells.map { cell in slots.map { cell.weighted[$0] } }
        let total = table.reduce(0) { $0 + $1.reduce(0, +) }
        let k = rows * columns
        let shares = table.flatMap { $0.map { $0 / total } }
        // A row in cell (g, j) moves share c by (δ − p_c)/Ŵ.
        let coefficients: [[[Double]]] = (0..<rows).map { g in
            (0..<k).map { c in (0..<columns).map { j in ((c == g * columns + j ? 1 : 0) - shares[c]) / total } }
        }
        // Replicate designs recompute the shares per replicate (svymean); others linearize them.
        let v = replicateDesign?.sharesCovariance(zip(groups.designCells, groups.cells).map { (cell: $0, full: $1) }, slots: slots)
            ?? influenceCovariance(groups, coefficients: coefficients, slots: slots, count: k)
        // Interaction contrasts (δ_ga − 1/r)(δ_jb − 1/c): a basis orthogonal to the main effects,
        // spanning what R's qr.resid(X1, X12) spans; tr Δ and tr Δ² do not depend on the basis.
        let m = (rows - 1) * (columns - 1)
        var contrasts = Array(repeating: 0.0, count: k * m)
        for a in 0..<(rows - 1) {
            for b in 0..<(columns - 1) {
                for g in 0..<rows {
                    for j in 0..<columns {
                        contrasts[(g * columns + j) * m + a * (columns - 1) + b] =
                            ((g == a ? 1 : 0) - 1 / Double(rows)) * ((j == b ? 1 : 0) - 1 / Double(columns))
                    }
                }
            }
        }
        let inverse = shares.map { $0 == 0 ? 0 : 1 / $0 }
        var a = Array(repeating: 0.0, count: m * m), b = a
        var scaled = Array(repeating: 0.0, count: k * m)   // D⁻¹C
        for c in 0..<k { for x in 0..<m { scaled[c * m + x] = inverse[c] * contrasts[c * m + x] } }
        var middle = Array(repeating: 0.0, count: k * m)   // V D⁻¹C
        for c in 0..<k {
            for e in 0..<k where v[c * k + e] != 0 {
                for x in 0..<m { middle[c * m + x] += v[c * k + e] * scaled[e * m + x] }
            }
        }
        for x in 0..<m {
            for y in 0..<m {
                var ax = 0.0, bx = 0.0
                for c in 0..<k {
                    ax += contrasts[c * m + x] * scaled[c * m + y]
                    bx += scaled[c * m + x] * middle[c * m + y]
                }
                a[x * m + y] = ax / total
                b[x * m + y] = bx
            }
        }
        guard let delta = LinearAlgebra.solve(a, b, size: m, columns: m) else { return nil }
        var trace = 0.0, traceSquared = 0.0
        for x in 0..<m {
            trace += delta[x * m + x]
            for y in 0..<m { traceSquared += delta[x * m + y] * delta[y * m + x] }
        }
        let rowTotals = table.map { $0.reduce(0, +) }
        let columnTotals = (0..<columns).map { j in table.reduce(0) { $0 + $1[j] } }
        var pearson = 0.0
        for g in 0..<rows {
            for j in 0..<columns {
                let expected = rowTotals[g] * columnTotals[j] / total
                pearson += (table[g][j] - expected) * (table[g][j] - expected) / expected
            }
        }
        let d0 = trace * trace / traceSquared
        let f = pearson / trace
        let nu = Double(designDegrees)
        guard f.isFinite, d0.isFinite, d0 > 0, nu > 0 else { return nil }
        let small = unweighted.contains { row in
            let n = unweighted.reduce(0) { $0 + $1.reduce(0, +) }
            return row.indices.contains { l in
                let column = unweighted.reduce(0) { $0 + $1[l] }
                return column > 0 && row.reduce(0, +) * column / n < 5
            }
        }
        return .init(statistic: f, df: m, p: Distributions.fSurvival(f, d1: d0, d2: d0 * nu), yates: false, smallExpected: small,
                     method: "Rao-Scott", ndf: d0, ddf: d0 * nu)
    }
}
