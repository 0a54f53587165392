import ArgumentParser
import Foundation
import WAIKit

struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Write the spec wai infers from a responses file (survey.yaml), to check and edit.",
        discussion: """
        Recognises the export (Google Forms, KoboToolbox, Qualtrics, SurveyMonkey, LimeSurvey, \
        plain CSV/TSV, SPSS .sav or Stata .dta; UTF-8, or UTF-16 with a byte order mark), finds the Likert items by their \
        answers, orders the levels from known scales (agreement, frequency, quality, importance, \
        satisfaction, likelihood, degree; numeric 1–5, 1–7, 0–10; English and Khmer), groups the \
        items of a grid question into one table, and writes the spec to standard output: title, \
        data, source, scale (normalized weighting), missing answers, demographics, weight and \
        tables, with comments saying what was assumed and what was left out.

        Examples:
          wai init responses.csv > survey.yaml
          wai init export.csv --source qualtrics > survey.yaml
          wai init limesurvey.csv --codebook codebook.csv > survey.yaml
          wai init excel.csv --encoding windows-1252 > survey.yaml
          wai init survey.sav > survey.yaml           # value labels become the scale's labels
          wai init export.xlsx --sheet Responses > survey.yaml
        """
    )

    @Argument(help: "The responses file (CSV or TSV, as the survey platform exported it).")
    var csv: String

    @OptionGroup var exports: ExportOptions

    @Option(help: ArgumentHelp("The spec's title (default: the file's name).", valueName: "text"))
    var title: String?

    @Flag(help: "Leave malformed rows (a quoted field never closed, a wrong number of fields) out of the inference instead of stopping at the first; they are listed.")
    var lenient = false

    func run() throws {
        let result = try exports.initRequest(csv: csv, title: title, lenient: lenient,
                                             command: (["wai", "init", csv] + exports.arguments + (lenient ? ["--lenient"] : [])).joined(separator: " ")).run()
        if let quality = result.quality { printWarnings(quality) }
        try output(result.yaml)
        printError("wai: \(result.summary)")
        if let note = result.lenientNote { printError("wai: \(note)") }
    }
}

/// How a responses file is recognised: the options `wai analyze` and `wai init` share.
struct ExportOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The platform that exported the file: \(DataSource.choices) (default: recognised from the file).", valueName: "platform"))
    var source: String?

    @Option(help: ArgumentHelp("The file's text encoding: \(TextEncoding.choices) (default: UTF-8, or UTF-16 by its byte order mark).", valueName: "name"))
    var encoding: String?

    @Option(help: ArgumentHelp("Answer codes and their labels in scale order (CSV: question,code,label), for coded exports such as LimeSurvey's A1…A5.", valueName: "codebook.csv"))
    var codebook: String?

    @Option(help: ArgumentHelp("The sheet of an .xlsx workbook to read (default: the first).", valueName: "name"))
    var sheet: String?

    @Flag(help: "Leave out speeders (faster than a third of the median time, when the file has durations); they are always flagged in the report.")
    var dropSpeeders = false

    func validate() throws {
        if let source, DataSource(rawValue: source.lowercased()) == nil {
            throw ValidationError("unknown platform \(Quoted(source)) in --source; expected \(DataSource.choices)")
        }
        if let encoding, TextEncoding(name: encoding) == nil {
            throw ValidationError("unknown encoding \(Quoted(encoding)) in --encoding; expected \(TextEncoding.choices)")
        }
    }

    var format: InputFormat {
        InputFormat(detect: true, source: source.flatMap { DataSource(rawValue: $0.lowercased()) },
                    encoding: encoding.flatMap(TextEncoding.init(name:)), dropSpeeders: dropSpeeders)
            .with(sheet: sheet)
    }

    /// The options as given, to repeat them in a command line.
    var arguments: [String] {
        var out: [String] = []
        if let source { out += ["--source", source] }
        if let encoding { out += ["--encoding", encoding] }
        if let codebook { out += ["--codebook", codebook] }
        if let sheet { out += ["--sheet", sheet] }
        return out
    }

    /// `wai init csv` with these options, as a library request.
    func initRequest(csv: String, title: String? = nil, lenient: Bool = false, command: String? = nil) throws -> InitRequest {
        InitRequest(data: csv, format: format, codebook: try codebook.map { try Codebook.load(path: $0) }, title: title,
                    lenient: lenient, command: command)
    }

    /// Recognises `csv` and infers its spec.
    func infer(csv: String, title: String? = nil, lenient: Bool = false) throws -> InferredSurvey {
        try initRequest(csv: csv, title: title, lenient: lenient).infer()
    }
}

/// `wai analyze FILE` without --spec: the inferred spec (what was assumed on standard error),
/// refused when a column asked for as an item (a codebook entry) has an order it cannot tell. Returns the spec and the YAML it was written as.
func inferForAnalysis(csv: String, exports: ExportOptions, lenient: Bool = false) throws -> (spec: SurveySpec, yaml: String, warnings: [DataQuality.Warning]) {
    let inferred = try exports.infer(csv: csv, lenient: lenient)
    for line in inferred.assumptions { printError("wai: \(line)") }
    if let refusal = inferred.ambiguityError(file: csv) { throw refusal }
    if let speeders = inferred.layoutSpeedersNote { printError("wai: \(speeders)") }
    printError("wai: to change any of this: wai init \(csv) > survey.yaml, edit it, then wai analyze \(csv) --spec survey.yaml")
    var spec = inferred.spec
    spec.source = inferred.layout.source
    return (spec, SpecWriter.yaml(inferred, command: "wai analyze \(csv)"), inferred.warnings)
}

/// An error as printed, with the Windows-1252 hint when the bytes it points at look so.
func withEncodingHint(_ error: InputError) -> InputError {
    EncodingHint.annotate(error)
}
