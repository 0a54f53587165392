import WAIAggregate
import WAIModel

/// Turns sufficient statistics into the numbers a report prints: indices, bands, standard
/// errors, bootstrap summaries, top-box shares, reliability and group comparisons.
public struct Estimator: Sendable {
    public let spec: SurveySpec
    /// The distinct items, in the order of the statistics' item axis.
    public let items: [Item]
    /// Rows of the whole design. Domain (group) variances use it too, as R's `survey` does:
    /// a subgroup is a domain of the one sample, not a sample of its own.
    public let designRows: Double
    /// Nominal coverage of every interval.
    public let confidence: Double
    /// Bootstrap replicates of every estimate (0: none) and their seed; see `Bootstrap`.
    public let replicates: Int
    public let seed: UInt64
    /// Taylor linearization over strata and PSUs; nil: rows are the sampling units.
    public var design: DesignVariance? = nil
    /// Replicate-weight variances; nil: no replicate weights.
    public var replicateDesign: ReplicateVariance? = nil
    /// After raking or post-stratification, the overall cell's `CalibrationSums`: variances
    /// then residualize the influences on the weighting cells (`CalibrationResidual`).
    public var calibration: CalibrationSums? = nil
    let z: Double
    let position: [String: Int]
    /// Levels per item in the statistics' layout: the most of any item's scale.
    let levelCount: Int

    public init(spec: SurveySpec, items: [Item], designRows: Double, confidence: Double = 0.95,
                replicates: Int = 0, seed: UInt64 = 0) {
        self.spec = spec
        self.items = items
        self.designRows = designRows
        self.confidence = confidence
        self.replicates = replicates
        self.seed = seed
        z = Distributions.normalQuantile(0.5 + confidence / 2)
        position = Dictionary(uniqueKeysWithValues: items.enumerated().map { ($1.id, $0) })
        levelCount = spec.levelCount
    }

    /// The scale of item `index`.
    func scale(_ index: Int) -> Scale { spec.scale(of: items[index]) }

    /// Level scores of item `index` on its scale, reverse keying applied, padded with zeros to
    /// `levelCount` (the slots its scale does not have).
    func scores(_ index: Int) -> [Double] {
        var scores = scale(index).weights
        if items[index].reverse { scores.reverse() }
        return scores + Array(repeating: 0, count: levelCount - scores.count)
    }

    /// Which standard error `se` is (SurveyAnalysis.Method.seMethod).
    var seMethod: String {
        replicateDesign != nil ? "replicate" : design != nil ? "taylor" : hasWeights ? "linearization" : "classical"
    }
    /// How the intervals were made: WAI ± z·SE from that SE.
    var intervalMethod: String {
        switch seMethod {
        case "classical": "classical"
        case "replicate": "replicate"
        default: "linearization"
        }
    }

    /// What the bootstrap's normal draws come from.
    var normalDrawsMethod: String { replicateDesign != nil ? Bootstrap.replicateNormalMethod : Bootstrap.normalMethod }

    /// Whether rows carry weights (a weight column, or raking/post-stratification).
    var hasWeights: Bool { spec.weight != nil || spec.population != nil }

    /// The calibration residual of influences on the rows of `cell`, when the weights were raked
    /// or post-stratified (and not trimmed).
    func residual(in cell: CellStatistics) -> CalibrationResidual? {
        guard let all = calibration else { return nil }
        return CalibrationResidual(all: all, domain: cell.calibration
            ?? CalibrationSums(cells: all.cells, slots: all.counts.count / max(1, all.cells), raking: all.raking, margins: all.margins,
                               linearFactors: all.linearFactors))
    }

    /// n/(n−1) for the with-replacement variance of a one-stage design.
    var finiteCorrection: Double { designRows > 1 ? designRows / (designRows - 1) : .nan }

