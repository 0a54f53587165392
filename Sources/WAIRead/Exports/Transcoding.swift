import Foundation
import WAIModel

/// Streams a file in another encoding (UTF-16 with its byte order mark, Windows-1252) into a
/// temporary UTF-8 file that the CSV reader then reads as usual.
///
/// Memory is two blocks whatever the file size. Every line break is copied as it is and every
/// character becomes one Unicode scalar, so lines and columns in the UTF-8 copy are those of the
/// original: errors found later point at the right place in the user's file. Bytes that are not
/// text in the named encoding stop the copy with an `InputError` at their line and column: nothing
/// is replaced or guessed.
public enum Transcoder {
    /// Writes the UTF-8 text of `path` (in `encoding`) to a new temporary file and returns its path.
    /// `name` is the file as messages show it.
    public static func toTemporaryUTF8(path: String, name: String, encoding: TextEncoding, blockSize: Int = 1 << 16) throws -> String {
        guard let input = FileHandle(forReadingAtPath: path) else {
            throw InputError("cannot open file", at: SourceLocation(file: name), expected: "a readable CSV file")
        }
        defer { try? input.close() }
        let target = temporaryPath(for: path)
        guard FileManager.default.createFile(atPath: target, contents: nil),
              let output = FileHandle(forWritingAtPath: target) else {
            throw InputError("cannot write a temporary file", at: SourceLocation(file: target), expected: "a writable temporary directory (TMPDIR)")
        }
        var finished = false
        defer {
            try? output.close()
            if !finished { try? FileManager.default.removeItem(atPath: target) }
        }
        var decoder = StreamDecoder(encoding: encoding, name: name)
        var out: [UInt8] = []
        out.reserveCapacity(blockSize * 2)
        while true {
            let block: [UInt8]
            do {
                block = [UInt8](try input.read(upToCount: blockSize) ?? Data())
            } catch {
                throw InputError("cannot read file", at: SourceLocation(file: name), found: error.localizedDescription, expected: "a readable file")
            }
            if block.isEmpty { break }
            try decoder.decode(block, into: &out)
            try write(out, to: output, target: target)
            out.removeAll(keepingCapacity: true)
        }
        try decoder.finish(into: &out)
        try write(out, to: output, target: target)
        finished = true
        return target
    }

    /// The whole of `bytes`, decoded (tests and small inputs).
    public static func utf8(_ bytes: [UInt8], encoding: TextEncoding, name: String) throws -> [UInt8] {
        var decoder = StreamDecoder(encoding: encoding, name: name)
        var out: [UInt8] = []
        try decoder.decode(bytes, into: &out)
        try decoder.finish(into: &out)
        return out
    }

    /// The throwing write: the non-throwing `FileHandle.write(_:)` traps on a full disk.
    static func write(_ bytes: [UInt8], to output: FileHandle, target: String) throws {
        do {
            try output.write(contentsOf: bytes)
        } catch {
            throw InputError("cannot write a temporary file", at: SourceLocation(file: target), found: error.localizedDescription,
                             expected: "room in the temporary directory (TMPDIR)")
        }
    }

    static func temporaryPath(for path: String) -> String {
        let base = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        let safe = String(base.unicodeScalars.filter { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0)) }.prefix(32).map(Character.init))
        return (NSTemporaryDirectory() as NSString).appendingPathComponent("wai-\(safe)-\(UUID().uuidString).utf8.csv")
    }
}

/// Byte order marks at the start of a file: which encoding they announce and how long they are.
public enum ByteOrderMark {
    public static func detect(_ head: [UInt8]) -> (encoding: TextEncoding, length: Int)? {
        if head.count >= 3, head[0] == 0xEF, head[1] == 0xBB, head[2] == 0xBF { return (.utf8, 3) }
        if head.count >= 2, head[0] == 0xFF, head[1] == 0xFE {
            // FF FE 00 00 would be UTF-32 LE, which no spreadsheet writes; treat FF FE as UTF-16 LE.
            return (.utf16LE, 2)
        }
        if head.count >= 2, head[0] == 0xFE, head[1] == 0xFF { return (.utf16BE, 2) }
        return nil
    }

    /// UTF-16 without a byte order mark, from the zero bytes of ASCII text: .utf16LE when they
    /// are the odd bytes, .utf16BE when the even ones; nil when the head does not look so.
    public static func unmarkedUTF16(_ head: [UInt8]) -> TextEncoding? {
        let n = min(head.count, 1024) & ~1
        guard n >= 4 else { return nil }
        var evenZeros = 0, oddZeros = 0
        for i in 0..<n where head[i] == 0 {
            if i % 2 == 0 { evenZeros += 1 } else { oddZeros += 1 }
        }
        let pairs = n / 2
        if oddZeros * 2 >= pairs && evenZeros * 8 < pairs { return .utf16LE }
        if evenZeros * 2 >= pairs && oddZeros * 8 < pairs { return .utf16BE }
        return nil
    }
}

/// Windows-1252's characters for bytes 0x80…0x9F (nil: no character); 0xA0…0xFF are U+00A0…U+00FF.
let windows1252High: [UInt32?] = [
    0x20AC, nil, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, nil, 0x017D, nil,
    nil, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, nil, 0x017E, 0x0178,
]

