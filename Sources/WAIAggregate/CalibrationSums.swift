import WAIModel

/// The sums that make standard errors after raking or post-stratification account for the
/// calibration, as R's `rake()` and `postStratify()` designs do (`svyrecvar`'s `postStrata`).
///
/// A calibrated design replaces each row's influence x by its residual on the weighting
/// cells: x − w·C_J, with C_J one constant per joint cell J of the weighting columns. The
/// constants come from per-cell totals of x and of x/w, which for an index are per item ×
/// level sums of w and of rows in J; the variance then needs, per J, Σw·x (per item × level
/// Σw²) and Σw². All of these are sums, so they merge by addition.
public struct CalibrationSums: Sendable, Hashable, Codable {
    /// Joint cells of the weighting columns (J), in `Calibration.jointCells` order.
    public var cells: Int
    /// Raking (`margins` one per weighting column) or post-stratification (one margin: J itself).
    public var raking: Bool
    /// Per margin, each joint cell's category in it (`Calibration.margins`).
    public var margins: [[Int]]
    /// Linear (GREG) calibration: each joint cell's factor g_J (the same in every range, not added).
    public var linearFactors: [Double]?
    /// Per J × item × level (level fastest): rows, Σw and Σw² of the rows in J that gave that answer.
    public var counts: [Double]
    public var weighted: [Double]
    public var weightedSquared: [Double]
    /// Per J, over every row of the group in J (answered or not): rows, Σw, Σw².
    public var rows: [Double]
    public var weightSum: [Double]
    public var weightSquaredSum: [Double]

    public init(cells: Int, slots: Int, raking: Bool, margins: [[Int]], linearFactors: [Double]? = nil) {
        self.cells = cells
        self.raking = raking
        self.margins = margins
        self.linearFactors = linearFactors
        counts = Array(repeating: 0, count: cells * slots)
        weighted = counts
        weightedSquared = counts
        rows = Array(repeating: 0, count: cells)
        weightSum = rows
        weightSquaredSum = rows
    }

    public static func += (lhs: inout CalibrationSums, rhs: CalibrationSums) {
        precondition(lhs.cells == rhs.cells && lhs.counts.count == rhs.counts.count, "merging calibration sums of different layouts")
        add(&lhs.counts, rhs.counts)
        add(&lhs.weighted, rhs.weighted)
        add(&lhs.weightedSquared, rhs.weightedSquared)
        add(&lhs.rows, rhs.rows)
        add(&lhs.weightSum, rhs.weightSum)
        add(&lhs.weightSquaredSum, rhs.weightSquaredSum)
    }

    mutating func count(codes: ArraySlice<UInt8>, weight w: Double, cell j: Int, levels: Int) {
        rows[j] += 1
        weightSum[j] += w
        weightSquaredSum[j] += w * w
        let base = j * (counts.count / cells)
        for (i, code) in zip(0..., codes) where code > 0 {
            let slot = base + i * levels + Int(code) - 1
            counts[slot] += 1
            weighted[slot] += w
            weightedSquared[slot] += w * w
        }
    }
}

/// Collects `CalibrationSums` for all rows and every demographic group of the chunks it is
/// given (weights already adjusted), then puts them into the matching cells of statistics
/// with the same category numbering.
package struct CalibrationCounter: Sendable {
    let calibration: Calibration
    let items: Int
    let levels: Int
    let empty: CalibrationSums
    var overall: CalibrationSums
    /// Per demographic, per group (0 = no answer, c + 1 = category c).
    var groups: [[CalibrationSums]]

    package init(calibration: Calibration, items: Int, levels: Int, demographics: Int) {
        self.calibration = calibration
        self.items = items
        self.levels = levels
        empty = CalibrationSums(cells: calibration.jointCells.count, slots: items * levels, raking: calibration.raking, margins: calibration.margins,
                                linearFactors: calibration.linearFactors)
        overall = empty
        groups = Array(repeating: [], count: demographics)
    }

    package mutating func add(_ chunk: CodedChunk) {
        for r in 0..<chunk.rowCount {
            guard let j = calibration.jointCell(of: chunk, row: r) else { continue }
            let codes = chunk.codes[(r * items)..<(r * items + items)]
            let w = chunk.weights[r]
            overall.count(codes: codes, weight: w, cell: j, levels: levels)
            for d in groups.indices {
                let g = Int(chunk.groups[d][r])
                while groups[d].count <= g { groups[d].append(empty) }
                groups[d][g].count(codes: codes, weight: w, cell: j, levels: levels)
            }
        }
    }

    /// `statistics` with these sums in its cells (groups the statistics lack are made).
    package func fill(_ statistics: inout SufficientStatistics) {
        statistics.overall.calibration = overall
        for d in groups.indices {
            statistics.ensure(demographic: d, categories: max(0, groups[d].count - 1))
            for g in groups[d].indices { statistics.byDemographic[d][g].calibration = groups[d][g] }
        }
    }
}
