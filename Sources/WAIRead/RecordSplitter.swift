import WAIModel

private let lf = UInt8(ascii: "\n")
private let cr = UInt8(ascii: "\r")
private let quote = UInt8(ascii: "\"")

/// One field of a record as `RecordSplitter` splits it: offsets into the caller's buffer.
struct GeneralField {
    /// The field's first byte (its opening quote when quoted).
    var start: Int
    var valueStart: Int
    var valueLength: Int
    var quoted: Bool
    var doubledQuotes: Bool
}

/// The CSV grammar, record by record: splits the record at an offset of a buffer into fields,
/// each checked to be UTF-8, with the errors located at their line and column. The dialect is
/// RFC 4180 as `CSVReader` documents it. The range scanner's fast loop reads the same grammar
/// for the records it can code directly; everything else comes here.
struct RecordSplitter {
    let delimiter: UInt8
    let fileName: String
    /// The fields of the record just split.
    var fields: [GeneralField] = []

    init(delimiter: UInt8, fileName: String) {
        self.delimiter = delimiter
        self.fileName = fileName
    }

    /// How splitting a record ended.
    enum Split {
        /// The offset after the record's line end.
        case record(Int)
        case needMore(openQuote: Int?)
        /// A malformed quoted field (unterminated, or text after its closing quote): lenient
        /// reading rejects the record and reads on.
        case malformed(InputError)
        case fatal(InputError)
    }

    /// Where the byte at `target` is, walking from `start`, the first byte of a physical line
    /// numbered `line`: its line, and its column in Unicode scalars.
    func location(_ p: UnsafePointer<UInt8>, from start: Int, line: Int, of target: Int) -> SourceLocation {
        var ln = line
        var column = 0
        var afterCR = false
        var i = start
        while i < target {
            let b = p[i]
            if b == lf {
                if !afterCR { ln += 1 }
                column = 0
            } else if b == cr {
                ln += 1
                column = 0
            } else if b & 0xC0 != 0x80 {
                column += 1
            }
            afterCR = b == cr
            i += 1
        }
        return SourceLocation(file: fileName, line: ln, column: column + 1)
    }