    /// One item's estimate from a cell of statistics; `group` keys its bootstrap replicates
    /// (`Bootstrap.groupKey`, 0 for all respondents).
    public func item(_ index: Int, in cell: CellStatistics, bands: BandTable, group: UInt64 = 0,
                     designCell: DesignCell = .overall) -> ItemEstimate {
        let scale = self.scale(index)
        let levels = scale.levels
        let k = levels.count
        let item = items[index]
        let base = index * levelCount
        let counts = (0..<k).map { cell.counts[base + $0] }
        let weighted = (0..<k).map { cell.weighted[base + $0] }
        let n = counts.reduce(0, +)
        let weightedN = weighted.reduce(0, +)
        let scores = self.scores(index)
        var estimate = ItemEstimate(
            id: item.id, text: item.text, column: item.column, reverse: item.reverse,
            n: Int(n), missing: Int(cell.rows - n), weightedN: weightedN,
            counts: (0..<k).map { l in
                LevelShare(code: levels[l].code, label: levels[l].label, count: Int(counts[l]),
                           weightedCount: weighted[l], share: weightedN > 0 ? weighted[l] / weightedN : 0)
            },
            wai: nil, waiReported: nil, band: nil)
        estimate.scale = scale.name
        guard weightedN > 0 else { return estimate }
        var sum = 0.0
        for l in 0..<k { sum += scores[l] * weighted[l] }
        let wai = sum / weightedN
        estimate.wai = wai
        estimate.waiReported = bands.format(wai)
        estimate.band = bands.band(wai)

        // Classical: the SD of the answered rows' scores (n − 1) over √n, weights ignored.
        if n > 1 {
            var mean = 0.0
            for l in 0..<k { mean += scores[l] * counts[l] }
            mean /= n
            var squares = 0.0
            for l in 0..<k { squares += counts[l] * (scores[l] - mean) * (scores[l] - mean) }
            estimate.seClassical = (squares / (n - 1) / n).squareRoot()
        }
        // Linearization: the influence of row r is w_r (s_r − ȳ)/W, so without a design
        // V = n/(n−1) · Σ_levels Σw² (s − ȳ)² / W²; with one, per PSU and stratum (DesignVariance).
        var squares = 0.0
        for l in 0..<k {
            let d = scores[l] - wai
            squares += cell.weightedSquared[base + l] * d * d
        }
        let residual = self.residual(in: cell)
        let coefficients = (0..<k).map { (slot: base + $0, a: (scores[$0] - wai) / weightedN) }
        let variance = replicateDesign.map { $0.itemVariance(cell: designCell, base: base, scores: Array(scores[0..<k]), point: wai) }
            ?? design.map { $0.itemVariance(cell: designCell, base: base, scores: Array(scores[0..<k]), mean: wai, total: weightedN,
                                            residual: residual?.constants(coefficients)) }
            ?? residual.map { residual in
                let sum = coefficients.reduce(0) { $0 + $1.a * cell.weighted[$1.slot] }
                return residual.variance(coefficients, sum: sum, squares: squares / (weightedN * weightedN), rows: designRows)
            }
            ?? finiteCorrection * squares / (weightedN * weightedN)
        if variance.isFinite { estimate.seDesign = variance.squareRoot() }
        if design != nil || replicateDesign != nil || hasWeights, n > 1, variance.isFinite {
            // As svymean(…, deff = TRUE): against simple random sampling without replacement of
            // the answered rows, svyvar(s)·(N − n)/(N·n), svyvar = n/(n−1)·Σw(s − ȳ)²/Σw, N = Σw.
            var spread = 0.0
            for l in 0..<k { spread += weighted[l] * (scores[l] - wai) * (scores[l] - wai) }
            let simple = n / (n - 1) * spread / weightedN * (weightedN - n) / (weightedN * n)
            if simple > 0 { estimate.deff = variance / simple }
        }
        let reported = design == nil && replicateDesign == nil && !hasWeights ? estimate.seClassical : estimate.seDesign
        estimate.seMethod = seMethod
        if let se = reported {
            estimate.se = se
            estimate.interval = Interval(lower: wai - z * se, upper: wai + z * se, level: confidence, method: intervalMethod)
            estimate.straddlesBand = bands.bandIndex(wai - z * se) != bands.bandIndex(wai + z * se)
        }
        estimate.topBox = topBox(weighted: weighted, total: weightedN, scores: scores, levels: levels)
        let unweighted = (0..<k).allSatisfy { weighted[$0] == counts[$0] }
        estimate.codes = codeStatistics(codes: levels.map { Double($0.code) }, scores: Array(scores.prefix(k)),
                                        counts: counts, weighted: weighted, unweighted: unweighted)
        if replicates > 0 {
            let key = Bootstrap.key(seed, group, Bootstrap.stableHash(item.id))
            let unweighted = (0..<k).allSatisfy { weighted[$0] == counts[$0] && cell.weightedSquared[base + $0] == counts[$0] }
            if unweighted {
                estimate.bootstrap = bootstrapSummary(
                    Bootstrap.fromCounts(counts, scores: scores, replicates: replicates, key: key),
                    point: wai, bands: bands, method: Bootstrap.countsMethod)
            } else if let se = estimate.se {
                estimate.bootstrap = bootstrapSummary(
                    Bootstrap.fromNormal(estimate: wai, se: se, replicates: replicates, key: key),
                    point: wai, bands: bands, method: normalDrawsMethod)
            }
        }
        return estimate
    }

