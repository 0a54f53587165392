import ArgumentParser
import Foundation
import WAIKit

struct TrendCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trend",
        abstract: "Compare waves of a survey: per item, each wave's n, WAI and band, and the change.",
        discussion: """
        Each SURVEY_DIR is one wave; they must share their spec (the same tables, item ids, \
        reverse keying, scale, weights and bands; columns, texts and titles may change). Waves \
        are labelled and ordered by the spec's `wave:` key when every survey has one, and are \
        otherwise taken in the order given, labelled by directory name. The change from the \
        previous wave comes with a confidence interval (waves as independent samples).

        Writes Markdown (or CSV or JSON with --format) to standard output, or trend.md, trend.csv and trend.json \
        into --out.

        Examples:
          wai trend Surveys/wave2023 Surveys/wave2024
          wai trend Surveys/wave* --format csv > trend.csv
          wai trend Surveys/wave2023 Surveys/wave2024 --out Reports/trend
        """
    )

    @Argument(help: ArgumentHelp("Survey directories, one per wave.", valueName: "dir"))
    var surveyDirectories: [String]

    @Option(help: ArgumentHelp("Output format on standard output: md, csv or json (schema wai.trend/1, Schemas/).", valueName: "format"))
    var format = "md"

    @Option(help: ArgumentHelp("Write trend.md, trend.csv and trend.json into this directory instead.", valueName: "dir"))
    var out: String?

    @Flag(help: "Count unknown answers as missing instead of stopping at the first.")
    var lenient = false

    @Option(help: ArgumentHelp("Coverage of the intervals of the changes, between 0 and 1.", valueName: "level"))
    var confidence = 0.95

    func validate() throws {
        guard surveyDirectories.count >= 2 else { throw ValidationError("a trend needs at least two survey directories (waves)") }
        guard ["md", "csv", "json"].contains(format) else { throw ValidationError("unknown format \(Quoted(format)) in --format; expected md, csv or json") }
        guard confidence > 0, confidence < 1 else { throw ValidationError("--confidence must be between 0 and 1 (e.g. --confidence 0.9)") }
    }

    func run() throws {
        let waves = try surveyDirectories.map { path -> Trend.Wave in
            let survey = try SurveyDirectory(path)
            // The trend uses linearization intervals only: no bootstrap, no breakdowns.
            let analysis = try survey.analyze(options: ReadOptions(lenient: lenient), aggregation: .loops,
                                              inference: InferenceOptions(confidence: confidence, replicates: 0), breakdowns: [],
                                              pipeline: .fromEnvironment)
            return Trend.Wave(label: survey.loaded.spec.wave ?? survey.name, source: path, spec: survey.loaded.spec, analysis: analysis)
        }
        let trend = try Trend.compare(Trend.ordered(waves), confidence: confidence)
        let renderer = TrendRenderer()
        if let out {
            do {
                try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            } catch {
                throw InputError("cannot create the output directory", at: SourceLocation(file: out), found: error.localizedDescription)
            }
            try writeAtomically(renderer.markdown(trend), to: (out as NSString).appendingPathComponent("trend.md"))
            try writeAtomically(renderer.csv(trend), to: (out as NSString).appendingPathComponent("trend.csv"))
            try writeAtomically(renderer.json(trend), to: (out as NSString).appendingPathComponent("trend.json"))
            try output("wrote trend.md, trend.csv and trend.json to \(out): \(trend.waves.count) waves\n")
        } else {
            let text = switch format {
            case "csv": renderer.csv(trend)
            case "json": try renderer.json(trend)
            default: renderer.markdown(trend)
            }
            try output(text)
        }
    }
}
