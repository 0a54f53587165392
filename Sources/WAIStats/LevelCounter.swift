import WAIIO

/// Level counts by plain loops, for plans that need nothing else (no cross-products, no
/// replicates): per cell (all rows, then each demographic's groups) and per item, an integer
/// count of every level and, when rows carry weights, Σw and Σw² beside it.
///
/// For one-hot counts this beats `Wᵀ Y` on BLAS: a row adds one to one slot per item and cell,
/// where the GEMM multiplies every weight column by every item-level column (see
/// Benchmarks/Speed). Counts are integers, so they are exact in any order; without weights
/// Σw and Σw² are the counts themselves, as the GEMM and the loops of `Aggregator` give them.
final class LevelCounter {
    final class Cell {
        let counts: UnsafeMutablePointer<Int>
        let sums: UnsafeMutablePointer<Double>?
        let squares: UnsafeMutablePointer<Double>?
        var rows = 0
        var weightSum = 0.0
        var weightSquaredSum = 0.0

        init(size: Int, weighted: Bool) {
            counts = .allocate(capacity: size)
            counts.initialize(repeating: 0, count: size)
            if weighted {
                sums = .allocate(capacity: size)
                sums!.initialize(repeating: 0, count: size)
                squares = .allocate(capacity: size)
                squares!.initialize(repeating: 0, count: size)
            } else {
                sums = nil
                squares = nil
            }
        }

        deinit {
            counts.deallocate()
            sums?.deallocate()
            squares?.deallocate()
        }
    }

    let items: Int
    let levels: Int
    /// Per item: slot 0 is "missing", then one per level.
    let slots: Int
    let weighted: Bool
    let overall: Cell
    /// Per demographic, per group (0 = missing, c + 1 = category c).
    private(set) var groups: [[Cell]]

    init(items: Int, levels: Int, demographics: Int, weighted: Bool) {
        self.items = items
        self.levels = levels
        slots = levels + 1
        self.weighted = weighted
        overall = Cell(size: items * (levels + 1), weighted: weighted)
        groups = Array(repeating: [], count: demographics)
        for d in 0..<demographics { groups[d] = [Cell(size: items * slots, weighted: weighted)] }
    }

    /// Adds `rows` rows: codes row-major (0…levels), weights when weighted, and per demographic
    /// a pointer to the rows' groups.
    func add(codes: UnsafePointer<UInt8>, weights: UnsafePointer<Double>, groups rowGroups: [UnsafePointer<UInt32>], rows: Int) {
        guard rows > 0 else { return }
        let p = items, s = slots
        // Cells of every group met in this chunk, as pointers for the row loop.
        var cells: [[Cell]] = []
        for d in rowGroups.indices {
            var top: UInt32 = 0
            for r in 0..<rows { top = max(top, rowGroups[d][r]) }
            while groups[d].count <= Int(top) { groups[d].append(Cell(size: p * s, weighted: weighted)) }
            cells.append(groups[d])
        }
        let demographics = rowGroups.count
        let countTable = UnsafeMutablePointer<UnsafeMutablePointer<Int>>.allocate(capacity: cells.reduce(0) { $0 + $1.count } + 1)
        defer { countTable.deallocate() }
        var offsets: [Int] = []
        var n = 0
        for d in 0..<demographics {
            offsets.append(n)
            for cell in cells[d] { countTable[n] = cell.counts; n += 1 }
        }

        if !weighted {
            let all = overall.counts
            for r in 0..<rows {
                let row = codes + r * p
                for i in 0..<p { all[i &* s &+ Int(row[i])] &+= 1 }
                for d in 0..<demographics {
                    let cell = countTable[offsets[d] + Int(rowGroups[d][r])]
                    for i in 0..<p { cell[i &* s &+ Int(row[i])] &+= 1 }
                }
            }
            overall.rows += rows
            for d in 0..<demographics {
                for r in 0..<rows { cells[d][Int(rowGroups[d][r])].rows += 1 }
            }
            return
        }

        let sumTable = UnsafeMutablePointer<UnsafeMutablePointer<Double>>.allocate(capacity: 2 * n + 2)
        defer { sumTable.deallocate() }
        for d in 0..<demographics {
            for (g, cell) in cells[d].enumerated() {
                sumTable[2 * (offsets[d] + g)] = cell.sums!
                sumTable[2 * (offsets[d] + g) + 1] = cell.squares!
            }
        }
        let all = overall.counts, allSums = overall.sums!, allSquares = overall.squares!
        var rowSum = 0.0, rowSquares = 0.0
        for r in 0..<rows {
            let row = codes + r * p
            let w = weights[r]
            let w2 = w * w
            rowSum += w
            rowSquares += w2
            for i in 0..<p {
                let j = i &* s &+ Int(row[i])
                all[j] &+= 1
                allSums[j] += w
                allSquares[j] += w2
            }
            for d in 0..<demographics {
                let c = offsets[d] + Int(rowGroups[d][r])
                let counts = countTable[c], sums = sumTable[2 * c], squares = sumTable[2 * c + 1]
                for i in 0..<p {
                    let j = i &* s &+ Int(row[i])
                    counts[j] &+= 1
                    sums[j] += w
                    squares[j] += w2
                }
            }
        }
        overall.rows += rows
        overall.weightSum += rowSum
        overall.weightSquaredSum += rowSquares
        for d in 0..<demographics {
            for r in 0..<rows {
                let cell = cells[d][Int(rowGroups[d][r])]
                let w = weights[r]
                cell.rows += 1
                cell.weightSum += w
                cell.weightSquaredSum += w * w
            }
        }
    }

