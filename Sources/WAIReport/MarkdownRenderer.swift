import WAIEstimate
import WAIModel

/// Draws a report document as Markdown (GitHub's dialect: pipe tables).
public struct MarkdownRenderer: Sendable {
    /// Whether figures appear as links to their SVG files (which `ReportWriter` writes beside
    /// the page when it writes SVG); otherwise figures are left out.
    public var linksFigures: Bool

    public init(linksFigures: Bool = false) {
        self.linksFigures = linksFigures
    }

    /// The whole report of `analysis`.
    public func report(_ analysis: SurveyAnalysis) -> String {
        render(ReportDocument(analysis))
    }

    /// Table `t` of `analysis` on its own page.
    public func tablePage(_ t: Int, of analysis: SurveyAnalysis) -> String {
        render(.tablePage(t, of: analysis))
    }

    public func render(_ document: ReportDocument) -> String {
        var out = "# \(inline(document.title))\n\n"
        out += blocks(document.lead) + blocks(document.body)
        if let footer = document.footer { out += text(footer) + "\n" }
        return out
    }

    func blocks(_ blocks: [ReportDocument.Block]) -> String {
        blocks.map(block).joined()
    }

    func block(_ block: ReportDocument.Block) -> String {
        switch block {
        case .paragraph(let t, _):
            return text(t) + "\n\n"
        case .list(let items):
            return items.map { item in
                "- \(text(item.text))\n" + item.sublist.map { "  - \(text($0))\n" }.joined()
            }.joined() + "\n"
        case .table(let table):
            return markdownTable(header: table.header.map { text($0.text) }, align: table.header.map { $0.numeric ? "r" : "l" },
                                 rows: table.rows.map { $0.cells.map { text($0.text) } }) + "\n"
        case .figure(let figure):
            guard linksFigures else { return "" }
            return "![\(inline(figure.caption).replacingOccurrences(of: "]", with: "\\]"))](\(figure.path))\n\n"
        case .section(let section):
            return String(repeating: "#", count: section.level) + " " + text(section.title) + "\n\n" + blocks(section.blocks)
        }
    }

    func text(_ text: ReportDocument.Text) -> String {
        // Lines of one cell that are all strong read as one strong run once the breaks are spaces.
        var spans: [ReportDocument.Text.Span] = []
        for span in text.spans {
            if case .strong(let b) = span, spans.count >= 2, case .lineBreak = spans[spans.count - 1],
               case .strong(let a) = spans[spans.count - 2] {
                spans.removeLast(2)
                spans.append(.strong(a + " " + b))
            } else {
                spans.append(span)
            }
        }
        return spans.map { span in
            switch span {
            case .plain(let s): return inline(s)
            case .code(let s): return "`\(inline(s))`"
            case .strong(let s): return "**\(inline(s))**"
            case .emphasis(let s): return "*\(inline(s))*"
            case .aside(let s): return "(\(inline(s)))"
            case .lineBreak: return " "
            case .entryBreak: return "; "
            case .titled(let s, _): return inline(s)
            }
        }.joined()
    }
}

/// Text made safe for a Markdown table cell or heading: pipes escaped, line breaks and tabs
/// folded into spaces, other control characters as U+FFFD (a visible mark that something was there).
func inline(_ text: String) -> String {
    var out = ""
    for ch in text {
        switch ch {
        case "|": out += "\\|"
        case "\t": out += " "
        default:
            if ch.isNewline { out += " " } else if ch.unicodeScalars.contains(where: isControl) { out += "\u{FFFD}" } else { out.append(ch) }
        }
    }
    return out
}

/// C0 controls and DEL.
func isControl(_ scalar: Unicode.Scalar) -> Bool { scalar.value < 0x20 || scalar.value == 0x7F }

func markdownTable(header: [String], align: [String], rows: [[String]]) -> String {
    func line(_ cells: [String]) -> String { "| " + cells.joined(separator: " | ") + " |\n" }
    let rule = align.map { $0 == "r" ? "---:" : "---" }
    return line(header) + line(rule) + rows.map(line).joined()
}