    func bootstrapSummary(_ values: [Double?], point: Double, bands: BandTable, method: String) -> BootstrapSummary? {
        let defined = values.compactMap { $0 }
        guard defined.count > 1 else { return nil }
        let sorted = defined.sorted()
        let mean = defined.reduce(0, +) / Double(defined.count)
        let variance = defined.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(defined.count - 1)
        let alpha = (1 - confidence) / 2
        let band = bands.bandIndex(point)
        let same = defined.filter { bands.bandIndex($0) == band }.count
        return BootstrapSummary(
            replicates: defined.count, se: variance.squareRoot(),
            interval: Interval(lower: Distributions.quantile(sorted: sorted, alpha),
                               upper: Distributions.quantile(sorted: sorted, 1 - alpha),
                               level: confidence, method: "bootstrap percentile"),
            bandCertainty: Double(same) / Double(defined.count), method: method)
    }

    /// See `CodeStatistics`. `codes`, `scores`, `counts`, `weighted`: per level of the item's scale.
    func codeStatistics(codes: [Double], scores: [Double], counts: [Double], weighted: [Double], unweighted: Bool) -> CodeStatistics {
        let n = counts.reduce(0, +), total = weighted.reduce(0, +)
        func meanAndSD(_ values: [Double]) -> (Double, Double?) {
            let mean = zip(values, weighted).reduce(0) { $0 + $1.0 * $1.1 } / total
            let squares = zip(values, weighted).reduce(0) { $0 + $1.1 * ($1.0 - mean) * ($1.0 - mean) } / total
            return (mean, n > 1 ? (n / (n - 1) * squares).squareRoot() : nil)
        }
        let order = codes.indices.sorted { codes[$0] < codes[$1] }
        func quantile(_ p: Double) -> Double {
            if unweighted {
                // Type 7: position h = (n − 1)p in the sorted answers, between the answers at ⌊h⌋ and ⌊h⌋ + 1.
                let h = (n - 1) * p
                let lower = h.rounded(.down)
                func at(_ position: Double) -> Double {
                    var before = 0.0
                    for l in order {
                        before += counts[l]
                        if position < before { return codes[l] }
                    }
                    return codes[order.last!]
                }
                return at(lower) + (h - lower) * (at(min(lower + 1, n - 1)) - at(lower))
            }
            var cumulative = 0.0
            for l in order where weighted[l] > 0 {
                cumulative += weighted[l]
                if cumulative >= p * total * (1 - 1e-12) { return codes[l] }
            }
            return codes[order.last!]
        }
        let (mean, sd) = meanAndSD(codes)
        return CodeStatistics(mean: mean, sd: sd, scoreSD: meanAndSD(scores).1, q1: quantile(0.25), median: quantile(0.5),
                              q3: quantile(0.75), quantileRule: unweighted ? "type 7" : "weighted (qrule math)")
    }

    /// `weighted` and `levels`: the item's own levels; `scores` may carry padding past them.
    func topBox(weighted: [Double], total: Double, scores: [Double], levels: [Level]) -> TopBox {
        let k = weighted.count
        // Levels ordered by score, so reverse-keyed items count their positive end as "top".
        let order = (0..<k).sorted { scores[$0] < scores[$1] }
        let share = order.map { weighted[$0] / total }
        let top = share[k - 1] + (k > 2 ? share[k - 2] : 0)
        let bottom = share[0] + (k > 2 ? share[1] : 0)
        var cumulative = 0.0
        var median = order.last!
        for (j, level) in order.enumerated() {
            cumulative += share[j]
            if cumulative >= 0.5 - 1e-12 { median = level; break }
        }
        return TopBox(top2: top, bottom2: bottom, net: top - bottom, median: levels[median].label)
    }

