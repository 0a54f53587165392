import Foundation
import WAIModel
import WAIStats

/// The files of a report, by format.
public enum ReportFormat: String, Sendable, CaseIterable {
    case md, csv, json, svg, html
}

/// Renders every file of a report in memory, then writes them atomically.
public struct ReportWriter: Sendable {
    /// The formats written: md (report.md, one page per table), csv (per table, frequencies,
    /// breakdowns), json (report.json, one per table), and the charts/page of svg and html.
    public var formats: Set<ReportFormat>

    /// A writer of `formats` (all of them by default).
    public init(formats: Set<ReportFormat> = Set(ReportFormat.allCases)) {
        self.formats = formats
    }

    /// Relative path → content, for every file of the report.
    public func files(for analysis: SurveyAnalysis) throws -> [(path: String, content: String)] {
        var files: [(String, String)] = []
        let markdown = MarkdownRenderer()
        let csv = CSVRenderer()
        let json = JSONRenderer()
        if formats.contains(.md) {
            files.append(("report.md", markdown.report(analysis)))
            for table in analysis.tables { files.append(("\(table.id).md", markdown.table(table, of: analysis))) }
        }
        if formats.contains(.csv) {
            for table in analysis.tables { files.append(("\(table.id).csv", csv.table(table))) }
            if !analysis.frequencies.isEmpty { files.append(("frequencies.csv", csv.frequencies(analysis.frequencies))) }
            for breakdown in analysis.breakdowns {
                files.append(("breakdown-\(fileSafe(breakdown.column)).csv", csv.breakdown(breakdown)))
            }
        }
        if formats.contains(.json) {
            files.append(("report.json", try json.report(analysis)))
            for table in analysis.tables {
                files.append(("\(table.id).json", try json.table(table, respondents: analysis.respondents)))
            }
        }
        if formats.contains(.svg) {
            let svg = SVGRenderer()
            for table in analysis.tables {
                files.append(("charts/\(table.id)-index.svg", svg.indexChart(table, method: analysis.method)))
                files.append(("charts/\(table.id)-levels.svg", svg.levelsChart(table)))
            }
            for frequency in analysis.frequencies {
                files.append(("charts/frequency-\(fileSafe(frequency.column)).svg", svg.frequencyChart(frequency)))
            }
            for breakdown in analysis.breakdowns {
                for (t, table) in analysis.tables.enumerated() {
                    files.append(("charts/breakdown-\(fileSafe(breakdown.column))-\(table.id).svg",
                                  svg.breakdownChart(breakdown, tableAt: t, of: analysis)))
                }
            }
        }
        if formats.contains(.html) {
            files.append(("report.html", HTMLRenderer().report(analysis)))
        }
        return files
    }

    /// The list of the files wai wrote into a report directory (one relative path per line):
    /// what the next run may remove.
    public static let manifestName = ".wai-files"

    /// Writes the report into `directory`, each file through a temporary file and a rename,
    /// so a failed run never leaves a half-written file.
    ///
    /// A file that an earlier run wrote (it is in the directory's `.wai-files`) in one of the
    /// formats written now, but that this run does not write — the page or chart of a table
    /// since removed or renamed in the spec — is deleted, so the directory never shows a stale
    /// table. Files wai did not write are never touched.
    @discardableResult
    public func write(_ analysis: SurveyAnalysis, to directory: String) throws -> [String] {
        let rendered = try files(for: analysis)
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw InputError("cannot create the output directory", at: SourceLocation(file: directory), found: error.localizedDescription)
        }
        var written: [String] = []
        for (name, content) in rendered {
            let path = (directory as NSString).appendingPathComponent(name)
            let parent = (path as NSString).deletingLastPathComponent
            if parent != directory {
                do {
                    try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
                } catch {
                    throw InputError("cannot create the output directory", at: SourceLocation(file: parent), found: error.localizedDescription)
                }
            }
            try writeAtomically(content, to: path)
            written.append(path)
        }
        try removeStaleFiles(in: directory, current: Set(rendered.map(\.path)))
        return written
    }

    private func removeStaleFiles(in directory: String, current: Set<String>) throws {
        let manifest = (directory as NSString).appendingPathComponent(Self.manifestName)
        let previous = ((try? String(contentsOfFile: manifest, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
        var kept: [String] = []
        for name in previous where !current.contains(name) {
            // Only a plain relative path in a format of this run; anything else stays listed.
            let safe = !name.hasPrefix("/") && !name.split(separator: "/").contains("..")
            guard safe, let format = ReportFormat(rawValue: (name as NSString).pathExtension), formats.contains(format) else {
                if safe { kept.append(name) }
                continue
            }
            try? FileManager.default.removeItem(atPath: (directory as NSString).appendingPathComponent(name))
        }
        try writeAtomically((kept + current).sorted().map { $0 + "\n" }.joined(), to: manifest)
    }

    func fileSafe(_ name: String) -> String {
        String(name.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "_" })
    }
}

/// Writes `content` to a temporary file beside `path`, then renames it over `path`.
public func writeAtomically(_ content: String, to path: String) throws {
    let temporary = path + ".tmp"
    guard FileManager.default.createFile(atPath: temporary, contents: Data(content.utf8)) else {
        throw InputError("cannot write file", at: SourceLocation(file: temporary), expected: "a writable directory")
    }
    if rename(temporary, path) != 0 {
        let reason = String(cString: strerror(errno))
        unlink(temporary)
        throw InputError("cannot move the finished file into place", at: SourceLocation(file: path), found: reason)
    }
}
