import WAIEstimate
import WAIModel
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

#if os(Linux)
@_silgen_name("renameat2")
private func renameat2(_ oldDirectory: Int32, _ old: UnsafePointer<CChar>, _ newDirectory: Int32,
                       _ new: UnsafePointer<CChar>, _ flags: UInt32) -> Int32
private let renameExchange: UInt32 = 2   // RENAME_EXCHANGE, <linux/fs.h>
#endif

/// A folder of files replaced as a whole: written into a fresh folder beside it, then swapped in.
///
/// Under a lock on `.<name>.wai-lock` beside the folder (flock(2): released by the kernel when the
/// holder ends, so a killed run never leaves it held), the next run first removes what a crashed
/// one left: temporary folders `.<name>.wai-tmp-*` beside it, Foundation's `.dat.nosync*` and
/// wai's older `*.tmp` files inside it.
struct AtomicFolder {
    /// The folder as given (paths are returned under it).
    var path: String
    /// The file listing what wai wrote into the folder.
    var manifestName: String
    /// Told, before waiting, that another process holds the lock.
    var onWait: (@Sendable (String) -> Void)?

    /// The folder's files after the swap: `files`, the manifest, and every file of the old
    /// folder except those that `plan`, given the old manifest's lines (read under the lock),
    /// calls stale. Returns the paths of `files` under `path`.
    func replace(with files: [(path: String, content: ReportContent)],
                 plan: (_ previous: [String]) -> (manifest: [String], isStale: (String) -> Bool)) throws -> [String] {
        var target = Self.resolved(path)
        // A symbolic link to a folder: the folder is replaced, the link stays.
        if let real = realpath(target, nil) {
            var status = stat()
            if lstat(target, &status) == 0, status.st_mode & S_IFMT == S_IFLNK { target = String(cString: real) }
            free(real)
        }
        let parent = (target as NSString).deletingLastPathComponent
        let name = (target as NSString).lastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        } catch {
            throw InputError("cannot create the output directory", at: SourceLocation(file: parent), found: error.localizedDescription)
        }
        // A folder that is a mount point (a container's volume, say), or whose parent is not
        // writable, cannot be swapped: its files are then replaced one by one, each whole.
        var folderStatus = stat(), parentStatus = stat()
        if stat(target, &folderStatus) == 0, folderStatus.st_mode & S_IFMT == S_IFDIR,
           stat(parent, &parentStatus) != 0 || parentStatus.st_dev != folderStatus.st_dev || access(parent, W_OK) != 0 {
            return try replaceFileByFile(target, with: files, plan: plan)
        }
        let lock = try FolderLock(path: (parent as NSString).appendingPathComponent(".\(name).wai-lock"), folder: path, onWait: onWait)
        defer { lock.release() }
        try recoverLeftovers(target: target, parent: parent, name: name)

