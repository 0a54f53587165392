import COpenBLAS
import WAIIO

/// The items' cross-products of one group of rows, kept in the form that is cheap to add up:
/// one dense p × p product of the answered scores and sparse sums over the *missing* answers.
///
/// What the estimators need (`CellStatistics.pairwise`) is the 2p × 2p matrix [A M]ᵀ[A M],
/// with A_ri = w_r·s_ri·m_ri and M_ri = w_r·m_ri (m = answered). Only AᵀA is dense; with
/// m = 1 − m′, the other blocks follow from sums over missing answers, which are few:
///
///     (AᵀM)_ij = Σ w² s_i m_i − Σ w² s_i m_i m′_j
///     (MᵀM)_ij = Σ w² − Σ w² m′_i − Σ w² m′_j + Σ w² m′_i m′_j
///
/// so a row costs one p × p SYRK update and (missing × answered) additions, a quarter of the
/// flops of the 2p × 2p SYRK.
struct CrossProductCell: Sendable {
    let p: Int
    /// p × p, row-major, upper triangle: Σ (w s_i m_i)(w s_j m_j).
    var scores: [Double]
    /// p: Σ w² s_i m_i.
    var scoreSquares: [Double]
    /// p × p: [j][i] = Σ w² s_i m_i m′_j (missing item first, so a row's additions are contiguous).
    var missingScores: [Double]
    /// p × p, upper triangle and diagonal: Σ w² m′_i m′_j.
    var missingPairs: [Double]
    var weightSquares = 0.0

    init(items p: Int) {
        self.p = p
        scores = Array(repeating: 0, count: p * p)
        scoreSquares = Array(repeating: 0, count: p)
        missingScores = Array(repeating: 0, count: p * p)
        missingPairs = Array(repeating: 0, count: p * p)
    }

    /// The 2p × 2p [A M]ᵀ[A M] (row-major, upper triangle) that `CellStatistics.pairwise` holds.
    var pairwise: [Double] {
        let width = 2 * p
        var out = [Double](repeating: 0, count: width * width)
        for i in 0..<p {
            for j in i..<p { out[i * width + j] = scores[i * p + j] }
            for j in 0..<p { out[i * width + p + j] = scoreSquares[i] - missingScores[j * p + i] }
            for j in i..<p {
                out[(p + i) * width + p + j] = weightSquares - missingPairs[i * p + i] - missingPairs[j * p + j] + missingPairs[i * p + j]
            }
        }
        return out
    }

    static func += (lhs: inout CrossProductCell, rhs: CrossProductCell) {
        add(&lhs.scores, rhs.scores)
        add(&lhs.scoreSquares, rhs.scoreSquares)
        add(&lhs.missingScores, rhs.missingScores)
        add(&lhs.missingPairs, rhs.missingPairs)
        lhs.weightSquares += rhs.weightSquares
    }
}

/// Folds coded chunks into the cross-products a plan asks for: per cell (all rows, and each
/// demographic group) the pairwise products of `CrossProductCell`, and per reliability table
/// the Gram matrix of its complete rows. Both are dense products on OpenBLAS (SYRK).
struct CrossProductAccumulator: Sendable {
    let items: Int
    let levels: Int
    /// `scores[i * levels + l]`: the score of level l of item i (reverse keying applied).
    let scoreTable: [Double]
    let pairwise: Bool
    /// Cell 0 is all rows; then demographic d's group g at `cellIndex[d][g]`.
    private(set) var cells: [CrossProductCell] = []
    private var cellIndex: [[Int]]
    private(set) var reliability: [ReliabilityStatistics]
    /// Reused between chunks: the rows of one cell, and their missing items.
    private var x: [Double] = []
    private var missing: [Int32] = []

    init(items: Int, levels: Int, demographics: Int, scores: [[Double]], plan: AggregationPlan) {
        self.items = items
        self.levels = levels
        scoreTable = scores.flatMap { Array($0.prefix(levels)) + Array(repeating: 0, count: max(0, levels - $0.count)) }
        pairwise = plan.pairwise
        cellIndex = Array(repeating: [], count: demographics)
        reliability = plan.reliabilityTables.map { ReliabilityStatistics(items: $0) }
        if pairwise { cells = [CrossProductCell(items: items)] }
    }

    var isEmpty: Bool { !pairwise && reliability.isEmpty }

    mutating func add(_ chunk: CodedChunk) {
        guard chunk.rowCount > 0, !isEmpty else { return }
        if pairwise {
            addPairwise(rows: nil, of: chunk, into: 0)
            for d in chunk.groups.indices {
                var members: [[Int]] = []
                for r in 0..<chunk.rowCount {
                    let g = Int(chunk.groups[d][r])
                    while members.count <= g { members.append([]) }
                    members[g].append(r)
                }
                for (g, rows) in members.enumerated() where !rows.isEmpty {
                    addPairwise(rows: rows, of: chunk, into: cell(demographic: d, group: g))
                }
            }
        }
        if !reliability.isEmpty { addReliability(chunk) }
    }

