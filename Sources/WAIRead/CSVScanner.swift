import WAIModel

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

private let lf = UInt8(ascii: "\n")
private let cr = UInt8(ascii: "\r")
private let quote = UInt8(ascii: "\"")

/// The byte-level engine behind `CSVReader`: one block buffer, one partial field, and the
/// position (line, column) of the next byte.
///
/// Hot loops copy what they need into locals and scan bytes with no String work; a String is
/// built once per field, from the block buffer when the field lies inside one block, or from
/// `fieldBytes` when it spans blocks or is quoted. UTF-8 is checked once per field, skipped
/// when no byte of the field has its high bit set.
final class CSVScanner {
    enum Source {
        case memory([UInt8])
        case file(Int32, owned: Bool)
    }

    private enum State { case fieldStart, unquoted, quoted, afterQuote }

    let name: String
    private let delimiter: UInt8
    private let chunkSize: Int
    private let maxRecordBytes: Int
    private let source: Source

    // The mutable state below is only touched by this class's own methods, one call at a time
    // (the class is not Sendable and never hands out references to its state), so dynamic
    // exclusivity checks are switched off: they cost about a fifth of the parsing time.

    @exclusivity(unchecked) private var memoryOffset = 0
    /// `capacity` bytes; `buffer[pos..<end]` is read and not yet consumed.
    private let buffer: UnsafeMutablePointer<UInt8>
    private let capacity: Int
    @exclusivity(unchecked) private var pos = 0
    @exclusivity(unchecked) private var end = 0
    /// Offset in the input of `buffer[0]`.
    @exclusivity(unchecked) private var base = 0
    @exclusivity(unchecked) private var eof = false
    @exclusivity(unchecked) private var started = false
    /// The last record ended at a CR: an LF right after it belongs to the same line end.
    @exclusivity(unchecked) private var afterCR = false

    /// Physical line of the next byte (1-based).
    @exclusivity(unchecked) private var line = 1
    /// Unicode scalars already consumed on that line: the next character is at `col + 1`.
    @exclusivity(unchecked) private var col = 0

    /// The current field's bytes when they cannot be taken straight from the buffer.
    @exclusivity(unchecked) private var fieldBytes: [UInt8] = []
    @exclusivity(unchecked) private var lastFieldCount = 8
    /// Lenient reading: a malformed quoted field rejects its record and reading resumes at the
    /// next physical line after the one the record starts on (see `resynchronize`).
    @exclusivity(unchecked) var recoversMalformedQuotes = false
    /// The current record's bytes from blocks already refilled away (only when recovering).
    @exclusivity(unchecked) private var recordBytes: [UInt8] = []
    /// Bytes given back by a resynchronisation, read before the rest of the source.
    @exclusivity(unchecked) private var pushback: [UInt8] = []
    @exclusivity(unchecked) private var pushbackOffset = 0
    /// Every one-byte ASCII string, made once.
    private let asciiStrings: [String] = (0..<128).map { String(UnicodeScalar(UInt8($0))) }

    init(source: Source, name: String, delimiter: UInt8, chunkSize: Int, maxRecordBytes: Int) {
        precondition(chunkSize >= 1, "CSVReader chunkSize must be at least 1")
        precondition(delimiter < 0x80 && delimiter != quote && delimiter != lf && delimiter != cr,
                     "CSVReader delimiter must be an ASCII character other than a quote or a line end")
        self.source = source
        self.name = name
        self.delimiter = delimiter
        self.chunkSize = chunkSize
        self.maxRecordBytes = maxRecordBytes
        // At least 4 bytes so the byte order mark and one UTF-8 character can be looked at whole.
        capacity = max(chunkSize, 4)
        buffer = .allocate(capacity: capacity)
    }

    deinit {
        buffer.deallocate()
        if case .file(let fd, owned: true) = source { _ = close(fd) }
    }

    // MARK: - Records

