import WAIModel
import WAIStats

extension MarkdownRenderer {
    /// The report's provenance section: engine, input hashes, options and row accounting.
    public func provenance(_ p: Provenance) -> String {
        func file(_ f: Provenance.FileDigest) -> String { "`\(inline(f.name))`, SHA-256 `\(f.sha256)` (\(f.bytes) bytes)" }
        var out = "## Provenance\n\n"
        out += "- Engine: \(inline(p.engine)).\n"
        out += "- Spec: \(file(p.spec)).\n"
        switch (p.source, p.data.count) {
        case ("responses", 1):
            out += "- Data: \(file(p.data[0])).\n"
        default:
            let what = p.source == "shards" ? "\(p.data.count) shard\(p.data.count == 1 ? "" : "s") merged (`wai merge`)"
                : p.source == "counts" ? "a counts table (`wai merge --counts`)" : inline(p.source)
            out += "- Data: \(what):\n" + p.data.map { "  - \(file($0))\n" }.joined()
        }
        let o = p.options
        out += "- Options: \(o.lenient ? "lenient" : "strict") reading, aggregation \(inline(o.aggregation))"
        out += ", formats \(o.formats.isEmpty ? "–" : o.formats.map(inline).joined(separator: ", "))"
        out += ", breakdowns \(o.breakdowns.map { $0.isEmpty ? "none" : $0.map(inline).joined(separator: ", ") } ?? "all").\n"
        out += "- Rows read \(p.rows.read) = rows used \(p.rows.used) + rows rejected \(p.rows.rejected); \(p.rows.blankLines) blank line\(p.rows.blankLines == 1 ? "" : "s") skipped.\n"
        return out
    }
}
