import Foundation
import WAIModel

extension Provenance.FileDigest {
    /// Hashes the file at `path`; `name` defaults to its last path component.
    public init(path: String, name: String? = nil) throws {
        do {
            let (hex, bytes) = try SHA256.file(atPath: path)
            self.init(name: name ?? (path as NSString).lastPathComponent, sha256: hex, bytes: bytes)
        } catch {
            throw InputError("cannot read file", at: SourceLocation(file: path), found: error.localizedDescription, expected: "a readable file")
        }
    }

    /// Runs `work` while the file at `path` is hashed on another thread: on a large file the
    /// hash (a sequential pass at about 1 GB/s) then overlaps the analysis instead of following it.
    /// An error from `work` wins over one from hashing: it is the one that locates bad input.
    public static func hashing<T>(path: String, name: String? = nil, during work: () throws -> T) throws -> (T, Provenance.FileDigest) {
        let outcome = DigestOutcome()
        let finished = DispatchSemaphore(value: 0)
        let hasher = Thread {
            outcome.digest = Result { try Provenance.FileDigest(path: path, name: name) }
            finished.signal()
        }
        hasher.start()
        let result = Result { try work() }
        finished.wait()
        return (try result.get(), try outcome.digest!.get())
    }
}

/// The hashing thread's result, read only after its semaphore is signalled.
private final class DigestOutcome: @unchecked Sendable {
    var digest: Result<Provenance.FileDigest, any Error>?
}
