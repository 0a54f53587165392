import WAIEstimate
import WAIModel

/// The lines of a report's provenance section, in any markup: `code` marks a file name, hash or
/// command, `option` an option's value, `text` escapes the rest. Each line may have sub-lines
/// (the shards of a merge).
func provenanceLines(_ p: Provenance, code: (String) -> String, option: (String) -> String,
                     text: (String) -> String) -> [(line: String, sublines: [String])] {
    func file(_ f: Provenance.FileDigest) -> String { "\(code(f.name)), SHA-256 \(code(f.sha256)) (\(f.bytes) bytes)" }
    var lines: [(String, [String])] = [("Engine: \(text(p.engine)).", []), ("Spec: \(file(p.spec)).", [])]
    switch (p.source, p.data.count) {
    case ("responses", 1):
        lines.append(("Data: \(file(p.data[0])).", []))
    default:
        let what = p.source == "shards" ? "\(p.data.count) shard\(p.data.count == 1 ? "" : "s") merged (\(code("wai merge")))"
            : p.source == "counts" ? "a counts table (\(code("wai merge --counts")))" : text(p.source)
        lines.append(("Data: \(what):", p.data.map(file)))
    }
    let o = p.options
    lines.append(("Options: \(o.lenient ? "lenient" : "strict") reading, aggregation \(option(o.aggregation))"
        + ", formats \(o.formats.isEmpty ? "–" : o.formats.map(option).joined(separator: ", "))"
        + ", breakdowns \(o.breakdowns.map { $0.isEmpty ? "none" : $0.map(option).joined(separator: ", ") } ?? "all").", []))
    lines.append(("Rows read \(p.rows.read) = rows used \(p.rows.used) + rows rejected \(p.rows.rejected); \(p.rows.blankLines) blank line\(p.rows.blankLines == 1 ? "" : "s") skipped.", []))
    return lines
}

extension MarkdownRenderer {
    /// The report's provenance section: engine, input hashes, options and row accounting.
    public func provenance(_ p: Provenance) -> String {
        let lines = provenanceLines(p, code: { "`\(inline($0))`" }, option: inline, text: inline)
        return "## Provenance\n\n" + lines.map { line, sublines in
            "- \(line)\n" + sublines.map { "  - \($0)\n" }.joined()
        }.joined()
    }
}
