import Foundation
import WAIModel

/// Which group of rows a set of design sums belongs to: all rows (`demographic` −1) or group
/// `group` of demographic `demographic` (0 = did not answer it, c + 1 = category c).
public struct DesignCell: Sendable, Hashable, Codable {
    public var demographic: Int
    public var group: Int
    public init(demographic: Int, group: Int) {
        self.demographic = demographic
        self.group = group
    }
    public static let overall = DesignCell(demographic: -1, group: 0)
}

/// The sums Taylor linearization needs under a stratified (cluster) design, as R's
/// `svydesign(ids = ~psu, strata = ~stratum, fpc = ~N, weights = ~w, nest = TRUE)`.
///
/// The index is a ratio ȳ = Σ w m s / Σ w m (m: answered the item), so its influence on a PSU
/// is z = Σ_level W_level (s_level − ȳ) / W, where W_level is the PSU's Σw at that level:
/// per PSU the weighted level counts (item × level) suffice, whatever ȳ turns out to be. A
/// group is a domain: outside it z = 0, and every PSU of the stratum still counts. Without
/// `cluster` each row is a PSU; then per stratum Σw and Σw² per level give Σz and Σz². The
/// sums grow with PSUs (or strata) × groups, never with rows.
public struct DesignStatistics: Sendable, Hashable {
    public let design: SurveyDesign
    /// Slots per PSU: items × levels.
    public let width: Int
    /// Stratum keys (the reader's category number, 0 without strata) in order of appearance.
    public private(set) var strata: [UInt32] = []
    var stratumIndex: [UInt32: Int] = [:]
    /// Per stratum: PSUs (rows, without `cluster`) in the whole sample.
    public private(set) var psuCount: [Int] = []
    /// Per stratum: the fpc column's category numbers seen (one expected).
    var fpcCodes: [Set<UInt32>] = []
    /// Per PSU: its stratum.
    var psuStratum: [Int] = []
    var psuIndex: [UInt64: Int] = [:]
    /// With `cluster`: per cell, per PSU, Σw per item × level.
    var psuSums: [DesignCell: [Int: [Double]]] = [:]
    /// Without `cluster`: per cell, per stratum, Σw and Σw² per item × level.
    var stratumSums: [DesignCell: [Int: (weighted: [Double], squared: [Double])]] = [:]
    /// Rows with no stratum or PSU (blank or a missing marker).
    public private(set) var rowsWithoutDesign = 0
    let levels: Int

    /// After raking or post-stratification: the joint weighting cell of each row, for the
    /// residualized influences (`CalibrationSums`); J cells.
    let calibration: Calibration?
    var jointCells: Int { calibration?.jointCells.count ?? 0 }
    /// With `cluster`: per PSU, Σw of its rows per joint cell.
    var psuJointWeight: [Int: [Double]] = [:]
    /// Without `cluster`: per stratum, Σw and Σw² of its rows per joint cell.
    var stratumJointWeight: [Int: (weight: [Double], squared: [Double])] = [:]
    /// Without `cluster`: per cell, per stratum, Σw² per joint cell × item × level.
    var stratumJointSquared: [DesignCell: [Int: [Double]]] = [:]

    /// Where the reader's chunks carry the design columns: positions in `chunk.groups`.
    public struct Columns: Sendable, Hashable {
        public var strata: Int?
        public var cluster: Int?
        public var fpc: Int?
        /// The spec's own demographics come first in `chunk.groups`.
        public var demographics: Int
        public init(strata: Int?, cluster: Int?, fpc: Int?, demographics: Int) {
            self.strata = strata
            self.cluster = cluster
            self.fpc = fpc
            self.demographics = demographics
        }
    }
    public let columns: Columns

    public init(design: SurveyDesign, columns: Columns, items: Int, levels: Int, calibration: Calibration? = nil) {
        self.design = design
        self.columns = columns
        width = items * levels
        self.levels = levels
        self.calibration = calibration
    }

    public static func == (lhs: DesignStatistics, rhs: DesignStatistics) -> Bool {
        lhs.design == rhs.design && lhs.strata == rhs.strata && lhs.psuCount == rhs.psuCount && lhs.psuSums == rhs.psuSums
    }
    public func hash(into hasher: inout Hasher) { hasher.combine(strata); hasher.combine(psuCount) }

