import Foundation
import XCTest
import WAITestSupport
#if canImport(Glibc)
import Glibc
#endif

/// Faults from outside: a full disk, a closed pipe, a kill at any moment, a second run at once.
final class FaultInjectionTests: XCTestCase {
    static let root = Products.packageRoot
    var chapter11: URL { Self.root.appendingPathComponent("Surveys/chapter11") }

    func temporaryDirectory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("wai-faults-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: directory) }
        return directory
    }

    /// A process of `wai` with standard output on `stdout` and standard error in a file.
    func launch(_ arguments: [String], stdout: Any, in directory: URL? = nil) throws -> (Process, URL) {
        let process = Process()
        process.executableURL = Products.wai
        process.arguments = arguments
        process.currentDirectoryURL = directory ?? Self.root
        let errorFile = FileManager.default.temporaryDirectory.appendingPathComponent("wai-stderr-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: errorFile.path, contents: nil)
        process.standardOutput = stdout
        process.standardError = try FileHandle(forWritingTo: errorFile)
        try process.run()
        return (process, errorFile)
    }

    func finish(_ process: Process, _ errorFile: URL) throws -> (status: Int32, reason: Process.TerminationReason, stderr: String) {
        process.waitUntilExit()
        let stderr = String(decoding: try Data(contentsOf: errorFile), as: UTF8.self)
        try? FileManager.default.removeItem(at: errorFile)
        return (process.terminationStatus, process.terminationReason, stderr)
    }

    var analyzeJSON: [String] {
        ["analyze", chapter11.appendingPathComponent("responses.csv").path, "--spec", chapter11.appendingPathComponent("survey.yaml").path,
         "--replicates", "0", "--format", "json"]
    }

    // MARK: - Output faults

    func testAFullDiskIsOneMessageAndExitTwo() throws {
        let full = try XCTUnwrap(FileHandle(forWritingAtPath: "/dev/full"))
        for arguments in [analyzeJSON, ["report", chapter11.path, "--out", try temporaryDirectory().path, "--replicates", "0"],
                          ["verify", chapter11.path, "--replicates", "0", "--verbose"]] {
            let (process, errorFile) = try launch(arguments, stdout: full)
            let run = try finish(process, errorFile)
            XCTAssertEqual(run.reason, .exit, arguments[0])
            XCTAssertEqual(run.status, 2, arguments[0])
            XCTAssertEqual(run.stderr, "wai: error: cannot write standard output: \(String(cString: strerror(ENOSPC)))\n", arguments[0])
        }
    }

    func testAClosedStandardOutputIsBadFileDescriptor() throws {
        // A descriptor open for reading only: every write(2) to it fails with EBADF.
        let readOnly = try XCTUnwrap(FileHandle(forReadingAtPath: "/dev/null"))
        let (process, errorFile) = try launch(analyzeJSON, stdout: readOnly)
        let run = try finish(process, errorFile)
        XCTAssertEqual(run.reason, .exit)
        XCTAssertEqual(run.status, 2)
        XCTAssertEqual(run.stderr, "wai: error: cannot write standard output: \(String(cString: strerror(EBADF)))\n")
    }

    /// `wai analyze … | head -c 10`: the reader takes 10 bytes and goes; wai stops quietly, exit 0.
    func testAClosedPipeEndsQuietly() throws {
        for arguments in [analyzeJSON, ["init", chapter11.appendingPathComponent("responses.csv").path]] {
            let pipe = Pipe()
            let (process, errorFile) = try launch(arguments, stdout: pipe)
            try? pipe.fileHandleForWriting.close()
            let head = try pipe.fileHandleForReading.read(upToCount: 10)
            try pipe.fileHandleForReading.close()
            let run = try finish(process, errorFile)
            XCTAssertEqual(head?.count, 10)
            XCTAssertEqual(run.reason, .exit, arguments[0])
            XCTAssertEqual(run.status, 0, arguments[0])
            XCTAssertFalse(run.stderr.contains("error"), run.stderr)
        }
    }

    // MARK: - Whole-report atomicity

    /// Every file under `directory` (hidden ones too), by relative path, with its bytes.
    func snapshot(_ directory: URL) throws -> [String: Data] {
        var files: [String: Data] = [:]
        guard let enumerator = FileManager.default.enumerator(atPath: directory.path) else { return files }
        while let relative = enumerator.nextObject() as? String {
            let url = directory.appendingPathComponent(relative)
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue {
                files[relative] = try Data(contentsOf: url)
            }
        }
        return files
    }

    /// Two versions of one survey (the second on fewer rows under another title), as directories
    /// of one name in two places, so that their reports differ in every format.
    func twoVersions(in root: URL) throws -> (old: URL, new: URL) {
        let old = root.appendingPathComponent("v1/survey"), new = root.appendingPathComponent("v2/survey")
        for directory in [old, new] {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let spec = try String(contentsOf: chapter11.appendingPathComponent("survey.yaml"), encoding: .utf8)
            let responses = try String(contentsOf: chapter11.appendingPathComponent("responses.csv"), encoding: .utf8)
            if directory == old {
                try Data(spec.utf8).write(to: directory.appendingPathComponent("survey.yaml"))
                try Data(responses.utf8).write(to: directory.appendingPathComponent("responses.csv"))
            } else {
                let lines = responses.split(separator: "\n", omittingEmptySubsequences: false)
                try Data(lines.prefix(70).joined(separator: "\n").appending("\n").utf8).write(to: directory.appendingPathComponent("responses.csv"))
                try Data(spec.replacingOccurrences(of: "\ntitle: \"", with: "\ntitle: \"Second version of ").utf8).write(to: directory.appendingPathComponent("survey.yaml"))
            }
        }
        return (old, new)
    }

    func report(_ survey: URL, into out: URL) throws -> ProcessRun {
        try Products.run(Products.wai, ["report", survey.path, "--out", out.path, "--replicates", "0"])
    }

    /// SIGKILL at random moments while a report replaces an older one: afterwards the folder is,
    /// file by file, entirely the old report or entirely the new one, and the user's own file stays.
    func testAKilledReportLeavesTheOldReportOrTheNewNeverAMix() throws {
        let root = try temporaryDirectory()
        let (old, new) = try twoVersions(in: root)
        let notes = Data("my notes\n".utf8)
        var expected: [URL: [String: Data]] = [:]
        for survey in [old, new] {
            let reference = root.appendingPathComponent("reference-\(survey.deletingLastPathComponent().lastPathComponent)")
            XCTAssertEqual(try report(survey, into: reference).status, 0)
            try notes.write(to: reference.appendingPathComponent("notes.txt"))
            expected[survey] = try snapshot(reference)
        }
        XCTAssertNotEqual(expected[old], expected[new])
        XCTAssertEqual(expected[old]!.keys.filter { expected[old]![$0] == expected[new]![$0] }.sorted(), [".wai-files", "notes.txt"],
                       "every report file (all but the list of them) differs between the versions")

        let target = root.appendingPathComponent("out/survey")
        XCTAssertEqual(try report(old, into: target).status, 0)
        try notes.write(to: target.appendingPathComponent("notes.txt"))
        let started = Date()
        XCTAssertEqual(try report(new, into: target).status, 0)
        let duration = Date().timeIntervalSince(started)
        XCTAssertEqual(try snapshot(target), expected[new])

        // Kill moments are drawn within the measured run time; on a loaded machine a run can
        // finish sooner or later than that measure, so the loop goes on (up to 60 runs) until
        // 20 runs are done and at least 6 of them were killed mid-way.
        var random = SplitMix(seed: 14)
        var killed = 0
        var iteration = 0
        while iteration < 60 && (iteration < 20 || killed < 6) {
            defer { iteration += 1 }
            let current = try snapshot(target)
            let next = current == expected[old] ? new : old
            let (process, errorFile) = try launch(["report", next.path, "--out", target.path, "--replicates", "0"], stdout: FileHandle.nullDevice)
            usleep(UInt32(random.below(Int(max(1, duration * 0.9 * 1_000_000)))))
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            let run = try finish(process, errorFile)
            if run.reason == .uncaughtSignal { killed += 1 } else { XCTAssertEqual(run.status, 0, run.stderr) }
            let after = try snapshot(target)
            XCTAssert(after == expected[old] || after == expected[new],
                      "iteration \(iteration): a mix; differs from the old report in \(difference(after, expected[old]!)), from the new in \(difference(after, expected[new]!))")
        }
        XCTAssertGreaterThanOrEqual(killed, 6, "runs should have been killed mid-way")

        // The next run removes what the killed ones left beside the folder.
        XCTAssertEqual(try report(new, into: target).status, 0)
        let beside = try FileManager.default.contentsOfDirectory(atPath: target.deletingLastPathComponent().path).sorted()
        XCTAssertEqual(beside, [".survey.wai-lock", "survey"])
    }

    func difference(_ a: [String: Data], _ b: [String: Data]) -> [String] {
        Set(a.keys).union(b.keys).filter { a[$0] != b[$0] }.sorted()
    }

    /// Leftovers of crashed runs, by older versions too: temporary folders beside the report,
    /// Foundation's `.dat.nosync…` and `<file>.tmp` files inside it, go; the user's files stay.
    func testTheNextRunRemovesLeftoversOfACrashedOne() throws {
        let root = try temporaryDirectory()
        let target = root.appendingPathComponent("report")
        XCTAssertEqual(try report(chapter11, into: target).status, 0)
        let clean = try snapshot(target)
        let junk = [".dat.nosync1a2b.Xy3", "charts/.dat.nosync99", "report.md.tmp", ".table1.csv.wai-tmp-123-abc"]
        for name in junk { try Data("half".utf8).write(to: target.appendingPathComponent(name)) }
        try Data("mine".utf8).write(to: target.appendingPathComponent("draft.tmp"))
        try FileManager.default.createDirectory(at: root.appendingPathComponent(".report.wai-tmp-99999-zz/charts"), withIntermediateDirectories: true)
        XCTAssertEqual(try report(chapter11, into: target).status, 0)
        var expected = clean
        expected["draft.tmp"] = Data("mine".utf8)
        XCTAssertEqual(try snapshot(target), expected)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: root.path).sorted(), [".report.wai-lock", "report"])
    }

    /// `wai batch` writes each survey's report the same way: leftovers beside it go, the user's files in it stay.
    func testEachSurveyOfABatchIsSwappedInWhole() throws {
        let root = try temporaryDirectory()
        let (old, _) = try twoVersions(in: root)
        let out = root.appendingPathComponent("reports")
        XCTAssertEqual(try Products.run(Products.wai, ["batch", old.path, "--out", out.path, "--replicates", "0"]).status, 0)
        let first = try snapshot(out.appendingPathComponent("survey"))
        try Data("mine".utf8).write(to: out.appendingPathComponent("survey/notes.txt"))
        try FileManager.default.createDirectory(at: out.appendingPathComponent(".survey.wai-tmp-99999-zz"), withIntermediateDirectories: true)
        let run = try Products.run(Products.wai, ["batch", old.path, "--out", out.path, "--replicates", "0", "--force"])
        XCTAssertEqual(run.status, 0, run.stderr)
        var expected = first
        expected["notes.txt"] = Data("mine".utf8)
        XCTAssertEqual(try snapshot(out.appendingPathComponent("survey")), expected)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: out.path).sorted(),
                       [".survey.wai-lock", ".wai-batch-state.json", "summary.csv", "summary.json", "survey"])
    }

    /// Two runs into one folder at once: both succeed, one after the other, and the folder is one whole report.
    func testConcurrentReportsIntoOneFolder() throws {
        let root = try temporaryDirectory()
        let (old, new) = try twoVersions(in: root)
        let reference = root.appendingPathComponent("reference")
        XCTAssertEqual(try report(old, into: reference).status, 0)
        let expectedOld = try snapshot(reference)
        XCTAssertEqual(try report(new, into: reference).status, 0)
        let expectedNew = try snapshot(reference)
        let target = root.appendingPathComponent("shared")
        for _ in 0..<5 {
            let runs = try [old, new, old].map { try launch(["report", $0.path, "--out", target.path, "--replicates", "0"], stdout: FileHandle.nullDevice) }
            for (process, errorFile) in runs {
                let run = try finish(process, errorFile)
                XCTAssertEqual(run.status, 0, run.stderr)
            }
            let after = try snapshot(target)
            XCTAssert(after == expectedOld || after == expectedNew, "a mix: \(difference(after, expectedOld))")
        }
    }

    /// A run that finds the lock held says whose it is, waits, and then writes the whole report.
    func testASecondRunWaitsForTheLockAndNamesItsOwner() throws {
        let root = try temporaryDirectory()
        let lockPath = root.appendingPathComponent(".report.wai-lock").path
        let descriptor = open(lockPath, O_RDWR | O_CREAT, 0o644)
        XCTAssertGreaterThanOrEqual(descriptor, 0)
        defer { close(descriptor) }
        XCTAssertEqual(flock(descriptor, LOCK_EX), 0)
        let owner = Array("4242\n".utf8)
        _ = owner.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }

        let target = root.appendingPathComponent("report")
        let (process, errorFile) = try launch(["report", chapter11.path, "--out", target.path, "--replicates", "0"], stdout: FileHandle.nullDevice)
        // Until it says it waits (a loaded machine may take a while to get there), then a little longer.
        let deadline = Date().addingTimeInterval(60)
        while process.isRunning, Date() < deadline,
              !(String(data: (try? Data(contentsOf: errorFile)) ?? Data(), encoding: .utf8) ?? "").contains("waiting for") {
            usleep(50_000)
        }
        usleep(300_000)
        XCTAssert(process.isRunning, "the run must wait while the lock is held")
        XCTAssertFalse(FileManager.default.fileExists(atPath: target.path))
        flock(descriptor, LOCK_UN)
        let run = try finish(process, errorFile)
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssert(run.stderr.contains("waiting for wai (pid 4242), which is writing \(target.path)"), run.stderr)
        XCTAssert(FileManager.default.fileExists(atPath: target.appendingPathComponent("report.md").path))
    }

    /// `--partial FILE`: a file that cannot be finished leaves nothing under its name, nor a temporary beside it.
    func testASingleFileOutputIsWholeOrAbsent() throws {
        let root = try temporaryDirectory()
        let partial = root.appendingPathComponent("part.waistats")
        let arguments = ["aggregate", chapter11.appendingPathComponent("responses.csv").path, "--spec",
                         chapter11.appendingPathComponent("survey.yaml").path, "--partial", partial.path, "--replicates", "0"]
        XCTAssertEqual(try Products.run(Products.wai, arguments).status, 0)
        let first = try Data(contentsOf: partial)
        XCTAssertNoThrow(try JSONSerialization.jsonObject(with: first))
        // Written again: the old file is replaced whole, and no temporary file stays beside it.
        XCTAssertEqual(try Products.run(Products.wai, arguments).status, 0)
        XCTAssertEqual(try Data(contentsOf: partial), first)
        // A directory that does not exist: the system's reason and the file's name, exit 2.
        var missing = arguments
        missing[missing.count - 3] = root.appendingPathComponent("no/such/part.waistats").path
        let run = try Products.run(Products.wai, missing)
        XCTAssertEqual(run.status, 2)
        XCTAssertEqual(run.stderr, "wai: error: cannot write \(missing[missing.count - 3]): \(String(cString: strerror(ENOENT)))\n")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: root.path), ["part.waistats"])
        // The temporary file of a run killed before its rename (its pid gone) is removed by the next run;
        // one of a live process (this one) is left alone.
        let abandoned = root.appendingPathComponent(".part.waistats.wai-tmp-\(Int32.max - 1)-x1")
        let live = root.appendingPathComponent(".part.waistats.wai-tmp-\(getpid())-x2")
        for url in [abandoned, live] { try Data("{\"half".utf8).write(to: url) }
        XCTAssertEqual(try Products.run(Products.wai, arguments).status, 0)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: root.path).sorted(), [live.lastPathComponent, "part.waistats"])
    }
}