    private mutating func cell(demographic d: Int, group g: Int) -> Int {
        while cellIndex[d].count <= g {
            cellIndex[d].append(cells.count)
            cells.append(CrossProductCell(items: items))
        }
        return cellIndex[d][g]
    }

    /// Adds rows `rows` of `chunk` (all of them when nil) into cell `c`.
    private mutating func addPairwise(rows: [Int]?, of chunk: CodedChunk, into c: Int) {
        let p = items
        let levels = self.levels
        let count = rows?.count ?? chunk.rowCount
        // The scratch buffers are moved out of `self` while `cells` is written.
        var x: [Double] = []
        var missing: [Int32] = []
        swap(&x, &self.x)
        swap(&missing, &self.missing)
        defer {
            swap(&x, &self.x)
            swap(&missing, &self.missing)
        }
        if x.count < count * p { x = Array(repeating: 0, count: count * p) }
        if missing.count < p { missing = Array(repeating: 0, count: p) }
        let scoreTable = self.scoreTable
        x.withUnsafeMutableBufferPointer { x in
            missing.withUnsafeMutableBufferPointer { missing in
                scoreTable.withUnsafeBufferPointer { table in
                    chunk.codes.withUnsafeBufferPointer { codes in
                        chunk.weights.withUnsafeBufferPointer { weights in
                            update(c) { cell in
                                cell.scoreSquares.withUnsafeMutableBufferPointer { scoreSquares in
                                    cell.missingScores.withUnsafeMutableBufferPointer { missingScores in
                                        cell.missingPairs.withUnsafeMutableBufferPointer { pairs in
                                            var weightSquares = 0.0
                                            for k in 0..<count {
                                                let r = rows.map { $0[k] } ?? k
                                                let w = weights[r]
                                                let out = x.baseAddress! + k * p
                                                let row = codes.baseAddress! + r * p
                                                var absent = 0
                                                for i in 0..<p {
                                                    let code = Int(row[i])
                                                    if code > 0 {
                                                        let score = w * table[i * levels + code - 1]
                                                        out[i] = score
                                                        scoreSquares[i] += w * score
                                                    } else {
                                                        out[i] = 0
                                                        missing[absent] = Int32(i)
                                                        absent += 1
                                                    }
                                                }
                                                let w2 = w * w
                                                weightSquares += w2
                                                for a in 0..<absent {
                                                    let j = Int(missing[a])
                                                    for b in a..<absent { pairs[j * p + Int(missing[b])] += w2 }
                                                    let target = missingScores.baseAddress! + j * p
                                                    for i in 0..<p { target[i] += w * out[i] }
                                                }
                                            }
                                            cell.weightSquares += weightSquares
                                        }
                                    }
                                }
                                cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, Int32(p), Int32(count),
                                            1.0, x.baseAddress, Int32(p), 1.0, &cell.scores, Int32(p))
                            }
                        }
                    }
                }
            }
        }
    }

    /// `body` on cell c in place (no copy of its arrays).
    private mutating func update(_ c: Int, _ body: (inout CrossProductCell) -> Void) {
        body(&cells[c])
    }

    /// For every reliability table, XᵀX with X = √w·[score₁ … score_p 1] over the rows that
    /// answered all its items (one SYRK).
    private mutating func addReliability(_ chunk: CodedChunk) {
        let p = items
        let levels = self.levels
        let table = scoreTable
        for t in reliability.indices {
            let members = reliability[t].items
            let width = members.count + 1
            if x.count < chunk.rowCount * width { x = Array(repeating: 0, count: chunk.rowCount * width) }
            var complete = 0
            x.withUnsafeMutableBufferPointer { x in
                chunk.codes.withUnsafeBufferPointer { codes in
                    rows: for r in 0..<chunk.rowCount {
                        let out = x.baseAddress! + complete * width
                        let root = chunk.weights[r].squareRoot()
                        for (k, i) in members.enumerated() {
                            let code = Int(codes[r * p + i])
                            if code == 0 { continue rows }
                            out[k] = root * table[i * levels + code - 1]
                        }
                        out[members.count] = root
                        complete += 1
                    }
                }
            }
            guard complete > 0 else { continue }
            reliability[t].rows += Double(complete)
            cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, Int32(width), Int32(complete),
                        1.0, x, Int32(width), 1.0, &reliability[t].crossProducts, Int32(width))
        }
    }

    /// Writes the cross-products into `statistics` (whose cells must exist for every group met).
    func finish(into statistics: inout SufficientStatistics) {
        if pairwise {
            statistics.overall.pairwise = cells[0].pairwise
            for d in cellIndex.indices {
                statistics.ensure(demographic: d, categories: cellIndex[d].count - 1)
                for (g, c) in cellIndex[d].enumerated() { statistics.byDemographic[d][g].pairwise = cells[c].pairwise }
            }
        }
        for t in reliability.indices { statistics.reliability[t] = reliability[t] }
    }
}
