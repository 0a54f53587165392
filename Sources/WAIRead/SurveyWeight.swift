import WAIModel
/// A survey weight as both readers take it: a plain non-negative decimal number, with an
/// optional fraction and exponent (`2`, `0.75`, `.5`, `1.2e-05`), spaces and tabs around it
/// ignored. Hex (`0x10`), `inf`, `nan`, signs and anything else are nil.
public func surveyWeight(_ text: some StringProtocol) -> Double? {
    let trimmed = text.utf8.drop { $0 == 0x20 || $0 == 0x09 }.reversed().drop { $0 == 0x20 || $0 == 0x09 }.reversed()
    let bytes = Array(trimmed)
    return bytes.withUnsafeBufferPointer(surveyWeight)
}

/// The bytes of a cell, already without surrounding spaces and tabs.
func surveyWeight(_ bytes: UnsafeBufferPointer<UInt8>) -> Double? {
    var j = 0
    func digits() -> Int {
        let start = j
        while j < bytes.count, bytes[j] >= 0x30, bytes[j] <= 0x39 { j += 1 }
        return j - start
    }
    var mantissa = digits()
    if j < bytes.count, bytes[j] == 0x2E {
        j += 1
        mantissa += digits()
    }
    guard mantissa > 0 else { return nil }
    if j < bytes.count, bytes[j] == 0x65 || bytes[j] == 0x45 {
        j += 1
        if j < bytes.count, bytes[j] == 0x2B || bytes[j] == 0x2D { j += 1 }
        guard digits() > 0 else { return nil }
    }
    guard j == bytes.count, let w = Double(String(decoding: bytes, as: UTF8.self)), w.isFinite else { return nil }
    return w
}
