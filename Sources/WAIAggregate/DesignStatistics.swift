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

    public init(design: SurveyDesign, columns: Columns, items: Int, levels: Int) {
        self.design = design
        self.columns = columns
        width = items * levels
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
            } else {
                psuCount[h] += 1
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

    public var design: SurveyDesign { statistics.design }
    public var strataCount: Int { statistics.strata.count }
    public var psuTotal: Int { statistics.psuCount.reduce(0, +) }

    /// Per stratum (n_h PSUs of the whole sample, Σz, Σz² over them), the variance of the
    /// total Σz, as `survey:::onestrat` does: (1 − n/N)·n/(n−1)·Σ(z − z̄)², a stratum with one
    /// PSU treated as `lonely_psu` says.
    func variance(_ perStratum: [(sum: Double, squares: Double)]) -> Double {
        var total = 0.0
        var usable = 0
        for (h, s) in perStratum.enumerated() {
            let n = Double(statistics.psuCount[h])
            let f = population[h].map { $0.isInfinite ? 1 : ($0 - n) / $0 } ?? 1
            if f < 0.0000001 { usable += 1; continue }
            if n > 1 {
                total += f * n / (n - 1) * max(0, s.squares - s.sum * s.sum / n)
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
        return total * Double(perStratum.count) / Double(usable)
    }

    /// Variance of ȳ = Σ_level W_level s_level / W in `cell`, for the item whose level slots
    /// start at `base`.
    package func itemVariance(cell: DesignCell, base: Int, scores: [Double], mean: Double, total: Double) -> Double {
        combinedVariance(cell: cell, parts: [(base, scores, mean, total)], divisor: 1)
    }

    /// Variance of (1/divisor)·Σ_parts ȳ_part (each ȳ already divided by its `total`·range
    /// through `total`): the composites' linearization over the design.
    package func combinedVariance(cell: DesignCell, parts: [(base: Int, scores: [Double], mean: Double, total: Double)], divisor: Double) -> Double {
        var perStratum = Array(repeating: (sum: 0.0, squares: 0.0), count: statistics.strata.count)
        if statistics.columns.cluster != nil {
            for (p, sums) in statistics.psuSums[cell] ?? [:] {
                var z = 0.0
                for part in parts {
                    for (l, s) in part.scores.enumerated() { z += sums[part.base + l] * (s - part.mean) / part.total }
                }
                z /= divisor
                let h = statistics.psuStratum[p]
                perStratum[h].sum += z
                perStratum[h].squares += z * z
            }
        } else {
            guard parts.count == 1 else { return .nan }
            let part = parts[0]
            for (h, sums) in statistics.stratumSums[cell] ?? [:] {
                for (l, s) in part.scores.enumerated() {
                    let d = (s - part.mean) / part.total
                    perStratum[h].sum += sums.weighted[part.base + l] * d
                    perStratum[h].squares += sums.squared[part.base + l] * d * d
                }
            }
        }
        return variance(perStratum)
    }
}