    public mutating func add(_ chunk: CodedChunk, levels: Int) {
        let items = width / levels
        for r in 0..<chunk.rowCount {
            let stratumKey = columns.strata.map { chunk.groups[$0][r] } ?? 0
            let clusterKey = columns.cluster.map { chunk.groups[$0][r] }
            if (columns.strata != nil && stratumKey == 0) || clusterKey == 0 {
                rowsWithoutDesign += 1
                continue
            }
            let h: Int
            if let known = stratumIndex[stratumKey] { h = known } else {
                h = strata.count
                stratumIndex[stratumKey] = h
                strata.append(stratumKey)
                psuCount.append(0)
                fpcCodes.append([])
            }
            if let f = columns.fpc { fpcCodes[h].insert(chunk.groups[f][r]) }
            let w = chunk.weights[r]
            let joint = calibration?.jointCell(of: chunk, row: r)
            var cells = [DesignCell.overall]
            for d in 0..<columns.demographics { cells.append(DesignCell(demographic: d, group: Int(chunk.groups[d][r]))) }
            let row = (r * items)..<(r * items + items)
            if let clusterKey {
                let key = UInt64(stratumKey) << 32 | UInt64(clusterKey)
                let p: Int
                if let known = psuIndex[key] { p = known } else {
                    p = psuStratum.count
                    psuIndex[key] = p
                    psuStratum.append(h)
                    psuCount[h] += 1
                }
                for cell in cells {
                    var sums = psuSums[cell, default: [:]][p] ?? Array(repeating: 0, count: width)
                    for (i, code) in zip(0..., chunk.codes[row]) where code > 0 { sums[i * levels + Int(code) - 1] += w }
                    psuSums[cell, default: [:]][p] = sums
                }
                if let joint {
                    let cells = jointCells
                    psuJointWeight[p, default: Array(repeating: 0, count: cells)][joint] += w
                }
            } else {
                psuCount[h] += 1
                if let joint {
                    var sums = stratumJointWeight[h] ?? (Array(repeating: 0, count: jointCells), Array(repeating: 0, count: jointCells))
                    sums.weight[joint] += w
                    sums.squared[joint] += w * w
                    stratumJointWeight[h] = sums
                    for cell in cells {
                        var squared = stratumJointSquared[cell, default: [:]][h] ?? Array(repeating: 0, count: jointCells * width)
                        for (i, code) in zip(0..., chunk.codes[row]) where code > 0 { squared[joint * width + i * levels + Int(code) - 1] += w * w }
                        stratumJointSquared[cell, default: [:]][h] = squared
                    }
                }
                for cell in cells {
                    var sums = stratumSums[cell, default: [:]][h] ?? (Array(repeating: 0, count: width), Array(repeating: 0, count: width))
                    for (i, code) in zip(0..., chunk.codes[row]) where code > 0 {
                        sums.weighted[i * levels + Int(code) - 1] += w
                        sums.squared[i * levels + Int(code) - 1] += w * w
                    }
                    stratumSums[cell, default: [:]][h] = sums
                }
            }
        }
    }

    /// Checks the design once all rows are in and resolves each stratum's population count
    /// from the fpc column's category names.
    public func finished(fpcNames: [String]) throws -> DesignVariance {
        if rowsWithoutDesign > 0 {
            let key = columns.cluster != nil && columns.strata == nil ? "design.cluster" : "design.strata"
            throw InputError(
                "\(rowsWithoutDesign) rows have no stratum or PSU", at: SourceLocation(file: "the spec", keyPath: key),
                found: "blank or missing values in \([design.strata, design.cluster].compactMap { $0 }.map { Quoted($0).description }.joined(separator: " or "))",
                expected: "a stratum and a PSU on every row")
        }
        var population: [Double?] = Array(repeating: nil, count: strata.count)
        if let column = design.fpc {
            for h in strata.indices {
                let names = fpcCodes[h].sorted().map { $0 == 0 ? "" : fpcNames[Int($0) - 1] }
                guard names.count == 1, let n = Double(names[0].trimmingCharacters(in: .whitespaces)), n.isFinite, n >= Double(psuCount[h]) else {
                    throw InputError(
                        "the fpc column \(Quoted(column)) must hold one population count per stratum, at least the stratum's sampled PSUs",
                        at: SourceLocation(file: "the spec", keyPath: "design.fpc"),
                        found: names.isEmpty ? "no value" : names.joined(separator: ", "),
                        expected: "one number ≥ \(psuCount[h]) in every row of the stratum")
                }
                population[h] = n
            }
        }
        if design.lonelyPSU == .fail, let h = psuCount.firstIndex(of: 1) {
            throw InputError(
                "a stratum has only one PSU, so its variance cannot be estimated (R: options(survey.lonely.psu = \"fail\"))",
                at: SourceLocation(file: "the spec", keyPath: "design.lonely_psu"),
                found: "stratum \(h + 1) of \(strata.count) with 1 PSU",
                expected: "at least 2 PSUs per stratum, or lonely_psu: adjust | average | certainty | remove")
        }
        return DesignVariance(statistics: self, population: population)
    }
}

