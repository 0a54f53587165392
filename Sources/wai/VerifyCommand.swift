import ArgumentParser
import Foundation
import WAIKit

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check computed values against the numbers a study published.",
        discussion: """
        Compares every value in SURVEY_DIR/published.yaml with the analysis of the survey: \
        indices at the spec's precision, bands by label, percents at one decimal, counts \
        exactly. Lists every mismatch and exits 1 if there is any.

        Example:
          wai verify Surveys/chapter11
        """
    )

    @Argument(help: "The survey directory, holding survey.yaml and published.yaml.")
    var surveyDirectory: String = SurveyDirectory.reference

    @Flag(help: "List every check, not only the mismatches.")
    var verbose = false

    @OptionGroup var reading: ReadingOptions

    func run() throws {
        let survey = try SurveyDirectory(surveyDirectory)
        let publishedPath = (surveyDirectory as NSString).appendingPathComponent("published.yaml")
        guard FileManager.default.fileExists(atPath: publishedPath) else {
            throw InputError("nothing to verify against", at: SourceLocation(file: publishedPath),
                             expected: "a published.yaml with the values the study printed (see Surveys/chapter11/published.yaml)")
        }
        let published = try YAMLDocument.decode(PublishedValues.self, path: publishedPath)
        let analysis = try survey.analyze(options: reading.readOptions, aggregation: reading.aggregation, inference: reading.inference, pipeline: .fromEnvironment)
        let checks = Verifier.checks(analysis, against: published, bands: survey.loaded.spec.bands)
        let mismatches = checks.filter { !$0.matches }
        for check in checks where verbose || !check.matches {
            let mark = check.matches ? "ok      " : "MISMATCH"
            try output("\(mark) \(check.subject): computed \(check.computed), published \(check.published)  [\(publishedPath): \(check.keyPath)]\n")
        }
        try output("\(checks.count) checks, \(checks.count - mismatches.count) match, \(mismatches.count) mismatch\n")
        if !mismatches.isEmpty { throw ExitCode(1) }
    }
}