    /// Line breaks in `p[start..<end]` (CRLF is one).
    func lineBreaks(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Int {
        var n = 0
        var afterCR = false
        for i in start..<end {
            let b = p[i]
            if b == cr || (b == lf && !afterCR) { n += 1 }
            afterCR = b == cr
        }
        return n
    }

    func invalidUTF8(_ byte: UInt8, at location: SourceLocation) -> InputError {
        let digits = Array("0123456789ABCDEF")
        return InputError("invalid UTF-8", at: location, found: "byte 0x\(digits[Int(byte >> 4)])\(digits[Int(byte & 0xF)])",
                          expected: "UTF-8 text (re-save the file as CSV UTF-8)")
    }

    /// Splits the record at `start` (on physical line `line`) into `fields`, every field checked
    /// to be UTF-8, as RFC 4180 with the dialect `CSVReader` documents.
    mutating func split(_ p: UnsafePointer<UInt8>, _ start: Int, _ have: Int, _ eof: Bool, line: Int) -> Split {
        let d = delimiter
        fields.removeAll(keepingCapacity: true)
        var i = start
        while true {
            var field = GeneralField(start: i, valueStart: i, valueLength: 0, quoted: false, doubledQuotes: false)
            if i < have && p[i] == quote {
                field.quoted = true
                var j = i + 1
                while true {
                    if j >= have {
                        if !eof { return .needMore(openQuote: i) }
                        return .malformed(InputError("unterminated quoted field", at: location(p, from: start, line: line, of: i),
                                                     expected: "a closing quote (\") before the end of the file"))
                    }
                    if p[j] == quote {
                        if j + 1 < have {
                            if p[j + 1] == quote { field.doubledQuotes = true; j += 2; continue }
                            break
                        }
                        if eof { break }
                        return .needMore(openQuote: i)
                    }
                    j += 1
                }
                field.valueStart = i + 1
                field.valueLength = j - i - 1
                i = j + 1
                if i < have {
                    let t = p[i]
                    if t != d && t != lf && t != cr {
                        let at = location(p, from: start, line: line, of: i)
                        let length = t >= 0xF0 ? 4 : t >= 0xE0 ? 3 : t >= 0xC0 ? 2 : 1
                        if i + length > have && !eof { return .needMore(openQuote: nil) }
                        let bytes = UnsafeBufferPointer(start: p + i, count: min(length, have - i))
                        if bytes.count < length || firstInvalidUTF8(bytes) != nil { return .fatal(invalidUTF8(t, at: at)) }
                        return .malformed(InputError("unexpected text after a closing quote", at: at,
                                                     found: String(decoding: bytes, as: UTF8.self), expected: "a delimiter or the end of the line"))
                    }
                } else if !eof {
                    return .needMore(openQuote: nil)
                }
            } else {
                var j = i
                while j < have {
                    let b = p[j]
                    if b == d || b == lf || b == cr { break }
                    j += 1
                }
                if j == have && !eof { return .needMore(openQuote: nil) }
                field.valueLength = j - i
                i = j
            }
            if let bad = firstInvalidUTF8(UnsafeBufferPointer(start: p + field.valueStart, count: field.valueLength)) {
                return .fatal(invalidUTF8(p[field.valueStart + bad], at: location(p, from: start, line: line, of: field.valueStart + bad)))
            }
            fields.append(field)
            if i >= have { return .record(have) }
            let t = p[i]
            if t == d {
                i += 1
                continue
            }
            if t == cr {
                if i + 1 < have { return .record(i + (p[i + 1] == lf ? 2 : 1)) }
                if eof { return .record(i + 1) }
                return .needMore(openQuote: nil)
            }
            return .record(i + 1)
        }
    }

    private func value(_ p: UnsafeMutablePointer<UInt8>, _ field: GeneralField) -> String {
        let text = String(decoding: UnsafeBufferPointer(start: p + field.valueStart, count: field.valueLength), as: UTF8.self)
        return field.doubledQuotes ? text.replacingOccurrences(of: "\"\"", with: "\"") : text
    }

    func value(_ p: UnsafePointer<UInt8>, _ field: GeneralField) -> String {
        let text = String(decoding: UnsafeBufferPointer(start: p + field.valueStart, count: field.valueLength), as: UTF8.self)
        return field.doubledQuotes ? text.replacingOccurrences(of: "\"\"", with: "\"") : text
    }
}

/// A record rejected for a malformed quoted field in lenient reading; the reader has already
/// moved to the next physical line, so reading may go on.
public struct MalformedRecord: Error, Sendable, Hashable {
    /// The physical line the rejected record starts on.
    public var line: Int
    public var error: InputError
}

/// Index of the first byte of the first ill-formed UTF-8 sequence (Unicode Table 3-7:
/// no overlong forms, no surrogates, nothing above U+10FFFF), or nil when all is well formed.
func firstInvalidUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
    let n = bytes.count
    var i = 0
    while i < n {
        let b = bytes[i]
        if b < 0x80 {
            i &+= 1
            continue
        }
        var need = 0
        var lo: UInt8 = 0x80
        var hi: UInt8 = 0xBF
        switch b {
        case 0xC2...0xDF: need = 1
        case 0xE0: need = 2; lo = 0xA0
        case 0xE1...0xEC, 0xEE, 0xEF: need = 2
        case 0xED: need = 2; hi = 0x9F
        case 0xF0: need = 3; lo = 0x90
        case 0xF1...0xF3: need = 3
        case 0xF4: need = 3; hi = 0x8F
        default: return i
        }
        if i + need >= n { return i }
        let second = bytes[i + 1]
        if second < lo || second > hi { return i }
        var k = 2
        while k <= need {
            if bytes[i + k] & 0xC0 != 0x80 { return i }
            k += 1
        }
        i += need + 1
    }
    return nil
}
