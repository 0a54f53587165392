import WAIEstimate
import WAIModel

/// The bullet lines of a report's data-quality section.
///
/// - Parameter missing: each item's missing answers among the rows used (`DocumentBuilder.missingByItem`).
func qualityLines(_ quality: DataQuality, missing: [(id: String, count: Int)]) -> [ReportDocument.Text] {
    typealias Text = ReportDocument.Text
    func code(_ s: String) -> Text { .code(s) }
    var lines: [Text] = [
        "Rows read \(quality.rowsRead) = rows used \(quality.rowsUsed) + rows rejected \(quality.rowsRejected).",
        "Blank lines skipped: \(quality.blankLines).",
        "Unknown answers counted as missing (\(code: "--lenient")): \(quality.unknownAnswers.reduce(0) { $0 + $1.count }).",
        "Duplicate respondent ids: \(quality.duplicateIDs.count).",
    ]
    if !quality.duplicateUnusedHeaders.isEmpty {
        lines.append("Header names used twice, in columns not analysed: \(Text.joined(quality.duplicateUnusedHeaders.map(code), separator: ", ")).")
    }
    let blank = quality.fullyBlankResponses ?? []
    lines.append("Fully blank responses (every item missing), counted in the rows used but in no index: \(blank.count)\(blank.isEmpty ? "" : " (\(lineList(blank)))").")
    if !missing.isEmpty {
        var line: Text = "Missing answers by item (blank, a missing marker or, with \(code: "--lenient"), an unknown answer; never scored): "
        let some = missing.filter { $0.count > 0 }
        let rest = missing.count - some.count
        if some.isEmpty {
            line += "none in any of the \(missing.count) items."
        } else {
            line += Text.joined(some.map { "\(code: $0.id) \($0.count)" }, separator: ", ")
            line += rest == 0 ? "." : "; none in the other \(rest) item\(rest == 1 ? "" : "s")."
        }
        lines.append(line)
    }
    if let speeders = quality.speeders {
        let median = speedSeconds(speeders.medianSeconds), threshold = speedSeconds(speeders.thresholdSeconds)
        var line: Text = "Speeders (faster than a third of the median time, \(median) s, from \(speeders.source); \(speeders.timed) timed): \(speeders.lines.count)"
        line += speeders.lines.isEmpty ? "." : " (\(lineList(speeders.lines))), under \(threshold) s; "
            + (speeders.dropped ? "left out (\(code: "--drop-speeders")), listed among the rejected rows." : "flagged, not left out (\(code: "--drop-speeders") would).")
        lines.append(line)
    }
    for warning in quality.warnings ?? [] {
        lines.append("Warning: \(warning.message).")
    }
    return lines
}

/// "lines 5, 9, 12" (the first 20, then "…").
func lineList(_ lines: [Int]) -> String {
    (lines.count == 1 ? "line " : "lines ") + lines.prefix(20).map(String.init).joined(separator: ", ") + (lines.count > 20 ? ", …" : "")
}

func speedSeconds(_ value: Double) -> String { BandTable.fixed(value, decimals: value < 100 ? 1 : 0) }
