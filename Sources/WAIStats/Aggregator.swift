import COpenBLAS
import WAIIO

/// Which code adds a chunk into the sufficient statistics.
public enum AggregationPath: String, Sendable, CaseIterable, Codable {
    /// One GEMM per chunk, `Wᵀ Y`: W holds a column per (group, weighted or not), Y the one-hot answers.
    case blas
    /// A loop over rows and items that adds each answer where it belongs.
    case loops
}

/// Folds coded chunks into `SufficientStatistics`.
public struct Aggregator: Sendable {
    public let path: AggregationPath
    public private(set) var statistics: SufficientStatistics

    public init(itemCount: Int, levelCount: Int, demographicCount: Int, path: AggregationPath = .blas) {
        self.path = path
        statistics = SufficientStatistics(itemCount: itemCount, levelCount: levelCount, demographicCount: demographicCount)
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
                    }
                }
                add(&statistics.overall)
                for d in chunk.groups.indices {
                    add(&statistics.byDemographic[d][Int(chunk.groups[d][r])])
                }
            }
        }
    }

    /// Builds W (rows × 2·cells: an indicator and a weight column per cell) and the one-hot
    /// Y (rows × items·levels), then adds Wᵀ Y into every cell at once.
    private mutating func addAnswersWithGEMM(_ chunk: CodedChunk) {
        let rows = chunk.rowCount
        let items = statistics.itemCount
        let levels = statistics.levelCount
        let m = items * levels
        var cellOffsets = [0]
        for d in statistics.byDemographic.indices {
            cellOffsets.append(cellOffsets.last! + (d == 0 ? 1 : statistics.byDemographic[d - 1].count))
        }
        let cellCount = 1 + statistics.byDemographic.reduce(0) { $0 + $1.count }
        let wColumns = 2 * cellCount

        var w = [Double](repeating: 0, count: rows * wColumns)
        var y = [Double](repeating: 0, count: rows * m)
        for r in 0..<rows {
            let weight = chunk.weights[r]
            w[r * wColumns] = 1
            w[r * wColumns + 1] = weight
            for d in chunk.groups.indices {
                let cell = cellOffsets[d + 1] + Int(chunk.groups[d][r])
                w[r * wColumns + 2 * cell] = 1
                w[r * wColumns + 2 * cell + 1] = weight
            }
            for i in 0..<items {
                let code = chunk.codes[r * items + i]
                if code > 0 { y[r * m + i * levels + Int(code) - 1] = 1 }
            }
        }
        var product = [Double](repeating: 0, count: wColumns * m)
        cblas_dgemm(
            CblasRowMajor, CblasTrans, CblasNoTrans,
            Int32(wColumns), Int32(m), Int32(rows),
            1.0, w, Int32(wColumns), y, Int32(m),
            0.0, &product, Int32(m))

        func add(_ cell: inout CellStatistics, at index: Int) {
            let counts = 2 * index * m
            let weighted = counts + m
            for j in 0..<m {
                cell.counts[j] += product[counts + j]
                cell.weighted[j] += product[weighted + j]
            }
        }
        add(&statistics.overall, at: 0)
        for d in statistics.byDemographic.indices {
            for g in statistics.byDemographic[d].indices {
                add(&statistics.byDemographic[d][g], at: cellOffsets[d + 1] + g)
            }
        }
    }
}
