/// Where a piece of input came from: a position in a file, a key path in a spec, or both.
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    public var file: String
    /// 1-based line, when known.
    public var line: Int?
    /// 1-based column, counted in Unicode scalars from the start of the line.
    public var column: Int?
    /// Key path inside a structured document, such as `tables[0].items[2].column`.
    public var keyPath: String?
    /// A workbook cell, such as `Sheet1!C12` (instead of a line and column).
    public var cell: String?

    public init(file: String, line: Int? = nil, column: Int? = nil, keyPath: String? = nil) {
        self.file = file
        self.line = line
        self.column = column
        self.keyPath = keyPath
    }

    public init(file: String, cell: String?, keyPath: String? = nil) {
        self.file = file
        self.cell = cell
        self.keyPath = keyPath
    }

    public var description: String {
        var text = file
        if let cell {
            text += ":\(cell)"
        } else if let line {
            text += ":\(line)"
            if let column { text += ":\(column)" }
        }
        if let keyPath, !keyPath.isEmpty { text += ": \(keyPath)" }
        return text
    }
}

/// Bad input, stated as where it is, what was found there and what was expected instead.
///
/// Every rejection of user input in wai is one of these, so the command line can print
/// it as one line and exit with status 2.
public struct InputError: Error, Sendable, Hashable, CustomStringConvertible {
    public var location: SourceLocation
    /// What is wrong, in a few words ("unknown answer", "unterminated quoted field").
    public var problem: String
    /// The offending value as it appears in the input, when there is one.
    public var found: String?
    /// What would have been accepted.
    public var expected: String?
    /// A close accepted value, offered as "did you mean".
    public var suggestion: String?

    public init(
        _ problem: String, at location: SourceLocation,
        found: String? = nil, expected: String? = nil, suggestion: String? = nil
    ) {
        self.problem = problem
        self.location = location
        self.found = found
        self.expected = expected
        self.suggestion = suggestion
    }

    public var description: String {
        var text = "\(location): \(problem)"
        if let found { text += "; found \(Quoted(found))" }
        if let expected { text += "; expected \(expected)" }
        if let suggestion { text += " (did you mean \(Quoted(suggestion))?)" }
        return text
    }
}

/// A value shown in a message: quoted, with control characters made visible; a value longer
/// than `limit` characters is cut there, marked with "…" and followed by its length.
public struct Quoted: CustomStringConvertible, Sendable {
    public static let limit = 120
    public var value: String
    public init(_ value: String) { self.value = value }
    public var description: String {
        let escape: (Unicode.Scalar) -> String? = { $0.value < 0x20 || $0.value == 0x7F ? "\\u{\(String($0.value, radix: 16))}" : nil }
        let count = value.count
        guard count > Self.limit else { return doubleQuoted(value, escape: escape) }
        let shown = doubleQuoted(String(value.prefix(Self.limit)), escape: escape)
        return shown.dropLast() + "…\" (\(count) characters)"
    }
}

/// `text` between double quotes, with `"` and `\` backslashed, CR, LF and tab as `\r`, `\n`,
/// `\t`, and every other scalar for which `escape` returns text written as that text.
public func doubleQuoted(_ text: String, escape: (Unicode.Scalar) -> String?) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        default:
            if let escaped = escape(scalar) { out += escaped } else { out.unicodeScalars.append(scalar) }
        }
    }
    return out + "\""
}
