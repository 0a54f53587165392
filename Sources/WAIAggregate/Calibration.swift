import WAIModel

/// Weight factors per joint cell of the weighting columns, found by raking (iterative
/// proportional fitting) or post-stratification, then optionally trimmed.
///
/// Standard errors on the adjusted weights account for the calibration as R's `rake()` and
/// `postStratify()` designs do (`CalibrationSums`), unless the weights were trimmed.
public struct Calibration: Sendable {
    /// Demographic positions of the weighting columns.
    public let columns: [Int]
    var factors: [[UInt32]: Double]
    /// The joint cells of the weighting columns that hold respondents (category numbers, one
    /// per column), sorted; `CalibrationSums` are kept in this order.
    public private(set) var jointCells: [[UInt32]] = []
    var jointIndex: [[UInt32]: Int] = [:]
    /// Margins one column at a time (raking or linear calibration), or the joint cells
    /// (post-stratification).
    public let raking: Bool
    /// Linear (GREG) calibration on the margins rather than raking.
    public let linear: Bool

    init(columns: [Int], factors: [[UInt32]: Double], bounds: ClosedRange<Double>?, raking: Bool, linear: Bool = false, report: WeightingReport) {
        self.columns = columns
        self.factors = factors
        self.bounds = bounds
        self.raking = raking
        self.linear = linear
        self.report = report
        indexJointCells()
    }

    mutating func indexJointCells() {
        jointCells = factors.keys.sorted { $0.lexicographicallyPrecedes($1) }
        jointIndex = Dictionary(uniqueKeysWithValues: jointCells.enumerated().map { ($1, $0) })
    }

    /// Whether the standard errors account for the calibration: not after trimming, which
    /// leaves the margins off their targets (the SEs then treat the weights as fixed).
    public var residualizes: Bool { bounds == nil }

    /// Linear calibration: g_J per joint cell, in `jointCells` order.
    public var linearFactors: [Double]? { linear ? jointCells.map { factors[$0]! } : nil }

    /// For raking, per weighting column, each joint cell's category in it; for
    /// post-stratification one "margin" whose categories are the joint cells themselves.
    public var margins: [[Int]] {
        raking ? columns.indices.map { k in jointCells.map { Int($0[k]) } } : [Array(jointCells.indices)]
    }

    /// The joint cell of row `r`, nil when it lacks a weighting column (its weight is not adjusted).
    public func jointCell(of chunk: CodedChunk, row r: Int) -> Int? {
        var key = [UInt32](repeating: 0, count: columns.count)
        for (k, d) in columns.enumerated() {
            key[k] = chunk.groups[d][r]
            if key[k] == 0 { return nil }
        }
        return jointIndex[key]
    }
    var bounds: ClosedRange<Double>?
    var scale = 1.0
    public private(set) var report: WeightingReport

    /// Multiplies every row's weight by its cell's factor (then trims and rescales).
    public func adjust(_ chunk: inout CodedChunk) {
        var key = [UInt32](repeating: 0, count: columns.count)
        for r in 0..<chunk.rowCount {
            var complete = true
            for (k, d) in columns.enumerated() {
                key[k] = chunk.groups[d][r]
                if key[k] == 0 { complete = false }
            }
            guard complete, let factor = factors[key] else { continue }
            var w = chunk.weights[r] * factor
            if let bounds { w = min(max(w, bounds.lowerBound), bounds.upperBound) }
            chunk.weights[r] = w * scale
        }
    }

