import ArgumentParser
import Dispatch
import Foundation
import Synchronization
import WAIKit

struct BatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "batch",
        abstract: "Report every survey directory under the given paths, in parallel, with one summary.",
        discussion: """
        Finds every directory holding a survey.yaml under the paths (a path that is a survey \
        directory itself counts too), analyses up to --jobs of them at once and writes each \
        survey's report to OUT/<name>, then OUT/summary.csv and OUT/summary.json: per survey its \
        status (ok, skipped (unchanged) or failed, with the error) and every item's n, WAI, band \
        and interval.

        A survey whose spec bytes, data bytes, engine version and options are those of the last \
        run (OUT/.wai-batch-state.json) and whose report files are still there is skipped; \
        --force analyses everything again. A failing survey does not stop the others; the exit \
        status is then 1 (2 for usage errors).

        Examples:
          wai batch Surveys                         # -> Reports/<name>/, Reports/summary.csv
          wai batch Surveys/wave1 Surveys/wave2 --out /tmp/waves --format md,json
          wai batch Surveys --force --jobs 1 --replicates 0
        """
    )

    @Argument(help: ArgumentHelp("Survey directories, or directories to search for them.", valueName: "dir"))
    var paths: [String]

    @Option(help: ArgumentHelp("Output directory: a report per survey in <out>/<name>, and the summary.", valueName: "dir"))
    var out = "Reports"

    @Option(help: ArgumentHelp("Formats of each report, comma-separated (as `wai report --format`).", valueName: "list"))
    var format = ReportFormat.allCases.map(\.rawValue).joined(separator: ",")

    @Option(help: ArgumentHelp("Surveys analysed at once: by default as many as there are active processors.", valueName: "n"))
    var jobs = ProcessInfo.processInfo.activeProcessorCount

    @Flag(help: "Analyse every survey, even when its inputs have not changed since the last run.")
    var force = false

    @OptionGroup var reading: ReadingOptions

    @Flag(help: "No progress on standard error: only the surveys that failed.")
    var quiet = false

    func validate() throws {
        guard jobs >= 1 else { throw ValidationError("--jobs must be 1 or more") }
    }

    func run() throws {
        let formats = try parseFormats(format)
        let surveys = try BatchJob.discover(paths)
        let job = BatchJob(
            out: out, formats: ReportFormat.allCases.filter(formats.contains), force: force,
            readOptions: reading.readOptions, aggregation: reading.aggregation, inference: reading.inference,
            pipeline: .fromEnvironment)
        let progress = BatchProgress(total: surveys.count, quiet: quiet)
        let summary = try job.run(surveys, jobs: jobs, progress: progress.done)
        progress.finish()
        let counts = Dictionary(grouping: summary.surveys, by: \.status).mapValues(\.count)
        try output("\(surveys.count) survey\(surveys.count == 1 ? "" : "s"): \(counts[.ok] ?? 0) ok, \(counts[.skipped] ?? 0) skipped (unchanged), \(counts[.failed] ?? 0) failed; summary in \((out as NSString).appendingPathComponent("summary.csv"))\n")
        if counts[.failed] != nil { throw ExitCode(1) }
    }
}

/// Progress on standard error: a bar redrawn in place on a terminal, one line per survey otherwise.
final class BatchProgress: Sendable {
    private let total: Int
    private let finished = Mutex(0)
    private let terminal = isatty(STDERR_FILENO) != 0
    private let quiet: Bool

    init(total: Int, quiet: Bool = false) {
        self.total = total
        self.quiet = quiet
    }

    @Sendable func done(_ survey: BatchSummary.Survey) {
        finished.withLock { finished in
            finished += 1
            if quiet {
                if survey.status == .failed { write("\(survey.survey) failed: \(survey.error ?? "")\n") }
                return
            }
            let outcome = survey.status == .failed ? "failed: \(survey.error ?? "")" : survey.status.rawValue
            if terminal {
                if survey.status == .failed { write("\r\u{1B}[K\(survey.survey) failed: \(survey.error ?? "")\n") }
                let width = 30
                let filled = total > 0 ? width * finished / total : width
                write("\r\u{1B}[K[\(String(repeating: "#", count: filled))\(String(repeating: " ", count: width - filled))] \(finished)/\(total) \(survey.survey) \(survey.status == .failed ? "failed" : survey.status.rawValue)")
            } else {
                write("[\(finished)/\(total)] \(survey.survey) \(outcome)\n")
            }
        }
    }

    func finish() {
        finished.withLock { if terminal && !quiet && $0 > 0 { write("\n") } }
    }

    private func write(_ text: String) { writeStandardError(text) }
}
