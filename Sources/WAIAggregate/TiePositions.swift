import WAIModel

/// Per demographic and item × level, Σ k·w over the rows that answered both, k numbering
/// those rows 1, 2, … in file order.
///
/// R's `svyranktest` gives tied answers the average of their running weight sums in file order
/// (`ave(cumsum(w) - w/2, y)`); for m tied rows of total weight W below a cumulative weight C
/// that average is C + ((m + ½)W − Σ k·w)/m. Counts and Σw are in the cells already; this is
/// the one order-dependent sum, so parts merge in file order:
/// Σ k·w over A then B = A's + B's + m_A·W_B.
package struct TiePositionCounter: Sendable {
    let items: Int
    let levels: Int
    /// Per demographic, per item × level: rows seen so far (the next row's k − 1).
    private var seen: [[Int]]
    /// Per demographic, per item × level: Σ k·w.
    package private(set) var positions: [[Double]]

    package init(items: Int, levels: Int, demographics: Int) {
        self.items = items
        self.levels = levels
        seen = Array(repeating: Array(repeating: 0, count: items * levels), count: demographics)
        positions = Array(repeating: Array(repeating: 0, count: items * levels), count: demographics)
    }

    /// Adds `rows` rows in file order: codes row-major (0 missing, 1…levels), per demographic
    /// the rows' groups (0: did not answer it).
    package mutating func add(codes: UnsafePointer<UInt8>, weights: UnsafePointer<Double>, groups: [UnsafePointer<UInt32>], rows: Int) {
        let (items, levels) = (self.items, self.levels)
        for d in seen.indices {
            let group = groups[d]
            seen[d].withUnsafeMutableBufferPointer { seen in
                positions[d].withUnsafeMutableBufferPointer { sums in
                    for r in 0..<rows where group[r] != 0 {
                        let row = codes + r &* items
                        let w = weights[r]
                        for i in 0..<items {
                            let code = Int(row[i])
                            guard code != 0 else { continue }
                            let j = i &* levels &+ code &- 1
                            seen[j] &+= 1
                            sums[j] += Double(seen[j]) * w
                        }
                    }
                }
            }
        }
    }

    package mutating func add(_ chunk: CodedChunk) {
        guard chunk.rowCount > 0 else { return }
        let groups = chunk.groups.map { column in
            let p = UnsafeMutablePointer<UInt32>.allocate(capacity: max(1, column.count))
            p.initialize(from: column, count: column.count)
            return p
        }
        defer { groups.forEach { $0.deallocate() } }
        chunk.codes.withUnsafeBufferPointer { codes in
            chunk.weights.withUnsafeBufferPointer { weights in
                add(codes: codes.baseAddress!, weights: weights.baseAddress!, groups: groups.map { UnsafePointer($0) }, rows: chunk.rowCount)
            }
        }
    }
}

extension SufficientStatistics {
    /// Per item × level of demographic d, rows and Σw over its answered groups.
    package func answered(demographic d: Int) -> (counts: [Double], weights: [Double]) {
        var counts = Array(repeating: 0.0, count: itemCount * levelCount), weights = counts
        for cell in byDemographic[d].dropFirst() {
            for j in counts.indices {
                counts[j] += cell.counts[j]
                weights[j] += cell.weighted[j]
            }
        }
        return (counts, weights)
    }

    /// Folds the tie positions of `later` (rows after all of `self`'s) into `self`; call it
    /// before the cells of `later` are added.
    package mutating func appendTiePositions(of later: SufficientStatistics) {
        guard plan.tiePositions, let theirs = later.tiePositions else { return }
        var mine = tiePositions ?? theirs.map { Array(repeating: 0, count: $0.count) }
        for d in mine.indices {
            let before = answered(demographic: d).counts
            let added = later.answered(demographic: d).weights
            for j in mine[d].indices { mine[d][j] += theirs[d][j] + before[j] * added[j] }
        }
        tiePositions = mine
    }
}
