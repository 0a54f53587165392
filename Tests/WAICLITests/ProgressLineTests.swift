import Foundation
import XCTest

/// The progress line: on a terminal (a pseudo-terminal from python3's `pty`) one line redrawn
/// with `\r`, cleared at the end; nothing on a pipe or with --quiet.
final class ProgressLineTests: XCTestCase {
    /// Runs wai with standard error on a pseudo-terminal; returns its status and what the terminal got.
    func waiOnTerminal(_ arguments: [String]) throws -> (status: Int32, stdout: String, terminal: String) {
        let driver = """
        import os, pty, subprocess, sys
        master, slave = pty.openpty()
        p = subprocess.Popen(sys.argv[1:], stdout=subprocess.PIPE, stderr=slave)
        os.close(slave)
        data = b""
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            data += chunk
        out = p.stdout.read()
        sys.stdout.buffer.write(b"%d\\n%d\\n" % (p.wait(), len(out)) + data)
        """
        let run = try Products.run(URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-c", driver, Products.wai.path] + arguments)
        XCTAssertEqual(run.status, 0, run.stderr)
        let lines = run.stdout.split(separator: "\n", maxSplits: 2, omittingEmptySubsequences: false)
        return (Int32(lines[0])!, String(lines[1]), lines.count > 2 ? String(lines[2]) : "")
    }

    func fixture() throws -> (spec: String, csv: String) {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("wai-progress-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let spec = root.appendingPathComponent("survey.yaml").path
        try Data("""
        title: progress
        scale:
          levels:
            - {code: 1, label: Low}
            - {code: 2, label: Mid}
            - {code: 3, label: High}
        demographics: [g]
        tables:
          - id: t
            title: T
            items:
              - {id: a, column: a, text: A}
              - {id: b, column: b, text: B}

        """.utf8).write(to: URL(fileURLWithPath: spec))
        // 800 000 rows of 6 bytes, 4.8 MB: long enough to be drawn several times.
        var text = "a,b,g\n"
        text.reserveCapacity(5_000_000)
        for r in 0..<800_000 { text += "\(r % 3 + 1),\(r % 2 + 1),\(r % 5 == 0 ? "x" : "y")\n" }
        let csv = root.appendingPathComponent("responses.csv").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: csv))
        return (spec, csv)
    }

    func testProgressLineOnATerminalOnly() throws {
        let (spec, csv) = try fixture()
        let shown = try waiOnTerminal(["analyze", csv, "--spec", spec, "--replicates", "0", "--progress-after", "0"])
        XCTAssertEqual(shown.status, 0)
        XCTAssertGreaterThan(Int(shown.stdout)!, 0)
        XCTAssert(shown.terminal.hasPrefix("\r\u{1B}[Kreading responses.csv: "), shown.terminal)
        XCTAssert(shown.terminal.contains(" MB of 4.8 MB, ") && shown.terminal.contains(" rows, ") && shown.terminal.contains(" s left"), shown.terminal)
        XCTAssert(shown.terminal.hasSuffix("\r\u{1B}[K"), "the line is cleared at the end: \(shown.terminal.suffix(80))")
        XCTAssertFalse(shown.terminal.contains("\n"), "one line, redrawn: \(shown.terminal)")

        let aggregated = try waiOnTerminal(["aggregate", csv, "--spec", spec, "--partial", csv + ".waistats", "--progress-after", "0"])
        // `wai aggregate` reads through the same range scanner: bytes are counted too.
        XCTAssert(aggregated.terminal.contains("reading responses.csv: ") && aggregated.terminal.contains(" MB of 4.8 MB, "), aggregated.terminal)

        let quiet = try waiOnTerminal(["analyze", csv, "--spec", spec, "--replicates", "0", "--progress-after", "0", "--quiet"])
        XCTAssertEqual(quiet.status, 0)
        XCTAssertEqual(quiet.terminal, "")
        // Past the default second only: a run this short on a terminal shows nothing.
        let short = try waiOnTerminal(["analyze", csv, "--spec", spec, "--replicates", "0", "--progress-after", "600"])
        XCTAssertEqual(short.terminal, "")

        let piped = try Products.run(Products.wai, ["analyze", csv, "--spec", spec, "--replicates", "0", "--progress-after", "0"])
        XCTAssertEqual(piped.status, 0)
        XCTAssertEqual(piped.stderr, "")
    }
}
