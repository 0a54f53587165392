/// The candidate closest to `value` by edit distance, when it is close enough to be a
/// plausible typo (at most a third of the value's length, at least 1). Case, white space,
/// `_` and `-` are ignored, so `qb` finds `q_b` before `qa`.
public func nearestMatch(to value: String, in candidates: [String]) -> String? {
    func key(_ s: String) -> [Unicode.Scalar] {
        Array(s.lowercased().unicodeScalars.filter { !($0 == "_" || $0 == "-" || $0.properties.isWhitespace) })
    }
    let target = key(value)
    guard !target.isEmpty else { return nil }
    var best: (String, Int)?
    for candidate in candidates where !candidate.isEmpty {
        let d = editDistance(target, key(candidate))
        if best == nil || d < best!.1 { best = (candidate, d) }
    }
    guard let (match, distance) = best else { return nil }
    let limit = max(1, min(target.count, match.unicodeScalars.count) / 3)
    return distance <= limit ? match : nil
}

/// Edit distance over Unicode scalars where swapping two neighbours counts as one edit
/// (optimal string alignment), the commonest typo in a hand-typed answer.
func editDistance(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> Int {
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var d = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
    for i in 0...a.count { d[i][0] = i }
    for j in 0...b.count { d[0][j] = j }
    for i in 1...a.count {
        for j in 1...b.count {
            let cost = a[i - 1] == b[j - 1] ? 0 : 1
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
            if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
            }
        }
    }
    return d[a.count][b.count]
}