    func next() throws -> CSVRecord? {
        if !started {
            started = true
            try ensure(3)
            if end - pos >= 3, buffer[pos] == 0xEF, buffer[pos + 1] == 0xBB, buffer[pos + 2] == 0xBF {
                pos += 3
            }
        }
        if pos == end { try refill() }
        if afterCR {
            afterCR = false
            if pos < end, buffer[pos] == lf {
                pos += 1
                if pos == end { try refill() }
            }
        }
        if pos == end { return nil }

        let recordLine = line
        let recordStart = base + pos
        if recoversMalformedQuotes && !recordBytes.isEmpty {
            if recordBytes.capacity > 1 << 16 { recordBytes = [] } else { recordBytes.removeAll(keepingCapacity: true) }
        }
        var fields: [CSVField] = []
        fields.reserveCapacity(lastFieldCount)
        var state = State.fieldStart
        var fieldLine = line
        var fieldCol = col + 1
        var high: UInt8 = 0          // OR of the field's bytes: < 0x80 means ASCII
        var assembled = false        // the field is (partly) in fieldBytes
        var spanStart = pos          // first byte of the field not yet copied to fieldBytes
        var prevCR = false           // inside a quoted field: the last byte was CR

        while true {
            if pos == end {
                if state == .unquoted || state == .quoted {
                    appendToField(from: spanStart, to: pos)
                    assembled = true
                }
                if base + end - recordStart > maxRecordBytes {
                    let error = tooLong(quoted: state == .quoted, recordLine: recordLine, fieldLine: fieldLine, fieldCol: fieldCol)
                    if state == .quoted { try malformed(error, recordStart: recordStart, recordLine: recordLine) }
                    throw error
                }
                if recoversMalformedQuotes {
                    recordBytes.append(contentsOf: UnsafeBufferPointer(start: buffer + max(0, recordStart - base), count: end - max(0, recordStart - base)))
                }
                try refill()
                spanStart = 0
                if pos == end {
                    switch state {
                    case .fieldStart:
                        fields.append(CSVField(value: "", line: line, column: col + 1, wasQuoted: false))
                    case .unquoted:
                        fields.append(try finishUnquoted(assembled: assembled, spanStart: spanStart, high: high, line: fieldLine, column: fieldCol))
                    case .afterQuote:
                        fields.append(try finishQuoted(high: high, line: fieldLine, column: fieldCol))
                    case .quoted:
                        try malformed(InputError(
                            "unterminated quoted field", at: location(fieldLine, fieldCol),
                            expected: "a closing quote (\") before the end of the file"), recordStart: recordStart, recordLine: recordLine)
                    }
                    lastFieldCount = fields.count
                    return CSVRecord(line: recordLine, fields: fields)
                }
            }

            switch state {
            case .fieldStart:
                fieldLine = line
                fieldCol = col + 1
                high = 0
                assembled = false
                if !fieldBytes.isEmpty {
                    // Keep the storage for the next long field, unless one huge field made it big.
                    if fieldBytes.capacity > 1 << 16 { fieldBytes = [] } else { fieldBytes.removeAll(keepingCapacity: true) }
                }
                if buffer[pos] == quote {
                    col += 1
                    pos += 1
                    prevCR = false
                    state = .quoted
                } else {
                    state = .unquoted
                }
                spanStart = pos

            case .unquoted:
                let p = buffer, e = end, d = delimiter
                var i = pos
                var h = high
                while i < e {
                    let b = p[i]
                    if b == d || b == lf || b == cr { break }
                    h |= b
                    i &+= 1
                }
                high = h
                pos = i
                if i == e { continue }
                fields.append(try finishUnquoted(assembled: assembled, spanStart: spanStart, high: high, line: fieldLine, column: fieldCol))
                if let record = try endField(terminator: p[i], state: &state, fields: &fields, recordLine: recordLine, recordStart: recordStart) {
                    return record
                }

            case .quoted:
                let p = buffer, e = end
                var i = pos
                var h = high
                var c = col
                var ln = line
                var pcr = prevCR
                while i < e {
                    let b = p[i]
                    if b == quote { break }
                    if b == lf {
                        if !pcr { ln &+= 1 }
                        c = 0
                        pcr = false
                    } else if b == cr {
                        ln &+= 1
                        c = 0
                        pcr = true
                    } else {
                        h |= b
                        if b & 0xC0 != 0x80 { c &+= 1 }
                        pcr = false
                    }
                    i &+= 1
                }
                high = h
                col = c
                line = ln
                prevCR = pcr
                pos = i
                if i == e { continue }
                // A quote: the end of the field, or the first half of `""`. Either way the text
                // so far is copied out, since the buffer may be refilled before we know which.
                appendToField(from: spanStart, to: i)
                assembled = true
                prevCR = false
                col += 1
                pos = i + 1
                state = .afterQuote

            case .afterQuote:
                let b = buffer[pos]
                if b == quote {
                    // `""`: keep the second quote as the field's next byte.
                    spanStart = pos
                    col += 1
                    pos += 1
                    state = .quoted
                } else if b == delimiter || b == lf || b == cr {
                    fields.append(try finishQuoted(high: high, line: fieldLine, column: fieldCol))
                    if let record = try endField(terminator: b, state: &state, fields: &fields, recordLine: recordLine, recordStart: recordStart) {
                        return record
                    }
                } else {
                    let at = location(line, col + 1)
                    try malformed(InputError(
                        "unexpected text after a closing quote", at: at,
                        found: try character(at: at), expected: "a delimiter or the end of the line"),
                        recordStart: recordStart, recordLine: recordLine)
                }
            }
        }
    }

