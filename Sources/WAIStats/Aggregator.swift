import COpenBLAS
import Foundation
import WAIIO

/// Which code adds a chunk's answers into the level counts.
public enum AggregationPath: String, Sendable, CaseIterable, Codable {
    /// One GEMM per chunk, `Wᵀ Y`: W holds three columns per group (1, w, w²), Y the one-hot answers.
    case blas
    /// A loop over rows and items that adds each answer where it belongs.
    case loops
}

/// Folds coded chunks into `SufficientStatistics`.
///
/// Level counts go through `path`; the optional statistics of the plan (pairwise
/// cross-products, bootstrap replicates, reliability cross-products) always use BLAS:
/// they are dense products, which is what BLAS is for.
public struct Aggregator: Sendable {
    public let path: AggregationPath
    public private(set) var statistics: SufficientStatistics
    /// Score of each level of each item (reverse keying applied), for the cross-products.
    let scores: [[Double]]
    /// `scores` flattened, item-major: the score of level l of item i at `i * levelCount + l`.
    let scoreTable: [Double]
    /// Rows added so far: the index that keys each row's bootstrap multipliers.
    public private(set) var rowsSeen = 0

    /// - Parameter firstRow: the key of the first row's bootstrap multipliers: a shard that starts
    ///   after `firstRow` rows of the whole data set gets the replicates a single pass would give.
    public init(itemCount: Int, levelCount: Int, demographicCount: Int, path: AggregationPath = .blas,
                plan: AggregationPlan = .countsOnly, scores: [[Double]] = [], firstRow: Int = 0) {
        precondition(!(plan.pairwise || !plan.reliabilityTables.isEmpty) || scores.count == itemCount,
                     "cross-products need one score vector per item")
        self.path = path
        self.scores = scores
        scoreTable = scores.flatMap { $0 }
        rowsSeen = firstRow
        statistics = SufficientStatistics(itemCount: itemCount, levelCount: levelCount, demographicCount: demographicCount, plan: plan)
    }

    public mutating func add(_ chunk: CodedChunk) {
        guard chunk.rowCount > 0 else { return }
        precondition(chunk.codes.count == chunk.rowCount * statistics.itemCount)
        for d in chunk.groups.indices {
            statistics.ensure(demographic: d, categories: Int(chunk.groups[d].max() ?? 0))
        }
        addRowTotals(chunk)
        switch path {
        case .blas: addAnswersWithGEMM(chunk)
        case .loops: addAnswersWithLoops(chunk)
        }
        if statistics.plan.pairwise { addPairwise(chunk) }
        if statistics.plan.replicates > 0 { addReplicates(chunk) }
        if !statistics.reliability.isEmpty { addReliability(chunk) }
        rowsSeen += chunk.rowCount
    }

    /// What `add` adds besides level counts and row totals — cross-products and replicates —
    /// for a caller that counts levels itself (the parallel pipeline's `LevelCounter`).
    mutating func addCrossProductsAndReplicates(_ chunk: CodedChunk) {
        guard chunk.rowCount > 0 else { return }
        for d in chunk.groups.indices {
            statistics.ensure(demographic: d, categories: Int(chunk.groups[d].max() ?? 0))
        }
        if statistics.plan.pairwise { addPairwise(chunk) }
        if statistics.plan.replicates > 0 { addReplicates(chunk) }
        if !statistics.reliability.isEmpty { addReliability(chunk) }
        rowsSeen += chunk.rowCount
    }

    /// Row indices of every cell: the overall cell first, then each demographic's cells.
    private func cellRows(_ chunk: CodedChunk) -> [[Int]] {
        var rows: [[Int]] = [Array(0..<chunk.rowCount)]
        for d in chunk.groups.indices {
            var byGroup = Array(repeating: [Int](), count: statistics.byDemographic[d].count)
            for r in 0..<chunk.rowCount { byGroup[Int(chunk.groups[d][r])].append(r) }
            rows += byGroup
        }
        return rows
    }

    /// Applies `body` to every cell in the order of `cellRows`.
    private mutating func forEachCell(_ body: (Int, inout CellStatistics) -> Void) {
        body(0, &statistics.overall)
        var index = 1
        for d in statistics.byDemographic.indices {
            for g in statistics.byDemographic[d].indices {
                body(index, &statistics.byDemographic[d][g])
                index += 1
            }
        }
    }

