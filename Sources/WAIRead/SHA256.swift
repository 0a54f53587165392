import CSHA256
import Foundation
import WAIModel

/// SHA-256 (FIPS 180-4), incremental: feed bytes with `update`, read the digest with `finalize`.
///
/// wai uses it to fingerprint inputs (a report's provenance, batch re-run detection, the
/// spec a partial-statistics file belongs to); it is not meant for secrets.
///
///     var hash = SHA256()
///     hash.update(Array("abc".utf8))
///     hash.hexDigest()   // "ba7816bf…"
public struct SHA256: Sendable {
    private var state: [UInt32] = [
        0x6a09_e667, 0xbb67_ae85, 0x3c6e_f372, 0xa54f_f53a, 0x510e_527f, 0x9b05_688c, 0x1f83_d9ab, 0x5be0_cd19,
    ]
    private var buffer: [UInt8] = []
    private var length: UInt64 = 0

    public init() {
        buffer.reserveCapacity(64)
    }

    /// Adds bytes to the message.
    public mutating func update<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        for byte in bytes {
            buffer.append(byte)
            length &+= 1
            if buffer.count == 64 {
                let block = buffer
                block.withUnsafeBytes { compress($0) }
                buffer.removeAll(keepingCapacity: true)
            }
        }
    }

    /// Adds bytes to the message, whole blocks at a time.
    public mutating func update(_ data: Data) {
        data.withUnsafeBytes { update($0) }
    }

    /// Adds bytes to the message, whole blocks at a time.
    public mutating func update(_ raw: UnsafeRawBufferPointer) {
        var start = 0
        if !buffer.isEmpty {
            let take = min(64 - buffer.count, raw.count)
            update(raw[0..<take])
            start = take
        }
        let whole = (raw.count - start) / 64 * 64
        if whole > 0 {
            compress(UnsafeRawBufferPointer(rebasing: raw[start..<(start + whole)]))
            length &+= UInt64(whole)
            start += whole
        }
        update(raw[start...])
    }

    /// The 32-byte digest of everything added so far.
    public func finalize() -> [UInt8] {
        var copy = self
        let bits = length &* 8
        copy.update([0x80])
        while copy.buffer.count != 56 { copy.update([0]) }
        copy.update((0..<8).map { UInt8(truncatingIfNeeded: bits >> (56 - 8 * $0)) })
        return copy.state.flatMap { word in (0..<4).map { UInt8(truncatingIfNeeded: word >> (24 - 8 * $0)) } }
    }

    /// The digest as 64 lowercase hex digits.
    public func hexDigest() -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in finalize() {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The hex digest of `bytes`.
    public static func hex<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        var hash = SHA256()
        hash.update(bytes)
        return hash.hexDigest()
    }

    /// The hex digest and size of a file, read in blocks into one reused buffer (the file is
    /// never held whole in memory).
    public static func file(atPath path: String) throws -> (hex: String, bytes: Int) {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: path])
        }
        defer { close(fd) }
        if let mapped = try mappedDigest(fd: fd) { return mapped }
        let size = 1 << 20
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 64)
        defer { buffer.deallocate() }
        var hash = SHA256()
        var total = 0
        while true {
            let got = read(fd, buffer.baseAddress, size)
            if got < 0 {
                if errno == EINTR { continue }
                throw CocoaError(.fileReadUnknown, userInfo: [NSFilePathErrorKey: path])
            }
            if got == 0 { break }
            hash.update(UnsafeRawBufferPointer(rebasing: buffer[0..<got]))
            total += got
        }
        return (hash.hexDigest(), total)
    }

    /// A regular file's digest read through the page cache without copying it: 8 MiB windows
    /// mapped and unmapped in turn, so the mapped pages never add more than a window to the
    /// resident set. Nil when the file cannot be mapped (a pipe, say): then it is read.
    private static func mappedDigest(fd: Int32) throws -> (hex: String, bytes: Int)? {
        var status = stat()
        guard fstat(fd, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else { return nil }
        let size = Int(status.st_size)
        let window = 8 << 20
        var hash = SHA256()
        var offset = 0
        while offset < size {
            let length = min(window, size - offset)
            guard let base = mmap(nil, length, PROT_READ, MAP_PRIVATE, fd, off_t(offset)), base != MAP_FAILED else {
                if offset == 0 { return nil }
                throw CocoaError(.fileReadUnknown)
            }
            _ = madvise(base, length, MADV_SEQUENTIAL)
            hash.update(UnsafeRawBufferPointer(start: base, count: length))
            munmap(base, length)
            offset += length
        }
        return (hash.hexDigest(), size)
    }

    /// Whole 64-byte blocks into the state (C: the x86 SHA extensions where the processor has them).
    private mutating func compress(_ blocks: UnsafeRawBufferPointer) {
        precondition(blocks.count % 64 == 0)
        guard let base = blocks.baseAddress else { return }
        state.withUnsafeMutableBufferPointer { state in
            wai_sha256_blocks(state.baseAddress!, base.assumingMemoryBound(to: UInt8.self), blocks.count / 64)
        }
    }
}
