import Foundation
import XCTest
import WAIRead
import WAIModel
@testable import WAIEstimate
@testable import WAIPipeline
@testable import WAIReport

/// What a report says is decided once, in the document: every renderer of it shows every word.
final class ReportDocumentTests: XCTestCase {
    /// The bfi reference (2800 respondents, five tables, an education breakdown) and the
    /// HTML fixture (a nasty item text, a respondent with no gender, bootstrap on).
    func analyses() throws -> [SurveyAnalysis] {
        let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("WAIStatsTests/Reference")
        let loaded = try SurveyLoader.loadSpec(path: directory.appendingPathComponent("bfi.yaml").path)
        let bfi = try Analyzer.analyze(spec: loaded.spec, csvPath: loaded.dataPath!, breakdowns: ["education"],
                                       inference: InferenceOptions(replicates: 0))
        return [bfi, try HTMLTests(name: "fixture", testClosure: { _ in }).analysis(replicates: 50)]
    }

    /// Every text of the document, in document order, as a reader would copy it.
    func texts(_ document: ReportDocument) -> (words: [String], captions: [String]) {
        var words = [document.title]
        var captions: [String] = []
        func walk(_ blocks: [ReportDocument.Block]) {
            for block in blocks {
                switch block {
                case .paragraph(let text, _): words.append(text.plainText)
                case .list(let items):
                    for item in items { words.append(item.text.plainText); words += item.sublist.map(\.plainText) }
                case .table(let table):
                    words += (table.header + table.rows.flatMap(\.cells)).map(\.text.plainText)
                case .figure(let figure): captions.append(figure.caption)
                case .section(let section):
                    words.append(section.title.plainText)
                    walk(section.blocks)
                }
            }
        }
        walk(document.lead + document.body)
        if let footer = document.footer { words.append(footer.plainText) }
        // A dash or a blank cell has no letters to look for.
        return (words.filter { !letters($0).isEmpty }, captions)
    }

    /// Letters and digits only: the renderers differ in markup, escapes, breaks and spacing, not in words.
    func letters(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.filter { CharacterSet.alphanumerics.contains($0) }))
    }

    func htmlWords(_ html: String) -> String {
        var text = html
        if let body = text.range(of: "<body") { text = String(text[body.lowerBound...]) }
        text = text.replacingOccurrences(of: "<svg[\\s\\S]*?</svg>", with: " ", options: .regularExpression)
        text = text.replacingOccurrences(of: "<[^>]*>", with: " ", options: .regularExpression)
        for (entity, char) in [("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#39;", "'"), ("&amp;", "&")] {
            text = text.replacingOccurrences(of: entity, with: char)
        }
        return text
    }

    func testMarkdownAndHTMLShowEveryTextOfTheDocument() throws {
        for analysis in try analyses() {
            let document = ReportDocument(analysis)
            let (words, captions) = texts(document)
            XCTAssertGreaterThan(words.count, 50)
            let md = letters(MarkdownRenderer(linksFigures: true).render(document))
            let page = HTMLRenderer().render(document)
            let html = letters(htmlWords(page))
            for text in words {
                XCTAssert(md.contains(letters(text)), "Markdown leaves out: \(text)")
                XCTAssert(html.contains(letters(text)), "HTML leaves out: \(text)")
            }
            XCTAssertFalse(captions.isEmpty)
            for caption in captions {
                XCTAssert(md.contains(letters(caption)), "Markdown leaves out the figure: \(caption)")
                // Each inline chart's title is its caption (for readers and screen readers).
                let escaped = caption.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
                XCTAssert(page.contains("<title>\(escaped)</title>"), "HTML leaves out the figure: \(caption)")
            }
            // Without SVG files beside it, the Markdown page links no figure.
            XCTAssertFalse(MarkdownRenderer().render(document).contains("](charts/"))
        }
    }

    func testEveryFigureHasItsOwnFileAndEveryTableSectionAnAnchor() throws {
        for analysis in try analyses() {
            let document = ReportDocument(analysis)
            let paths = document.figures.map(\.path)
            XCTAssertEqual(Set(paths).count, paths.count, "two figures share a file: \(paths)")
            // One index chart and one levels chart per table, one frequency chart per demographic,
            // one breakdown chart per table and breakdown.
            let tables = analysis.tables.count
            let expected = 2 * tables + analysis.frequencies.count + analysis.breakdowns.count * tables
            XCTAssertEqual(paths.count, expected, "\(paths)")
            let anchors = document.contents.map(\.anchor)
            XCTAssertEqual(Set(anchors).count, anchors.count)
            for table in analysis.tables {
                XCTAssert(anchors.contains { $0.contains(anchorSafe(table.id)) }, "no anchor for table \(table.id): \(anchors)")
            }
        }
    }
}
