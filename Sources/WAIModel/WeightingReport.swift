/// How the weights were adjusted to population shares, for the report.
public struct WeightingReport: Sendable, Hashable, Codable {
    public struct MarginCheck: Sendable, Hashable, Codable {
        public var column: String
        public var category: String
        /// Population share, 0…1.
        public var target: Double
        /// Weighted sample share after adjustment (and trimming), 0…1.
        public var achieved: Double
        /// Unweighted sample share before adjustment, 0…1.
        public var sample: Double

        public init(column: String, category: String, target: Double, achieved: Double, sample: Double) {
            (self.column, self.category, self.target, self.achieved, self.sample) = (column, category, target, achieved, sample)
        }
    }

    public var method: String
    public var columns: [String]
    public var iterations: Int
    public var converged: Bool
    /// Largest |achieved/target − 1| over the margins when fitting stopped (before trimming).
    public var maxDeviation: Double
    /// Rows whose weight hit a trimming bound.
    public var trimmed: Int
    /// Rows left at their base weight because a weighting column was missing for them.
    public var notAdjusted: Int
    public var minWeight: Double
    public var maxWeight: Double
    /// Kish's design effect of unequal weights, n·Σw²/(Σw)².
    public var designEffect: Double
    public var effectiveN: Double
    public var margins: [MarginCheck]
    /// Whether the standard errors account for the calibration (R's `rake()`/`postStratify()`
    /// designs); false after trimming, when they treat the adjusted weights as fixed.
    public var seCalibrated: Bool?
    /// With replicate weights: every replicate column was calibrated again to the same
    /// population (R: `rake()`/`postStratify()` on a `svrepdesign`).
    public var replicatesCalibrated: Bool?

    public init(method: String, columns: [String], iterations: Int, converged: Bool, maxDeviation: Double, trimmed: Int,
                notAdjusted: Int, minWeight: Double, maxWeight: Double, designEffect: Double, effectiveN: Double, margins: [MarginCheck]) {
        (self.method, self.columns, self.iterations, self.converged, self.maxDeviation, self.trimmed) = (method, columns, iterations, converged, maxDeviation, trimmed)
        (self.notAdjusted, self.minWeight, self.maxWeight, self.designEffect, self.effectiveN, self.margins) = (notAdjusted, minWeight, maxWeight, designEffect, effectiveN, margins)
    }

    enum CodingKeys: String, CodingKey {
        case method, columns, iterations, converged, maxDeviation = "max_deviation", trimmed
        case notAdjusted = "not_adjusted", minWeight = "min_weight", maxWeight = "max_weight"
        case designEffect = "design_effect", effectiveN = "effective_n", margins, seCalibrated = "se_calibrated"
        case replicatesCalibrated = "replicates_calibrated"
    }
}
