import COpenBLAS
import Foundation
import WAIModel

/// Which code adds a chunk's answers into the level counts.
public enum AggregationPath: String, Sendable, CaseIterable, Codable {
    /// One GEMM per chunk, `Wᵀ Y`: W holds three columns per group (1, w, w²), Y the one-hot answers.
    case blas
    /// A loop over rows and items that adds each answer where it belongs.
    case loops
}

/// Folds coded chunks into `SufficientStatistics`.
///
/// Level counts go through `path`; the cross-products of the plan (pairwise products for
/// composites' standard errors, reliability Gram matrices) always use BLAS through
/// `CrossProductAccumulator`: they are dense products, which is what BLAS is for. Nothing is
/// drawn per row: the bootstrap is computed from the statistics (see `Bootstrap`).
public struct Aggregator: Sendable {
    public let path: AggregationPath
    private var counts: SufficientStatistics
    private var crossProducts: CrossProductAccumulator
    private var ties: TiePositionCounter?

    public init(itemCount: Int, levelCount: Int, demographicCount: Int, path: AggregationPath = .blas,
                plan: AggregationPlan = .countsOnly, scores: [[Double]] = []) {
        precondition(!(plan.pairwise || !plan.reliabilityTables.isEmpty) || scores.count == itemCount,
                     "cross-products need one score vector per item")
        self.path = path
        counts = SufficientStatistics(itemCount: itemCount, levelCount: levelCount, demographicCount: demographicCount, plan: plan)
        crossProducts = CrossProductAccumulator(items: itemCount, levels: levelCount, demographics: demographicCount,
                                                scores: scores, plan: plan)
        ties = plan.tiePositions ? TiePositionCounter(items: itemCount, levels: levelCount, demographics: demographicCount) : nil
    }

    /// Everything added so far.
    public var statistics: SufficientStatistics {
        var out = counts
        crossProducts.finish(into: &out)
        out.tiePositions = ties?.positions
        return out
    }

    public mutating func add(_ chunk: CodedChunk) {
        guard chunk.rowCount > 0 else { return }
        precondition(chunk.codes.count == chunk.rowCount * counts.itemCount)
        for d in chunk.groups.indices {
            counts.ensure(demographic: d, categories: Int(chunk.groups[d].max() ?? 0))
        }
        addRowTotals(chunk)
        ties?.add(chunk)
        switch path {
        case .blas: addAnswersWithGEMM(chunk)
        case .loops: addAnswersWithLoops(chunk)
        }
        crossProducts.add(chunk)
    }

    /// What `add` adds besides level counts and row totals — the cross-products — for a caller
    /// that counts levels itself (the parallel pipeline's `LevelCounter`).
    package mutating func addCrossProducts(_ chunk: CodedChunk) {
        guard chunk.rowCount > 0 else { return }
        for d in chunk.groups.indices {
            counts.ensure(demographic: d, categories: Int(chunk.groups[d].max() ?? 0))
        }
        crossProducts.add(chunk)
    }

    /// Row indices of every cell: the overall cell first, then each demographic's cells.
    private func cellRows(_ chunk: CodedChunk) -> [[Int]] {
        var rows: [[Int]] = [Array(0..<chunk.rowCount)]
        for d in chunk.groups.indices {
            var byGroup = Array(repeating: [Int](), count: counts.byDemographic[d].count)
            for r in 0..<chunk.rowCount { byGroup[Int(chunk.groups[d][r])].append(r) }
            rows += byGroup
        }
        return rows
    }

    /// Applies `body` to every cell in the order of `cellRows`.
    private mutating func forEachCell(_ body: (Int, inout CellStatistics) -> Void) {
        body(0, &counts.overall)
        var index = 1
        for d in counts.byDemographic.indices {
            for g in counts.byDemographic[d].indices {
                body(index, &counts.byDemographic[d][g])
                index += 1
            }
        }
    }

    private mutating func addRowTotals(_ chunk: CodedChunk) {
        for r in 0..<chunk.rowCount {
            let w = chunk.weights[r]
            counts.overall.rows += 1
            counts.overall.weightSum += w
            counts.overall.weightSquaredSum += w * w
            for d in chunk.groups.indices {
                let g = Int(chunk.groups[d][r])
                counts.byDemographic[d][g].rows += 1
                counts.byDemographic[d][g].weightSum += w
                counts.byDemographic[d][g].weightSquaredSum += w * w
            }
        }
    }

    private mutating func addAnswersWithLoops(_ chunk: CodedChunk) {
        let items = counts.itemCount
        let levels = counts.levelCount
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
                add(&counts.overall)
                for d in chunk.groups.indices {
                    add(&counts.byDemographic[d][Int(chunk.groups[d][r])])
                }
            }
        }
    }

    /// The one-hot answers of rows `range`: (rows × items·levels), row-major.
    private func oneHot(_ chunk: CodedChunk, rows range: Range<Int>) -> [Double] {
        let items = counts.itemCount
        let levels = counts.levelCount
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
        let m = counts.itemCount * counts.levelCount
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

}
