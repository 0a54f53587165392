import Foundation
import XCTest
import WAITestSupport
import WAIRead
import WAIModel
@testable import WAIAggregate
@testable import WAIEstimate
@testable import WAIPipeline

/// The range pipeline (FastCodeScanner + ParallelAnalyzer) against `ReferenceReader`, a reader
/// written for the tests: the same statistics — counts bit for bit, sums to 1e-12 — the same
/// categories and data-quality account, and for bad input an error at the same line and column,
/// whatever the block size, the number of ranges and the chunk size.
final class FastPathTests: XCTestCase {
    // MARK: - Helpers

    typealias Random = SplitMix

    struct Aggregated {
        var statistics: SufficientStatistics
        var categories: [[String]]
        var quality: DataQuality
    }

    static let scale = Scale(levels: [
        Level(code: 1, label: "Very Low", aliases: ["ទាបណាស់"]), Level(code: 2, label: "Low", aliases: ["ទាប"]),
        Level(code: 3, label: "Neutral", aliases: ["Medium", "មធ្យម"]), Level(code: 4, label: "High", aliases: ["ខ្ពស់"]),
        Level(code: 5, label: "Very High", aliases: ["ខ្ពស់ណាស់"]),
    ], missing: ["", "Don't know"])

    func write(_ bytes: [UInt8]) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("wai-fast-\(UUID().uuidString).csv")
        try Data(bytes).write(to: url)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url.path
    }

    func fullPlan(_ spec: SurveySpec, replicates: Int) -> AggregationPlan {
        var seen: Set<String> = []
        let items = spec.allItems.filter { seen.insert($0.id).inserted }
        return Analyzer.plan(spec: spec, items: items, inference: InferenceOptions(replicates: replicates, seed: 99))
    }

    func scores(_ spec: SurveySpec) -> [[Double]] {
        var seen: Set<String> = []
        return Analyzer.scores(spec: spec, items: spec.allItems.filter { seen.insert($0.id).inserted })
    }

    /// What the file holds, by `ReferenceReader`.
    func reference(_ spec: SurveySpec, _ path: String, plan: AggregationPlan, calibration: Calibration? = nil,
                   delimiter: UInt8 = UInt8(ascii: ",")) throws -> Aggregated {
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        let read = try ReferenceReader.read(spec, bytes, plan: plan, calibration: calibration, delimiter: delimiter)
        return Aggregated(statistics: read.statistics, categories: read.categories, quality: read.quality)
    }

    func options(workers: Int, blockSize: Int = 4 << 20, chunkRows: Int = 4096) -> PipelineOptions {
        var options = PipelineOptions(workers: workers)
        options.blockSize = blockSize
        options.chunkRows = chunkRows
        options.bytesPerWorker = 1
        return options
    }

    func parallel(_ spec: SurveySpec, _ path: String, plan: AggregationPlan, options: PipelineOptions, counts: AggregationPath = .loops,
                  calibration: Calibration? = nil, delimiter: UInt8 = UInt8(ascii: ","), report: inout PipelineReport) throws -> Aggregated {
        var reading = ReadOptions()
        reading.delimiter = delimiter
        let reader = try ResponseReader(spec: spec, csvPath: path, options: reading)
        let result = try ParallelAnalyzer.aggregate(reader: reader, plan: plan, scores: scores(spec), counts: counts,
                                                    calibration: calibration, options: options)
        report = result.report
        return Aggregated(statistics: result.statistics, categories: result.categories, quality: result.quality)
    }

    func parallel(_ spec: SurveySpec, _ path: String, plan: AggregationPlan, options: PipelineOptions, counts: AggregationPath = .loops,
                  calibration: Calibration? = nil, delimiter: UInt8 = UInt8(ascii: ",")) throws -> Aggregated {
        var report = PipelineReport(pipeline: "")
        return try parallel(spec, path, plan: plan, options: options, counts: counts, calibration: calibration, delimiter: delimiter, report: &report)
    }

    /// The error `Analyzer.analyze` throws for the file with `workers` ranges; nil when it reads it.
    func analysisError(_ spec: SurveySpec, _ path: String, workers: Int) -> InputError? {
        do {
            _ = try Analyzer.analyze(spec: spec, csvPath: path, inference: InferenceOptions(replicates: 0),
                                     pipeline: options(workers: workers, blockSize: 16))
            return nil
        } catch {
            return error as? InputError
        }
    }

    /// The reference's failure for the file, or nil when it reads it.
    func referenceFailure(_ spec: SurveySpec, _ path: String) -> ReferenceReader.Failure? {
        do {
            _ = try reference(spec, path, plan: .countsOnly)
            return nil
        } catch {
            return error as? ReferenceReader.Failure
        }
    }

    func close(_ x: [Double], _ y: [Double]) -> Bool {
        x.count == y.count && zip(x, y).allSatisfy { abs($0 - $1) <= 1e-12 * max(1, abs($0)) }
    }

    /// nil when equal; otherwise what differs.
    func difference(_ a: Aggregated, _ b: Aggregated) -> String? {
        if a.categories != b.categories { return "categories \(a.categories) vs \(b.categories)" }
        if a.quality != b.quality { return "quality \(a.quality) vs \(b.quality)" }
        let s = a.statistics, t = b.statistics
        if s.plan != t.plan || s.byDemographic.map(\.count) != t.byDemographic.map(\.count) {
            return "layout \(s.byDemographic.map(\.count)) vs \(t.byDemographic.map(\.count))"
        }
        let cells = [s.overall] + s.byDemographic.flatMap { $0 }
        let others = [t.overall] + t.byDemographic.flatMap { $0 }
        for (n, (x, y)) in zip(cells, others).enumerated() {
            if x.counts != y.counts || x.rows != y.rows { return "cell \(n): counts \(x.counts) \(x.rows) vs \(y.counts) \(y.rows)" }
            if !close(x.weighted, y.weighted) || !close(x.weightedSquared, y.weightedSquared)
                || !close([x.weightSum, x.weightSquaredSum], [y.weightSum, y.weightSquaredSum]) {
                return "cell \(n): weighted sums"
            }
            if !close(x.pairwise, y.pairwise) { return "cell \(n): pairwise" }
        }
        for (x, y) in zip(s.reliability, t.reliability) where x.rows != y.rows || !close(x.crossProducts, y.crossProducts) {
            return "reliability"
        }
        return nil
    }

    /// A survey of `rows` respondents: codes and labels (Khmer aliases, odd case and spacing),
    /// missing answers, weights, two demographics, an unused column with quoted commas, quotes
    /// and line breaks, and CRLF line ends.
    func mixedSurvey(rows: Int, seed: UInt64, labels: Bool) -> (SurveySpec, [UInt8]) {
        var rng = Random(seed: seed)
        let spec = SurveySpec(
            title: "Mixed", id: "rid", weight: "w", scale: Self.scale,
            demographics: [Demographic(column: "gender"), Demographic(column: "region", categories: ["North", "South", "East"])],
            tables: [ItemTable(id: "t1", title: "One", items: [
                Item(id: "a", column: "qa", text: "A?"), Item(id: "b", column: "qb", text: "B?", reverse: true),
            ]), ItemTable(id: "t2", title: "Two", items: [
                Item(id: "c", column: "qc", text: "C?"), Item(id: "a", column: "qa", text: "A?"), Item(id: "d", column: "qd", text: "D?"),
            ])])
        let answers = labels
            ? ["Very Low", "low", "  NEUTRAL ", "High", "very  high", "ខ្ពស់", "ទាបណាស់", "មធ្យម", "\"Very High\"", "Medium", "", "Don't know", "\tHigh"]
            : ["1", "2", "3", "4", "5", "", "\"3\"", " 4", "Don't know"]
        var text = "rid,note,qa,gender,qb,w,region,qc,qd\r\n"
        for r in 0..<rows {
            let note = rng.pick(["plain", "\"with, comma\"", "\"two\r\nlines\"", "\"say \"\"hi\"\"\"", "5\" screen", "", "\"\n\"", "ស្រី"])
            let gender = rng.pick(["F", "M", "f", " Female ", "Male", "", "Don't know", "Other"])
            let region = rng.pick(["North", "south", "EAST", ""])
            let weight = rng.pick(["1", "0.5", "2.25", "1.125", " 3 ", "0", "1e0", "0.333333333333333333"])
            let cells = ["r\(r % (rows / 2 + 1))", note, rng.pick(answers), gender, rng.pick(answers), weight, region, rng.pick(answers), rng.pick(answers)]
            text += cells.joined(separator: ",") + (r % 7 == 3 ? "\n" : "\r\n")
            if r % 23 == 5 { text += "\r\n" }   // a blank line
        }
        return (spec, Array(text.utf8))
    }

    // MARK: - Equality with the reference

    func testCodesAndLabelsAcrossTinyBlocksWorkersAndChunks() throws {
        for labels in [false, true] {
            let (spec, bytes) = mixedSurvey(rows: 60, seed: labels ? 2 : 1, labels: labels)
            let path = try write(bytes)
            for plan in [AggregationPlan.countsOnly, fullPlan(spec, replicates: 0)] {
                let expected = try reference(spec, path, plan: plan)
                XCTAssertEqual(expected.quality.rowsUsed, 60)
                for blockSize in [1, 2, 3, 5, 8, 13, 64, 1 << 20] {
                    for workers in [1, 2, 3, 7] {
                        let chunkRows = [1, 3, 4096][(blockSize + workers) % 3]
                        let got = try parallel(spec, path, plan: plan, options: options(workers: workers, blockSize: blockSize, chunkRows: chunkRows))
                        XCTAssertNil(difference(got, expected), "labels \(labels), block \(blockSize), workers \(workers)")
                    }
                }
            }
        }
    }

    func testBLASCountsAgreeWithLoopCounts() throws {
        let (spec, bytes) = mixedSurvey(rows: 200, seed: 5, labels: false)
        let path = try write(bytes)
        for plan in [AggregationPlan.countsOnly, fullPlan(spec, replicates: 5)] {
            let loops = try parallel(spec, path, plan: plan, options: options(workers: 2), counts: .loops)
            let blas = try parallel(spec, path, plan: plan, options: options(workers: 2), counts: .blas)
            XCTAssertNil(difference(loops, blas))
            XCTAssertNil(difference(loops, try reference(spec, path, plan: plan)))
        }
    }

    func testLevelCounterMatchesTheAggregatorJointAndMarginal() {
        // Few categories: counted in joint cells; hundreds: the joint grid is too large and rows
        // go into the marginal cells. Both must give the Aggregator's statistics.
        for (categories, weighted) in [(3, false), (5, true), (300, false), (300, true)] {
            var rng = Random(seed: UInt64(categories))
            var aggregator = Aggregator(itemCount: 4, levelCount: 5, demographicCount: 3, path: .loops)
            let counter = LevelCounter(items: 4, levels: 5, demographics: 3, weighted: weighted)
            for size in [1, 50, 700, 30] {
                var chunk = CodedChunk(demographicCount: 3)
                chunk.rowCount = size
                for _ in 0..<size {
                    for _ in 0..<4 { chunk.codes.append(UInt8(rng.below(6))) }
                    chunk.weights.append(weighted ? Double(1 + rng.below(3000)) / 1000 : 1)
                    chunk.groups[0].append(UInt32(rng.below(categories + 1)))
                    chunk.groups[1].append(UInt32(rng.below(categories + 1)))
                    chunk.groups[2].append(UInt32(rng.below(3)))
                }
                aggregator.add(chunk)
                counter.add(chunk)
            }
            let got = Aggregated(statistics: counter.statistics(plan: .countsOnly), categories: [], quality: DataQuality())
            let expected = Aggregated(statistics: aggregator.statistics, categories: [], quality: DataQuality())
            XCTAssertNil(difference(got, expected), "\(categories) categories, weighted \(weighted)")
        }
    }

    func testAStartInsideAQuotedFieldIsReadAgain() throws {
        // Most of the file is one quoted note full of line breaks: the guessed starts of the
        // later workers fall inside it.
        var text = "respondent,gender,q1,q2,w\nr0,F,1,2,1\nr1,M,\"3\",4,1\n"
        text = "respondent,gender,q1,q2,w,note\nr0,F,1,2,1,\"" + String(repeating: "x\ny,\"\"z\r\n", count: 400) + "\"\n"
        for r in 1..<30 { text += "r\(r),\(r % 2 == 0 ? "F" : "M"),\(1 + r % 5),\(1 + r % 4),1,n\n" }
        let path = try write(Array(text.utf8))
        let spec = Fixture.spec()
        let expected = try reference(spec, path, plan: .countsOnly)
        var report = PipelineReport(pipeline: "")
        let got = try parallel(spec, path, plan: .countsOnly, options: options(workers: 4, blockSize: 256), report: &report)
        XCTAssertGreaterThan(report.rereads, 0)
        XCTAssertNil(difference(got, expected))
    }

    func testDuplicateIDsBlankLinesAndLineNumbersAcrossWorkers() throws {
        var text = "\r\n\r\n\u{FEFF}"
        text = "\u{FEFF}\n\nrespondent,gender,q1,q2,w\n"
        for r in 0..<40 {
            text += "r\(r % 13),\(r % 2 == 0 ? "F" : "M"),\(1 + r % 5),,1\r\n"
            if r % 9 == 0 { text += "\r\n" }
            if r % 11 == 0 { text += "\r" }
        }
        var spec = Fixture.spec()
        spec.id = "respondent"
        let path = try write(Array(text.utf8))
        let expected = try reference(spec, path, plan: .countsOnly)
        XCTAssertFalse(expected.quality.duplicateIDs.isEmpty)
        XCTAssertGreaterThan(expected.quality.blankLines, 0)
        for workers in [1, 2, 4] {
            let got = try parallel(spec, path, plan: .countsOnly, options: options(workers: workers, blockSize: 32))
            XCTAssertNil(difference(got, expected), "workers \(workers)")
        }
    }

    func testRakedWeightsGoThroughTheFastPath() throws {
        let (base, bytes) = mixedSurvey(rows: 300, seed: 9, labels: false)
        var spec = base
        spec.population = Population(method: .rake, margins: [Population.Margin(column: "region", shares: ["North": 0.5, "South": 0.3, "East": 0.2])])
        let path = try write(bytes)
        let calibration = try Calibration.fit(spec: spec, population: spec.population!, reader: try ResponseReader(spec: spec, csvPath: path))
        for plan in [AggregationPlan.countsOnly, fullPlan(spec, replicates: 0)] {
            let expected = try reference(spec, path, plan: plan, calibration: calibration)
            let got = try parallel(spec, path, plan: plan, options: options(workers: 3, blockSize: 100), calibration: calibration)
            XCTAssertNil(difference(got, expected))
        }
    }

    func testAnalyzerGivesTheSameAnalysisInOneRangeOrMany() throws {
        // Unit weights and the normalized scale: every sum is exact, so the whole analysis —
        // indices, intervals, reliability, replicates, comparisons — is equal bit for bit.
        var text = "respondent,gender,q1,q2,w\n"
        for r in 0..<400 { text += "r\(r),\(["F", "M", ""][r % 3]),\(["1", "High", "Very High", "", "2"][r % 5]),\(r % 10 == 3 ? "" : String(1 + (r * 7) % 5)),1\n" }
        let path = try write(Array(text.utf8))
        let inference = InferenceOptions(replicates: 30, seed: 4)
        let one = try Analyzer.run(spec: Fixture.spec(), csvPath: path, inference: inference, pipeline: PipelineOptions(workers: 1))
        let many = try Analyzer.run(spec: Fixture.spec(), csvPath: path, inference: inference, pipeline: options(workers: 4))
        XCTAssertEqual(one.pipeline.workers, 1)
        XCTAssertEqual(many.pipeline.workers, 4)
        XCTAssertEqual(many.analysis, one.analysis)
        let expected = try reference(Fixture.spec(), path, plan: .countsOnly)
        XCTAssertEqual(one.analysis.respondents, expected.quality.rowsUsed)
        XCTAssertEqual(one.analysis.frequencies[0].rows.map(\.value), expected.categories[0])
    }

    // MARK: - Bad input

    func testBadInputGivesTheReadersOwnError() throws {
        let header = "rid,note,qa,gender,qb,w,region,qc,qd\n"
        let good = "r1,n,1,F,2,1,North,3,4\n"
        let cases: [(String, [UInt8])] = [
            ("unknown answer", Array((header + good + good + "r2,n,Hihg,F,2,1,North,3,4\n" + good).utf8)),
            ("code out of range", Array((header + good + "r2,n,7,F,2,1,North,3,4\n").utf8)),
            ("short row", Array((header + good + "r2,n,1,F,2,1,North,3\n" + good).utf8)),
            ("long row", Array((header + good + "r2,n,1,F,2,1,North,3,4,5\n").utf8)),
            ("unterminated quote", Array((header + good + "r2,\"open,1,F,2,1,North,3,4\n" + good).utf8)),
            ("text after a quote", Array((header + good + "r2,\"a\"b,1,F,2,1,North,3,4\n").utf8)),
            ("invalid weight", Array((header + good + "r2,n,1,F,2,-1,North,3,4\n").utf8)),
            ("empty weight", Array((header + good + "r2,n,1,F,2,,North,3,4\n").utf8)),
            ("hex weight", Array((header + good + "r2,n,1,F,2,0x10,North,3,4\n").utf8)),
            ("infinite weight", Array((header + good + "r2,n,1,F,2,inf,North,3,4\n").utf8)),
            ("nan weight", Array((header + good + "r2,n,1,F,2,nan,North,3,4\n").utf8)),
            ("signed weight", Array((header + good + "r2,n,1,F,2,+1,North,3,4\n").utf8)),
            ("unknown fixed category", Array((header + good + "r2,n,1,F,2,1,West,3,4\n").utf8)),
            ("invalid UTF-8 in a used cell", Array((header + good).utf8) + [0x72, 0x32, 0x2C, 0x6E, 0x2C, 0xE1, 0x80, 0x2C] + Array("F,2,1,North,3,4\n".utf8)),
            ("invalid UTF-8 in an unused cell", Array((header + good + "r2,").utf8) + [0xFF] + Array(",1,F,2,1,North,3,4\n".utf8)),
            ("invalid UTF-8 at the end", Array((header + good + "r2,n,1,F,2,1,North,3,4").utf8) + [0xE1]),
            ("a lone continuation byte", Array((header + good + "r2,n,").utf8) + [0x80] + Array(",F,2,1,North,3,4\n".utf8)),
        ]
        let (spec, _) = mixedSurvey(rows: 1, seed: 1, labels: false)
        for (name, bytes) in cases {
            let path = try write(bytes)
            let expected = try XCTUnwrap(referenceFailure(spec, path), name)
            let error = try XCTUnwrap(analysisError(spec, path, workers: 1), name)
            XCTAssertEqual(error.location.line, expected.line, "\(name): \(error) vs \(expected)")
            XCTAssertEqual(error.location.column, expected.column, "\(name): \(error) vs \(expected)")
            XCTAssertEqual(analysisError(spec, path, workers: 3), error, name)
        }
    }

    /// After hundreds of rows with quoted line breaks, CRLF and blank lines, in the first, a
    /// middle or the last of 3 ranges, the error names the bad record's line, counted here.
    func testTheErrorLocatesTheBadRecordAnywhereInTheFile() throws {
        let bad = Array("r9999,n,Hihg,F,High,1,North,Low,Low\r\n".utf8)
        for (before, after) in [(30, 570), (300, 300), (600, 0)] {
            // Two generated surveys joined at a record boundary (the second without its header),
            // the bad record between them.
            let (spec, head) = mixedSurvey(rows: before, seed: 5, labels: true)
            let (_, tail) = mixedSurvey(rows: max(after, 1), seed: 6, labels: true)
            let tailRecords = after == 0 ? [] : Array(tail[(tail.firstIndex(of: 0x0A)! + 1)...])
            let path = try write(head + bad + tailRecords)
            // The bad record's physical line, counted here: every CRLF, CR or LF before it
            // (inside quoted fields too), plus one.
            var line = 1, k = 0
            while k < head.count {
                if head[k] == 0x0D { line += 1; if k + 1 < head.count && head[k + 1] == 0x0A { k += 1 } }
                else if head[k] == 0x0A { line += 1 }
                k += 1
            }
            for workers in [1, 3] {
                let error = analysisError(spec, path, workers: workers)
                XCTAssertEqual(error?.location.line, line, "after \(before) rows, \(workers) workers")
                XCTAssertEqual(error?.location.column, 9)   // "r9999,n," is 8 characters
                XCTAssert(error?.description.contains(#"found "Hihg""#) == true, "\(String(describing: error))")
            }
        }
    }

    // MARK: - Property test

    /// A random small survey file: codes, labels and odd spellings, quotes, CR/LF/CRLF, blank
    /// lines, empty cells, a byte order mark, weights, ids, fixed and found categories — and in
    /// about one file in six, one thing the reader rejects.
    func randomSurvey(_ rng: inout Random) -> (SurveySpec, [UInt8]) {
        let itemCount = 1 + rng.below(4)
        let demographicCount = rng.below(3)
        let weighted = rng.chance(0.4)
        let hasID = rng.chance(0.3)
        var columns: [(name: String, kind: String)] = []
        for i in 0..<itemCount { columns.append(("q\(i)", "item")) }
        for d in 0..<demographicCount { columns.append(("g\(d)", d == 1 ? "fixed" : "group")) }
        if weighted { columns.append(("w", "weight")) }
        if hasID { columns.append(("id", "id")) }
        for u in 0..<rng.below(3) { columns.append((rng.chance(0.2) ? "dup" : "u\(u)", "unused")) }
        if columns.filter({ $0.name == "dup" }).count == 1 { columns.append(("dup", "unused")) }
        for i in stride(from: columns.count - 1, to: 0, by: -1) { columns.swapAt(i, rng.below(i + 1)) }

        let spec = SurveySpec(
            title: "Random", id: hasID ? "id" : nil, weight: weighted ? "w" : nil, scale: Self.scale,
            demographics: (0..<demographicCount).map { d in
                d == 1 ? Demographic(column: "g1", categories: ["North", "South"]) : Demographic(column: "g\(d)")
            },
            tables: [ItemTable(id: "t", title: "T", items: (0..<itemCount).map { Item(id: "i\($0)", column: "q\($0)", text: "?", reverse: $0 == 1) })])

        let lineEnd = rng.pick(["\n", "\r\n", "\r", "mixed"])
        func end() -> String { lineEnd == "mixed" ? rng.pick(["\n", "\r\n", "\r"]) : lineEnd }
        func quoted(_ s: String) -> String { "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
        func cell(_ s: String) -> String {
            let special = s.contains(",") || s.contains("\n") || s.contains("\r") || s.hasPrefix("\"")
            return special || rng.chance(0.15) ? quoted(s) : s
        }
        let bad = rng.chance(0.17) ? rng.below(9) : -1
        let rows = rng.below(25)
        let badRow = rows > 0 ? rng.below(rows) : -1

        var text = rng.chance(0.1) ? "\u{FEFF}" : ""
        if rng.chance(0.1) { text += end() }
        text += columns.map { rng.chance(0.1) ? quoted($0.name) : $0.name }.joined(separator: ",") + end()
        var bytes = Array(text.utf8)
        for r in 0..<rows {
            var cells: [String] = []
            for column in columns {
                switch column.kind {
                case "item":
                    cells.append(cell(rng.pick(["1", "2", "3", "4", "5", "", "", "Don't know", "don't  KNOW", "Very High", "very high",
                                                "  Low ", "NEUTRAL", "High\t", "ខ្ពស់", "ទាប", "Medium", "Very\u{00A0}Low", " 3"])))
                case "group": cells.append(cell(rng.pick(["F", "M", "", " f", "Female", "x y", "X  Y", "Don't know", "ស្រី", "a,b"])))
                case "fixed": cells.append(cell(rng.pick(["North", "south", " NORTH ", ""])))
                case "weight": cells.append(cell(rng.pick(["1", "0.5", "2.25", "10", " 3", "0", "1e-1", "0.1", "007.50"])))
                case "id": cells.append(cell("r\(rng.below(8))"))
                default: cells.append(cell(rng.pick(["", "x", "5\" screen", "a,b", "two\nlines", "cr\r\nlf", "say \"hi\"", "ខ្មែរ", "\r"])))
                }
            }
            var line = cells.joined(separator: ",")
            if r == badRow {
                switch bad {
                case 0: line += ",extra"
                case 1: line = cells.dropLast().joined(separator: ",")
                case 2:
                    if let i = columns.firstIndex(where: { $0.kind == "item" }) { cells[i] = "Hihg"; line = cells.joined(separator: ",") }
                case 3:
                    if let i = columns.firstIndex(where: { $0.kind == "weight" }) { cells[i] = "-2"; line = cells.joined(separator: ",") }
                case 4:
                    if let i = columns.firstIndex(where: { $0.kind == "fixed" }) { cells[i] = "West"; line = cells.joined(separator: ",") }
                case 5: line = "\"" + line   // an opened quote, closed nowhere or followed by text
                case 6: line += ",\"\"x"
                default: break
                }
            }
            bytes += Array(line.utf8)
            if r == badRow && bad == 7 { bytes += [0xC3] }           // a cut character
            if r == badRow && bad == 8 { bytes += [0xED, 0xA0, 0x80] } // a surrogate
            if r < rows - 1 || rng.chance(0.7) { bytes += Array(end().utf8) }
            if rng.chance(0.05) { bytes += Array(end().utf8) }
        }
        return (spec, bytes)
    }

    /// One file's verdict on both readers: the same statistics, or errors at the same place
    /// (header problems: both throw). true when both read it.
    func compare(_ spec: SurveySpec, _ path: String, plan: AggregationPlan, options: PipelineOptions, context: String,
                 delimiter: UInt8 = UInt8(ascii: ",")) -> Bool? {
        let expected: Result<Aggregated, any Error> = Result { try reference(spec, path, plan: plan, delimiter: delimiter) }
        let got: Result<Aggregated, any Error> = Result { try parallel(spec, path, plan: plan, options: options, delimiter: delimiter) }
        switch (expected, got) {
        case (.success(let expected), .success(let got)):
            if let difference = difference(got, expected) { XCTFail("\(difference): \(context)") }
            return true
        case (.failure(let failure as ReferenceReader.Failure), .failure(let error as InputError)):
            if failure.line > 0 {
                XCTAssertEqual(error.location.line, failure.line, "\(error) vs \(failure): \(context)")
                XCTAssertEqual(error.location.column, failure.column, "\(error) vs \(failure): \(context)")
            }
            return false
        case (.failure(let failure), .success):
            XCTFail("read a file the reference rejects (\(failure)): \(context)")
        case (.success, .failure(let error)):
            XCTFail("rejected a file the reference reads (\(error)): \(context)")
        case (.failure(let failure), .failure(let error)):
            XCTFail("unexpected errors \(failure), \(error): \(context)")
        }
        return nil
    }

    /// How many files both readers read (`compare` true) and both rejected at the same place (false).
    struct Verdicts {
        var compared = 0, rejected = 0
        mutating func count(_ verdict: Bool?) {
            switch verdict {
            case true?: compared += 1
            case false?: rejected += 1
            case nil: break
            }
        }
    }

    func testRandomFilesAgreeWithTheReference() throws {
        var rng = Random(seed: 20240601)
        var verdicts = Verdicts()
        for file in 0..<300 {
            let (spec, bytes) = randomSurvey(&rng)
            let path = try write(bytes)
            let plan = rng.chance(0.5) ? AggregationPlan.countsOnly : fullPlan(spec, replicates: rng.chance(0.5) ? 0 : 7)
            let workers = 1 + rng.below(5)
            let blockSize = rng.pick([1, 2, 3, 5, 8, 17, 64, 4096])
            let chunkRows = rng.pick([1, 2, 5, 4096])
            let context = "file \(file) (workers \(workers), block \(blockSize)): \(String(decoding: bytes, as: UTF8.self).debugDescription)"
            verdicts.count(compare(spec, path, plan: plan, options: options(workers: workers, blockSize: blockSize, chunkRows: chunkRows), context: context))
        }
        XCTAssertGreaterThan(verdicts.compared, 200)
        XCTAssertGreaterThan(verdicts.rejected, 20)
    }

    /// `compare` on `text` written to a file, read by 1–3 workers in blocks that cut the
    /// scanner's 64-byte windows.
    func compareInWindowSizedBlocks(_ spec: SurveySpec, _ text: String, delimiter: String, rng: inout Random, context: String) throws -> Bool? {
        let path = try write(Array(text.utf8))
        let options = options(workers: 1 + rng.below(3), blockSize: rng.pick([64, 100, 257, 4096, 1 << 20]), chunkRows: rng.pick([3, 4096]))
        return compare(spec, path, plan: fullPlan(spec, replicates: 0), options: options,
                       context: "\(context): \(text.prefix(600).debugDescription)", delimiter: delimiter.utf8.first!)
    }

    /// Long runs of label cells, read 64 bytes at a time by the scanner: labels of 2 to 90 bytes
    /// (so cells cross the 64-byte windows and outgrow them), empty and one-byte cells, quoted
    /// labels, a tab or control byte inside a label, with a comma, a semicolon or a tab between
    /// cells, in blocks that cut the windows: the reference's statistics, or its error.
    func testLongRunsOfLabelsAcrossWindowsAgreeWithTheReference() throws {
        let long = String(repeating: "strongly disagree, on reflection ", count: 3).trimmingCharacters(in: .whitespaces)
        let scale = Scale(levels: [
            Level(code: 1, label: "Strongly disagree", aliases: ["SD", long.replacingOccurrences(of: ",", with: "")]),
            Level(code: 2, label: "Disagree", aliases: ["Somewhat disagree (mostly)"]),
            Level(code: 3, label: "Neither agree nor disagree", aliases: ["N"]),
            Level(code: 4, label: "Agree"), Level(code: 5, label: "Strongly agree", aliases: ["Agree strongly, without doubt"]),
        ], missing: ["", "Prefer not to say"])
        var rng = Random(seed: 64)
        var verdicts = Verdicts()
        for file in 0..<60 {
            let delimiter = rng.pick([",", ";", "\t"])
            let itemCount = 20 + rng.below(30)
            let groupAt = rng.below(itemCount)
            var header = (0..<itemCount).map { "q\($0)" }
            header.insert("g", at: groupAt)
            let spec = SurveySpec(
                title: "Labels", scale: scale, demographics: [Demographic(column: "g")],
                tables: [ItemTable(id: "t", title: "T", items: (0..<itemCount).map { Item(id: "i\($0)", column: "q\($0)", text: "?") })])
            var answers = ["Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree", "SD", "N", "",
                           "Prefer not to say", "Somewhat disagree (mostly)", "3", "strongly AGREE", long.replacingOccurrences(of: ",", with: ""),
                           "\"Agree\"", "\"Agree strongly, without doubt\""]
            if delimiter != "\t" { answers += ["Agree\t", "\tAgree"] }
            if rng.chance(0.3) { answers.append(rng.pick(["Agre", "Agree\u{1}", "\"Agree\"x", "Agree\"", "\"Strongly\ndisagree\""])) }
            var text = header.joined(separator: delimiter) + "\n"
            for _ in 0..<(1 + rng.below(60)) {
                var cells = (0..<itemCount).map { _ in rng.pick(answers) }
                cells.insert(rng.pick(["F", "M", "\"F\""]), at: groupAt)
                text += cells.joined(separator: delimiter) + rng.pick(["\n", "\r\n", "\r"])
            }
            verdicts.count(try compareInWindowSizedBlocks(spec, text, delimiter: delimiter, rng: &rng, context: "file \(file)"))
        }
        XCTAssertGreaterThan(verdicts.compared, 35)
        XCTAssertGreaterThan(verdicts.rejected, 5)
    }

    /// Long runs of digit codes, read a 64-byte window at a time: mostly "1"…"5" and empty
    /// cells, now and then a cell the window must refuse ("0", "6", "12", "X", a quoted code, a
    /// label, a tab or control byte), between unused free-text columns of up to 300 bytes that
    /// are skipped 64 bytes at a time (quoted or not, holding delimiters or line ends when quoted):
    /// the reference's statistics, or its error, for any block size and number of ranges.
    func testLongRunsOfDigitsAndFreeTextAgreeWithTheReference() throws {
        var rng = Random(seed: 65)
        var verdicts = Verdicts()
        for file in 0..<60 {
            let delimiter = rng.pick([",", ";", "\t"])
            let itemCount = 10 + rng.below(70)
            var header = (0..<itemCount).map { "q\($0)" }
            let textColumns = rng.below(3)
            for t in 0..<textColumns { header.insert("comment\(t)", at: rng.below(header.count + 1)) }
            let spec = SurveySpec(
                title: "Digits", scale: Self.scale,
                tables: [ItemTable(id: "t", title: "T", items: (0..<itemCount).map { Item(id: "i\($0)", column: "q\($0)", text: "?") })])
            let odd = ["0", "6", "12", "X", "\"3\"", "High", "Don't know", "3\u{1}", delimiter == "\t" ? "3 " : "3\t"]
            let oddRate = rng.pick([0.0, 0.001, 0.02])
            func freeText() -> String {
                let words = (0..<rng.below(60)).map { _ in rng.pick(["good", "very", "the", "service", "was", "ok", "ខ្មែរ"]) }
                let text = words.joined(separator: " ")
                switch rng.below(4) {
                case 0: return "\"" + text + delimiter + " \"\"quoted\"\"\n" + text + "\""
                default: return text
                }
            }
            var text = header.joined(separator: delimiter) + "\n"
            for _ in 0..<(1 + rng.below(80)) {
                let cells = header.map { name -> String in
                    if name.hasPrefix("comment") { return freeText() }
                    if rng.chance(oddRate) { return rng.pick(odd) }
                    return rng.chance(0.08) ? "" : String(1 + rng.below(5))
                }
                text += cells.joined(separator: delimiter) + rng.pick(["\n", "\r\n", "\r"])
            }
            verdicts.count(try compareInWindowSizedBlocks(spec, text, delimiter: delimiter, rng: &rng, context: "file \(file)"))
        }
        XCTAssertGreaterThan(verdicts.compared, 25)
        XCTAssertGreaterThan(verdicts.rejected, 10)
    }

    /// A cell cut by the end of a block or of the file, the buffer's bytes after it still an
    /// older block's: with labels that are prefixes of one another ("AA", "AAA", "AAAA") the old
    /// bytes often spell more cells, which must not be read (the reference rejects a short last row).
    func testACellCutByTheBufferEndIsNotReadFromOldBytes() throws {
        let scale = Scale(levels: [Level(code: 1, label: "AA"), Level(code: 2, label: "AAA"), Level(code: 3, label: "AAAA")])
        var rng = Random(seed: 3)
        for file in 0..<200 {
            let itemCount = 8 + rng.below(24)
            let spec = SurveySpec(
                title: "Prefixes", scale: scale, demographics: [Demographic(column: "g")],
                tables: [ItemTable(id: "t", title: "T", items: (0..<itemCount).map { Item(id: "i\($0)", column: "q\($0)", text: "?") })])
            var text = (0..<itemCount).map { "q\($0)" }.joined(separator: ",") + ",g\n"
            for _ in 0..<(20 + rng.below(40)) {
                text += (0..<itemCount).map { _ in rng.pick(["AA", "AA", "AAA", "AAAA"]) }.joined(separator: ",") + "," + rng.pick(["F", "M"]) + "\n"
            }
            var bytes = Array(text.utf8)
            let cut = rng.chance(0.5)
            if cut { bytes.removeLast(3 + rng.below(6)) }   // the last row ends in its last items, at the end of the file
            let path = try write(bytes)
            let options = options(workers: 1 + rng.below(2), blockSize: 64 + rng.below(80), chunkRows: 4096)
            let verdict = compare(spec, path, plan: fullPlan(spec, replicates: 0), options: options, context: "file \(file)")
            XCTAssertNotNil(verdict, "file \(file)")
            if !cut { XCTAssertEqual(verdict, true, "file \(file)") }
        }
    }

    /// Bounded fuzzing of the fast scanner: seeded mutations of a mixed file (bytes replaced,
    /// inserted, deleted, slices repeated, the end cut; quotes, delimiters, line ends, NUL, bad
    /// UTF-8 and bad weights among the insertions). Nothing crashes; the pipeline and the
    /// reference reach the same verdict — the same statistics, or an error at the same place.
    func testMutatedFilesGetTheReferencesVerdict() throws {
        let (spec, base) = mixedSurvey(rows: 40, seed: 5, labels: true)
        let plan = fullPlan(spec, replicates: 0)
        let tokens: [[UInt8]] = ["\"", ",", "\n", "\r\n", "\r", "\"\"", "\u{0}", "0x10", "inf", "-1", "High", "North"].map { Array($0.utf8) }
            + [[0xFF], [0xE1, 0x80], [0xEF, 0xBB, 0xBF]]
        var rng = Random(seed: 1414)
        var verdicts = Verdicts()
        for n in 0..<600 {
            var bytes = base
            for _ in 0...rng.below(3) {
                let at = rng.below(bytes.count + 1)
                switch rng.below(5) {
                case 0 where at < bytes.count: bytes[at] = UInt8(truncatingIfNeeded: rng.next())
                case 1: bytes.insert(contentsOf: rng.pick(tokens), at: at)
                case 2: bytes.removeSubrange(at..<min(bytes.count, at + rng.below(30)))
                case 3: bytes.insert(contentsOf: bytes[at..<min(bytes.count, at + rng.below(60))], at: rng.below(bytes.count + 1))
                default: bytes = Array(bytes.prefix(max(at, 40)))
                }
            }
            let path = try write(bytes)
            verdicts.count(compare(spec, path, plan: plan, options: options(workers: 1 + n % 3, blockSize: 64 + n % 200, chunkRows: 5), context: "case \(n)"))
        }
        XCTAssertGreaterThan(verdicts.compared, 10)
        XCTAssertGreaterThan(verdicts.rejected, 100)
    }
}