/// Taylor-linearization variances from `DesignStatistics`, as R's `svyrecvar` (one stage).
public struct DesignVariance: Sendable {
    let statistics: DesignStatistics
    /// Per stratum: the population count N_h (nil: no fpc).
    let population: [Double?]
    /// Without `cluster`, when composites want an SE: per cell, the 2p × 2p cross-products
    /// (`CellStatistics.pairwise`) of the rows with each weight multiplied by √c_h, c_h the
    /// stratum's variance factor (`pairwiseRowFactors`): Σ_h c_h Σ_rows w²(…)(…)' in one matrix,
    /// whatever the number of strata. Summed in a second pass over the rows, once c_h is known.
    package var scaledPairwise: [DesignCell: [Double]]? = nil

    /// Per stratum key, c_h: (1 − n/N)·n/(n − 1), or for a lonely stratum what `lonely_psu`
    /// gives its uncentred Σz² (`adjust`: 1 − n/N; otherwise 0).
    package var pairwiseRowFactors: [UInt32: Double] {
        Dictionary(uniqueKeysWithValues: statistics.strata.enumerated().map { h, key in
            let (n, f) = sampled(h)
            if f < 0.0000001 { return (key, 0.0) }
            if n > 1 { return (key, f * n / (n - 1)) }
            return (key, statistics.design.lonelyPSU == .adjust ? f : 0)
        })
    }

    public var design: SurveyDesign { statistics.design }
    public var strataCount: Int { statistics.strata.count }
    public var psuTotal: Int { statistics.psuCount.reduce(0, +) }

    /// Stratum h's sampled PSUs n and finite population correction 1 − n/N (1 without fpc).
    func sampled(_ h: Int) -> (n: Double, f: Double) {
        let n = Double(statistics.psuCount[h])
        return (n, population[h].map { $0.isInfinite ? 1 : ($0 - n) / $0 } ?? 1)
    }

    /// Per stratum (n_h PSUs of the whole sample, Σz, Σz² over them), the variance of the
    /// total Σz, as `survey:::onestrat` does: (1 − n/N)·n/(n−1)·Σ(z − z̄)², a stratum with one
    /// PSU treated as `lonely_psu` says.
    func variance(_ perStratum: [(sum: Double, squares: Double)]) -> Double {
        covariance(perStratum.map { (sum: [$0.sum], products: [$0.squares]) }, count: 1)[0]
    }

    /// The same for K totals at once: per stratum Σz (K) and Σzz' (K × K, row-major); the
    /// covariance matrix of the totals, row-major.
    func covariance(_ perStratum: [(sum: [Double], products: [Double])], count k: Int) -> [Double] {
        var total = Array(repeating: 0.0, count: k * k)
        var usable = 0
        for (h, s) in perStratum.enumerated() {
            let (n, f) = sampled(h)
            if f < 0.0000001 { usable += 1; continue }
            if n > 1 {
                for a in 0..<k {
                    for b in 0..<k {
                        let centred = s.products[a * k + b] - s.sum[a] * s.sum[b] / n
                        total[a * k + b] += f * n / (n - 1) * (a == b ? max(0, centred) : centred)
                    }
                }
                usable += 1
            } else {
                switch statistics.design.lonelyPSU {
                case .adjust:
                    for j in 0..<(k * k) { total[j] += f * s.products[j] }
                    usable += 1
                case .average: break
                case .certainty, .remove, .fail: usable += 1
                }
            }
        }
        guard usable > 0 else { return Array(repeating: .nan, count: k * k) }
        let inflation = Double(perStratum.count) / Double(usable)
        return total.map { $0 * inflation }
    }

