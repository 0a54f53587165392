import COpenBLAS
import WAIModel

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
/// so a row costs one p × p SYRK update and (missing × p) additions, a quarter of the flops
/// of the 2p × 2p SYRK.
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
    /// The unweighted rows, in level positions: see `LevelCrossProducts`.
    var levels: LevelCrossProducts

    init(items p: Int) {
        self.p = p
        scores = Array(repeating: 0, count: p * p)
        scoreSquares = Array(repeating: 0, count: p)
        missingScores = Array(repeating: 0, count: p * p)
        missingPairs = Array(repeating: 0, count: p * p)
        levels = LevelCrossProducts(items: p)
    }

    /// The 2p × 2p [A M]ᵀ[A M] (row-major, upper triangle) that `CellStatistics.pairwise` holds,
    /// with scores affine in the level position, s_i = α_i + β_i·L_i, for the unweighted part.
    func pairwise(affine: [(alpha: Double, beta: Double)]?) -> [Double] {
        var total = self
        if let affine, levels.rows > 0 { total.addScores(of: levels, affine: affine) }
        let width = 2 * p
        var out = [Double](repeating: 0, count: width * width)
        let (scores, scoreSquares, missingScores, missingPairs) = (total.scores, total.scoreSquares, total.missingScores, total.missingPairs)
        for i in 0..<p {
            for j in i..<p { out[i * width + j] = scores[i * p + j] }
            for j in 0..<p { out[i * width + p + j] = scoreSquares[i] - missingScores[j * p + i] }
            for j in i..<p {
                out[(p + i) * width + p + j] = total.weightSquares - missingPairs[i * p + i] - missingPairs[j * p + j] + missingPairs[i * p + j]
            }
        }
        return out
    }

    /// Adds unweighted rows summed in level positions, mapped to scores.
    private mutating func addScores(of l: LevelCrossProducts, affine: [(alpha: Double, beta: Double)]) {
        let n = l.rows
        func pairs(_ i: Int, _ j: Int) -> Double { i <= j ? l.missingPairs[i * p + j] : l.missingPairs[j * p + i] }
        // Σ L_i m_j = Σ L_i − Σ L_i m′_j.
        func lm(_ i: Int, _ j: Int) -> Double { l.sums[i] - l.missing[j * p + i] }
        weightSquares += n
        for i in 0..<p {
            let (ai, bi) = affine[i]
            let missI = pairs(i, i)
            scoreSquares[i] += ai * (n - missI) + bi * l.sums[i]
            for j in 0..<p {
                let (aj, bj) = affine[j]
                let missJ = pairs(j, j)
                if j >= i {
                    missingPairs[i * p + j] += pairs(i, j)
                    let mm = n - missI - missJ + pairs(i, j)
                    let ll = l.gram[i * p + j]
                    scores[i * p + j] += ai * aj * mm + ai * bj * lm(j, i) + bi * aj * lm(i, j) + bi * bj * ll
                }
                // Σ s_i m_i m′_j = α_i Σ m_i m′_j + β_i Σ L_i m′_j, and Σ m_i m′_j = Σ m′_j − Σ m′_i m′_j.
                missingScores[j * p + i] += ai * (missJ - pairs(i, j)) + bi * l.missing[j * p + i]
            }
        }
    }

    static func += (lhs: inout CrossProductCell, rhs: CrossProductCell) {
        add(&lhs.scores, rhs.scores)
        add(&lhs.scoreSquares, rhs.scoreSquares)
        add(&lhs.missingScores, rhs.missingScores)
        add(&lhs.missingPairs, rhs.missingPairs)
        lhs.weightSquares += rhs.weightSquares
        lhs.levels += rhs.levels
    }
}

/// Cross-products of unweighted rows in *level positions* L = code − 1 (0 when missing):
/// small integers, so their products summed over a chunk are exact in single precision
/// (below 2^24), which doubles the speed of the SYRK. Scores that are affine in the level
/// position (normalized, proportional, reverse-keyed) are recovered exactly from them.
struct LevelCrossProducts: Sendable {
    let p: Int
    var rows = 0.0
    /// p × p, upper triangle: Σ L_i L_j.
    var gram: [Double]
    /// p: Σ L_i.
    var sums: [Double]
    /// p × p: [j][i] = Σ L_i m′_j.
    var missing: [Double]
    /// p × p, upper triangle and diagonal: Σ m′_i m′_j.
    var missingPairs: [Double]

