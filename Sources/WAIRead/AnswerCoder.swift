import WAIModel

/// Turns an answer cell into a level number: 1…k for the scale's levels, 0 for missing.
///
/// A cell is matched first exactly as written, then trimmed, with inner white space
/// collapsed and case ignored, against every level's code, label and aliases.
public struct AnswerCoder: Sendable {
    public let scale: Scale
    private var exact: [String: UInt8] = [:]
    private var normalized: [String: UInt8] = [:]
    /// Every accepted spelling, for error messages and "did you mean".
    public let acceptedSpellings: [String]

    public init(scale: Scale) {
        self.scale = scale
        var spellings: [String] = []
        for (i, level) in scale.levels.enumerated() {
            let number = UInt8(i + 1)
            for spelling in [String(level.code), level.label] + level.aliases {
                exact[spelling] = number
                normalized[normalizedAnswer(spelling)] = number
            }
            spellings.append(level.label)
            spellings.append(contentsOf: level.aliases)
        }
        for marker in scale.missing {
            exact[marker] = 0
            normalized[normalizedAnswer(marker)] = 0
        }
        acceptedSpellings = spellings
    }

    /// 0 for a missing answer, 1…k for a level, nil when the cell matches nothing.
    @inline(__always)
    public func code(_ cell: String) -> UInt8? {
        if let code = exact[cell] { return code }
        return normalized[normalizedAnswer(cell)]
    }

    /// What an unknown cell is, said so a person can fix it.
    public func unknownAnswerError(_ cell: String, column: String, item: String, at location: SourceLocation) -> InputError {
        let codes = scale.levels.map(\.code)
        let looksLikeCode = Int(cell.trimmingCharacters(in: " \t")) != nil
        let codeText = codes.count > 1 && codes == Array(codes.first!...codes.last!)
            ? "a code \(codes.first!)–\(codes.last!)" : "a code in \(codes.map(String.init).joined(separator: ", "))"
        let labels = scale.levels.map { Quoted($0.label).description }.joined(separator: ", ")
        let missing = scale.missing.map { Quoted($0).description }.joined(separator: ", ")
        return InputError(
            looksLikeCode ? "answer code out of range in column \(Quoted(column)) (item \(item))"
                : "unknown answer in column \(Quoted(column)) (item \(item))",
            at: location, found: cell,
            expected: "\(codeText), a label (\(labels)) or an alias, or a missing marker (\(missing))",
            suggestion: looksLikeCode ? nil : nearestMatch(to: cell, in: acceptedSpellings))
    }
}

extension String {
    func trimmingCharacters(in set: String) -> String {
        var scalars = Substring(self)
        while let first = scalars.first, set.contains(first) { scalars.removeFirst() }
        while let last = scalars.last, set.contains(last) { scalars.removeLast() }
        return String(scalars)
    }
}
