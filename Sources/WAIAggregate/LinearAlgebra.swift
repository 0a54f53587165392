/// Small dense linear systems (the tests' matrices are groups × levels in size, linear calibration's margins × categories).
package enum LinearAlgebra {
    /// X with A X = B (A size × size, B size × columns, both row-major) by Gaussian
    /// elimination with partial pivoting; nil when A is singular to working precision.
    package static func solve(_ a: [Double], _ b: [Double], size n: Int, columns: Int = 1) -> [Double]? {
        var a = a, x = b
        let scale = a.map(abs).max() ?? 0
        guard scale > 0 else { return nil }
        for col in 0..<n {
            let pivot = (col..<n).max { abs(a[$0 * n + col]) < abs(a[$1 * n + col]) }!
            guard abs(a[pivot * n + col]) > scale * 1e-13 else { return nil }
            if pivot != col {
                for j in 0..<n { a.swapAt(col * n + j, pivot * n + j) }
                for j in 0..<columns { x.swapAt(col * columns + j, pivot * columns + j) }
            }
            for r in (col + 1)..<n {
                let factor = a[r * n + col] / a[col * n + col]
                guard factor != 0 else { continue }
                for j in col..<n { a[r * n + j] -= factor * a[col * n + j] }
                for j in 0..<columns { x[r * columns + j] -= factor * x[col * columns + j] }
            }
        }
        for col in stride(from: n - 1, through: 0, by: -1) {
            for j in 0..<columns {
                var s = x[col * columns + j]
                for k in (col + 1)..<n { s -= a[col * n + k] * x[k * columns + j] }
                x[col * columns + j] = s / a[col * n + col]
            }
        }
        return x
    }
}
