import Foundation
import XCTest
import WAIModel
@testable import WAIReport

final class AtomicFolderTests: XCTestCase {
    func temporaryDirectory() throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("wai-folder-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: directory) }
        return directory.path
    }

    func listing(_ directory: String) -> [String: String] {
        var files: [String: String] = [:]
        let enumerator = FileManager.default.enumerator(atPath: directory)
        while let relative = enumerator?.nextObject() as? String {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: directory + "/" + relative, isDirectory: &isDirectory), !isDirectory.boolValue {
                files[relative] = try? String(contentsOfFile: directory + "/" + relative, encoding: .utf8)
            }
        }
        return files
    }

    /// Everything but stale listed files and leftovers: the plan the report writer gives.
    func plan(stale: Set<String>) -> ([String]) -> (manifest: [String], isStale: (String) -> Bool) {
        { _ in (["a.md", "charts/b.svg"], { stale.contains($0) }) }
    }

    func testTheSwapKeepsForeignFilesDropsStaleOnesAndTheFolderMode() throws {
        let root = try temporaryDirectory()
        let target = root + "/report"
        let folder = AtomicFolder(path: target, manifestName: ".wai-files", onWait: nil)
        _ = try folder.replace(with: [("a.md", "one"), ("old.md", "gone soon")], plan: { _ in (["a.md", "old.md"], { _ in false }) })
        try "mine".write(toFile: target + "/notes.txt", atomically: false, encoding: .utf8)
        chmod(target, 0o750)
        _ = try folder.replace(with: [("a.md", "two"), ("charts/b.svg", "<svg/>")], plan: plan(stale: ["old.md"]))
        XCTAssertEqual(listing(target), ["a.md": "two", "charts/b.svg": "<svg/>", "notes.txt": "mine", ".wai-files": "a.md\ncharts/b.svg\n"])
        var status = stat()
        XCTAssertEqual(stat(target, &status), 0)
        XCTAssertEqual(status.st_mode & 0o777, 0o750)
    }

    /// Where no swap is possible (a mount point, a parent that is not writable): file by file,
    /// each whole, with the same result and no temporary file left.
    func testTheFileByFileFallbackGivesTheSameFolder() throws {
        let root = try temporaryDirectory()
        let target = root + "/report"
        try FileManager.default.createDirectory(atPath: target + "/charts", withIntermediateDirectories: true)
        for (name, text) in ["a.md": "one", "old.md": "stale", "notes.txt": "mine", ".dat.nosync12": "half", "charts/.b.svg.wai-tmp-1-x": "half"] {
            try text.write(toFile: target + "/" + name, atomically: false, encoding: .utf8)
        }
        let folder = AtomicFolder(path: target, manifestName: ".wai-files", onWait: nil)
        let written = try folder.replaceFileByFile(target, with: [("a.md", "two"), ("charts/b.svg", "<svg/>")], plan: plan(stale: ["old.md"]))
        XCTAssertEqual(written, [target + "/a.md", target + "/charts/b.svg"])
        XCTAssertEqual(listing(target), ["a.md": "two", "charts/b.svg": "<svg/>", "notes.txt": "mine", ".wai-files": "a.md\ncharts/b.svg\n", ".wai-lock": "\(getpid())\n"])
        // A later swap does not carry the fallback's lock into the new folder.
        _ = try folder.replace(with: [("a.md", "three"), ("charts/b.svg", "<svg/>")], plan: plan(stale: []))
        XCTAssertNil(listing(target)[".wai-lock"])
        XCTAssertEqual(listing(target)["notes.txt"], "mine")
    }
}