    private mutating func addRowTotals(_ chunk: CodedChunk) {
        for r in 0..<chunk.rowCount {
            let w = chunk.weights[r]
            statistics.overall.rows += 1
            statistics.overall.weightSum += w
            statistics.overall.weightSquaredSum += w * w
            for d in chunk.groups.indices {
                let g = Int(chunk.groups[d][r])
                statistics.byDemographic[d][g].rows += 1
                statistics.byDemographic[d][g].weightSum += w
                statistics.byDemographic[d][g].weightSquaredSum += w * w
            }
        }
    }

    private mutating func addAnswersWithLoops(_ chunk: CodedChunk) {
        let items = statistics.itemCount
        let levels = statistics.levelCount
        chunk.codes.withUnsafeBufferPointer { codes in
            for r in 0..<chunk.rowCount {
                let w = chunk.weights[r]
                let row = codes[(r * items)..<(r * items + items)]
                func add(_ cell: inout CellStatistics) {
                    for (i, code) in zip(0..., row) where code > 0 {
                        let j = i * levels + Int(code) - 1
                        cell.counts[j] += 1
                        cell.weighted[j] += w
                        cell.weightedSquared[j] += w * w
                    }
                }
                add(&statistics.overall)
                for d in chunk.groups.indices {
                    add(&statistics.byDemographic[d][Int(chunk.groups[d][r])])
                }
            }
        }
    }

    /// The one-hot answers of rows `range`: (rows × items·levels), row-major.
    private func oneHot(_ chunk: CodedChunk, rows range: Range<Int>) -> [Double] {
        let items = statistics.itemCount
        let levels = statistics.levelCount
        let m = items * levels
        var y = [Double](repeating: 0, count: range.count * m)
        for (row, r) in range.enumerated() {
            for i in 0..<items {
                let code = chunk.codes[r * items + i]
                if code > 0 { y[row * m + i * levels + Int(code) - 1] = 1 }
            }
        }
        return y
    }