    /// Consumes the delimiter or line end at `pos`; returns the record when it ends there.
    @inline(__always)
    private func endField(
        terminator b: UInt8, state: inout State, fields: inout [CSVField], recordLine: Int, recordStart: Int
    ) throws -> CSVRecord? {
        if b == delimiter {
            pos += 1
            col += 1
            state = .fieldStart
            return nil
        }
        if base + pos - recordStart > maxRecordBytes {
            throw tooLong(quoted: false, recordLine: recordLine, fieldLine: recordLine, fieldCol: 1)
        }
        pos += 1
        line += 1
        col = 0
        afterCR = b == cr
        lastFieldCount = fields.count
        return CSVRecord(line: recordLine, fields: fields)
    }

    /// Throws `error`; when recovering, first moves to the start of the physical line after
    /// `recordLine` and throws it as a `MalformedRecord`, so the next call reads from there.
    private func malformed(_ error: InputError, recordStart: Int, recordLine: Int) throws -> Never {
        guard recoversMalformedQuotes else { throw error }
        try resynchronize(recordStart: recordStart, recordLine: recordLine)
        throw MalformedRecord(line: recordLine, error: error)
    }

    /// Gives back every byte after the first line end of the record that starts at input
    /// offset `recordStart` (on `recordLine`): reading resumes there, on line `recordLine + 1`.
    private func resynchronize(recordStart: Int, recordLine: Int) throws {
        let first = max(0, recordStart - base)
        var bytes = recordBytes
        bytes.append(contentsOf: UnsafeBufferPointer(start: buffer + first, count: end - first))
        recordBytes = []
        var searched = 0
        var lineEnd: Int? = nil
        while true {
            lineEnd = bytes[searched...].firstIndex { $0 == lf || $0 == cr }
            if lineEnd != nil || eof { break }
            searched = bytes.count
            base += end
            pos = 0
            end = 0
            let got = try readBlock(into: buffer, count: chunkSize)
            if got == 0 { eof = true } else { bytes.append(contentsOf: UnsafeBufferPointer(start: buffer, count: got)) }
        }
        var resume = bytes.count
        afterCR = false
        if let i = lineEnd {
            resume = i + 1
            if bytes[i] == cr {
                if i + 1 < bytes.count { if bytes[i + 1] == lf { resume = i + 2 } } else { afterCR = true }
            }
        }
        pushback = Array(bytes[resume...]) + pushback[pushbackOffset...]
        pushbackOffset = 0
        base = recordStart + resume
        pos = 0
        end = 0
        eof = false
        line = recordLine + 1
        col = 0
        fieldBytes.removeAll(keepingCapacity: true)
    }

    // MARK: - Fields

    private func appendToField(from start: Int, to stop: Int) {
        if stop > start {
            fieldBytes.append(contentsOf: UnsafeBufferPointer(start: buffer + start, count: stop - start))
        }
    }

    /// An unquoted field ending at `pos`: checked, counted into `col`, made a String.
    @inline(__always)
    private func finishUnquoted(assembled: Bool, spanStart: Int, high: UInt8, line: Int, column: Int) throws -> CSVField {
        if assembled {
            appendToField(from: spanStart, to: pos)
            return try fieldBytes.withUnsafeBufferPointer { bytes in
                try makeUnquoted(bytes, high: high, line: line, column: column)
            }
        }
        return try makeUnquoted(UnsafeBufferPointer(start: buffer + spanStart, count: pos - spanStart),
                                high: high, line: line, column: column)
    }

