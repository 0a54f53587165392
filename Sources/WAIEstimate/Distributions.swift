import Foundation
import WAIAggregate
import WAIModel

/// The distribution functions the tests and intervals need, in double precision.
enum Distributions {
    /// Φ(x), the standard normal CDF.
    static func normalCDF(_ x: Double) -> Double {
        0.5 * erfc(-x / 2.0.squareRoot())
    }

    /// z such that Φ(z) = p (Acklam's rational approximation refined by one Halley step;
    /// relative error below 1e-15 over (0, 1)).
    static func normalQuantile(_ p: Double) -> Double {
        precondition(p > 0 && p < 1)
        let a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
                 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00]
        let b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                 6.680131188771972e+01, -1.328068155288572e+01]
        let c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                 -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00]
        let d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00]
        let low = 0.02425
        var x: Double
        if p < low {
            let q = (-2 * log(p)).squareRoot()
            x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
        } else if p <= 1 - low {
            let q = p - 0.5
            let r = q * q
            x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
        } else {
            let q = (-2 * log(1 - p)).squareRoot()
            x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
        }
        let e = normalCDF(x) - p
        let u = e * (2 * Double.pi).squareRoot() * exp(x * x / 2)
        x -= u / (1 + x * u / 2)
        return x
    }

    /// 1 − Φ(x), from erfc so the upper tail keeps its digits down to the smallest double (R: `pnorm(x, lower.tail = FALSE)`).
    static func normalSurvival(_ x: Double) -> Double {
        0.5 * erfc(x / 2.0.squareRoot())
    }

    /// P(|Z| > |z|) for a standard normal Z (R: `2 * pnorm(-abs(z))`).
    static func normalTwoSided(_ z: Double) -> Double {
        min(1, erfc(abs(z) / 2.0.squareRoot()))
    }

    /// P(T_df > t) for Student's t (R: `pt(t, df, lower.tail = FALSE)`), via I_x(df/2, 1/2) with x = df/(df + t²).
    static func studentSurvival(_ t: Double, df: Double) -> Double {
        let tail = 0.5 * regularizedBeta(df / (df + t * t), df / 2, 0.5)
        return t >= 0 ? tail : 1 - tail
    }

    /// P(F_(d1, d2) > f) (R: `pf(f, d1, d2, lower.tail = FALSE)`) = I_x(d2/2, d1/2) with x = d2/(d2 + d1·f).
    static func fSurvival(_ f: Double, d1: Double, d2: Double) -> Double {
        guard f > 0 else { return 1 }
        return regularizedBeta(d2 / (d2 + d1 * f), d2 / 2, d1 / 2)
    }

    /// I_x(a, b), the regularized incomplete beta function: Lentz's continued fraction on the side
    /// where it converges fast, the symmetry I_x(a, b) = 1 − I_(1−x)(b, a) on the other (Numerical Recipes §6.4).
    static func regularizedBeta(_ x: Double, _ a: Double, _ b: Double) -> Double {
        if x <= 0 { return 0 }
        if x >= 1 { return 1 }
        let front = exp(lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x))
        if x < (a + 1) / (a + b + 2) {
            return front * betaFraction(x, a, b) / a
        }
        return 1 - front * betaFraction(1 - x, b, a) / b
    }

    private static func betaFraction(_ x: Double, _ a: Double, _ b: Double) -> Double {
        let tiny = 1e-300
        var c = 1.0, d = 1 - (a + b) * x / (a + 1)
        if abs(d) < tiny { d = tiny }
        d = 1 / d
        var h = d
        for m in 1..<10_000 {
            let m = Double(m), m2 = 2 * m
            var an = m * (b - m) * x / ((a + m2 - 1) * (a + m2))
            d = 1 + an * d; if abs(d) < tiny { d = tiny }
            c = 1 + an / c; if abs(c) < tiny { c = tiny }
            d = 1 / d
            h *= d * c
            an = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1))
            d = 1 + an * d; if abs(d) < tiny { d = tiny }
            c = 1 + an / c; if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) < 1e-16 { break }
        }
        return h
    }

    /// P(χ²_df > x).
    static func chiSquareSurvival(_ x: Double, df: Double) -> Double {
        guard x > 0 else { return 1 }
        return regularizedGammaQ(df / 2, x / 2)
    }

    /// Q(a, x) = Γ(a, x)/Γ(a): a series below a + 1, a continued fraction above (Numerical Recipes §6.2).
    static func regularizedGammaQ(_ a: Double, _ x: Double) -> Double {
        if x < a + 1 {
            var sum = 1 / a, term = 1 / a, n = a
            for _ in 0..<10_000 {
                n += 1
                term *= x / n
                sum += term
                if abs(term) < abs(sum) * 1e-16 { break }
            }
            return 1 - sum * exp(-x + a * log(x) - lgamma(a))
        }
        let tiny = 1e-300
        var b = x + 1 - a, c = 1 / tiny, d = 1 / b, h = d
        for i in 1..<10_000 {
            let an = -Double(i) * (Double(i) - a)
            b += 2
            d = an * d + b
            if abs(d) < tiny { d = tiny }
            c = b + an / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) < 1e-16 { break }
        }
        return exp(-x + a * log(x) - lgamma(a)) * h
    }

    /// The type-7 sample quantile (R's default) of sorted values.
    static func quantile(sorted values: [Double], _ p: Double) -> Double {
        precondition(!values.isEmpty)
        let h = Double(values.count - 1) * p
        let lower = Int(h.rounded(.down))
        let upper = min(lower + 1, values.count - 1)
        return values[lower] + (h - Double(lower)) * (values[upper] - values[lower])
    }
}

/// Holm's step-down adjustment of p-values (as R's `p.adjust(method = "holm")`).
func holmAdjusted(_ p: [Double?]) -> [Double?] {
    let present = p.enumerated().compactMap { i, v in v.map { (i, $0) } }.sorted { $0.1 < $1.1 }
    let m = Double(present.count)
    var adjusted = [Double?](repeating: nil, count: p.count)
    var running = 0.0
    for (rank, (index, value)) in present.enumerated() {
        running = max(running, min(1, (m - Double(rank)) * value))
        adjusted[index] = running
    }
    return adjusted
}