    /// Every table of the spec from one cell of statistics (of the group keyed `group`).
    /// `reliabilityNotes`: say why a table whose items are on different scales has no alpha
    /// (where alpha is reported at all).
    public func tables(in cell: CellStatistics, reliability: [ReliabilityStatistics] = [], reliabilityNotes: Bool = false,
                       group: UInt64 = 0, designCell: DesignCell = .overall) -> [TableEstimate] {
        spec.tables.enumerated().map { t, table in
            let bands = spec.bands(for: table)
            let indices = table.items.map { position[$0.id]! }
            let estimates = indices.map { item($0, in: cell, bands: bands, group: group, designCell: designCell) }
            var result = TableEstimate(id: table.id, title: table.title, caption: table.caption,
                                       bandLabels: bands.labels, items: estimates, composite: nil)
            if table.composite {
                result.composite = composite(indices: indices, estimates: estimates, cell: cell, bands: bands, designCell: designCell,
                                             key: Bootstrap.key(seed, group, Bootstrap.stableHash(table.id), 0x4F41))
            }
            if spec.mixesScales(table) {
                if reliabilityNotes && table.items.count >= 2 {
                    result.reliabilityNote = "alpha not computed: items on different scales (\(spec.scaleNames(of: table).joined(separator: ", ")))"
                }
            } else if let statistics = reliability.first(where: { $0.items == indices }) {
                result.reliability = self.reliability(statistics, cell: cell, positions: indices, items: table.items.map(\.id))
            }
            return result
        }
    }

    /// Whether alpha is pairwise: as the spec says, else when no weights (pairwise weighted
    /// cross-products are of w², not w, so weighted alpha is listwise).
    var pairwiseReliability: Bool { (spec.reliabilityMissing ?? (hasWeights || design != nil || replicateDesign != nil ? .listwise : .pairwise)) == .pairwise }

    /// A table's alpha and psych::alpha's table. With pairwise deletion and no missing answers
    /// the two deletions agree, and the scale's mean, SD and raw.r come from the complete rows.
    func reliability(_ statistics: ReliabilityStatistics, cell: CellStatistics, positions: [Int], items ids: [String]) -> Reliability? {
        let codes = linearCodes(positions[0])
        let listwise = Reliability.listwise(statistics, items: ids, codes: codes, z: z, confidence: confidence)
        guard pairwiseReliability else { return listwise }
        guard var pairwise = Reliability.pairwise(cell, itemCount: items.count, positions: positions, items: ids,
                                                  respondents: cell.rows, z: z, confidence: confidence) else { return nil }
        if statistics.rows == cell.rows, let listwise {
            (pairwise.scaleMean, pairwise.scaleSD) = (listwise.scaleMean, listwise.scaleSD)
            for i in pairwise.items.indices { pairwise.items[i].rawR = listwise.items[i].rawR }
        }
        return pairwise
    }

    /// score = intercept + slope·code on the scale of item `index`, when its level weights are
    /// linear in its codes (normalized and proportional weighting are), reverse keying
    /// included (codes symmetric about their middle, as psych reverses: max + min − code).
    func linearCodes(_ index: Int) -> (intercept: Double, slope: Double)? {
        let levels = scale(index).levels.map { Double($0.code) }
        let weights = scale(index).weights
        guard levels.count >= 2, let first = levels.first, let last = levels.last, last != first else { return nil }
        let slope = (weights[weights.count - 1] - weights[0]) / (last - first)
        let intercept = weights[0] - slope * first
        for (c, w) in zip(levels, weights) where abs(intercept + slope * c - w) > 1e-12 { return nil }
        for (c, mirrored) in zip(levels, levels.reversed()) where abs(c + mirrored - first - last) > 1e-12 { return nil }
        return (intercept, slope)
    }

