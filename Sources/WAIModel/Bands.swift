/// Closed intervals that classify an index into named bands ("Very Low" … "Very High").
///
/// Bands are defined on the index *as reported*: a value is rounded to `precision`
/// decimals first and then classified, so a table can never print 0.60 beside "High".
/// The arithmetic is done on integers (the value times 10^precision), which makes the
/// printed digits and the band come from one and the same number.
public struct BandTable: Sendable, Hashable {
    /// Decimals a value is reported at.
    public var precision: Int
    /// One label per band, lowest first.
    public var labels: [String]
    /// Closed upper bound of each band, at `precision`; band i covers (upper[i-1], upper[i]].
    public var upper: [Double]

    public init(precision: Int = 2, labels: [String], upper: [Double]) {
        self.precision = precision
        self.labels = labels
        self.upper = upper
    }

    /// Very Low 0.00–0.20, Low 0.21–0.40, Neutral 0.41–0.60, High 0.61–0.80, Very High 0.81–1.00.
    public static let standard = BandTable(
        precision: 2,
        labels: ["Very Low", "Low", "Neutral", "High", "Very High"],
        upper: [0.20, 0.40, 0.60, 0.80, 1.00])

    /// The same bounds with other labels, e.g. "Medium" for the middle band.
    public func relabeled(_ labels: [String]?) -> BandTable {
        guard let labels else { return self }
        var copy = self
        copy.labels = labels
        return copy
    }

    var scaleFactor: Double {
        var f = 1.0
        for _ in 0..<precision { f *= 10 }
        return f
    }

    /// The value in units of the last reported decimal, rounded half away from zero.
    ///
    /// Binary doubles cannot hold most decimals: 0.605 is stored as 0.604999…, and
    /// a weighted mean can land a few ulps below a true half. A value within 1e-9
    /// (relative to the scaled value) of a half is treated as the half, as a person
    /// doing the sum by hand, Excel's ROUND and SPSS would; R's `round()` would not.
    public func scaled(_ value: Double) -> Int {
        let x = value * scaleFactor
        let tolerance = 1e-9 * max(1, abs(x))
        let magnitude = (abs(x) + 0.5 + tolerance).rounded(.down)
        return Int(value < 0 ? -magnitude : magnitude)
    }

    /// The value rounded as reported.
    public func rounded(_ value: Double) -> Double {
        Double(scaled(value)) / scaleFactor
    }

    /// The value as printed: exactly `precision` decimals, "0.60".
    public func format(_ value: Double) -> String {
        Self.formatScaled(scaled(value), precision: precision)
    }

    /// `value` printed with `decimals` decimals, rounded half away from zero as `scaled` does.
    public static func fixed(_ value: Double, decimals: Int) -> String {
        let table = BandTable(precision: decimals, labels: [], upper: [])
        return formatScaled(table.scaled(value), precision: decimals)
    }

    static func formatScaled(_ units: Int, precision: Int) -> String {
        let negative = units < 0
        var digits = String(abs(units))
        if precision == 0 { return (negative ? "-" : "") + digits }
        while digits.count <= precision { digits = "0" + digits }
        let split = digits.index(digits.endIndex, offsetBy: -precision)
        return (negative ? "-" : "") + digits[..<split] + "." + digits[split...]
    }

    /// Index of the band the reported value falls in, or nil when it lies above the last band.
    /// The lowest band reaches down without limit; spec validation makes sure no level
    /// weight lies above the last bound, so nil means a caller bypassed validation.
    public func bandIndex(_ value: Double) -> Int? {
        let units = scaled(value)
        return upperUnits.firstIndex { units <= $0 }
    }

    /// The label of the band the reported value falls in.
    public func band(_ value: Double) -> String? {
        bandIndex(value).map { labels[$0] }
    }

    var upperUnits: [Int] { upper.map { scaled($0) } }
    /// The lowest band starts at 0, or at its upper bound when that is negative.
    var lowerUnits: Int { min(0, upperUnits.first ?? 0) }

    /// "0.41–0.60" for band i, as the intervals are printed in a method note.
    public func intervalText(_ i: Int) -> String {
        let high = upperUnits[i]
        let low = i == 0 ? lowerUnits : upperUnits[i - 1] + 1
        return "\(Self.formatScaled(low, precision: precision))–\(Self.formatScaled(high, precision: precision))"
    }
}

extension BandTable: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable { case precision, labels, upper }

    public init(from decoder: any Decoder) throws {
        try rejectUnknownKeys(in: decoder, allowed: CodingKeys.allCases.map(\.rawValue))
        let c = try decoder.container(keyedBy: CodingKeys.self)
        precision = try c.decodeIfPresent(Int.self, forKey: .precision) ?? 2
        labels = try c.decodeIfPresent([String].self, forKey: .labels) ?? BandTable.standard.labels
        upper = try c.decodeIfPresent([Double].self, forKey: .upper) ?? BandTable.standard.upper
    }
}
