import ArgumentParser
import Foundation
import WAIKit

struct AnalyzeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyze",
        abstract: "Print the index tables of a responses CSV, read through a spec.",
        discussion: """
        Writes to standard output: Markdown (the default), CSV (one row per item of every \
        table, or per item and group with --by) or JSON.

        Examples:
          wai analyze Surveys/chapter11/responses.csv --spec Surveys/chapter11/survey.yaml
          wai analyze responses.csv --spec survey.yaml --by gender --format csv > by-gender.csv
          wai analyze responses.csv --spec survey.yaml --format json | jq '.tables[0].items[0].wai'
          wai analyze qualtrics-export.csv             # no spec: the Likert items found by their answers

        Without --spec, the export is recognised (Google Forms, KoboToolbox, Qualtrics, \
        SurveyMonkey, LimeSurvey, plain CSV/TSV), the Likert items are found by their answers and \
        what was assumed is printed on standard error; a column whose answer order cannot be told \
        is tabulated as a demographic and said so (refused, exit 2, only when a --codebook entry \
        names it); a weight is never applied without a spec. To change any of it, write a spec \
        with `wai init`, edit it, and pass it with --spec.
        """
    )

    @Argument(help: "The responses file: CSV (UTF-8 or UTF-16; comma, semicolon or tab; a survey platform's export), an .xlsx workbook (--sheet), SPSS .sav or Stata .dta.")
    var csv: String

    @Option(help: ArgumentHelp("The survey spec (YAML, see Surveys/SPEC.md); without it, one is inferred from the file.", valueName: "survey.yaml"))
    var spec: String?

    @Option(help: ArgumentHelp("Break every item down by this demographic column (repeatable).", valueName: "column"))
    var by: [String] = []

    @Option(help: ArgumentHelp("Output format: md, csv, json or html (one self-contained page with its charts).", valueName: "format"))
    var format: String = "md"

    @OptionGroup var reading: ReadingOptions

    @OptionGroup var exports: ExportOptions

    @OptionGroup var progress: ProgressOptions

    @Option(help: ArgumentHelp("Stratum column of a complex sample (the spec's `design: {strata:}`): Taylor-linearization SEs as R's svydesign(strata = ~column).", valueName: "column"))
    var strata: String?

    @Option(help: ArgumentHelp("PSU column, nested within strata (`design: {cluster:}`, R: ids = ~column, nest = TRUE).", valueName: "column"))
    var cluster: String?

    @Option(help: ArgumentHelp("Population count of PSUs per stratum (`design: {fpc:}`, R: fpc = ~column).", valueName: "column"))
    var fpc: String?

    @Option(name: .customLong("lonely-psu"), help: ArgumentHelp("A stratum with one PSU: fail, adjust, average, certainty or remove, as options(survey.lonely.psu).", valueName: "rule"))
    var lonelyPSU: String?

    /// The spec's design with the command line's design flags over it.
    func withDesignFlags(_ spec: SurveySpec) throws -> SurveySpec {
        guard strata != nil || cluster != nil || fpc != nil || lonelyPSU != nil else { return spec }
        var spec = spec
        var design = spec.design ?? SurveyDesign(weight: spec.weight)
        if let strata { design.strata = strata }
        if let cluster { design.cluster = cluster }
        if let fpc { design.fpc = fpc }
        if let lonelyPSU {
            guard let rule = SurveyDesign.LonelyPSU(rawValue: lonelyPSU) else {
                throw ValidationError("unknown rule \(Quoted(lonelyPSU)) in --lonely-psu; expected one of \(SurveyDesign.LonelyPSU.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            design.lonelyPSU = rule
        }
        guard design.isComplex else { throw ValidationError("--lonely-psu needs a design: give --strata, --cluster or --fpc") }
        spec.design = design
        return spec
    }

    func run() throws {
        guard let format = ReportFormat(rawValue: format), format != .svg, format != .xlsx else {
            let hint = format == "svg" ? "; svg writes one file per chart, so use `wai report --format svg`"
                : format == "xlsx" ? "; a workbook is not for a terminal, so use `wai report --format xlsx`" : " (e.g. --format json)"
            throw ValidationError("unknown format \(Quoted(format)) in --format; expected md, csv or json, or html for a self-contained page\(hint)")
        }
        var options = reading.readOptions
        options.format = exports.format
        var request: AnalysisRequest
        if let spec {
            request = AnalysisRequest(data: csv, spec: .loaded(try SurveyLoader.loadSpec(path: spec)))
        } else {
            let inferred = try inferForAnalysis(csv: csv, exports: exports, lenient: reading.lenient)
            request = AnalysisRequest(data: csv, spec: .inferred(inferred.spec, yaml: inferred.yaml), earlierWarnings: inferred.warnings)
        }
        switch request.spec {
        case .loaded(var loaded):
            loaded.spec = try withDesignFlags(loaded.spec)
            request.spec = .loaded(loaded)
        case .inferred(let spec, let yaml):
            request.spec = .inferred(try withDesignFlags(spec), yaml: yaml)
        }
        (request.options, request.aggregation, request.inference) = (options, reading.aggregation, reading.inference)
        let line = progress.line(reading: csv)
        (request.breakdowns, request.formats, request.pipeline) = (by, [format.rawValue], progress.pipeline(line))
        let analysis = try progress.showing(line) { try request.run() }
        printWarnings(analysis.quality)
        let text = try renderAnalysis(analysis, as: format)
        try output(text)
    }
}

/// An analysis as `wai analyze` and `wai merge` print it: the whole report in Markdown, JSON or
/// HTML, or the tables (or the breakdowns, with --by) as one CSV.
func renderAnalysis(_ analysis: SurveyAnalysis, as format: ReportFormat) throws -> String {
    let text: String
    switch format {
    case .md:
        text = MarkdownRenderer().report(analysis)
    case .json:
        text = try JSONRenderer().report(analysis)
    case .html:
        text = HTMLRenderer().report(analysis)
    case .svg, .xlsx:
        preconditionFailure("svg (a file per chart) and xlsx (binary): the commands reject them before rendering")
    case .csv:
        let renderer = CSVRenderer()
        if analysis.breakdowns.isEmpty {
            text = analysis.tables.enumerated().map { t, table in
                let rendered = renderer.table(table)
                return t == 0 ? rendered : String(rendered.split(separator: "\n", maxSplits: 1)[1])
            }.joined()
        } else {
            text = analysis.breakdowns.enumerated().map { b, breakdown in
                let rendered = renderer.breakdown(breakdown)
                return b == 0 ? rendered : String(rendered.split(separator: "\n", maxSplits: 1)[1])
            }.joined()
        }
    }
    return text
}