    /// The covariance matrix (row-major, K × K) of the totals T_k = Σ_rows w·a_k, where a row
    /// of `parts[i].cell` that answered level slot `slots[j]` has a_k = parts[i].coefficients[k][j]
    /// and every other row 0: the design-based rank and χ² tests' influence functions.
    /// `residual`: after calibration, per total the constants C_J (each row's a_k·w becomes
    /// w·(a_k − C_kJ) for its joint cell J).
    package func totalsCovariance(_ parts: [(cell: DesignCell, coefficients: [[Double]])], slots: [Int], count k: Int,
                                  residual: [[Double]]? = nil) -> [Double] {
        var perStratum = Array(repeating: (sum: Array(repeating: 0.0, count: k), products: Array(repeating: 0.0, count: k * k)),
                               count: statistics.strata.count)
        if statistics.columns.cluster != nil {
            var perPSU: [Int: [Double]] = [:]
            for part in parts {
                for (p, sums) in statistics.psuSums[part.cell] ?? [:] {
                    var z = perPSU[p] ?? Array(repeating: 0, count: k)
                    for (j, slot) in slots.enumerated() where sums[slot] != 0 {
                        for a in 0..<k { z[a] += part.coefficients[a][j] * sums[slot] }
                    }
                    perPSU[p] = z
                }
            }
            if let residual {
                // Every PSU's rows move by −w·C_J, inside the compared groups or not.
                for (p, weights) in statistics.psuJointWeight {
                    var z = perPSU[p] ?? Array(repeating: 0, count: k)
                    for (j, w) in weights.enumerated() where w != 0 {
                        for a in 0..<k { z[a] -= w * residual[a][j] }
                    }
                    perPSU[p] = z
                }
            }
            for (p, z) in perPSU {
                let h = statistics.psuStratum[p]
                for a in 0..<k {
                    perStratum[h].sum[a] += z[a]
                    for b in 0..<k { perStratum[h].products[a * k + b] += z[a] * z[b] }
                }
            }
        } else {
            // Each row lies in one cell and one level: Σzz' = Σ_cells,levels a a' Σw².
            for part in parts {
                for (h, sums) in statistics.stratumSums[part.cell] ?? [:] {
                    for (j, slot) in slots.enumerated() {
                        let (w, w2) = (sums.weighted[slot], sums.squared[slot])
                        guard w != 0 || w2 != 0 else { continue }
                        for a in 0..<k {
                            let ca = part.coefficients[a][j]
                            perStratum[h].sum[a] += ca * w
                            for b in 0..<k { perStratum[h].products[a * k + b] += ca * part.coefficients[b][j] * w2 }
                        }
                    }
                }
            }
            if let residual {
                // Per stratum, with Σ_J w·x_a from Σw² per joint cell × slot.
                let width = statistics.width, cells = statistics.jointCells
                for (h, weights) in statistics.stratumJointWeight {
                    var wx = Array(repeating: Array(repeating: 0.0, count: cells), count: k)
                    for part in parts {
                        guard let squared = statistics.stratumJointSquared[part.cell]?[h] else { continue }
                        for a in 0..<k {
                            for j in 0..<cells {
                                for (l, slot) in slots.enumerated() { wx[a][j] += part.coefficients[a][l] * squared[j * width + slot] }
                            }
                        }
                    }
                    var (sum, products) = perStratum[h]
                    ResidualizedSums.apply(sums: &sum, products: &products, constants: residual, weightedInfluence: wx,
                                           weight: weights.weight, weightSquared: weights.squared)
                    perStratum[h] = (sum, products)
                }
            }
        }
        return covariance(perStratum, count: k)
    }

    /// R's `degf` of the design restricted to the rows of `cells` that answered one of `slots`
    /// (svyranktest subsets the design to the rows it ranks): PSUs with such rows minus strata
    /// with such rows; without `cluster` each row is a PSU, so `rows` minus those strata.
    package func degreesOfFreedom(answering cells: [DesignCell], slots: [Int], rows: Int) -> Int {
        if statistics.columns.cluster != nil {
            var psus: Set<Int> = []
            for cell in cells {
                for (p, sums) in statistics.psuSums[cell] ?? [:] where slots.contains(where: { sums[$0] > 0 }) { psus.insert(p) }
            }
            return psus.count - Set(psus.map { statistics.psuStratum[$0] }).count
        }
        var strata: Set<Int> = []
        for cell in cells {
            for (h, sums) in statistics.stratumSums[cell] ?? [:] where slots.contains(where: { sums.weighted[$0] > 0 }) { strata.insert(h) }
        }
        return rows - strata.count
    }

    /// R's `degf` of the whole design: PSUs (rows, without `cluster`) minus strata.
    package var degreesOfFreedom: Int { psuTotal - strataCount }

    /// Variance of ȳ = Σ_level W_level s_level / W in `cell`, for the item whose level slots
    /// start at `base`; `residual`: after calibration, the constants C_J of
    /// `CalibrationResidual` (each row's influence x becomes x − w·C_J).
    package func itemVariance(cell: DesignCell, base: Int, scores: [Double], mean: Double, total: Double, residual: [Double]? = nil) -> Double {
        combinedVariance(cell: cell, parts: [(base, scores, mean, total)], divisor: 1, residual: residual)
    }

