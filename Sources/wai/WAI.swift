import ArgumentParser
import Foundation
import WAIKit

@main
struct WAI: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wai",
        abstract: "Weighted Average Index (WAI) tables and bands from Likert survey responses.",
        discussion: """
        A survey is a directory with a spec (survey.yaml: scale, weighting, bands, items), \
        the responses CSV it names, and optionally published.yaml (values a study printed).

        Examples:
          wai report                                  # Surveys/chapter11 -> Reports/chapter11
          wai report Surveys/my-survey --out out/     # any survey directory
          wai analyze responses.csv --spec survey.yaml --by gender
          wai init export.csv > survey.yaml           # a spec inferred from a survey platform's export
          wai verify Surveys/chapter11                # compare with the published values
          wai batch Surveys --out Reports             # every survey, in parallel, with summary.csv/json
          wai trend Surveys/wave2023 Surveys/wave2024 # the same items over waves
          wai aggregate part1.csv --spec survey.yaml --partial part1.waistats
          wai merge survey.yaml part1.waistats part2.waistats   # shards (or --counts counts.csv)
          wai serve                                   # a local web page on http://127.0.0.1:8080/

        Exit status: 0 success, 1 verification mismatch or a failed survey in a batch, 2 bad input or usage.
        The spec format is documented in Surveys/SPEC.md.
        """,
        version: Engine.version,
        subcommands: [ReportCommand.self, AnalyzeCommand.self, VerifyCommand.self,
                      BatchCommand.self, TrendCommand.self, AggregateCommand.self, MergeCommand.self, SQLCommand.self,
                      InitCommand.self, ServeCommand.self]
    )

    /// Maps errors to the documented exit statuses: bad input and usage are 2, not
    /// ArgumentParser's 64, so scripts can tell them from a verification mismatch (1).
    static func main() {
        // A closed pipe is an EPIPE from write(2) (a quiet stop below), not a signal that kills.
        signal(SIGPIPE, SIG_IGN)
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let error as InputError {
            printError("wai: error: \(withEncodingHint(error))")
            Foundation.exit(2)
        } catch let error as OutputError {
            if error.isClosedPipe { Foundation.exit(0) }
            printError("wai: error: \(error)")
            Foundation.exit(2)
        } catch let error as ExitCode {
            Foundation.exit(error.rawValue)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                exit(withError: error)
            }
            printError(fullMessage(for: error))
            Foundation.exit(2)
        }
    }
}

/// The report's warnings, on standard error too.
func printWarnings(_ quality: DataQuality) {
    for warning in quality.warnings ?? [] { printError("wai: warning: \(warning.message)") }
}

func printError(_ text: String) {
    writeStandardError(text + "\n")
}

/// Standard output: a failed write throws (`OutputError`), a closed pipe included.
func output(_ text: String) throws {
    try StandardOutput.write(text)
}