    /// Adds a coded chunk (whose weights may have been adjusted).
    func add(_ chunk: CodedChunk) {
        let rows = chunk.rowCount
        guard rows > 0 else { return }
        let demographics = chunk.groups.count
        let flat = UnsafeMutablePointer<UInt32>.allocate(capacity: max(1, rows * demographics))
        defer { flat.deallocate() }
        for d in 0..<demographics {
            for r in 0..<rows { flat[d * rows + r] = chunk.groups[d][r] }
        }
        let groups = (0..<demographics).map { UnsafePointer(flat + $0 * rows) }
        chunk.codes.withUnsafeBufferPointer { codes in
            chunk.weights.withUnsafeBufferPointer { weights in
                add(codes: codes.baseAddress!, weights: weights.baseAddress!, groups: groups, rows: rows)
            }
        }
    }

    /// The counts as sufficient statistics (of a plan with no cross-products or replicates).
    func statistics(plan: AggregationPlan) -> SufficientStatistics {
        var statistics = SufficientStatistics(itemCount: items, levelCount: levels, demographicCount: groups.count, plan: plan)
        statistics.overall = cellStatistics(overall, template: statistics.overall)
        for d in groups.indices {
            statistics.ensure(demographic: d, categories: groups[d].count - 1)
            for (g, cell) in groups[d].enumerated() {
                statistics.byDemographic[d][g] = cellStatistics(cell, template: statistics.byDemographic[d][g])
            }
        }
        return statistics
    }

    private func cellStatistics(_ cell: Cell, template: CellStatistics) -> CellStatistics {
        var out = template
        let k = levels
        for i in 0..<items {
            for l in 0..<k {
                let j = i * slots + l + 1
                out.counts[i * k + l] = Double(cell.counts[j])
                if weighted {
                    out.weighted[i * k + l] = cell.sums![j]
                    out.weightedSquared[i * k + l] = cell.squares![j]
                }
            }
        }
        if weighted {
            out.rows = Double(cell.rows)
            out.weightSum = cell.weightSum
            out.weightSquaredSum = cell.weightSquaredSum
        } else {
            // Unit weights: Σw and Σw² are counts, exactly as summing ones gives them.
            out.weighted = out.counts
            out.weightedSquared = out.counts
            out.rows = Double(cell.rows)
            out.weightSum = out.rows
            out.weightSquaredSum = out.rows
        }
        return out
    }
}
