// The wai library from a Swift program: load a spec, stream its responses, read the typed
// results, write a report. Run it from the repository root:
//
//     swift run wai-example-quickstart                       # Surveys/chapter11
//     swift run wai-example-quickstart path/to/survey-dir [report-dir]
//
// It prints every table's items with their WAI and band, and with a second argument writes
// the full report (Markdown, CSV, JSON) there.
import Foundation
import WAIKit

let arguments = CommandLine.arguments.dropFirst()
let surveyDirectory = arguments.first ?? "Surveys/chapter11"

do {
    // 1. The spec: survey.yaml, validated; its `data:` path is resolved against its directory.
    let loaded = try SurveyLoader.loadSpec(path: (surveyDirectory as NSString).appendingPathComponent("survey.yaml"))
    guard let dataPath = loaded.dataPath else {
        throw InputError("the spec names no responses file", at: SourceLocation(file: loaded.path, keyPath: "data"))
    }

    // 2. Stream the CSV through the spec into an analysis (no bootstrap: only linearization intervals).
    let analysis = try Analyzer.analyze(
        spec: loaded.spec, csvPath: dataPath, specName: loaded.path,
        inference: InferenceOptions(confidence: 0.95, replicates: 0))

    // 3. Typed results: tables of items, each with n, WAI, the WAI as printed, and its band.
    print("\(analysis.title): \(analysis.respondents) respondents")
    for table in analysis.tables {
        print("\n\(table.caption.map { "\($0). " } ?? "")\(table.title)")
        for item in table.items {
            let interval = item.interval.map { " [\(BandTable.fixed($0.lower, decimals: 2)), \(BandTable.fixed($0.upper, decimals: 2))]" } ?? ""
            print("  \(item.id.padding(toLength: 20, withPad: " ", startingAt: 0)) n = \(item.n)  WAI \(item.waiReported ?? "–")  \(item.band ?? "no answers")\(interval)")
        }
        if let oa = table.composite {
            print("  \("OA".padding(toLength: 20, withPad: " ", startingAt: 0)) mean of \(oa.items) items  WAI \(oa.waiReported)  \(oa.band)")
        }
    }

    // 4. A report on disk, written atomically (the same inputs give the same bytes).
    if let out = arguments.dropFirst().first {
        let written = try ReportWriter(formats: [.md, .csv, .json]).write(analysis, to: out)
        print("\nwrote \(written.count) files to \(out)")
    }
} catch {
    FileHandle.standardError.write(Data("wai-example-quickstart: \(error)\n".utf8))
    exit(error is InputError ? 2 : 1)
}
