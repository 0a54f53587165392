import Foundation
import PropertyBased
import Testing
import WAITestSupport
import WAIRead
import WAIModel
@testable import WAIAggregate
@testable import WAIEstimate
@testable import WAIPipeline

/// Range cuts anywhere in a file (inside quoted fields, between CR and LF, inside multi-byte
/// text) give the statistics of one range, and one range gives the level counts tallied here
/// from the answers the file was written from.
struct RangeCutPropertyTests {
    static let scale = Scale(levels: [
        Level(code: 1, label: "Very Low"), Level(code: 2, label: "Low"), Level(code: 3, label: "Neutral"),
        Level(code: 4, label: "High"), Level(code: 5, label: "Very High"),
    ], missing: ["", "Don't know"])
    static let spec = SurveySpec(
        title: "Cuts", weight: "w", scale: scale, demographics: [Demographic(column: "group")],
        tables: [ItemTable(id: "t", title: "T", items: [Item(id: "a", column: "qa", text: "A"), Item(id: "b", column: "qb", text: "B")])])
    /// An answer as written and the level it codes (0: missing).
    static let answers: [(text: String, code: Int)] = [
        ("1", 1), ("2", 2), ("3", 3), ("4", 4), ("5", 5), ("Very Low", 1), ("low", 2), ("\"Neutral\"", 3),
        ("\"High\"", 4), ("Very High", 5), ("", 0), ("Don't know", 0), ("\"\"", 0),
    ]
    static let pieces = ["x", "é", "ខ", ",", "\"", "\n", "\r\n", "\r", " "]

    struct File {
        var bytes: [UInt8]
        var counts: [Double]   // item × level, as CellStatistics lays them out
        var weightSum: Double
        var rows: Int
    }

    static func file(seed: UInt64) -> File {
        var rng = SplitMix(seed: seed)
        var text = "group,qa,w,qb" + (rng.chance(0.5) ? "\r\n" : "\n")
        var counts = [Double](repeating: 0, count: 2 * 5)
        var weightSum = 0.0
        let rows = 1 + rng.below(60)
        for _ in 0..<rows {
            var group = ""
            for _ in 0..<rng.below(5) { group += rng.pick(pieces) }
            let quoted = group.contains { ",\"\n\r".contains($0) } || group.unicodeScalars.contains("\r") || rng.chance(0.3)
            let a = rng.pick(answers), b = rng.pick(answers)
            let weight = Double(1 + rng.below(8)) / 4
            for (i, answer) in [a, b].enumerated() where answer.code > 0 { counts[i * 5 + answer.code - 1] += 1 }
            weightSum += weight
            let groupField = quoted ? "\"" + group.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : group
            text += "\(groupField),\(a.text),\(weight),\(b.text)" + (rng.chance(0.5) ? "\r\n" : "\n")
        }
        return File(bytes: Array(text.utf8), counts: counts, weightSum: weightSum, rows: rows)
    }

    static func statistics(path: String, workers: Int, spec: SurveySpec = Self.spec) throws -> PipelineResult {
        var options = PipelineOptions(workers: workers)
        options.bytesPerWorker = 1
        options.blockSize = 64
        var seen: Set<String> = []
        let items = spec.allItems.filter { seen.insert($0.id).inserted }
        let reader = try ResponseReader(spec: spec, csvPath: path)
        return try ParallelAnalyzer.aggregate(
            reader: reader, plan: Analyzer.plan(spec: spec, items: items, inference: InferenceOptions(replicates: 0)),
            scores: Analyzer.scores(spec: spec, items: items), calibration: nil, options: options)
    }

    static func close(_ x: [Double], _ y: [Double]) -> Bool {
        x.count == y.count && zip(x, y).allSatisfy { abs($0 - $1) <= 1e-12 * max(1, abs($0)) }
    }