    /// Variance of (1/divisor)·Σ_parts ȳ_part (each ȳ already divided by its `total`·range
    /// through `total`): the composites' linearization over the design.
    package func combinedVariance(cell: DesignCell, parts: [(base: Int, scores: [Double], mean: Double, total: Double)], divisor: Double,
                                  residual: [Double]? = nil) -> Double {
        var perStratum = Array(repeating: (sum: 0.0, squares: 0.0), count: statistics.strata.count)
        if statistics.columns.cluster != nil {
            var z = Array(repeating: 0.0, count: statistics.psuStratum.count)
            for (p, sums) in statistics.psuSums[cell] ?? [:] {
                for part in parts {
                    for (l, s) in part.scores.enumerated() { z[p] += sums[part.base + l] * (s - part.mean) / part.total / divisor }
                }
            }
            if let residual {
                // Every PSU's rows move by −w·C_J, inside the domain or not.
                for (p, weights) in statistics.psuJointWeight {
                    for (j, w) in weights.enumerated() where w != 0 { z[p] -= w * residual[j] }
                }
            }
            for (p, value) in z.enumerated() {
                let h = statistics.psuStratum[p]
                perStratum[h].sum += value
                perStratum[h].squares += value * value
            }
        } else {
            // Each row is a PSU: z = Σ_parts (s − ȳ)·w/total/divisor over the items it answered.
            let d = parts.map { part in part.scores.map { ($0 - part.mean) / part.total / divisor } }
            for (h, sums) in statistics.stratumSums[cell] ?? [:] {
                for (part, coefficients) in zip(parts, d) {
                    for l in coefficients.indices {
                        perStratum[h].sum += sums.weighted[part.base + l] * coefficients[l]
                        if parts.count == 1 { perStratum[h].squares += sums.squared[part.base + l] * coefficients[l] * coefficients[l] }
                    }
                }
            }
            var scaledSquares: Double? = nil
            if parts.count > 1 {
                // Σ_h c_h Σz² = Σ_ij [S_ij − ȳ_j A_ij − ȳ_i A_ji + ȳ_i ȳ_j M_ij] / (total_i total_j divisor²), from the
                // scaled cross-products S = Σ c w² s_i s_j, A = Σ c w² s_i m_j, M = Σ c w² m_i m_j (m: answered).
                guard let pairwise = scaledPairwise?[cell], !pairwise.isEmpty else { return .nan }
                let p = statistics.width / statistics.levels
                let size = 2 * p
                func at(_ a: Int, _ b: Int) -> Double { a <= b ? pairwise[a * size + b] : pairwise[b * size + a] }
                var q = 0.0
                for a in parts {
                    let i = a.base / statistics.levels
                    for b in parts {
                        let j = b.base / statistics.levels
                        q += (at(i, j) - b.mean * at(i, p + j) - a.mean * at(j, p + i) + a.mean * b.mean * at(p + i, p + j))
                            / (a.total * b.total * divisor * divisor)
                    }
                }
                scaledSquares = q
            }
            if let residual {
                let width = statistics.width
                for (h, weights) in statistics.stratumJointWeight {
                    let squared = statistics.stratumJointSquared[cell]?[h]
                    let wx = residual.indices.map { j in
                        guard let squared else { return 0.0 }
                        var wx = 0.0
                        for (part, coefficients) in zip(parts, d) {
                            for l in coefficients.indices { wx += squared[j * width + part.base + l] * coefficients[l] }
                        }
                        return wx
                    }
                    var (sum, squares) = perStratum[h]
                    ResidualizedSums.apply(sum: &sum, squares: &squares, constants: residual, weightedInfluence: wx,
                                           weight: weights.weight, weightSquared: weights.squared)
                    perStratum[h] = (sum, squares)
                }
            }
            if let scaledSquares { return variance(perStratum, scaledSquares: scaledSquares) }
        }
        return variance(perStratum)
    }

    /// `variance` when Σ_h c_h Σz² comes already summed (`scaledPairwise`): per stratum only the
    /// centring, and the calibration's extra squares in `squares`.
    func variance(_ perStratum: [(sum: Double, squares: Double)], scaledSquares: Double) -> Double {
        var total = scaledSquares
        var usable = 0
        for (h, s) in perStratum.enumerated() {
            let (n, f) = sampled(h)
            if f < 0.0000001 { usable += 1; continue }
            if n > 1 {
                total += f * n / (n - 1) * (s.squares - s.sum * s.sum / n)
                usable += 1
            } else {
                switch statistics.design.lonelyPSU {
                case .adjust: total += f * s.squares; usable += 1
                case .average: break
                case .certainty, .remove, .fail: usable += 1
                }
            }
        }
        guard usable > 0 else { return .nan }
        return max(0, total) * Double(perStratum.count) / Double(usable)
    }
}