        var status = stat()
        let exists = lstat(target, &status) == 0
        if exists, status.st_mode & S_IFMT != S_IFDIR {
            throw InputError("the output path is not a directory", at: SourceLocation(file: path), expected: "a directory for the report (or a path that does not exist yet)")
        }
        let previous = exists ? ((try? String(contentsOfFile: (target as NSString).appendingPathComponent(manifestName), encoding: .utf8)) ?? "")
            .split(separator: "\n").map(String.init) : []
        let (manifest, isStale) = plan(previous)
        let staging = temporarySibling(of: target)
        guard mkdir(staging, 0o777) == 0 else { throw OutputError(path: staging, code: errno) }
        do {
            let current = Set(files.map(\.path)).union([manifestName])
            if exists {
                try carryOver(from: target, to: staging, relative: "") { current.contains($0) || isStale($0) || Self.isLeftover($0) || Self.isLock($0) }
            }
            var directories: Set<String> = [staging]
            for (name, content) in files {
                let file = (staging as NSString).appendingPathComponent(name)
                let directory = (file as NSString).deletingLastPathComponent
                if !directories.contains(directory) {
                    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
                    directories.insert(directory)
                }
                try writeNewFile(content, to: file)
            }
            try writeNewFile(manifest.map { $0 + "\n" }.joined(), to: (staging as NSString).appendingPathComponent(manifestName))
            for directory in directories { syncDirectory(directory) }
            if exists { chmod(staging, status.st_mode & 0o7777) }
            try swap(staging, into: target, exists: exists, parent: parent, name: name)
        } catch {
            try? FileManager.default.removeItem(atPath: staging)
            if let error = error as? OutputError, let failed = error.path, failed.hasPrefix(staging) {
                // Name the file as the user will look for it, not the temporary folder.
                throw OutputError(path: (path as NSString).appendingPathComponent(String(failed.dropFirst(staging.count + 1))), code: error.code)
            }
            throw error
        }
        return files.map { (path as NSString).appendingPathComponent($0.path) }
    }

    /// The fallback where no swap is possible: each file written beside its name and renamed
    /// over it, then the files this run drops removed, under a lock inside the folder.
    func replaceFileByFile(_ target: String, with files: [(path: String, content: ReportContent)],
                           plan: (_ previous: [String]) -> (manifest: [String], isStale: (String) -> Bool)) throws -> [String] {
        let lock = try FolderLock(path: (target as NSString).appendingPathComponent(Self.lockName), folder: path, onWait: onWait)
        defer { lock.release() }
        let previous = ((try? String(contentsOfFile: (target as NSString).appendingPathComponent(manifestName), encoding: .utf8)) ?? "")
            .split(separator: "\n").map(String.init)
        let (manifest, isStale) = plan(previous)
        let current = Set(files.map(\.path))
        let enumerator = FileManager.default.enumerator(atPath: target)
        while let relative = enumerator?.nextObject() as? String {
            guard !current.contains(relative), isStale(relative) || Self.isLeftover(relative) else { continue }
            var status = stat()
            let file = (target as NSString).appendingPathComponent(relative)
            if lstat(file, &status) == 0, status.st_mode & S_IFMT != S_IFDIR { unlink(file) }
        }
        for (name, content) in files {
            let file = (target as NSString).appendingPathComponent(name)
            try FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try writeAtomically(content, to: file)
        }
        try writeAtomically(manifest.map { $0 + "\n" }.joined(), to: (target as NSString).appendingPathComponent(manifestName))
        return files.map { (path as NSString).appendingPathComponent($0.path) }
    }

    /// The lock of the file-by-file fallback, inside the folder.
    static let lockName = ".wai-lock"

    /// Swaps the finished folder in. On Linux one renameat2(RENAME_EXCHANGE) exchanges the two
    /// folders atomically, so no moment exists at which `target` is missing; where it is not
    /// supported, the old folder is renamed aside and the new one into place, and a run that dies
    /// between the two renames is undone by the next (`recoverLeftovers` moves the old one back).
    private func swap(_ staging: String, into target: String, exists: Bool, parent: String, name: String) throws {
        guard exists else {
            guard rename(staging, target) == 0 else { throw OutputError(path: path, code: errno) }
            syncDirectory(parent)
            return
        }
        #if os(Linux)
        if renameat2(AT_FDCWD, staging, AT_FDCWD, target, renameExchange) == 0 {
            syncDirectory(parent)
            try? FileManager.default.removeItem(atPath: staging)   // now the old folder
            return
        }
        guard errno == EINVAL || errno == ENOSYS || errno == ENOTSUP else { throw OutputError(path: path, code: errno) }
        #endif
        let old = (parent as NSString).appendingPathComponent(".\(name).wai-old-\(getpid())")
        guard rename(target, old) == 0 else { throw OutputError(path: path, code: errno) }
        guard rename(staging, target) == 0 else {
            let code = errno
            rename(old, target)
            throw OutputError(path: path, code: code)
        }
        syncDirectory(parent)
        try? FileManager.default.removeItem(atPath: old)
    }

    /// Removes what crashed runs left beside the folder; an old folder renamed aside by a run
    /// killed before it moved the new one in goes back into place.
    private func recoverLeftovers(target: String, parent: String, name: String) throws {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: parent)) ?? []
        for entry in entries.sorted() {
            let full = (parent as NSString).appendingPathComponent(entry)
            if entry.hasPrefix(".\(name).wai-tmp-") {
                try? FileManager.default.removeItem(atPath: full)
            } else if entry.hasPrefix(".\(name).wai-old-") {
                if access(target, F_OK) != 0, rename(full, target) == 0 { continue }
                try? FileManager.default.removeItem(atPath: full)
            }
        }
    }

    /// A temporary file of an interrupted write: Foundation's atomic writes (`.dat.nosync…`) and
    /// wai's own (`.name.wai-tmp-…`).
    static func isLeftover(_ relative: String) -> Bool {
        let name = (relative as NSString).lastPathComponent
        return name.hasPrefix(".dat.nosync") || (name.hasPrefix(".") && name.contains(".wai-tmp-"))
    }

    /// Never carried into a new folder: the lock of the file-by-file fallback.
    static func isLock(_ relative: String) -> Bool { relative == lockName }

    /// Hard-links (or copies, where links are refused) every entry of `source` that `drop` does
    /// not claim into `destination`, keeping the tree.
    private func carryOver(from source: String, to destination: String, relative: String, drop: (String) -> Bool) throws {
        let entries = try FileManager.default.contentsOfDirectory(atPath: source)
        for entry in entries {
            let rel = relative.isEmpty ? entry : relative + "/" + entry
            let from = (source as NSString).appendingPathComponent(entry)
            let to = (destination as NSString).appendingPathComponent(entry)
            var status = stat()
            guard lstat(from, &status) == 0 else { continue }
            if status.st_mode & S_IFMT == S_IFDIR {
                guard mkdir(to, status.st_mode & 0o7777) == 0 else { throw OutputError(path: to, code: errno) }
                try carryOver(from: from, to: to, relative: rel, drop: drop)
            } else if !drop(rel) {
                if link(from, to) != 0 {
                    do {
                        try FileManager.default.copyItem(atPath: from, toPath: to)
                    } catch {
                        throw InputError("cannot keep a file of the old report", at: SourceLocation(file: (path as NSString).appendingPathComponent(rel)),
                                         found: error.localizedDescription)
                    }
                }
            }
        }
    }

    /// An absolute path for "." or "..", which cannot be renamed; trailing slashes dropped.
    static func resolved(_ path: String) -> String {
        var standard = (path as NSString).standardizingPath
        let last = (standard as NSString).lastPathComponent
        if standard.isEmpty || last == "." || last == ".." || !standard.contains("/") {
            standard = ((FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(standard) as NSString).standardizingPath
        }
        return standard
    }
}

/// An exclusive flock(2) on a lock file, holding the owner's pid for the message of a run that waits.
final class FolderLock {
    private var descriptor: Int32

    init(path lockPath: String, folder: String, onWait: (@Sendable (String) -> Void)?) throws {
        descriptor = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o666)
        guard descriptor >= 0 else { throw OutputError(path: lockPath, code: errno) }
        if flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK else {
                let code = errno
                close(descriptor)
                throw OutputError(path: lockPath, code: code)
            }
            var buffer = [UInt8](repeating: 0, count: 32)
            let n = pread(descriptor, &buffer, buffer.count, 0)
            let owner = n > 0 ? String(decoding: buffer[..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) : ""
            onWait?("waiting for \(owner.isEmpty ? "another wai run" : "wai (pid \(owner))"), which is writing \(folder) (lock: \(lockPath))")
            while flock(descriptor, LOCK_EX) != 0 {
                guard errno == EINTR else {
                    let code = errno
                    close(descriptor)
                    throw OutputError(path: lockPath, code: code)
                }
            }
        }
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(descriptor, 0)
        _ = pid.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
    }

    func release() {
        guard descriptor >= 0 else { return }
        close(descriptor)
        descriptor = -1
    }

    deinit { release() }
}
