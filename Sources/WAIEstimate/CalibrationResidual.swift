import WAIAggregate

/// The influence of an estimate on a raked or post-stratified sample, residualized on the
/// weighting cells as R's `svyrecvar` does with a design's `postStrata`.
///
/// The influence of row i is x_i = w_i·a_i, with a_i a coefficient per item × level answered
/// (zero outside the domain). Calibration makes it x_i − w_i·C_J for the row's joint cell J:
/// - post-stratification: C_J = Σ_J x / Σ_J w (R: `rowsum(x·oldw/psw)/Σoldw`, the same since
///   oldw/psw is constant in a cell);
/// - raking: ten sweeps over the margins, each adding to C_J the plain mean of x/w − C over
///   the rows of J's category in that margin (R: `x − psw·ave(x/psw, margin)`, psw the raked
///   weights once converged).
struct CalibrationResidual {
    /// Sums over every row (the overall cell).
    let all: CalibrationSums
    /// Sums over the rows of the domain.
    let domain: CalibrationSums

    var width: Int { all.counts.count / max(1, all.cells) }

    /// C_J for coefficients a at item × level slots.
    func constants(_ coefficients: [(slot: Int, a: Double)]) -> [Double] {
        let cells = all.cells, width = self.width
        func total(_ sums: [Double], _ j: Int) -> Double {
            coefficients.reduce(0) { $0 + $1.a * sums[j * width + $1.slot] }
        }
        if !all.raking {
            return (0..<cells).map { j in all.weightSum[j] > 0 ? total(domain.weighted, j) / all.weightSum[j] : 0 }
        }
        if let g = all.linearFactors {
            // Linear calibration (R: x − w·m'β, β the regression of x/w on the margins' model
            // matrix m with the base weights d = w/g): β = (Σ_J D_J m_J m_J')⁻¹ Σ_J m_J X_J/g_J.
            let design = LinearCalibrationDesign(margins: all.margins)
            let base = (0..<cells).map { all.weightSum[$0] > 0 ? all.weightSum[$0] / g[$0] : 0 }
            let right = design.totals((0..<cells).map { all.weightSum[$0] > 0 ? total(domain.weighted, $0) / g[$0] : 0 })
            guard let beta = LinearAlgebra.solve(design.normalMatrix(base), right, size: design.size) else { return Array(repeating: .nan, count: cells) }
            return design.fitted(beta)
        }
        let perRow = (0..<cells).map { total(domain.counts, $0) }
        var c = Array(repeating: 0.0, count: cells)
        for _ in 0..<10 {
            for margin in all.margins {
                let categories = (margin.max() ?? 0) + 1
                var sum = Array(repeating: 0.0, count: categories), rows = sum
                for j in 0..<cells {
                    sum[margin[j]] += perRow[j] - all.rows[j] * c[j]
                    rows[margin[j]] += all.rows[j]
                }
                for j in 0..<cells where rows[margin[j]] > 0 { c[j] += sum[margin[j]] / rows[margin[j]] }
            }
        }
        return c
    }

    /// Without a design (each row its own PSU, one stratum of `rows` rows): the variance of the
    /// residualized total, given Σx and Σx² of the unresidualized influence.
    func variance(_ coefficients: [(slot: Int, a: Double)], sum: Double, squares: Double, rows: Double) -> Double {
        let c = constants(coefficients)
        let width = self.width
        let wx = c.indices.map { j in coefficients.reduce(0) { $0 + $1.a * domain.weightedSquared[j * width + $1.slot] } }
        var s = sum, q = squares
        ResidualizedSums.apply(sum: &s, squares: &q, constants: c, weightedInfluence: wx, weight: all.weightSum, weightSquared: all.weightSquaredSum)
        guard rows > 1 else { return .nan }
        return rows / (rows - 1) * max(0, q - s * s / rows)
    }
}