    /// Reads the data three times: for the base-weight total of every joint cell; to trim,
    /// rescale and check the margins the adjusted weights achieve; for the weights' range and
    /// design effect. The analysis itself is a fourth pass.
    public static func fit(spec: SurveySpec, population: Population, reader: some CodedChunkSource) throws -> Calibration {
        let names = population.columns
        let columns = names.map { name in spec.demographics.firstIndex { $0.column == name }! }
        let categories = columns.map { spec.demographics[$0].categories! }

        var baseTotals: [[UInt32]: Double] = [:]
        var sampleCounts: [[UInt32]: Double] = [:]
        var notAdjusted = 0
        try reader.forEachCodedChunk { chunk in
            for r in 0..<chunk.rowCount {
                let key = columns.map { chunk.groups[$0][r] }
                if key.contains(0) { notAdjusted += 1; continue }
                baseTotals[key, default: 0] += chunk.weights[r]
                sampleCounts[key, default: 0] += 1
            }
        }
        let total = baseTotals.values.reduce(0, +)
        let sampleRows = sampleCounts.values.reduce(0, +)
        guard total > 0 else {
            throw InputError("no respondent has every weighting column answered", at: SourceLocation(file: "population", keyPath: "population"),
                             found: names.joined(separator: ", "), expected: "answers to the weighting columns")
        }

        var factors = baseTotals.mapValues { _ in 1.0 }
        var iterations = 0
        var deviation = 0.0
        var converged = false
        var targets: [(column: Int, category: UInt32, share: Double)] = []
        switch population.method {
        case .rake, .linear:
            for (k, margin) in zip(0..., population.margins) {
                let sum = margin.shares.values.reduce(0, +)
                for (c, name) in categories[k].enumerated() {
                    let share = (margin.shares[name] ?? 0) / sum
                    let present = baseTotals.keys.contains { $0[k] == UInt32(c + 1) }
                    if share > 0 && !present {
                        throw InputError("cannot weight to a category nobody in the sample belongs to",
                                         at: SourceLocation(file: "population", keyPath: "population.margins.\(margin.column).\(name)"),
                                         found: "share \(share), 0 respondents", expected: "a category with respondents, or merge it with a neighbour")
                    }
                    targets.append((k, UInt32(c + 1), share))
                }
            }
            if population.method == .linear {
                // g_J = 1 + m_J'λ with (Σ_J D_J m_J m_J') λ = T − Σ_J D_J m_J, m_J the intercept and
                // each margin's indicators but its first category present (R's treatment coding).
                let design = LinearCalibrationDesign(margins: columns.indices.map { k in baseTotals.keys.map { Int($0[k]) } })
                let keys = Array(baseTotals.keys)
                var totals = Array(repeating: 0.0, count: design.size)
                totals[0] = total
                for target in targets {
                    if let position = design.position(margin: target.column, category: Int(target.category)) { totals[position] += target.share * total }
                }
                let base = keys.map { baseTotals[$0]! }
                let have = design.totals(base)
                guard let lambda = LinearAlgebra.solve(design.normalMatrix(base), zip(totals, have).map { $0 - $1 }, size: design.size) else {
                    throw InputError("the weighting columns' categories are collinear in the sample: linear calibration has no solution",
                                     at: SourceLocation(file: "population", keyPath: "population.margins"),
                                     found: names.joined(separator: ", "), expected: "margins whose categories are not determined by each other")
                }
                for (key, fit) in zip(keys, design.fitted(lambda)) { factors[key] = 1 + fit }
                for target in targets where target.share > 0 {
                    var have = 0.0
                    for (key, base) in baseTotals where key[target.column] == target.category { have += base * factors[key]! }
                    deviation = max(deviation, abs(have / (target.share * total) - 1))
                }
                iterations = 1
                converged = true
            }
            while population.method == .rake && iterations < population.maxIterations {
                iterations += 1
                for k in columns.indices {
                    var current = [Double](repeating: 0, count: categories[k].count + 1)
                    for (key, base) in baseTotals { current[Int(key[k])] += base * factors[key]! }
                    for target in targets where target.column == k {
                        let have = current[Int(target.category)]
                        guard have > 0 else { continue }
                        let ratio = target.share * total / have
                        for key in factors.keys where key[k] == target.category { factors[key]! *= ratio }
                    }
                }
                deviation = 0
                for target in targets where target.share > 0 {
                    var have = 0.0
                    for (key, base) in baseTotals where key[target.column] == target.category { have += base * factors[key]! }
                    deviation = max(deviation, abs(have / (target.share * total) - 1))
                }
                if deviation < population.tolerance { converged = true; break }
            }
        case .poststratify:
            let sum = population.cells.reduce(0) { $0 + $1.share }
            var covered: Set<[UInt32]> = []
            for (i, cell) in population.cells.enumerated() {
                let key = zip(names, categories).map { name, known in UInt32(known.firstIndex(of: cell.categories[name]!)! + 1) }
                let share = cell.share / sum
                guard let base = baseTotals[key], base > 0 else {
                    if share == 0 { continue }
                    throw InputError("cannot post-stratify to a cell nobody in the sample belongs to",
                                     at: SourceLocation(file: "population", keyPath: "population.cells[\(i)]"),
                                     found: "share \(share), 0 respondents", expected: "cells that each hold respondents (merge sparse cells)")
                }
                factors[key] = share * total / base
                covered.insert(key)
            }
            if let missing = baseTotals.keys.first(where: { !covered.contains($0) }) {
                let label = zip(names, zip(categories, missing)).map { "\($0)=\($1.0[Int($1.1) - 1])" }.joined(separator: ", ")
                throw InputError("the sample has a cell the population list lacks", at: SourceLocation(file: "population", keyPath: "population.cells"),
                                 found: label, expected: "a share for every combination present in the data")
            }
            for (k, _) in zip(0..., names) {
                for c in categories[k].indices {
                    let share = population.cells.filter { $0.categories[names[k]] == categories[k][c] }.reduce(0) { $0 + $1.share } / sum
                    targets.append((k, UInt32(c + 1), share))
                }
            }
            iterations = 1
            converged = true
        }

        var calibration = Calibration(columns: columns, factors: factors, bounds: nil, raking: population.method != .poststratify,
                                      linear: population.method == .linear, report: WeightingReport(
            method: population.method.rawValue, columns: names, iterations: iterations, converged: converged,
            maxDeviation: deviation, trimmed: 0, notAdjusted: notAdjusted, minWeight: 0, maxWeight: 0,
            designEffect: 1, effectiveN: 0, margins: []))

        // Second pass: trim against the mean base weight of the adjusted rows, and measure the
        // margins the final weights achieve (shares do not depend on the rescaling after it).
        let mean = total / sampleRows
        if let trim = population.trim { calibration.bounds = (trim[0] * mean)...(trim[1] * mean) }
        var clampedTotal = 0.0, trimmed = 0
        var achieved: [[UInt32]: Double] = [:]
        try reader.forEachCodedChunk { chunk in
            var chunk = chunk
            let base = chunk.weights
            calibration.adjust(&chunk)
            for r in 0..<chunk.rowCount {
                let key = columns.map { chunk.groups[$0][r] }
                guard !key.contains(0) else { continue }
                if let bounds = calibration.bounds, !bounds.contains(base[r] * factors[key]!) { trimmed += 1 }
                clampedTotal += chunk.weights[r]
                achieved[key, default: 0] += chunk.weights[r]
            }
        }
        calibration.scale = clampedTotal > 0 ? total / clampedTotal : 1

        // Third pass: the final weights' range and Kish design effect.
        var n = 0.0, sum = 0.0, squares = 0.0, low = Double.infinity, high = 0.0
        try reader.forEachCodedChunk { chunk in
            var chunk = chunk
            calibration.adjust(&chunk)
            for w in chunk.weights {
                n += 1
                sum += w
                squares += w * w
                low = min(low, w)
                high = max(high, w)
            }
        }
        calibration.report.trimmed = trimmed
        calibration.report.seCalibrated = calibration.residualizes
        calibration.report.minWeight = low
        calibration.report.maxWeight = high
        calibration.report.designEffect = n * squares / (sum * sum)
        calibration.report.effectiveN = sum * sum / squares
        calibration.report.margins = targets.map { target in
            let have = achieved.filter { $0.key[target.column] == target.category }.values.reduce(0, +) / clampedTotal
            let sample = sampleCounts.filter { $0.key[target.column] == target.category }.values.reduce(0, +) / sampleRows
            return .init(column: names[target.column], category: categories[target.column][Int(target.category) - 1],
                         target: target.share, achieved: have, sample: sample)
        }
        return calibration
    }
}