/// The Unicode scalar of one Windows-1252 byte, or nil for the five bytes it leaves undefined.
func windows1252Scalar(_ byte: UInt8) -> Unicode.Scalar? {
    if byte < 0x80 || byte >= 0xA0 { return Unicode.Scalar(UInt32(byte)) }
    return windows1252High[Int(byte - 0x80)].flatMap { Unicode.Scalar($0) }
}

/// Decodes blocks of UTF-16 or Windows-1252 into UTF-8, keeping the position (line, column) of
/// the next character for error messages.
struct StreamDecoder {
    let encoding: TextEncoding
    let name: String
    private var started = false
    private var pending: [UInt8] = []       // an odd byte, or a high surrogate's two bytes
    private var line = 1
    private var column = 1
    private var afterCR = false

    init(encoding: TextEncoding, name: String) {
        self.encoding = encoding
        self.name = name
    }

    mutating func decode(_ block: [UInt8], into out: inout [UInt8]) throws {
        var bytes = block[...]
        if !started {
            started = true
            if let (bom, length) = ByteOrderMark.detect(Array(block.prefix(3))), bom == encoding, encoding != .windows1252 {
                bytes = bytes.dropFirst(length)
            }
        }
        switch encoding {
        case .utf8:
            for b in bytes { out.append(b) }
        case .windows1252:
            for b in bytes {
                guard let scalar = windows1252Scalar(b) else {
                    throw InputError("invalid Windows-1252", at: SourceLocation(file: name, line: line, column: column),
                                     found: "byte \(hexByte(b)), which Windows-1252 leaves undefined",
                                     expected: "Windows-1252 text (or name the file's real encoding with --encoding)")
                }
                emit(scalar, into: &out)
            }
        case .utf16LE, .utf16BE:
            var units = pending
            units.append(contentsOf: bytes)
            pending = []
            var i = 0
            let little = encoding == .utf16LE
            func unit(_ k: Int) -> UInt16 {
                little ? UInt16(units[k]) | UInt16(units[k + 1]) << 8 : UInt16(units[k]) << 8 | UInt16(units[k + 1])
            }
            while i + 1 < units.count {
                let u = unit(i)
                if u >= 0xD800 && u <= 0xDBFF {
                    guard i + 3 < units.count else { break }   // the low half is in the next block
                    let low = unit(i + 2)
                    guard low >= 0xDC00 && low <= 0xDFFF else { throw badUnit(u) }
                    let value = 0x10000 + ((UInt32(u) - 0xD800) << 10) + (UInt32(low) - 0xDC00)
                    emit(Unicode.Scalar(value)!, into: &out)
                    i += 4
                } else if u >= 0xDC00 && u <= 0xDFFF {
                    throw badUnit(u)
                } else {
                    emit(Unicode.Scalar(UInt32(u))!, into: &out)
                    i += 2
                }
            }
            pending = Array(units[i...])
        }
    }

    mutating func finish(into out: inout [UInt8]) throws {
        guard pending.isEmpty else {
            if pending.count >= 2 {
                let u = encoding == .utf16LE ? UInt16(pending[0]) | UInt16(pending[1]) << 8 : UInt16(pending[0]) << 8 | UInt16(pending[1])
                throw badUnit(u)
            }
            throw InputError("invalid UTF-16", at: SourceLocation(file: name, line: line, column: column),
                             found: "an odd number of bytes (the last character is cut)", expected: "UTF-16 text: two bytes per code unit")
        }
    }

    private func badUnit(_ u: UInt16) -> InputError {
        InputError("invalid UTF-16", at: SourceLocation(file: name, line: line, column: column),
                   found: "an unpaired surrogate \(hexUnit(u))", expected: "UTF-16 text (re-save the file as CSV UTF-8)")
    }

    private mutating func emit(_ scalar: Unicode.Scalar, into out: inout [UInt8]) {
        // Line and column as the CSV reader counts them: CR, LF and CRLF end a line.
        switch scalar {
        case "\n":
            if !afterCR { line += 1 }
            column = 1
            afterCR = false
        case "\r":
            line += 1
            column = 1
            afterCR = true
        default:
            column += 1
            afterCR = false
        }
        let v = scalar.value
        if v < 0x80 {
            out.append(UInt8(v))
        } else if v < 0x800 {
            out.append(UInt8(0xC0 | (v >> 6)))
            out.append(UInt8(0x80 | (v & 0x3F)))
        } else if v < 0x10000 {
            out.append(UInt8(0xE0 | (v >> 12)))
            out.append(UInt8(0x80 | ((v >> 6) & 0x3F)))
            out.append(UInt8(0x80 | (v & 0x3F)))
        } else {
            out.append(UInt8(0xF0 | (v >> 18)))
            out.append(UInt8(0x80 | ((v >> 12) & 0x3F)))
            out.append(UInt8(0x80 | ((v >> 6) & 0x3F)))
            out.append(UInt8(0x80 | (v & 0x3F)))
        }
    }
}

func hexByte(_ byte: UInt8) -> String {
    let digits = Array("0123456789ABCDEF")
    return "0x\(digits[Int(byte >> 4)])\(digits[Int(byte & 0xF)])"
}

func hexUnit(_ unit: UInt16) -> String {
    "0x" + hexByte(UInt8(unit >> 8)).dropFirst(2) + hexByte(UInt8(unit & 0xFF)).dropFirst(2)
}
