import WAIEstimate
import WAIModel

/// Renders a trend over waves: per table, one small table per item (and per composite) with
/// each wave's n, WAI, band and the change from the previous wave.
public struct TrendRenderer: Sendable {
    /// The layout of `trend.json`; its JSON Schema is Schemas/wai.trend-1.schema.json.
    public static let schema = "wai.trend/1"

    public init() {}

    /// The whole trend as JSON (sorted keys), schema `wai.trend/1`, with the engine that made it.
    public func json(_ trend: Trend) throws -> String {
        try JSONRenderer().encode(JSONRenderer.Document(schema: Self.schema, engine: Engine.name, body: trend))
    }

    /// Per table, one small Markdown table per item and composite, with a note on the method.
    public func markdown(_ trend: Trend) -> String {
        let level = BandTable.fixed(100 * trend.confidence, decimals: 0)
        var out = "# Trend: \(inline(trend.title))\n\n"
        out += "Waves, in order: " + zip(trend.waves, trend.sources).map { "\(inline($0)) (`\(inline($1))`)" }.joined(separator: ", ") + ".\n\n"
        out += "Change: this wave's index minus the previous wave's, from the unrounded indices; \(level) % CI of the change by linearization, the waves taken as independent samples (SE = √(SE₁² + SE₂²)).\n\n"
        for table in trend.tables {
            out += "## " + (table.caption.map { inline($0) + ". " } ?? "") + inline(table.title) + "\n\n"
            for series in table.items + (table.composite.map { [$0] } ?? []) {
                out += "### \(series.item == "OA" ? "**OA**" : inline(series.item)): \(inline(series.text))\n\n"
                let hasInterval = series.points.contains { $0.changeInterval != nil }
                let rows = series.points.map { p -> [String] in
                    var row = [inline(p.wave), String(p.n), p.waiReported ?? "–", p.band.map(inline) ?? "no answers", p.changeReported ?? ""]
                    if hasInterval { row.append(p.changeInterval.map(interval) ?? "") }
                    return row
                }
                out += markdownTable(
                    header: ["Wave", series.item == "OA" ? "Items" : "n", "WAI", "Band", "Change"] + (hasInterval ? ["\(level) % CI of change"] : []),
                    align: ["l", "r", "r", "l", "r"] + (hasInterval ? ["r"] : []), rows: rows) + "\n"
            }
        }
        return out
    }

    /// One row per table × item × wave.
    public func csv(_ trend: Trend) -> String {
        let number = CSVRenderer().number
        var out = csvLine(["table", "item", "wave", "n", "wai", "wai_reported", "band", "change", "change_reported", "change_lower", "change_upper"])
        for table in trend.tables {
            for series in table.items + (table.composite.map { [$0] } ?? []) {
                for p in series.points {
                    out += csvLine([table.id, series.item, p.wave, String(p.n), p.wai.map(number) ?? "", p.waiReported ?? "", p.band ?? "",
                                    p.change.map(number) ?? "", p.changeReported ?? "",
                                    p.changeInterval.map { number($0.lower) } ?? "", p.changeInterval.map { number($0.upper) } ?? ""])
                }
            }
        }
        return out
    }

    func interval(_ i: Interval) -> String {
        "\(signedFixed(i.lower, decimals: 2)) – \(signedFixed(i.upper, decimals: 2))"
    }
}