    /// The mean of the items' indices, with a linearization SE from the pairwise
    /// cross-products: Var = n/(n−1) · Σ_ij S_ij / (W_i W_j r_i r_j q²), where S_ij sums
    /// w²(s_i − ȳ_i)(s_j − ȳ_j) over the rows that answered both items. Over items of one scale
    /// r = 1 and the indices are averaged as they are; over several scales each index is first
    /// mapped to 0…1, (ȳ − low)/r with r = high − low of its scale's scores.
    func composite(indices: [Int], estimates: [ItemEstimate], cell: CellStatistics, bands: BandTable,
                   designCell: DesignCell = .overall, key: UInt64) -> CompositeEstimate? {
        let present = zip(indices, estimates).filter { $0.1.wai != nil }
        guard !present.isEmpty else { return nil }
        let q = Double(present.count)
        let mixed = Set(indices.map { scale($0).name }).count > 1
        func range(_ i: Int) -> (low: Double, width: Double) {
            guard mixed else { return (0, 1) }
            let r = scale(i).scoreRange
            return (r.low, r.high > r.low ? r.high - r.low : 1)
        }
        func mapped(_ i: Int, _ y: Double) -> Double { let r = range(i); return (y - r.low) / r.width }
        let mean = present.reduce(0) { $0 + mapped($1.0, $1.1.wai!) } / q
        var composite = CompositeEstimate(items: present.count, wai: mean, waiReported: bands.format(mean), band: bands.band(mean) ?? "")
        if mixed { composite.rescaled = true }
        if let replicateDesign {
            // Each replicate's composite is the mean of its items' replicate indices.
            let parts = present.map { i, _ in
                (base: i * levelCount, scores: Array(scores(i)[0..<scale(i).levels.count]), low: range(i).low, width: range(i).width)
            }
            let se = replicateDesign.compositeVariance(cell: designCell, parts: parts, point: mean).squareRoot()
            if se.isFinite {
                composite.se = se
                composite.interval = Interval(lower: mean - z * se, upper: mean + z * se, level: confidence, method: intervalMethod)
                composite.straddlesBand = bands.bandIndex(mean - z * se) != bands.bandIndex(mean + z * se)
            }
        } else if let design {
            // Over the design: per PSU, the composite's influence is the mean of its items' influences.
            let parts = present.map { i, e in
                (base: i * levelCount, scores: Array(scores(i)[0..<scale(i).levels.count]), mean: e.wai!, total: e.weightedN * range(i).width)
            }
            let coefficients = parts.flatMap { part in
                part.scores.enumerated().map { (slot: part.base + $0, a: ($1 - part.mean) / part.total / q) }
            }
            let se = design.combinedVariance(cell: designCell, parts: parts, divisor: q,
                                             residual: residual(in: cell)?.constants(coefficients)).squareRoot()
            if se.isFinite {
                composite.se = se
                composite.interval = Interval(lower: mean - z * se, upper: mean + z * se, level: confidence, method: "linearization")
                composite.straddlesBand = bands.bandIndex(mean - z * se) != bands.bandIndex(mean + z * se)
            }
        } else if !cell.pairwise.isEmpty {
            let p = items.count
            let width = 2 * p
            func at(_ a: Int, _ b: Int) -> Double { a <= b ? cell.pairwise[a * width + b] : cell.pairwise[b * width + a] }
            var variance = 0.0
            for (i, ei) in present {
                for (j, ej) in present {
                    let (yi, yj) = (ei.wai!, ej.wai!)
                    let s = at(i, j) - yj * at(i, p + j) - yi * at(j, p + i) + yi * yj * at(p + i, p + j)
                    variance += s / (ei.weightedN * ej.weightedN * range(i).width * range(j).width)
                }
            }
            var se = (finiteCorrection * max(0, variance)).squareRoot() / q
            if let residual = residual(in: cell) {
                let coefficients = present.flatMap { i, e in
                    scores(i)[0..<scale(i).levels.count].enumerated().map { l, s in
                        (slot: i * levelCount + l, a: (s - e.wai!) / (e.weightedN * range(i).width * q))
                    }
                }
                let sum = coefficients.reduce(0) { $0 + $1.a * cell.weighted[$1.slot] }
                se = residual.variance(coefficients, sum: sum, squares: max(0, variance) / (q * q), rows: designRows).squareRoot()
            }
            if se.isFinite {
                composite.se = se
                composite.interval = Interval(lower: mean - z * se, upper: mean + z * se, level: confidence, method: "linearization")
                composite.straddlesBand = bands.bandIndex(mean - z * se) != bands.bandIndex(mean + z * se)
            }
        }
        if replicates > 0, let se = composite.se {
            composite.bootstrap = bootstrapSummary(Bootstrap.fromNormal(estimate: mean, se: se, replicates: replicates, key: key),
                                                   point: mean, bands: bands, method: normalDrawsMethod)
        }
        return composite
    }