/// The model matrix of linear calibration on margins, one row per joint cell: an intercept and,
/// per margin, an indicator of each category present but the first (R's treatment coding; the
/// residuals of the SEs depend only on the span, so any such basis gives R's).
public struct LinearCalibrationDesign: Sendable {
    /// Per margin, each cell's category.
    let margins: [[Int]]
    /// Per margin, its categories present past the first, and their columns.
    let columns: [[Int: Int]]
    public let size: Int

    public init(margins: [[Int]]) {
        self.margins = margins
        var next = 1
        var columns: [[Int: Int]] = []
        for margin in margins {
            var map: [Int: Int] = [:]
            for category in Set(margin).sorted().dropFirst() { map[category] = next; next += 1 }
            columns.append(map)
        }
        self.columns = columns
        size = next
    }

    public func position(margin k: Int, category: Int) -> Int? { columns[k][category] }

    /// Σ_j weights_j m_j m_j' (size × size, row-major): the normal equations' matrix. Its first
    /// row, the intercept's, is Σ_j weights_j m_j.
    public func normalMatrix(_ weights: [Double]) -> [Double] {
        var matrix = Array(repeating: 0.0, count: size * size)
        for (j, w) in weights.enumerated() where w != 0 {
            let m = row(j)
            for a in m.indices where m[a] != 0 {
                for b in m.indices where m[b] != 0 { matrix[a * size + b] += w }
            }
        }
        return matrix
    }

    /// Σ_j values_j m_j.
    public func totals(_ values: [Double]) -> [Double] {
        var out = Array(repeating: 0.0, count: size)
        for (j, v) in values.enumerated() { for (a, m) in row(j).enumerated() where m != 0 { out[a] += v } }
        return out
    }

    /// m_j'β of every cell.
    public func fitted(_ beta: [Double]) -> [Double] {
        margins.first.map { $0.indices.map { j in zip(row(j), beta).reduce(0) { $0 + $1.0 * $1.1 } } } ?? []
    }

    /// m_J of cell j.
    public func row(_ j: Int) -> [Double] {
        var m = Array(repeating: 0.0, count: size)
        m[0] = 1
        for (k, margin) in margins.enumerated() { if let c = columns[k][margin[j]] { m[c] = 1 } }
        return m
    }
}
