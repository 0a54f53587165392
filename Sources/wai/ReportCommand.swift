import ArgumentParser
import Foundation
import WAIKit

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write a survey's report: every table in Markdown, CSV and JSON, SVG charts and an HTML page.",
        discussion: """
        Reads SURVEY_DIR/survey.yaml and the responses it names, and writes report.md, \
        report.json, one .md/.csv/.json per table, frequencies.csv and one breakdown CSV per \
        demographic; with svg, charts/<table>-index.svg (WAI per item, bands, OA), \
        charts/<table>-levels.svg (diverging answer bars), charts/frequency-<column>.svg and \
        charts/breakdown-<column>-<table>.svg; with html, report.html: one self-contained page \
        (inline CSS and charts, no scripts, nothing from the network) for reading or printing on A4. \
        The report is written into a fresh folder beside the output directory and swapped in \
        at once: the directory holds the old report or the new one, never a mix; files wai did \
        not write stay. Two runs into one directory take turns (a lock beside it). The same \
        inputs give byte-identical files.

        Examples:
          wai report                                   # the reference study -> Reports/chapter11
          wai report Surveys/wave2 --format md,csv     # -> Reports/wave2
          wai report Surveys/wave2 --format html       # just report.html
          wai report Surveys/wave2 --out /tmp/wave2 --lenient
        """
    )

    @Argument(help: "The survey directory.")
    var surveyDirectory: String = SurveyDirectory.reference

    @Option(help: ArgumentHelp("Output directory (default: Reports/<survey directory name>).", valueName: "dir"))
    var out: String?

    @Option(help: ArgumentHelp("Formats to write, comma-separated: md, csv, json, svg, html, xlsx (one workbook, a sheet per table).", valueName: "list"))
    var format: String = "md,csv,json,svg,html,xlsx"

    @OptionGroup var reading: ReadingOptions

    @OptionGroup var progress: ProgressOptions

    func run() throws {
        let formats = try parseFormats(format)
        let survey = try SurveyDirectory(surveyDirectory)
        let line = progress.line(reading: try survey.dataPath)
        let analysis = try progress.showing(line) {
            try survey.analyze(options: reading.readOptions, aggregation: reading.aggregation, inference: reading.inference,
                               formats: ReportFormat.allCases.filter(formats.contains).map(\.rawValue), pipeline: progress.pipeline(line))
        }
        printWarnings(analysis.quality)
        let directory = out ?? ("Reports" as NSString).appendingPathComponent(survey.name)
        var writer = ReportWriter(formats: formats)
        writer.onLockWait = { printError("wai: \($0)") }
        let written = try writer.write(analysis, to: directory)
        try output("wrote \(written.count) files to \(directory): rows read \(analysis.quality.rowsRead) = used \(analysis.quality.rowsUsed) + rejected \(analysis.quality.rowsRejected)\n")
    }
}

func parseFormats(_ list: String) throws -> Set<ReportFormat> {
    var formats: Set<ReportFormat> = []
    for name in list.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
        guard let format = ReportFormat(rawValue: name) else {
            throw ValidationError("unknown format \(Quoted(name)) in --format; expected a comma-separated list of md, csv, json, svg, html, xlsx (e.g. --format md,html)")
        }
        formats.insert(format)
    }
    guard !formats.isEmpty else { throw ValidationError("--format needs at least one of md, csv, json, svg, html, xlsx") }
    return formats
}
