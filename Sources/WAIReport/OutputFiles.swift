import WAIEstimate
import WAIModel
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// A write that failed: the file (nil for standard output) and the system's reason.
///
/// A closed pipe on standard output (`wai … | head`) is one too: the command line ends
/// quietly on it, as Unix tools do, and reports every other one with exit status 2.
public struct OutputError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file written, or nil for standard output.
    public var path: String?
    /// `errno` of the failed call.
    public var code: Int32

    public init(path: String?, code: Int32) {
        self.path = path
        self.code = code
    }

    /// The reader of standard output went away (EPIPE).
    public var isClosedPipe: Bool { path == nil && code == EPIPE }

    public var description: String {
        "cannot write \(path ?? "standard output"): \(String(cString: strerror(code)))"
    }
}

/// Writes all of `bytes` to `descriptor` with write(2), again after EINTR and short writes;
/// returns the `errno` of a failure, nil when everything was written.
func writeAll(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer) -> Int32? {
    var offset = 0
    while offset < bytes.count {
        let n = write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
        if n < 0 {
            if errno == EINTR { continue }
            return errno
        }
        offset += n
    }
    return nil
}

/// `text` with every C0 control character but tab and line feed, and DEL, as U+FFFD: the last
/// guard before any output, whatever a renderer let through (a NUL in a lenient answer, say).
/// U+FFFD rather than an escape, because no escape reads the same in every format.
public func withoutControlCharacters(_ text: String) -> String {
    func bad(_ byte: UInt8) -> Bool { (byte < 0x20 && byte != 0x09 && byte != 0x0A) || byte == 0x7F }
    guard text.utf8.contains(where: bad) else { return text }
    var bytes: [UInt8] = []
    bytes.reserveCapacity(text.utf8.count + 16)
    for byte in text.utf8 {
        if bad(byte) { bytes += [0xEF, 0xBF, 0xBD] } else { bytes.append(byte) }
    }
    return String(decoding: bytes, as: UTF8.self)
}

/// Standard output through write(2): a failure is a thrown `OutputError`, never a trap.
public enum StandardOutput {
    public static func write(_ text: String) throws {
        var text = withoutControlCharacters(text)
        let failure = text.withUTF8 { writeAll(STDOUT_FILENO, UnsafeRawBufferPointer($0)) }
        if let failure { throw OutputError(path: nil, code: failure) }
    }
}

/// Standard error through write(2); a failure to write a diagnostic is ignored (there is
/// nowhere left to say it).
public func writeStandardError(_ text: String) {
    var text = text
    _ = text.withUTF8 { writeAll(STDERR_FILENO, UnsafeRawBufferPointer($0)) }
}

/// A hidden name beside `path` for a temporary file or folder of this process:
/// `.<name>.wai-tmp-<pid>-<random>`.
func temporarySibling(of path: String, kind: String = "tmp") -> String {
    let parent = (path as NSString).deletingLastPathComponent
    let name = "." + (path as NSString).lastPathComponent + ".wai-\(kind)-\(getpid())-\(String(UInt32.random(in: 0...UInt32.max), radix: 36))"
    return parent.isEmpty ? name : (parent as NSString).appendingPathComponent(name)
}

/// Writes `content` to a new file at `path` (which must not exist), flushed to disk.
/// A file of a report: text (UTF-8, control characters left out) or bytes as they are (a workbook).
public enum ReportContent: Sendable, Hashable, ExpressibleByStringLiteral {
    case text(String)
    case bytes([UInt8])

    public init(stringLiteral value: String) { self = .text(value) }
}

func writeNewFile(_ content: ReportContent, to path: String) throws {
    switch content {
    case .text(let text): try writeNewFile(text, to: path)
    case .bytes(let bytes): try writeNewBytes(bytes, to: path)
    }
}

func writeAtomically(_ content: ReportContent, to path: String) throws {
    switch content {
    case .text(let text): try writeAtomically(text, to: path)
    case .bytes(let bytes):
        removeAbandonedTemporaries(of: path)
        let temporary = temporarySibling(of: path)
        try writeNewBytes(bytes, to: temporary)
        guard rename(temporary, path) == 0 else {
            let code = errno
            unlink(temporary)
            throw OutputError(path: path, code: code)
        }
    }
}

func writeNewBytes(_ bytes: [UInt8], to path: String) throws {
    let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
    guard descriptor >= 0 else { throw OutputError(path: path, code: errno) }
    var failure = bytes.withUnsafeBytes { writeAll(descriptor, $0) }
    if failure == nil, fsync(descriptor) != 0 { failure = errno }
    if close(descriptor) != 0, failure == nil { failure = errno }
    if let failure {
        unlink(path)
        throw OutputError(path: path, code: failure)
    }
}

func writeNewFile(_ content: String, to path: String) throws {
    let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
    guard descriptor >= 0 else { throw OutputError(path: path, code: errno) }
    var content = withoutControlCharacters(content)
    var failure = content.withUTF8 { writeAll(descriptor, UnsafeRawBufferPointer($0)) }
    if failure == nil, fsync(descriptor) != 0 { failure = errno }
    if close(descriptor) != 0, failure == nil { failure = errno }
    if let failure {
        unlink(path)
        throw OutputError(path: path, code: failure)
    }
}

/// Writes `content` to a temporary file beside `path`, flushes it to disk and renames it over
/// `path`: `path` holds the old content or the new, never part of either. On failure the
/// temporary file is removed.
public func writeAtomically(_ content: String, to path: String) throws {
    removeAbandonedTemporaries(of: path)
    let temporary = temporarySibling(of: path)
    do {
        try writeNewFile(content, to: temporary)
    } catch var error as OutputError {
        error.path = path
        throw error
    }
    if rename(temporary, path) != 0 {
        let code = errno
        unlink(temporary)
        throw OutputError(path: path, code: code)
    }
    syncDirectory((path as NSString).deletingLastPathComponent)
}

/// Removes the temporary files beside `path` of runs that were killed before their rename: those
/// whose process (by the pid in their name) no longer exists.
func removeAbandonedTemporaries(of path: String) {
    let parent = (path as NSString).deletingLastPathComponent
    let prefix = "." + (path as NSString).lastPathComponent + ".wai-tmp-"
    for entry in (try? FileManager.default.contentsOfDirectory(atPath: parent.isEmpty ? "." : parent)) ?? [] where entry.hasPrefix(prefix) {
        guard let pid = Int32(entry.dropFirst(prefix.count).prefix { $0 != "-" }), pid != getpid(),
              kill(pid, 0) != 0, errno == ESRCH else { continue }
        unlink((parent as NSString).appendingPathComponent(entry))
    }
}

/// Flushes a directory's entries (a rename in it) to disk; best effort.
func syncDirectory(_ path: String) {
    let descriptor = open(path.isEmpty ? "." : path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    guard descriptor >= 0 else { return }
    _ = fsync(descriptor)
    close(descriptor)
}