    @Test func cutsAnywhereGiveTheStatisticsOfOneRange() async throws {
        await propertyCheck(count: 150, input: Gen.int(in: 0...Int(Int32.max)), Gen.int(in: 2...24)) { seed, workers in
            let file = Self.file(seed: UInt64(seed))
            let url = FileManager.default.temporaryDirectory.appendingPathComponent("wai-cuts-\(UUID().uuidString).csv")
            defer { try? FileManager.default.removeItem(at: url) }
            try Data(file.bytes).write(to: url)
            let one = try Self.statistics(path: url.path, workers: 1)
            let cut = try Self.statistics(path: url.path, workers: workers)
            #expect(one.report.workers == 1)
            #expect(cut.report.workers == min(workers, file.bytes.count - (file.bytes.firstIndex(of: 0x0A)! + 1)))
            #expect(one.statistics.overall.counts == file.counts)
            #expect(one.statistics.overall.rows == Double(file.rows))
            #expect(abs(one.statistics.overall.weightSum - file.weightSum) < 1e-9)
            #expect(cut.categories == one.categories)
            #expect(cut.quality == one.quality)
            let cells = [cut.statistics.overall] + cut.statistics.byDemographic.flatMap { $0 }
            let expected = [one.statistics.overall] + one.statistics.byDemographic.flatMap { $0 }
            #expect(cells.count == expected.count)
            for (x, y) in zip(cells, expected) {
                #expect(x.counts == y.counts && x.rows == y.rows)
                #expect(Self.close(x.weighted, y.weighted) && Self.close(x.weightedSquared, y.weightedSquared))
                #expect(Self.close(x.pairwise, y.pairwise))
            }
        }
    }

    /// Two bad answers, one early and one late, with the file cut into many ranges: the error
    /// is the early one's, located by hand (line, column), whichever range meets its bad record
    /// first in time.
    @Test func theErrorOfSeveralRangesIsTheFirstInFileOrder() throws {
        let strict = SurveySpec(
            title: "Cuts", weight: "w", scale: Self.scale, demographics: [Demographic(column: "group")],
            tables: [ItemTable(id: "t", title: "T", items: [Item(id: "a", column: "qa", text: "A"), Item(id: "b", column: "qb", text: "B")])])
        var text = "group,qa,w,qb\n"
        for row in 0..<400 {
            // Line 2 + row; row 37's qb is "Hihg" (line 39), row 350's qa is "Lwo" (line 352).
            let qa = row == 350 ? "Lwo" : "\(1 + row % 5)"
            let qb = row == 37 ? "Hihg" : "\"\(1 + row % 3)\""
            text += "\"g,\(row % 4)\",\(qa),1.5,\(qb)\n"
        }
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("wai-first-\(UUID().uuidString).csv")
        defer { try? FileManager.default.removeItem(at: url) }
        try Data(text.utf8).write(to: url)
        for workers in [1, 2, 3, 7, 16] {
            #expect(throws: InputError.self) { try Self.statistics(path: url.path, workers: workers, spec: strict) }
            do {
                _ = try Self.statistics(path: url.path, workers: workers, spec: strict)
            } catch let error as InputError {
                // Row 37 is `"g,1",3,1.5,Hihg`: 12 characters before qb, which starts at column 13.
                #expect(error.location.line == 39, "\(workers) workers: \(error)")
                #expect(error.location.column == 13, "\(workers) workers: \(error)")
                #expect(error.description.contains(#"found "Hihg""#), "\(error)")
            }
        }
        // Without the early one, the late one: row 350 is `"g,2",Lwo,…`, line 352, column 7.
        try Data(text.replacingOccurrences(of: "Hihg", with: "4").utf8).write(to: url)
        for workers in [1, 5, 16] {
            do {
                _ = try Self.statistics(path: url.path, workers: workers, spec: strict)
                Issue.record("the bad answer was read")
            } catch let error as InputError {
                #expect(error.location.line == 352 && error.location.column == 7, "\(workers) workers: \(error)")
            }
        }
    }
}