    init(items p: Int) {
        self.p = p
        gram = Array(repeating: 0, count: p * p)
        sums = Array(repeating: 0, count: p)
        missing = Array(repeating: 0, count: p * p)
        missingPairs = Array(repeating: 0, count: p * p)
    }

    static func += (lhs: inout LevelCrossProducts, rhs: LevelCrossProducts) {
        lhs.rows += rhs.rows
        add(&lhs.gram, rhs.gram)
        add(&lhs.sums, rhs.sums)
        add(&lhs.missing, rhs.missing)
        add(&lhs.missingPairs, rhs.missingPairs)
    }
}

/// Folds coded chunks into the cross-products a plan asks for: per cell (all rows, and each
/// demographic group) the pairwise products of `CrossProductCell`, and per reliability table
/// the Gram matrix of its complete rows. Both are dense products on OpenBLAS (SYRK): in single
/// precision on level positions for unweighted chunks whose scores are affine in the level
/// (exact: see `LevelCrossProducts`), in double precision on scores otherwise.
struct CrossProductAccumulator: Sendable {
    let items: Int
    let levels: Int
    /// `scores[i * levels + l]`: the score of level l of item i (reverse keying applied).
    let scoreTable: [Double]
    /// Per item, s = α + β·L over its levels, when every item's scores are affine in the level
    /// position and single-precision sums of a chunk stay exact.
    let affine: [(alpha: Double, beta: Double)]?
    let pairwise: Bool
    /// Pairwise products are kept per *joint* group — one cell per combination of the
    /// demographics' groups met — while there are few; the overall cell and each demographic
    /// group are their sums, so a row goes through one SYRK instead of 1 + D. Past
    /// `jointLimit` combinations the cells become marginal: cell 0 all rows, then demographic
    /// d's group g at `cellIndex[d][g]`.
    private(set) var cells: [CrossProductCell] = []
    private var joint = true
    /// Joint mode: the groups (one per demographic) of each cell, and the reverse lookup.
    private var jointKeys: [[UInt32]] = []
    private var jointLookup: [[UInt32]: Int] = [:]
    private var cellIndex: [[Int]]
    private let demographics: Int
    let jointLimit: Int
    private(set) var reliability: [ReliabilityStatistics]
    /// Per reliability table, the Gram matrix of [L 1] over unweighted complete rows.
    private var reliabilityLevels: [[Double]]
    /// Reused between chunks: the rows of one cell, and their missing items.
    private var x: [Double] = []
    private var xf: [Float] = []
    private var product: [Float] = []
    private var missing: [Int32] = []

    /// Largest chunk whose single-precision products of level positions stay exact.
    static let exactLimit = 1 << 24

    init(items: Int, levels: Int, demographics: Int, scores: [[Double]], plan: AggregationPlan, jointLimit: Int? = nil) {
        self.jointLimit = jointLimit ?? Self.jointLimit(items: items)
        self.items = items
        self.levels = levels
        scoreTable = scores.flatMap { Array($0.prefix(levels)) + Array(repeating: 0, count: max(0, levels - $0.count)) }
        affine = Self.affineScores(scores, levels: levels)
        pairwise = plan.pairwise
        cellIndex = Array(repeating: [], count: demographics)
        self.demographics = demographics
        reliability = plan.reliabilityTables.map { ReliabilityStatistics(items: $0) }
        reliabilityLevels = plan.reliabilityTables.map { Array(repeating: 0, count: ($0.count + 1) * ($0.count + 1)) }
    }

    /// Most joint cells kept: 64, and at most 16 MiB of them.
    static func jointLimit(items: Int) -> Int { max(1, min(64, (16 << 20) / max(1, 64 * items * items))) }

    /// α, β per item when each item's scores are α + β·l for l = 0, 1, …: over its own levels
    /// (a score vector may be shorter than `levels`).
    static func affineScores(_ scores: [[Double]], levels: Int) -> [(alpha: Double, beta: Double)]? {
        guard levels >= 2, levels <= 64 else { return nil }
        var out: [(alpha: Double, beta: Double)] = []
        for s in scores {
            guard let first = s.first else { return nil }
            let beta = s.count > 1 ? s[1] - s[0] : 0
            for (l, value) in s.enumerated() where value != first + beta * Double(l) { return nil }
            out.append((first, beta))
        }
        return out
    }

