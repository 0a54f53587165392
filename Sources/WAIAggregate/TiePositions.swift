import WAIModel

/// Per demographic and item × level, Σ k·w over the rows that answered both, k numbering
/// those rows 1, 2, … in file order.
///
/// R's `svyranktest` gives tied answers the average of their running weight sums in file order
/// (`ave(cumsum(w) - w/2, y)`); for m tied rows of total weight W below a cumulative weight C
/// that average is C + ((m + ½)W − Σ k·w)/m. Counts and Σw are in the cells already; this is
/// the one order-dependent sum, so parts merge in file order:
/// Σ k·w over A then B = A's + B's + m_A·W_B.
///
/// Rows that answer every demographic ("shared" rows) are counted once for all of them: for
/// each demographic d, k_d of a shared row is its rank among the shared rows, plus o_d, the
/// rows so far that answered d but not every demographic. So Σ k_d·w over shared rows is the
/// shared Σ k·w plus Σ o_d·w, and since o_d only grows by one at a time, Σ o_d·w =
/// o_d·W − Σ (W when o_d grew), W the shared rows' Σw: a shared row costs one update of three
/// sums, not one per demographic.
package struct TiePositionCounter: Sendable {
    let items: Int
    let levels: Int
    let demographics: Int
    /// Per item × (level + 1), slot 0 taking the missing answers so the loops need no branch.
    private var slots: Int { levels + 1 }
    /// Shared rows: how many (the next one's rank − 1), Σ rank·w, Σ w.
    private var sharedCount: [Double]
    private var sharedPositions: [Double]
    private var sharedWeights: [Double]
    /// Per demographic: o_d, and Σ over its other rows of (rank·w − W at that row).
    private var otherCount: [[Double]]
    private var otherTerms: [[Double]]

    package init(items: Int, levels: Int, demographics: Int) {
        self.items = items
        self.levels = levels
        self.demographics = demographics
        let size = items * (levels + 1)
        sharedCount = Array(repeating: 0, count: size)
        sharedPositions = sharedCount
        sharedWeights = sharedCount
        otherCount = Array(repeating: sharedCount, count: demographics)
        otherTerms = otherCount
    }

    /// Per demographic, per item × level: Σ k·w.
    package var positions: [[Double]] {
        (0..<demographics).map { d in
            var out = Array(repeating: 0.0, count: items * levels)
            for i in 0..<items {
                for level in 0..<levels {
                    let j = i * slots + level + 1
                    out[i * levels + level] = sharedPositions[j] + otherCount[d][j] * sharedWeights[j] + otherTerms[d][j]
                }
            }
            return out
        }
    }

    /// Adds `rows` rows in file order: codes row-major (0 missing, 1…levels), per demographic
    /// the rows' groups (0: did not answer it).
    package mutating func add(codes: UnsafePointer<UInt8>, weights: UnsafePointer<Double>, groups: [UnsafePointer<UInt32>], rows: Int) {
        let (items, slots, demographics) = (self.items, self.slots, self.demographics)
        sharedCount.withUnsafeMutableBufferPointer { count in
            sharedPositions.withUnsafeMutableBufferPointer { positions in
                sharedWeights.withUnsafeMutableBufferPointer { weightSums in
                    let (count, positions, weightSums) = (count.baseAddress!, positions.baseAddress!, weightSums.baseAddress!)
                    for r in 0..<rows {
                        let row = codes + r &* items
                        let w = weights[r]
                        var answered = 0
                        for d in 0..<demographics where groups[d][r] != 0 { answered &+= 1 }
                        if answered == demographics {
                            for i in 0..<items {
                                let j = i &* slots &+ Int(row[i])
                                count[j] += 1
                                positions[j] += count[j] * w
                                weightSums[j] += w
                            }
                        } else if answered > 0 {
                            for d in 0..<demographics where groups[d][r] != 0 {
                                otherCount[d].withUnsafeMutableBufferPointer { other in
                                    otherTerms[d].withUnsafeMutableBufferPointer { terms in
                                        for i in 0..<items {
                                            let j = i &* slots &+ Int(row[i])
                                            other[j] += 1
                                            terms[j] += (count[j] + other[j]) * w - weightSums[j]
                                        }
                                    }
                                }
                            }
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
