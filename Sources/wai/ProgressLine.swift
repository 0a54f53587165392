import ArgumentParser
import Foundation
import Synchronization
import WAIKit

struct ProgressOptions: ParsableArguments {
    @Flag(help: "No progress line on standard error (it is shown only on a terminal, once a run passes about a second).")
    var quiet = false

    @Option(help: .hidden)
    var progressAfter = 1.0

    /// The line for reading `path`, or nil when quiet or standard error is not a terminal.
    func line(reading path: String) -> ProgressLine? {
        guard !quiet, isatty(STDERR_FILENO) != 0 else { return nil }
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil
        return ProgressLine(name: (path as NSString).lastPathComponent, totalBytes: size, after: progressAfter)
    }

    /// Runs `body` with `line` shown, and clears it after, however `body` ends.
    func showing<T>(_ line: ProgressLine?, _ body: () throws -> T) rethrows -> T {
        defer { line?.stop() }
        return try body()
    }

    /// `pipeline` with the line's counter, when there is a line.
    func pipeline(_ line: ProgressLine?) -> PipelineOptions {
        var options = PipelineOptions.fromEnvironment
        options.progress = line?.progress
        return options
    }
}

/// One line on standard error, redrawn by its own thread from a `ReadProgress` the readers feed:
/// bytes and rows read, the rate, the time left. Nothing is drawn before `after` seconds; the
/// line is cleared when the run ends.
final class ProgressLine: Sendable {
    let progress = ReadProgress()
    let name: String
    let totalBytes: Int?
    let after: Double
    private let stopped = Atomic<Bool>(false)
    private let finished = DispatchSemaphore(value: 0)

    init(name: String, totalBytes: Int?, after: Double) {
        self.name = name
        self.totalBytes = totalBytes
        self.after = after
        let thread = Thread { [self] in draw() }
        thread.start()
    }

    func stop() {
        guard !stopped.exchange(true, ordering: .acquiringAndReleasing) else { return }
        finished.wait()
    }

    private func draw() {
        let start = Date()
        var drawn = false
        while !stopped.load(ordering: .acquiring) {
            Thread.sleep(forTimeInterval: 0.1)
            let elapsed = Date().timeIntervalSince(start)
            guard elapsed >= after, !stopped.load(ordering: .acquiring) else { continue }
            writeStandardError("\r\u{1B}[K" + Self.text(name: name, read: progress.read, totalBytes: totalBytes, seconds: elapsed))
            drawn = true
        }
        if drawn { writeStandardError("\r\u{1B}[K") }
        finished.signal()
    }

    static func text(name: String, read: (bytes: Int, rows: Int), totalBytes: Int?, seconds: Double) -> String {
        var parts = ["reading \(name):"]
        let rate = seconds > 0 ? Double(read.bytes) / seconds : 0
        if read.bytes > 0 {
            parts.append(totalBytes.map { "\(megabytes(read.bytes)) of \(megabytes($0))," } ?? "\(megabytes(read.bytes)),")
        }
        parts.append("\(read.rows.formatted()) rows,")
        if read.bytes > 0 {
            parts.append("\(megabytes(Int(rate)))/s")
            if let total = totalBytes, rate > 0 {
                parts[parts.count - 1] += ","
                parts.append("\(Int((Double(max(0, total - read.bytes)) / rate).rounded(.up))) s left")
            }
        } else {
            parts.append("\(Int(seconds > 0 ? Double(read.rows) / seconds : 0).formatted()) rows/s")
        }
        return parts.joined(separator: " ")
    }

    static func megabytes(_ bytes: Int) -> String { String(format: "%.1f MB", Double(bytes) / 1e6) }
}