    @inline(__always)
    private func makeUnquoted(_ bytes: UnsafeBufferPointer<UInt8>, high: UInt8, line: Int, column: Int) throws -> CSVField {
        let value = try string(bytes, high: high, quoted: false, line: line, column: column)
        col += high < 0x80 ? bytes.count : scalarCount(bytes)
        return CSVField(value: value, line: line, column: column, wasQuoted: false)
    }

    /// A quoted field whose closing quote was just consumed; its text is all in `fieldBytes`.
    /// (`col` was kept up to date while scanning, since the text may hold line ends.)
    private func finishQuoted(high: UInt8, line: Int, column: Int) throws -> CSVField {
        try fieldBytes.withUnsafeBufferPointer { bytes in
            CSVField(value: try string(bytes, high: high, quoted: true, line: line, column: column),
                     line: line, column: column, wasQuoted: true)
        }
    }

    private func scalarCount(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        var n = 0
        for b in bytes where b & 0xC0 != 0x80 { n &+= 1 }
        return n
    }

    /// A field's text; throws "invalid UTF-8" when it is not. ASCII (no high bit in `high`, the OR
    /// of all bytes) needs no check. (`String(validating:)` would do, but is slower than this
    /// check plus `String(decoding:)`, which cannot repair anything once the check passed.)
    @inline(__always)
    private func string(_ bytes: UnsafeBufferPointer<UInt8>, high: UInt8, quoted: Bool, line: Int, column: Int) throws -> String {
        if high >= 0x80 {
            try checkUTF8(bytes, quoted: quoted, line: line, column: column)
        } else if bytes.count <= 1 {
            // Empty cells and one-character codes ("1"…"5") are most of a coded survey.
            return bytes.isEmpty ? "" : asciiStrings[Int(bytes[0])]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Throws "invalid UTF-8" at the character where the first bad byte of a field is.
    private func checkUTF8(_ bytes: UnsafeBufferPointer<UInt8>, quoted: Bool, line: Int, column: Int) throws {
        guard let bad = firstInvalidUTF8(bytes) else { return }
        // Walk the (valid) text before the bad byte as the file shows it: in a quoted field a
        // quote was written twice, and CR, LF and CRLF start new lines.
        var ln = line
        var c = quoted ? column : column - 1
        var pcr = false
        for b in bytes[..<bad] {
            if quoted && b == quote {
                c += 2
                pcr = false
            } else if quoted && b == lf {
                if !pcr { ln += 1 }
                c = 0
                pcr = false
            } else if quoted && b == cr {
                ln += 1
                c = 0
                pcr = true
            } else {
                if b & 0xC0 != 0x80 { c += 1 }
                pcr = false
            }
        }
        throw invalidUTF8(bytes[bad], at: location(ln, c + 1))
    }

    private func invalidUTF8(_ byte: UInt8, at location: SourceLocation) -> InputError {
        InputError("invalid UTF-8", at: location, found: "byte \(hex(byte))", expected: "UTF-8 text (re-save the file as CSV UTF-8)")
    }

    /// The character at `pos`, for an error message (reads ahead up to 3 more bytes if needed).
    private func character(at location: SourceLocation) throws -> String {
        let lead = buffer[pos]
        if lead < 0x80 { return String(UnicodeScalar(lead)) }
        try ensure(4)
        let length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1
        let bytes = UnsafeBufferPointer(start: buffer + pos, count: min(length, end - pos))
        if bytes.count < length || firstInvalidUTF8(bytes) != nil {
            throw invalidUTF8(lead, at: location)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    // MARK: - Errors

    private func location(_ line: Int, _ column: Int) -> SourceLocation {
        SourceLocation(file: name, line: line, column: column)
    }

    private func tooLong(quoted: Bool, recordLine: Int, fieldLine: Int, fieldCol: Int) -> InputError {
        let limit = byteCount(maxRecordBytes)
        if quoted {
            return InputError(
                "record too long", at: location(fieldLine, fieldCol),
                found: "a quoted field still open after \(limit)",
                expected: "a closing quote (\") for the quote at line \(fieldLine), column \(fieldCol)")
        }
        return InputError(
            "record too long", at: location(recordLine, 1),
            found: "more than \(limit) before the end of the line",
            expected: "records of at most \(limit)")
    }

    // MARK: - Input

    /// Replaces the consumed buffer with the next block; leaves `pos == end` at the end of input.
    /// Continues reading at byte `offset` of the input, which starts a record on physical line
    /// `line` (the byte order mark, if any, lies before it). Only for seekable input.
    func seek(toOffset offset: Int, line: Int) throws {
        switch source {
        case .memory:
            memoryOffset = offset
        case .file(let fd, _):
            guard lseek(fd, off_t(offset), SEEK_SET) == off_t(offset) else {
                throw InputError("cannot read file", at: SourceLocation(file: name),
                                 found: String(cString: strerror(errno)), expected: "a regular file that can be read from any position")
            }
        }
        base = offset
        pos = 0
        end = 0
        eof = false
        started = true
        afterCR = false
        self.line = line
        col = 0
        fieldBytes.removeAll(keepingCapacity: true)
        recordBytes = []
        pushback = []
        pushbackOffset = 0
    }

    private func refill() throws {
        base += end
        pos = 0
        end = 0
        guard !eof else { return }
        let got = try readBlock(into: buffer, count: chunkSize)
        if got == 0 { eof = true } else { end = got }
    }

    /// Makes at least `n` (≤ 4) unconsumed bytes available, unless the input ends first.
    private func ensure(_ n: Int) throws {
        while end - pos < n && !eof {
            if pos > 0 {
                let kept = end - pos
                for k in 0..<kept { buffer[k] = buffer[pos + k] }  // at most 3 bytes
                base += pos
                pos = 0
                end = kept
            }
            let got = try readBlock(into: buffer + end, count: min(chunkSize, capacity - end))
            if got == 0 { eof = true } else { end += got }
        }
    }

    private func readBlock(into destination: UnsafeMutablePointer<UInt8>, count: Int) throws -> Int {
        if pushbackOffset < pushback.count {
            let n = min(count, pushback.count - pushbackOffset)
            pushback.withUnsafeBufferPointer { all in destination.update(from: all.baseAddress! + pushbackOffset, count: n) }
            pushbackOffset += n
            if pushbackOffset == pushback.count { pushback = []; pushbackOffset = 0 }
            return n
        }
        switch source {
        case .memory(let bytes):
            let n = min(count, bytes.count - memoryOffset)
            if n > 0 {
                bytes.withUnsafeBufferPointer { all in
                    destination.update(from: all.baseAddress! + memoryOffset, count: n)
                }
                memoryOffset += n
            }
            return max(n, 0)
        case .file(let fd, _):
            while true {
                let n = read(fd, destination, count)
                if n >= 0 { return n }
                if errno == EINTR { continue }
                throw InputError("cannot read file", at: SourceLocation(file: name),
                                 found: systemError(errno), expected: "a readable file")
            }
        }
    }

    static func openForReading(path: String, name: String) throws -> Int32 {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw InputError("cannot open file", at: SourceLocation(file: name),
                             found: systemError(errno), expected: "a readable CSV file")
        }
        var info = stat()
        if fstat(fd, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR {
            _ = close(fd)
            throw InputError("cannot open file", at: SourceLocation(file: name),
                             found: "a directory", expected: "a readable CSV file")
        }
        return fd
    }
}

/// A record rejected for a malformed quoted field in lenient reading; the reader has already
/// moved to the next physical line, so reading may go on.
public struct MalformedRecord: Error, Sendable, Hashable {
    /// The physical line the rejected record starts on.
    public var line: Int
    public var error: InputError
}

private func systemError(_ code: Int32) -> String {
    String(cString: strerror(code))
}

private func hex(_ byte: UInt8) -> String {
    let digits = Array("0123456789ABCDEF")
    return "0x\(digits[Int(byte >> 4)])\(digits[Int(byte & 0xF)])"
}

private func byteCount(_ n: Int) -> String {
    if n >= 1 << 20 && n % (1 << 20) == 0 { return "\(n >> 20) MiB" }
    if n >= 1 << 10 && n % (1 << 10) == 0 { return "\(n >> 10) KiB" }
    return n == 1 ? "1 byte" : "\(n) bytes"
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
