import WAIModel

/// Level counts by plain loops, for plans that need nothing else (no cross-products, no
/// replicates): per item, an integer count of every level and, when rows carry weights, Σw and
/// Σw² beside it.
///
/// Rows are counted once, into the *joint* cell of their groups (one category of every
/// demographic at once); the cells a report needs — all rows, and each demographic's groups —
/// are sums of joint cells, added up at the end. So a row costs one update per item whatever
/// the number of demographics. (When the demographics have so many categories that the joint
/// grid passes `maximumGrid` positions, rows are counted into every marginal cell instead.)
///
/// For one-hot counts this beats `Wᵀ Y` on BLAS: a row adds one to one slot per item, where
/// the GEMM multiplies every weight column by every item-level column (see Benchmarks/Speed).
/// Counts are integers, exact in any order; without weights Σw and Σw² are the counts
/// themselves, as the GEMM and the loops of `Aggregator` give them.
package final class LevelCounter {
    final class Cell {
        /// Per item, slot 0 for "missing", then one per level.
        let counts: UnsafeMutablePointer<Int>
        let sums: UnsafeMutablePointer<Double>?
        let squares: UnsafeMutablePointer<Double>?
        let size: Int
        /// The group of every demographic (joint cells), or [] for a marginal cell.
        let groups: [UInt32]
        var rows = 0
        var weightSum = 0.0
        var weightSquaredSum = 0.0

        init(size: Int, weighted: Bool, groups: [UInt32]) {
            self.size = size
            self.groups = groups
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

        /// Adds another cell's sums into this one.
        func add(_ other: Cell) {
            for j in 0..<size { counts[j] &+= other.counts[j] }
            if let sums, let squares, let otherSums = other.sums, let otherSquares = other.squares {
                for j in 0..<size {
                    sums[j] += otherSums[j]
                    squares[j] += otherSquares[j]
                }
            }
            rows += other.rows
            weightSum += other.weightSum
            weightSquaredSum += other.weightSquaredSum
        }
    }

    let items: Int
    let levels: Int
    let slots: Int
    let weighted: Bool
    let demographics: Int
    /// Joint cells, in the order they were met.
    private var cells: [Cell] = []
    /// Grid position (Σ group_d · stride_d) → index in `cells`, or -1.
    private var grid: [Int32] = [-1]
    private var capacities: [Int]
    private var strides: [Int]
    static let maximumGrid = 1 << 16
    /// Counting into the marginal cells directly (the joint grid grew too large).
    private var marginal: (overall: Cell, groups: [[Cell]])?
    /// Tie sums for weighted rank tests, when asked for.
    private var ties: TiePositionCounter?

    package init(items: Int, levels: Int, demographics: Int, weighted: Bool, tiePositions: Bool = false) {
        ties = tiePositions ? TiePositionCounter(items: items, levels: levels, demographics: demographics) : nil
        self.items = items
        self.levels = levels
        slots = levels + 1
        self.weighted = weighted
        self.demographics = demographics
        capacities = Array(repeating: 1, count: demographics)
        strides = Array(repeating: 0, count: demographics)
        for d in 0..<demographics { strides[d] = 1 }
    }

    /// Adds `rows` rows: codes row-major (0…levels), weights when weighted, and per demographic
    /// a pointer to the rows' groups.
    package func add(codes: UnsafePointer<UInt8>, weights: UnsafePointer<Double>, groups rowGroups: [UnsafePointer<UInt32>], rows: Int) {
        guard rows > 0 else { return }
        ties?.add(codes: codes, weights: weights, groups: rowGroups, rows: rows)
        if marginal == nil {
            // Make the grid hold every group of this chunk.
            var grow = false
            var wanted = capacities
            for d in 0..<demographics {
                var top: UInt32 = 0
                for r in 0..<rows { top = max(top, rowGroups[d][r]) }
                while wanted[d] <= Int(top) { wanted[d] *= 2; grow = true }
            }
            if grow {
                if wanted.reduce(1, *) > LevelCounter.maximumGrid {
                    switchToMarginal()
                } else {
                    regrid(wanted)
                }
            }
        }
        if let marginal {
            addMarginal(marginal, codes: codes, weights: weights, groups: rowGroups, rows: rows)
            return
        }

        // Each row's joint cell, creating the cells met for the first time.
        let target = UnsafeMutablePointer<Int32>.allocate(capacity: rows)
        defer { target.deallocate() }
        for r in 0..<rows {
            var position = 0
            for d in 0..<demographics { position &+= Int(rowGroups[d][r]) &* strides[d] }
            var index = grid[position]
            if index < 0 {
                index = Int32(cells.count)
                cells.append(Cell(size: items * slots, weighted: weighted, groups: (0..<demographics).map { rowGroups[$0][r] }))
                grid[position] = index
            }
            target[r] = index
        }
        let counts = cells.map(\.counts)
        let p = items, s = slots
        if !weighted {
            counts.withUnsafeBufferPointer { counts in
                for r in 0..<rows {
                    let row = codes + r &* p
                    let cell = counts[Int(target[r])]
                    for i in 0..<p { cell[i &* s &+ Int(row[i])] &+= 1 }
                }
            }
            for r in 0..<rows { cells[Int(target[r])].rows += 1 }
            return
        }
        let sums = cells.map { $0.sums! }, squares = cells.map { $0.squares! }
        counts.withUnsafeBufferPointer { counts in
            sums.withUnsafeBufferPointer { sums in
                squares.withUnsafeBufferPointer { squares in
                    for r in 0..<rows {
                        let row = codes + r &* p
                        let c = Int(target[r])
                        let cellCounts = counts[c], cellSums = sums[c], cellSquares = squares[c]
                        let w = weights[r], w2 = w * w
                        for i in 0..<p {
                            let j = i &* s &+ Int(row[i])
                            cellCounts[j] &+= 1
                            cellSums[j] += w
                            cellSquares[j] += w2
                        }
                    }
                }
            }
        }
        for r in 0..<rows {
            let cell = cells[Int(target[r])]
            let w = weights[r]
            cell.rows += 1
            cell.weightSum += w
            cell.weightSquaredSum += w * w
        }
    }

    private func regrid(_ wanted: [Int]) {
        capacities = wanted
        var stride = 1
        for d in 0..<demographics {
            strides[d] = stride
            stride *= capacities[d]
        }
        grid = Array(repeating: -1, count: stride)
        for (index, cell) in cells.enumerated() {
            var position = 0
            for d in 0..<demographics { position += Int(cell.groups[d]) * strides[d] }
            grid[position] = Int32(index)
        }
    }

    /// From here on, rows go into every marginal cell; the joint cells so far are added into them.
    private func switchToMarginal() {
        let (overall, groups) = marginals()
        marginal = (overall, groups)
        cells = []
        grid = []
    }

    private func addMarginal(_ marginal: (overall: Cell, groups: [[Cell]]), codes: UnsafePointer<UInt8>, weights: UnsafePointer<Double>,
                             groups rowGroups: [UnsafePointer<UInt32>], rows: Int) {
        var groups = marginal.groups
        for d in 0..<demographics {
            var top: UInt32 = 0
            for r in 0..<rows { top = max(top, rowGroups[d][r]) }
            while groups[d].count <= Int(top) { groups[d].append(Cell(size: items * slots, weighted: weighted, groups: [])) }
        }
        self.marginal = (marginal.overall, groups)
        let p = items, s = slots
        for r in 0..<rows {
            let row = codes + r &* p
            let w = weights[r], w2 = w * w
            var targets = [marginal.overall]
            for d in 0..<demographics { targets.append(groups[d][Int(rowGroups[d][r])]) }
            for cell in targets {
                for i in 0..<p {
                    let j = i &* s &+ Int(row[i])
                    cell.counts[j] &+= 1
                    if weighted {
                        cell.sums![j] += w
                        cell.squares![j] += w2
                    }
                }
                cell.rows += 1
                cell.weightSum += weighted ? w : 1
                cell.weightSquaredSum += weighted ? w2 : 1
            }
        }
    }

    /// All rows, and each demographic's groups (0 = missing, c + 1 = category c), summed from
    /// the joint cells.
    private func marginals() -> (Cell, [[Cell]]) {
        if let marginal { return marginal }
        let overall = Cell(size: items * slots, weighted: weighted, groups: [])
        var groups: [[Cell]] = Array(repeating: [], count: demographics)
        for d in 0..<demographics {
            let top = cells.map { Int($0.groups[d]) }.max() ?? 0
            groups[d] = (0...top).map { _ in Cell(size: items * slots, weighted: weighted, groups: []) }
        }
        for cell in cells {
            overall.add(cell)
            for d in 0..<demographics { groups[d][Int(cell.groups[d])].add(cell) }
        }
        return (overall, groups)
    }

    /// Adds a coded chunk (whose weights may have been adjusted).
    package func add(_ chunk: CodedChunk) {
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
    /// A demographic has cells up to the largest group met, as `Aggregator` makes them.
    package func statistics(plan: AggregationPlan) -> SufficientStatistics {
        var statistics = SufficientStatistics(itemCount: items, levelCount: levels, demographicCount: demographics, plan: plan)
        statistics.tiePositions = ties?.positions
        let (overall, groups) = marginals()
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
        out.rows = Double(cell.rows)
        if weighted {
            out.weightSum = cell.weightSum
            out.weightSquaredSum = cell.weightSquaredSum
        } else {
            // Unit weights: Σw and Σw² are counts, exactly as summing ones gives them.
            out.weighted = out.counts
            out.weightedSquared = out.counts
            out.weightSum = out.rows
            out.weightSquaredSum = out.rows
        }
        return out
    }
}
