import WAIEstimate
import WAIModel

/// What a report says — its sections, sentences, tables and figures — decided once, from an
/// analysis (`ReportDocument(_:)`), and drawn by each renderer in its own markup
/// (`MarkdownRenderer`, `HTMLRenderer`; `ReportWriter` writes the figures as SVG files).
///
/// Nothing in a document is markup: text is a sequence of spans (plain, code, strong, an aside,
/// a break), and each renderer escapes and marks it up for its format.
public struct ReportDocument: Sendable {
    public var title: String
    /// What comes before the first section: the sample and how it was weighted.
    public var lead: [Block]
    public var body: [Block]
    public var footer: Text?
    /// The analysis the figures are drawn from.
    public let analysis: SurveyAnalysis

    public init(title: String, lead: [Block], body: [Block], footer: Text?, analysis: SurveyAnalysis) {
        self.title = title
        self.lead = lead
        self.body = body
        self.footer = footer
        self.analysis = analysis
    }

    public indirect enum Block: Sendable {
        case paragraph(Text, ParagraphRole)
        case list([ListItem])
        case table(Table)
        case figure(Figure)
        case section(Section)
    }

    public enum ParagraphRole: Sendable {
        /// A sentence about the whole sample, under the title.
        case sample
        case body
        /// A remark on the table or figure before it.
        case note
    }

    public struct Section: Sendable {
        /// 2 for a chapter of the report, 3 for a part of one.
        public var level: Int
        public var title: Text
        /// A stable identifier for links, when the section is a destination.
        public var anchor: String?
        public var blocks: [Block]
    }

    public struct ListItem: Sendable {
        public var text: Text
        public var sublist: [Text] = []
    }

    public struct Table: Sendable {
        public var header: [Cell]
        public var rows: [Row]
        /// What the table is ("index", "answers", "breakdown", …): HTML's class.
        public var role: String
    }

    public struct Cell: Sendable {
        public var text: Text
        public var numeric: Bool
        /// Kept on one line where the format can say so.
        public var nowrap: Bool

        public init(_ text: Text, numeric: Bool = false, nowrap: Bool = false) {
            self.text = text
            self.numeric = numeric
            self.nowrap = nowrap
        }
    }

    public struct Row: Sendable {
        public enum Role: Sendable { case plain, composite, total }
        public var cells: [Cell]
        public var role: Role = .plain
    }

    public struct Figure: Sendable {
        public var chart: Chart
        /// Where `ReportWriter` writes it, relative to the report directory.
        public var path: String
        /// A short description, for formats that link the figure instead of drawing it.
        public var caption: String
    }

    public enum Chart: Sendable, Hashable {
        /// Tables are positions in `analysis.tables`; frequencies in `analysis.frequencies`; breakdowns in `analysis.breakdowns`.
        case index(table: Int)
        case levels(table: Int)
        case frequency(Int)
        case breakdown(Int, table: Int)
    }

    /// Every figure, in the order the document shows them.
    public var figures: [Figure] {
        func collect(_ blocks: [Block]) -> [Figure] {
            blocks.flatMap { block -> [Figure] in
                switch block {
                case .figure(let figure): return [figure]
                case .section(let section): return collect(section.blocks)
                default: return []
                }
            }
        }
        return collect(lead + body)
    }

    /// The body's sections that are destinations, for a table of contents.
    public var contents: [(title: Text, anchor: String)] {
        body.compactMap { block in
            guard case .section(let section) = block, let anchor = section.anchor else { return nil }
            return (section.title, anchor)
        }
    }
}

extension ReportDocument {
    /// Text without markup: spans that each renderer escapes and marks up its own way.
    public struct Text: Sendable, Hashable, ExpressibleByStringInterpolation {
        public enum Span: Sendable, Hashable {
            case plain(String)
            /// A file, column, item id, option or command.
            case code(String)
            case strong(String)
            case emphasis(String)
            /// A remark in parentheses, set smaller where the format can.
            case aside(String)
            /// A break between the lines of one cell (a space where lines cannot break).
            case lineBreak
            /// A break between the entries of a list in one cell ("; " where lines cannot break).
            case entryBreak
            /// Text with a longer description shown on hover where the format can.
            case titled(String, title: String)
        }

        public var spans: [Span]

        public init(_ spans: [Span]) { self.spans = spans }
        public init(stringLiteral value: String) { spans = value.isEmpty ? [] : [.plain(value)] }
        public init(stringInterpolation: StringInterpolation) { spans = stringInterpolation.spans }

        public struct StringInterpolation: StringInterpolationProtocol {
            var spans: [Span] = []
            public init(literalCapacity: Int, interpolationCount: Int) {}
            public mutating func appendLiteral(_ literal: String) { if !literal.isEmpty { spans.append(.plain(literal)) } }
            public mutating func appendInterpolation(_ text: String) { if !text.isEmpty { spans.append(.plain(text)) } }
            public mutating func appendInterpolation(_ value: Int) { spans.append(.plain(String(value))) }
            public mutating func appendInterpolation(_ text: Text) { spans += text.spans }
            public mutating func appendInterpolation(code: String) { spans.append(.code(code)) }
            public mutating func appendInterpolation(strong: String) { spans.append(.strong(strong)) }
            public mutating func appendInterpolation(emphasis: String) { spans.append(.emphasis(emphasis)) }
            public mutating func appendInterpolation(aside: String) { spans.append(.aside(aside)) }
        }

        public static func + (lhs: Text, rhs: Text) -> Text { Text(lhs.spans + rhs.spans) }
        public static func += (lhs: inout Text, rhs: Text) { lhs.spans += rhs.spans }
        public static func code(_ text: String) -> Text { Text([.code(text)]) }
        public static func strong(_ text: String) -> Text { Text([.strong(text)]) }
        public static func aside(_ text: String) -> Text { Text([.aside(text)]) }
        public static let lineBreak = Text([.lineBreak])
        public static let entryBreak = Text([.entryBreak])

        /// The entries of `texts` with `separator` between them.
        public static func joined(_ texts: [Text], separator: Text) -> Text {
            var out = Text([])
            for (k, text) in texts.enumerated() {
                if k > 0 { out += separator }
                out += text
            }
            return out
        }

        /// The words alone, as a reader would copy them.
        public var plainText: String {
            spans.map { span in
                switch span {
                case .plain(let s), .code(let s), .strong(let s), .emphasis(let s): return s
                case .aside(let s): return "(\(s))"
                case .lineBreak: return " "
                case .entryBreak: return "; "
                case .titled(let s, _): return s
                }
            }.joined()
        }
    }
}