    var isEmpty: Bool { !pairwise && reliability.isEmpty }

    mutating func add(_ chunk: CodedChunk) {
        guard chunk.rowCount > 0, !isEmpty else { return }
        let exact = affine != nil && chunk.rowCount * (levels - 1) * (levels - 1) < Self.exactLimit
            && chunk.weights.allSatisfy { $0 == 1 }
        if pairwise {
            if joint { joint = addJoint(chunk, levelPositions: exact) }
            if !joint { addMarginal(chunk, levelPositions: exact) }
        }
        if !reliability.isEmpty { addReliability(chunk, levelPositions: exact) }
    }

    /// Adds the chunk's rows to their joint cells; false (and nothing added) when that would
    /// pass `jointLimit`, after spreading the joint cells into marginal ones.
    private mutating func addJoint(_ chunk: CodedChunk, levelPositions: Bool) -> Bool {
        guard demographics > 0 else {
            if cells.isEmpty { cells = [CrossProductCell(items: items)]; jointKeys = [[]] }
            addPairwise(rows: nil, of: chunk, into: 0, levelPositions: levelPositions)
            return true
        }
        // Rows are keyed in the chunk's own mixed radix first, then mapped to cells.
        var radix = [Int](repeating: 0, count: demographics)
        var size = 1
        for d in 0..<demographics {
            radix[d] = Int(chunk.groups[d].max() ?? 0) + 1
            let (product, overflow) = size.multipliedReportingOverflow(by: radix[d])
            guard !overflow, product <= 4 * chunk.rowCount + 64 else { spreadJointCells(); return false }
            size = product
        }
        var local = [Int32](repeating: -1, count: size)
        var members: [[Int]] = []
        var key = [UInt32](repeating: 0, count: demographics)
        for r in 0..<chunk.rowCount {
            var position = 0
            for d in stride(from: demographics - 1, through: 0, by: -1) { position = position * radix[d] + Int(chunk.groups[d][r]) }
            var c = Int(local[position])
            if c < 0 {
                for d in 0..<demographics { key[d] = chunk.groups[d][r] }
                if let known = jointLookup[key] {
                    c = known
                } else {
                    guard cells.count < jointLimit else { spreadJointCells(); return false }
                    c = cells.count
                    jointLookup[key] = c
                    jointKeys.append(key)
                    cells.append(CrossProductCell(items: items))
                }
                local[position] = Int32(c)
            }
            while members.count <= c { members.append([]) }
            members[c].append(r)
        }
        for (c, rows) in members.enumerated() where !rows.isEmpty {
            addPairwise(rows: rows.count == chunk.rowCount ? nil : rows, of: chunk, into: c, levelPositions: levelPositions)
        }
        return true
    }

    private mutating func addMarginal(_ chunk: CodedChunk, levelPositions: Bool) {
        if cells.isEmpty { cells = [CrossProductCell(items: items)] }
        addPairwise(rows: nil, of: chunk, into: 0, levelPositions: levelPositions)
        for d in chunk.groups.indices {
            var members: [[Int]] = []
            for r in 0..<chunk.rowCount {
                let g = Int(chunk.groups[d][r])
                while members.count <= g { members.append([]) }
                members[g].append(r)
            }
            for (g, rows) in members.enumerated() where !rows.isEmpty {
                addPairwise(rows: rows, of: chunk, into: cell(demographic: d, group: g), levelPositions: levelPositions)
            }
        }
    }

    /// The overall cell and every demographic group's, summed from the joint cells.
    private func marginalCells() -> (overall: CrossProductCell, byDemographic: [[CrossProductCell]]) {
        var overall = CrossProductCell(items: items)
        var byDemographic = [[CrossProductCell]](repeating: [], count: demographics)
        for (c, key) in jointKeys.enumerated() {
            overall += cells[c]
            for d in 0..<demographics {
                let g = Int(key[d])
                while byDemographic[d].count <= g { byDemographic[d].append(CrossProductCell(items: items)) }
                byDemographic[d][g] += cells[c]
            }
        }
        return (overall, byDemographic)
    }

    private mutating func spreadJointCells() {
        let (overall, byDemographic) = marginalCells()
        cells = [overall]
        cellIndex = Array(repeating: [], count: demographics)
        for d in 0..<demographics {
            for cell in byDemographic[d] {
                cellIndex[d].append(cells.count)
                cells.append(cell)
            }
        }
        joint = false
        jointKeys = []
        jointLookup = [:]
    }

