/// A calibrated design's influences: each row's x_a becomes x_a − w·C_aJ for its joint
/// weighting cell J (`CalibrationSums`), and the sums a variance needs follow from those of
/// the unmoved influences and per-cell sums, without a second pass over the rows:
///
///     Σ(x_a − wC_a)             = Σx_a − Σ_J C_aJ Σ_J w
///     Σ(x_a − wC_a)(x_b − wC_b) = Σx_a x_b − Σ_J (C_bJ Σ_J w·x_a + C_aJ Σ_J w·x_b) + Σ_J C_aJ C_bJ Σ_J w²
///
/// One function for every variance that takes rows as PSUs (weights only, strata without
/// clusters; items, composites and the group tests' totals).
package enum ResidualizedSums {
    /// Moves `sums` (Σx_a, K) and `products` (Σx_a x_b, K × K row-major) to the residualized
    /// influences' sums, given per total a and cell J the constants `constants[a][J]` and
    /// Σ_J w·x_a in `weightedInfluence[a][J]`, and per cell Σ_J w and Σ_J w².
    package static func apply(sums: inout [Double], products: inout [Double], constants: [[Double]], weightedInfluence: [[Double]],
                              weight: [Double], weightSquared: [Double]) {
        let k = sums.count
        for a in 0..<k {
            for (j, c) in constants[a].enumerated() where c != 0 { sums[a] -= c * weight[j] }
            for b in 0..<k {
                for j in constants[a].indices {
                    products[a * k + b] += -constants[b][j] * weightedInfluence[a][j] - constants[a][j] * weightedInfluence[b][j]
                        + constants[a][j] * constants[b][j] * weightSquared[j]
                }
            }
        }
    }

    /// `apply` for one total: (Σx, Σx²) → (Σ(x − wC), Σ(x − wC)²).
    package static func apply(sum: inout Double, squares: inout Double, constants: [Double], weightedInfluence: [Double],
                              weight: [Double], weightSquared: [Double]) {
        var sums = [sum], products = [squares]
        apply(sums: &sums, products: &products, constants: [constants], weightedInfluence: [weightedInfluence], weight: weight, weightSquared: weightSquared)
        sum = sums[0]
        squares = products[0]
    }
}
