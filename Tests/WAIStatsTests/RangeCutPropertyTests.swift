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

    static func statistics(path: String, workers: Int) throws -> PipelineResult? {
        var options = PipelineOptions(workers: workers)
        options.minimumBytes = 0
        options.bytesPerWorker = 1
        options.blockSize = 64
        var seen: Set<String> = []
        let items = spec.allItems.filter { seen.insert($0.id).inserted }
        let reader = try ResponseReader(spec: spec, csvPath: path)
        return ParallelAnalyzer.aggregate(
            reader: reader, csvPath: path, plan: Analyzer.plan(spec: spec, items: items, inference: InferenceOptions(replicates: 0)),
            scores: Analyzer.scores(spec: spec, items: items), path: .blas, calibration: nil, options: options)
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
            let one = try #require(try Self.statistics(path: url.path, workers: 1))
            let cut = try #require(try Self.statistics(path: url.path, workers: workers))
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
}