    private mutating func cell(demographic d: Int, group g: Int) -> Int {
        while cellIndex[d].count <= g {
            cellIndex[d].append(cells.count)
            cells.append(CrossProductCell(items: items))
        }
        return cellIndex[d][g]
    }

    /// Adds rows `rows` of `chunk` (all of them when nil) into cell `c`.
    private mutating func addPairwise(rows: [Int]?, of chunk: CodedChunk, into c: Int, levelPositions: Bool) {
        let p = items
        let count = rows?.count ?? chunk.rowCount
        // The scratch buffers are moved out of `self` while `cells` is written.
        var scratch = Scratch()
        swap(&scratch.x, &x)
        swap(&scratch.xf, &xf)
        swap(&scratch.product, &product)
        swap(&scratch.missing, &missing)
        defer {
            swap(&scratch.x, &x)
            swap(&scratch.xf, &xf)
            swap(&scratch.product, &product)
            swap(&scratch.missing, &missing)
        }
        if scratch.missing.count < p { scratch.missing = Array(repeating: 0, count: p) }
        if levelPositions {
            if scratch.xf.count < count * p { scratch.xf = Array(repeating: 0, count: count * p) }
            if scratch.product.count < p * p { scratch.product = Array(repeating: 0, count: p * p) }
            addLevelPositions(rows: rows, count: count, of: chunk, into: &cells[c].levels, scratch: &scratch)
        } else {
            if scratch.x.count < count * p { scratch.x = Array(repeating: 0, count: count * p) }
            addScores(rows: rows, count: count, of: chunk, into: &cells[c], scratch: &scratch)
        }
    }

    struct Scratch {
        var x: [Double] = []
        var xf: [Float] = []
        var product: [Float] = []
        var missing: [Int32] = []
    }

