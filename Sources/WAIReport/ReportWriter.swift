import Foundation
import WAIEstimate
import WAIModel

/// The files of a report, by format.
public enum ReportFormat: String, Sendable, CaseIterable {
    case md, csv, json, svg, html, xlsx
}

/// Renders every file of a report in memory, then writes them atomically.
public struct ReportWriter: Sendable {
    /// The formats written: md (report.md, one page per table), csv (per table, frequencies,
    /// breakdowns), json (report.json, one per table), the charts/page of svg and html, and xlsx (report.xlsx).
    public var formats: Set<ReportFormat>

    /// A writer of `formats` (all of them by default).
    public init(formats: Set<ReportFormat> = Set(ReportFormat.allCases)) {
        self.formats = formats
    }

    /// Relative path → content, for every file of the report.
    public func files(for analysis: SurveyAnalysis) throws -> [(path: String, content: ReportContent)] {
        var files: [(String, ReportContent)] = []
        let document = ReportDocument(analysis)
        let markdown = MarkdownRenderer(linksFigures: formats.contains(.svg))
        let csv = CSVRenderer()
        let json = JSONRenderer()
        if formats.contains(.md) {
            files.append(("report.md", .text(markdown.render(document))))
            for (t, table) in analysis.tables.enumerated() { files.append(("\(table.id).md", .text(markdown.tablePage(t, of: analysis)))) }
        }
        if formats.contains(.csv) {
            for table in analysis.tables { files.append(("\(table.id).csv", .text(csv.table(table)))) }
            if !analysis.frequencies.isEmpty { files.append(("frequencies.csv", .text(csv.frequencies(analysis.frequencies)))) }
            for breakdown in analysis.breakdowns {
                files.append(("breakdown-\(fileSafe(breakdown.column)).csv", .text(csv.breakdown(breakdown))))
            }
        }
        if formats.contains(.json) {
            files.append(("report.json", .text(try json.report(analysis))))
            for table in analysis.tables {
                files.append(("\(table.id).json", .text(try json.table(table, respondents: analysis.respondents))))
            }
        }
        if formats.contains(.svg) {
            let svg = SVGRenderer()
            for figure in document.figures { files.append((figure.path, .text(svg.chart(figure, of: analysis)))) }
        }
        if formats.contains(.html) {
            files.append(("report.html", .text(HTMLRenderer().render(document))))
        }
        if formats.contains(.xlsx) {
            files.append(("report.xlsx", .bytes(try XLSXRenderer().workbook(analysis))))
        }
        return files
    }

    /// The list of the files wai wrote into a report directory (one relative path per line):
    /// what the next run may remove.
    public static let manifestName = ".wai-files"

    /// Told when another run holds the report directory's lock, before this one waits for it.
    public var onLockWait: (@Sendable (String) -> Void)?

    /// Writes the report into `directory` as a whole: every file goes into a fresh folder beside
    /// it, which then takes the directory's place at once, so that after a crash at any moment
    /// the directory holds the old report or the new one, never a mix (`AtomicFolder`).
    ///
    /// A file that an earlier run wrote (it is in the directory's `.wai-files`) in one of the
    /// formats written now, but that this run does not write — the page or chart of a table
    /// since removed or renamed in the spec — is left out, so the directory never shows a stale
    /// table. Files wai did not write are kept.
    @discardableResult
    public func write(_ analysis: SurveyAnalysis, to directory: String) throws -> [String] {
        let rendered = try files(for: analysis)
        let current = Set(rendered.map(\.path))
        let folder = AtomicFolder(path: directory, manifestName: Self.manifestName, onWait: onLockWait)
        return try folder.replace(with: rendered) { previous in
            var kept: [String] = []
            var stale: Set<String> = []
            for name in previous where !current.contains(name) {
                // Only a plain relative path in a format of this run; anything else stays listed.
                let safe = !name.hasPrefix("/") && !name.split(separator: "/").contains("..")
                guard safe, let format = ReportFormat(rawValue: (name as NSString).pathExtension), formats.contains(format) else {
                    if safe { kept.append(name) }
                    continue
                }
                stale.insert(name)
            }
            let written = Set(previous).union(current)
            return ((kept + current).sorted(), { name in
                // Earlier versions wrote each file through `<name>.tmp`.
                stale.contains(name) || (name.hasSuffix(".tmp") && written.contains(String(name.dropLast(4))))
            })
        }
    }
}