    /// Frequency table of demographic d. Categories print in the spec's order when it fixes
    /// one; numeric codes (every category a number: education levels, age bands coded 1…k) in
    /// numeric order; otherwise most frequent first (ties in order of first appearance).
    public func frequencies(_ d: Int, statistics: SufficientStatistics, categories: [String]) -> FrequencyTable {
        let demographic = spec.demographics[d]
        let cells = statistics.byDemographic[d]
        var order = Array(categories.indices)
        if demographic.categories == nil, let numeric = categories.numericOrder {
            order = numeric
        } else if demographic.categories == nil {
            order.sort { a, b in
                let (ca, cb) = (cellRows(cells, a), cellRows(cells, b))
                return ca != cb ? ca > cb : a < b
            }
        }
        let answered = order.reduce(0.0) { $0 + cellRows(cells, $1) }
        let weightedAnswered = order.reduce(0.0) { $0 + (($1 + 1) < cells.count ? cells[$1 + 1].weightSum : 0) }
        let rows = order.map { c -> FrequencyTable.Row in
            let count = cellRows(cells, c)
            let weight = (c + 1) < cells.count ? cells[c + 1].weightSum : 0
            return .init(value: categories[c], count: Int(count),
                         percent: answered > 0 ? 100 * count / answered : 0,
                         weightedPercent: weightedAnswered > 0 ? 100 * weight / weightedAnswered : 0)
        }
        return FrequencyTable(column: demographic.column, label: demographic.label,
                              answered: Int(answered), missing: Int(cells[0].rows), rows: rows)
    }

    /// Every table for every category of demographic d, in the frequency table's order,
    /// followed by the respondents who did not answer it (when there are any), and the
    /// comparisons between the answered categories.
    public func breakdown(_ d: Int, statistics: SufficientStatistics, categories: [String]) -> Breakdown {
        let demographic = spec.demographics[d]
        let cells = statistics.byDemographic[d]
        let order = frequencies(d, statistics: statistics, categories: categories).rows.map(\.value)
        let number = Dictionary(uniqueKeysWithValues: categories.enumerated().map { ($1, $0 + 1) })
        var groupCells: [(String, CellStatistics)] = []
        var groups: [Breakdown.Group] = order.map { name in
            let g = number[name]!
            let cell = g < cells.count ? cells[g] : statistics.emptyCell()
            groupCells.append((name, cell))
            return .init(category: name, rows: Int(cell.rows),
                         tables: tables(in: cell, group: Bootstrap.groupKey(column: demographic.column, category: name),
                                         designCell: DesignCell(demographic: d, group: g)))
        }
        if cells[0].rows > 0 {
            groups.append(.init(category: nil, rows: Int(cells[0].rows),
                                tables: tables(in: cells[0], group: Bootstrap.groupKey(column: demographic.column, category: nil),
                                          designCell: DesignCell(demographic: d, group: 0))))
        }
        var breakdown = Breakdown(column: demographic.column, label: demographic.label, groups: groups)
        // Tie sums count every row that answered the demographic; they serve when the compared
        // categories are all of those rows (else ranks fall back to midpoints).
        var ties = statistics.tiePositions?[d]
        if ties != nil {
            let answered = statistics.answered(demographic: d).counts
            let compared = groupCells.reduce(into: Array(repeating: 0.0, count: answered.count)) { sums, cell in
                for j in sums.indices { sums[j] += cell.1.counts[j] }
            }
            if compared != answered { ties = nil }
        }
        breakdown.comparisons = compare(groupCells, groups: Array(groups.prefix(order.count)), demographic: d,
                                        numbers: order.map { number[$0]! }, ties: ties)
        return breakdown
    }

    private func cellRows(_ cells: [CellStatistics], _ c: Int) -> Double {
        (c + 1) < cells.count ? cells[c + 1].rows : 0
    }
}