    private func addScores(rows: [Int]?, count: Int, of chunk: CodedChunk, into cell: inout CrossProductCell, scratch: inout Scratch) {
        let p = items
        let levels = self.levels
        scratch.x.withUnsafeMutableBufferPointer { x in
        scratch.missing.withUnsafeMutableBufferPointer { missing in
        scoreTable.withUnsafeBufferPointer { table in
        chunk.codes.withUnsafeBufferPointer { codes in
        chunk.weights.withUnsafeBufferPointer { weights in
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
                        out[i] = w * table[i * levels + code - 1]
                    } else {
                        out[i] = 0
                        missing[absent] = Int32(i)
                        absent += 1
                    }
                }
                for i in 0..<p { scoreSquares[i] += w * out[i] }
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
        }}}}}}}}
        cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, Int32(p), Int32(count),
                    1.0, scratch.x, Int32(p), 1.0, &cell.scores, Int32(p))
    }

    private func addLevelPositions(rows: [Int]?, count: Int, of chunk: CodedChunk, into cell: inout LevelCrossProducts, scratch: inout Scratch) {
        let p = items
        // A chunk's sums in single precision too (exact: below 2^24), added to the cell's at the end.
        var sums = [Float](repeating: 0, count: p)
        var missingSums = [Float](repeating: 0, count: p * p)
        var pairs = [Float](repeating: 0, count: p * p)
        scratch.xf.withUnsafeMutableBufferPointer { x in
        scratch.missing.withUnsafeMutableBufferPointer { missing in
        chunk.codes.withUnsafeBufferPointer { codes in
        sums.withUnsafeMutableBufferPointer { sums in
        missingSums.withUnsafeMutableBufferPointer { missingSums in
        pairs.withUnsafeMutableBufferPointer { pairs in
            for k in 0..<count {
                let r = rows.map { $0[k] } ?? k
                let out = x.baseAddress! + k * p
                let row = codes.baseAddress! + r * p
                for i in 0..<p { out[i] = Float(max(Int32(row[i]) - 1, 0)) }
                for i in 0..<p { sums[i] += out[i] }
                var absent = 0
                for i in 0..<p where row[i] == 0 {
                    missing[absent] = Int32(i)
                    absent += 1
                }
                for a in 0..<absent {
                    let j = Int(missing[a])
                    for b in a..<absent { pairs[j * p + Int(missing[b])] += 1 }
                    let target = missingSums.baseAddress! + j * p
                    for i in 0..<p { target[i] += out[i] }
                }
            }
        }}}}}}
        cell.rows += Double(count)
        for i in 0..<p { cell.sums[i] += Double(sums[i]) }
        for j in 0..<(p * p) {
            cell.missing[j] += Double(missingSums[j])
            cell.missingPairs[j] += Double(pairs[j])
        }
        cblas_ssyrk(CblasRowMajor, CblasUpper, CblasTrans, Int32(p), Int32(count),
                    1.0, scratch.xf, Int32(p), 0.0, &scratch.product, Int32(p))
        for i in 0..<p {
            for j in i..<p { cell.gram[i * p + j] += Double(scratch.product[i * p + j]) }
        }
    }

    /// For every reliability table, XᵀX with X = √w·[score₁ … score_p 1] over the rows that
    /// answered all its items (one SYRK); for unweighted chunks, X = [L₁ … L_p 1] in single
    /// precision, mapped to scores in `finish`.
    private mutating func addReliability(_ chunk: CodedChunk, levelPositions: Bool) {
        let p = items
        let levels = self.levels
        let table = scoreTable
        for t in reliability.indices {
            let members = reliability[t].items
            let width = members.count + 1
            var complete = 0
            if levelPositions {
                if xf.count < chunk.rowCount * width { xf = Array(repeating: 0, count: chunk.rowCount * width) }
                if product.count < width * width { product = Array(repeating: 0, count: width * width) }
                xf.withUnsafeMutableBufferPointer { x in
                    chunk.codes.withUnsafeBufferPointer { codes in
                        rows: for r in 0..<chunk.rowCount {
                            let out = x.baseAddress! + complete * width
                            for (k, i) in members.enumerated() {
                                let code = codes[r * p + i]
                                if code == 0 { continue rows }
                                out[k] = Float(code - 1)
                            }
                            out[members.count] = 1
                            complete += 1
                        }
                    }
                }
                guard complete > 0 else { continue }
                reliability[t].rows += Double(complete)
                cblas_ssyrk(CblasRowMajor, CblasUpper, CblasTrans, Int32(width), Int32(complete),
                            1.0, xf, Int32(width), 0.0, &product, Int32(width))
                for i in 0..<width {
                    for j in i..<width { reliabilityLevels[t][i * width + j] += Double(product[i * width + j]) }
                }
            } else {
                if x.count < chunk.rowCount * width { x = Array(repeating: 0, count: chunk.rowCount * width) }
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
    }

    /// Writes the cross-products into `statistics` (whose cells must exist for every group met).
    func finish(into statistics: inout SufficientStatistics) {
        if pairwise {
            if joint {
                let (overall, byDemographic) = marginalCells()
                statistics.overall.pairwise = overall.pairwise(affine: affine)
                for d in byDemographic.indices {
                    statistics.ensure(demographic: d, categories: byDemographic[d].count - 1)
                    for (g, cell) in byDemographic[d].enumerated() { statistics.byDemographic[d][g].pairwise = cell.pairwise(affine: affine) }
                }
            } else {
                statistics.overall.pairwise = cells[0].pairwise(affine: affine)
                for d in cellIndex.indices {
                    statistics.ensure(demographic: d, categories: cellIndex[d].count - 1)
                    for (g, c) in cellIndex[d].enumerated() { statistics.byDemographic[d][g].pairwise = cells[c].pairwise(affine: affine) }
                }
            }
        }
        for t in reliability.indices {
            var out = reliability[t]
            if let affine {
                // [s 1] = [α + β·L, 1]: the ones column is α = 1, β = 0, and the level Gram's last
                // row holds Σ L_i and, in its corner, the complete rows n.
                let members = out.items
                let width = members.count + 1
                let one = width - 1
                let g = reliabilityLevels[t]
                func level(_ i: Int, _ j: Int) -> Double { i <= j ? g[i * width + j] : g[j * width + i] }
                let coefficients = members.map { affine[$0] } + [(alpha: 1.0, beta: 0.0)]
                let n = level(one, one)
                for i in 0..<width {
                    for j in i..<width {
                        let (ai, bi) = coefficients[i]
                        let (aj, bj) = coefficients[j]
                        out.crossProducts[i * width + j] += ai * aj * n + ai * bj * level(j, one) + bi * aj * level(i, one) + bi * bj * level(i, j)
                    }
                }
            }
            statistics.reliability[t] = out
        }
    }
}
