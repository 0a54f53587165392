import WAIEstimate
import WAIModel

/// The lines of a report's provenance section: engine, input hashes, options and row
/// accounting. Each line may have sub-lines (the shards of a merge).
func provenanceLines(_ p: Provenance) -> [(line: ReportDocument.Text, sublines: [ReportDocument.Text])] {
    typealias Text = ReportDocument.Text
    func file(_ f: Provenance.FileDigest) -> Text { "\(code: f.name), SHA-256 \(code: f.sha256) (\(f.bytes) bytes)" }
    var lines: [(Text, [Text])] = [("Engine: \(p.engine).", []), ("Spec: \(file(p.spec)).", [])]
    switch (p.source, p.data.count) {
    case ("responses", 1):
        lines.append(("Data: \(file(p.data[0])).", []))
    default:
        let what: Text = p.source == "shards" ? "\(p.data.count) shard\(p.data.count == 1 ? "" : "s") merged (\(code: "wai merge"))"
            : p.source == "counts" ? "a counts table (\(code: "wai merge --counts"))" : "\(p.source)"
        lines.append(("Data: \(what):", p.data.map(file)))
    }
    let o = p.options
    let formats = o.formats.isEmpty ? "–" : Text.joined(o.formats.map(Text.code), separator: ", ")
    let breakdowns = o.breakdowns.map { $0.isEmpty ? "none" : Text.joined($0.map(Text.code), separator: ", ") } ?? "all"
    lines.append(("Options: \(o.lenient ? "lenient" : "strict") reading, aggregation \(code: o.aggregation), formats \(formats), breakdowns \(breakdowns).", []))
    lines.append(("Rows read \(p.rows.read) = rows used \(p.rows.used) + rows rejected \(p.rows.rejected); \(p.rows.blankLines) blank line\(p.rows.blankLines == 1 ? "" : "s") skipped.", []))
    return lines
}