    /// W is rows × 3·cells (per cell: an indicator, the weight, the squared weight);
    /// one GEMM adds Wᵀ Y into every cell at once.
    private mutating func addAnswersWithGEMM(_ chunk: CodedChunk) {
        let rows = chunk.rowCount
        let m = statistics.itemCount * statistics.levelCount
        let members = cellRows(chunk)
        let wColumns = 3 * members.count
        var w = [Double](repeating: 0, count: rows * wColumns)
        for (cell, cellMembers) in members.enumerated() {
            for r in cellMembers {
                let weight = chunk.weights[r]
                w[r * wColumns + 3 * cell] = 1
                w[r * wColumns + 3 * cell + 1] = weight
                w[r * wColumns + 3 * cell + 2] = weight * weight
            }
        }
        let y = oneHot(chunk, rows: 0..<rows)
        var product = [Double](repeating: 0, count: wColumns * m)
        cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(wColumns), Int32(m), Int32(rows),
                    1.0, w, Int32(wColumns), y, Int32(m), 0.0, &product, Int32(m))
        forEachCell { index, cell in
            let base = 3 * index * m
            for j in 0..<m {
                cell.counts[j] += product[base + j]
                cell.weighted[j] += product[base + m + j]
                cell.weightedSquared[j] += product[base + 2 * m + j]
            }
        }
    }

    /// For every cell, [A M]ᵀ[A M] over its rows with one SYRK (upper triangle).
    private mutating func addPairwise(_ chunk: CodedChunk) {
        let p = statistics.itemCount
        let levels = statistics.levelCount
        let members = cellRows(chunk)
        let table = scoreTable
        var x = [Double](repeating: 0, count: chunk.rowCount * 2 * p)
        forEachCell { index, cell in
            let rows = members[index]
            guard !rows.isEmpty else { return }
            x.withUnsafeMutableBufferPointer { x in
                chunk.codes.withUnsafeBufferPointer { codes in
                    for (row, r) in rows.enumerated() {
                        let w = chunk.weights[r]
                        let out = x.baseAddress! + row * 2 * p
                        for i in 0..<p {
                            let code = Int(codes[r * p + i])
                            out[i] = code > 0 ? w * table[i * levels + code - 1] : 0
                            out[p + i] = code > 0 ? w : 0
                        }
                    }
                }
            }
            cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, Int32(2 * p), Int32(rows.count),
                        1.0, x, Int32(2 * p), 1.0, &cell.pairwise, Int32(2 * p))
        }
    }

    /// For every cell and replicate b, Σ m_rb·w_r·Y_r: one GEMM per cell per block of rows,
    /// with (replicates × rows) multipliers on the left.
    private mutating func addReplicates(_ chunk: CodedChunk) {
        let replicates = statistics.plan.replicates
        let seed = statistics.plan.seed
        let m = statistics.itemCount * statistics.levelCount
        let block = 256
        var start = 0
        while start < chunk.rowCount {
            let range = start..<min(start + block, chunk.rowCount)
            let y = oneHot(chunk, rows: range)
            var multipliers = [Double](repeating: 0, count: range.count * replicates)   // rows × replicates
            for (row, r) in range.enumerated() {
                let w = chunk.weights[r]
                let key = UInt64(rowsSeen + r)
                for b in 0..<replicates {
                    multipliers[row * replicates + b] = w * Double(poissonOne(seed: seed, row: key, replicate: UInt64(b)))
                }
            }
            var members = cellRows(chunk).map { $0.filter(range.contains).map { $0 - range.lowerBound } }
            members[0] = Array(0..<range.count)
            forEachCell { index, cell in
                let rows = members[index]
                guard !rows.isEmpty else { return }
                if rows.count == range.count {
                    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(replicates), Int32(m), Int32(rows.count),
                                1.0, multipliers, Int32(replicates), y, Int32(m), 1.0, &cell.replicates, Int32(m))
                } else {
                    var subM = [Double](repeating: 0, count: rows.count * replicates)
                    var subY = [Double](repeating: 0, count: rows.count * m)
                    for (k, row) in rows.enumerated() {
                        for b in 0..<replicates { subM[k * replicates + b] = multipliers[row * replicates + b] }
                        for j in 0..<m { subY[k * m + j] = y[row * m + j] }
                    }
                    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(replicates), Int32(m), Int32(rows.count),
                                1.0, subM, Int32(replicates), subY, Int32(m), 1.0, &cell.replicates, Int32(m))
                }
            }
            start = range.upperBound
        }
    }

    /// For every reliability table, XᵀX over the rows that answered all its items (one SYRK).
    private mutating func addReliability(_ chunk: CodedChunk) {
        let p = statistics.itemCount
        let levels = statistics.levelCount
        let table = scoreTable
        for t in statistics.reliability.indices {
            let items = statistics.reliability[t].items
            let width = items.count + 1
            var x = [Double](repeating: 0, count: chunk.rowCount * width)
            var complete = 0
            x.withUnsafeMutableBufferPointer { x in
                chunk.codes.withUnsafeBufferPointer { codes in
                    rows: for r in 0..<chunk.rowCount {
                        let out = x.baseAddress! + complete * width
                        let root = chunk.weights[r].squareRoot()
                        for (k, i) in items.enumerated() {
                            let code = Int(codes[r * p + i])
                            if code == 0 { continue rows }
                            out[k] = root * table[i * levels + code - 1]
                        }
                        out[items.count] = root
                        complete += 1
                    }
                }
            }
            guard complete > 0 else { continue }
            statistics.reliability[t].rows += Double(complete)
            cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, Int32(width), Int32(complete),
                        1.0, x, Int32(width), 1.0, &statistics.reliability[t].crossProducts, Int32(width))
        }
    }
}

/// A Poisson(1) draw that depends only on (seed, row, replicate): the same row gets the same
/// multipliers whatever the chunking, so replicates are reproducible and stream.
@inline(__always)
func poissonOne(seed: UInt64, row: UInt64, replicate: UInt64) -> Int {
    let u = Double(mix(seed &+ mix(row &+ 0x632B_E59B_D9B4_E019) &+ replicate &* 0x9E37_79B9_7F4A_7C15) >> 11) * 0x1p-53
    var k = 0
    while k < poissonOneCDF.count && u >= poissonOneCDF[k] { k += 1 }
    return k
}

/// P(X ≤ k) for X ~ Poisson(1), k = 0…15; beyond that the remaining mass is below 1e-13.
let poissonOneCDF: [Double] = {
    var cdf: [Double] = []
    var term = exp(-1.0)
    var sum = 0.0
    for k in 0..<16 {
        if k > 0 { term /= Double(k) }
        sum += term
        cdf.append(sum)
    }
    return cdf
}()

@inline(__always)
func mix(_ value: UInt64) -> UInt64 {
    var z = value &+ 0x9E37_79B9_7F4A_7C15
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
}
