import WAIEstimate
import WAIModel

/// Draws a report document as one self-contained HTML page: inline CSS and SVG charts, no
/// scripts and nothing fetched from the network (a Content-Security-Policy says so too).
///
/// The page is also well-formed XML (void elements closed, only XML's five entities), so
/// it can be checked with an XML parser. All survey text is escaped.
public struct HTMLRenderer: Sendable {
    public var charts: SVGRenderer

    public init(charts: SVGRenderer = SVGRenderer()) {
        self.charts = charts
    }

    /// The whole report of `analysis`.
    public func report(_ analysis: SurveyAnalysis) -> String {
        render(ReportDocument(analysis))
    }

    public func render(_ document: ReportDocument) -> String {
        var out = "<!DOCTYPE html>\n<html lang=\"en\" xmlns=\"http://www.w3.org/1999/xhtml\">\n<head>\n"
        out += "<meta charset=\"utf-8\"/>\n"
        out += "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\"/>\n"
        out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n"
        out += "<meta name=\"generator\" content=\"wai\"/>\n"
        out += "<title>\(e(document.title))</title>\n<style>\n\(Self.css)</style>\n</head>\n<body>\n"
        out += "<header>\n<h1>\(e(document.title))</h1>\n" + blocks(document.lead, of: document) + "</header>\n"
        let contents = document.contents
        if !contents.isEmpty {
            out += "<nav aria-label=\"Contents\">\n<h2 class=\"toc\">Contents</h2>\n<ol>\n"
                + contents.map { "<li><a href=\"#\(e($0.anchor))\">\(text($0.title))</a></li>" }.joined(separator: "\n") + "\n</ol>\n</nav>\n"
        }
        out += "<main>\n" + blocks(document.body, of: document) + "</main>\n"
        if let footer = document.footer { out += "<footer><p class=\"note\">\(text(footer))</p></footer>\n" }
        out += "</body>\n</html>\n"
        return out
    }

    func blocks(_ blocks: [ReportDocument.Block], of document: ReportDocument) -> String {
        blocks.map { block($0, of: document) }.joined()
    }

    func block(_ block: ReportDocument.Block, of document: ReportDocument) -> String {
        switch block {
        case .paragraph(let t, let role):
            switch role {
            case .sample: return "<p class=\"sample\">\(text(t))</p>\n"
            case .note: return "<p class=\"note\">\(text(t))</p>\n"
            case .body: return "<p>\(text(t))</p>\n"
            }
        case .list(let items):
            return "<ul>\n" + items.map { item in
                item.sublist.isEmpty ? "<li>\(text(item.text))</li>\n"
                    : "<li>\(text(item.text))<ul>\n" + item.sublist.map { "<li>\(text($0))</li>\n" }.joined() + "</ul></li>\n"
            }.joined() + "</ul>\n"
        case .table(let table):
            return htmlTable(table)
        case .figure(let figure):
            // Each chart's own title and description carry its caption for readers and screen readers.
            return "<figure>\n" + charts.chart(figure, of: document.analysis) + "</figure>\n"
        case .section(let section):
            let heading = "<h\(section.level)>\(text(section.title))</h\(section.level)>\n"
            guard let anchor = section.anchor else { return heading + blocks(section.blocks, of: document) }
            let cls = section.level == 2 ? " class=\"chapter\"" : ""
            return "<section id=\"\(e(anchor))\"\(cls)>\n" + heading + blocks(section.blocks, of: document) + "</section>\n"
        }
    }

    func text(_ text: ReportDocument.Text) -> String {
        text.spans.map { span in
            switch span {
            case .plain(let s): return e(s)
            case .code(let s): return "<code>\(e(s))</code>"
            case .strong(let s): return "<strong>\(e(s))</strong>"
            case .emphasis(let s): return "<em>\(e(s))</em>"
            case .aside(let s): return "<span class=\"note\">(\(e(s)))</span>"
            case .lineBreak, .entryBreak: return "<br/>"
            case .titled(let s, let title): return "<span title=\"\(e(title))\">\(e(s))</span>"
            }
        }.joined()
    }

    func htmlTable(_ table: ReportDocument.Table) -> String {
        func cell(_ tag: String, _ c: ReportDocument.Cell) -> String {
            let cls = c.numeric ? " class=\"num\"" : c.nowrap ? " class=\"nw\"" : ""
            return "<\(tag)\(cls)>\(text(c.text))</\(tag)>"
        }
        var out = "<div class=\"scroll\"><table class=\"\(e(table.role))\">\n<thead><tr>" + table.header.map { cell("th", $0) }.joined() + "</tr></thead>\n<tbody>\n"
        for row in table.rows {
            let cls = switch row.role {
            case .plain: ""
            case .composite: " class=\"oa\""
            case .total: " class=\"total\""
            }
            out += "<tr\(cls)>" + row.cells.map { cell("td", $0) }.joined() + "</tr>\n"
        }
        return out + "</tbody>\n</table></div>\n"
    }

    func e(_ text: String) -> String { xmlEscape(text) }

    static let css = """
    @page { size: A4; margin: 14mm 12mm; }
    html { background: #ffffff; }
    body { font-family: "Noto Sans", "Noto Sans Khmer", "Khmer OS", "DejaVu Sans", sans-serif; color: #1a1a1a; background: #ffffff;
      font-size: 15px; line-height: 1.5; max-width: 840px; margin: 0 auto; padding: 24px 20px 48px; }
    h1 { font-size: 28px; line-height: 1.25; margin: 0 0 12px; }
    h2 { font-size: 21px; line-height: 1.3; margin: 40px 0 12px; padding-bottom: 4px; border-bottom: 2px solid #2d004b; }
    h2.toc { font-size: 17px; border: 0; margin: 16px 0 4px; }
    h3 { font-size: 17px; margin: 24px 0 8px; }
    code { font-family: "DejaVu Sans Mono", monospace; font-size: 0.9em; background: #f3f3f3; padding: 0 3px; }
    .sample { margin: 4px 0; }
    .note { font-size: 13px; color: #4d4d4d; }
    nav ol { margin: 0; padding-left: 24px; columns: 2; }
    a { color: #2d004b; }
    .scroll { overflow-x: auto; }
    table { border-collapse: collapse; margin: 8px 0 12px; font-size: 14px; }
    th, td { text-align: left; vertical-align: top; padding: 4px 10px; border-bottom: 1px solid #c8c8c8; }
    thead th { background: #e1e1e1; border-bottom: 2px solid #333333; }
    .num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
    .nw { white-space: nowrap; }
    th.num { white-space: normal; }
    table.breakdown td:first-child, table.index td:first-child { min-width: 14em; }
    table.breakdown, table.comparisons { font-size: 13px; }
    table.breakdown th, table.breakdown td { padding: 4px 6px; }
    tr.oa td { font-weight: bold; border-top: 2px solid #333333; }
    tr.total td { font-weight: bold; }
    figure { margin: 16px 0 24px; }
    figure svg { display: block; width: 100%; max-width: 800px; height: auto; }
    footer { margin-top: 40px; border-top: 1px solid #c8c8c8; }
    @media print {
      body { max-width: none; padding: 0; font-size: 10pt; }
      nav { display: none; }
      section.chapter { break-before: page; }
      h2, h3 { break-after: avoid; }
      figure, tr { break-inside: avoid; }
      .scroll { overflow: visible; }
      a { color: inherit; text-decoration: none; }
    }

    """
}
