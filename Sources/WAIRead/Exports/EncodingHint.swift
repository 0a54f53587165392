import Foundation
import WAIModel

/// What to tell a user whose file is not UTF-8 when a spec is given that names no encoding: the
/// "invalid UTF-8" error is kept (a spec's reading is never guessed at), but when the line it
/// points at reads as Windows-1252 text — the encoding Excel's "CSV" uses on Western-European
/// Windows — the message says so and names the option that reads it. (Without a spec,
/// `EncodingSniffer` decides and the file is read.)
public enum EncodingHint {
    /// `error` with the Windows-1252 hint added when it applies; otherwise `error` unchanged.
    /// Reads the line the error points at from the file its location names.
    public static func annotate(_ error: InputError) -> InputError {
        guard error.problem == "invalid UTF-8", let lineNumber = error.location.line,
              let line = physicalLine(lineNumber, of: error.location.file),
              let sample = windows1252Sample(line, column: error.location.column) else { return error }
        var annotated = error
        annotated.expected = (error.expected ?? "UTF-8 text")
            + "; the bytes look like Windows-1252 (they would read \(Quoted(sample))): add --encoding windows-1252 (or `encoding: windows-1252` in the spec)"
        return annotated
    }

    /// The bytes of line `number` (1-based, ended by LF, CR or CRLF), read in blocks; nil when the
    /// file cannot be read or is shorter.
    static func physicalLine(_ number: Int, of path: String, limit: Int = 1 << 20) -> [UInt8]? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        var line = 1
        var current: [UInt8] = []
        var afterCR = false
        while true {
            // The throwing read: `readData(ofLength:)` traps on an I/O error.
            let block: Data
            do { block = try handle.read(upToCount: 1 << 16) ?? Data() } catch { return nil }
            if block.isEmpty { return line == number ? current : nil }
            for b in block {
                if afterCR && b == 0x0A { afterCR = false; continue }
                afterCR = false
                if b == 0x0A || b == 0x0D {
                    if line == number { return current }
                    line += 1
                    afterCR = b == 0x0D
                    continue
                }
                if line == number {
                    current.append(b)
                    if current.count > limit { return current }
                }
            }
        }
    }

    /// A few words around the first non-UTF-8 byte of `line` decoded as Windows-1252, when every
    /// non-ASCII byte of the line is a Windows-1252 letter or sign and the line is not UTF-8 (nor
    /// UTF-16, which has zero bytes).
    static func windows1252Sample(_ line: [UInt8], column: Int?) -> String? {
        guard !line.contains(0), line.contains(where: { $0 >= 0x80 }) else { return nil }
        let invalid = line.withUnsafeBufferPointer { firstInvalidUTF8($0) }
        guard let bad = invalid else { return nil }
        var scalars: [Unicode.Scalar] = []
        for b in line {
            guard let scalar = windows1252Scalar(b) else { return nil }
            if b >= 0x80 && b < 0xA0 && ![0x80, 0x85, 0x8A, 0x8C, 0x8E, 0x91, 0x92, 0x93, 0x94, 0x96, 0x97, 0x99, 0x9A, 0x9C, 0x9E, 0x9F].contains(b) {
                return nil   // rare signs (†, ‰, ˆ …) are weak evidence
            }
            scalars.append(scalar)
        }
        // The field around the bad byte: from the previous delimiter-like character to the next.
        let position = bad   // one byte is one character in Windows-1252
        let stops: Set<Unicode.Scalar> = [",", ";", "\t", "\""]
        var start = position
        while start > 0 && !stops.contains(scalars[start - 1]) && position - start < 30 { start -= 1 }
        var end = position
        while end < scalars.count && !stops.contains(scalars[end]) && end - position < 30 { end += 1 }
        var text = ""
        text.unicodeScalars.append(contentsOf: scalars[start..<end])
        return text
    }
}

/// Whether a file with no byte order mark is Windows-1252 text rather than UTF-8: it is not valid
/// UTF-8, every byte is defined in Windows-1252, and the line of its first non-UTF-8 byte reads
/// as Windows-1252 letters and signs (`EncodingHint.windows1252Sample`). Reads the file once, in
/// blocks.
enum EncodingSniffer {
    static func isWindows1252Text(path: String, name: String) throws -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        var carry: [UInt8] = []
        var line = 1
        var afterCR = false
        var firstInvalidLine: Int?
        while true {
            let data: Data
            do {
                data = try handle.read(upToCount: 1 << 20) ?? Data()
            } catch {
                throw InputError("cannot read file", at: SourceLocation(file: name), found: error.localizedDescription, expected: "a readable file")
            }
            var block = carry + [UInt8](data)
            carry = []
            if !data.isEmpty {
                // The bytes of a character cut by the block's end wait for the next block.
                var safe = block.count
                while safe > 0 && block.count - safe < 3 && block[safe - 1] >= 0x80 { safe -= 1 }
                carry = Array(block[safe...])
                block.removeSubrange(safe...)
            }
            for b in block where b == 0 || b >= 0x80 {
                // A zero byte (UTF-16?) or one of the five bytes Windows-1252 leaves undefined.
                if b == 0 || b == 0x81 || b == 0x8D || b == 0x8F || b == 0x90 || b == 0x9D { return false }
            }
            if firstInvalidLine == nil {
                // Count line ends up to the first invalid byte, or through the block.
                let bad = block.withUnsafeBufferPointer { firstInvalidUTF8($0) }
                for b in block[..<(bad ?? block.count)] {
                    if b == 0x0A { if !afterCR { line += 1 }; afterCR = false } else { if b == 0x0D { line += 1 }; afterCR = b == 0x0D }
                }
                if bad != nil { firstInvalidLine = line }
            }
            if data.isEmpty { break }
        }
        guard let lineNumber = firstInvalidLine, let text = EncodingHint.physicalLine(lineNumber, of: path) else { return false }
        return EncodingHint.windows1252Sample(text, column: nil) != nil
    }
}
