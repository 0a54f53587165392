import Foundation
import XCTest
import WAIRead
import WAIModel
@testable import WAIAggregate
@testable import WAIEstimate
@testable import WAIPipeline

/// Partial statistics: shards add up to one pass; counts tables read like the rows they count.
final class MergeTests: XCTestCase {
    /// 45 respondents, three items (q3 reverse-keyed), gender (unfixed, "X" first met in the last
    /// shard, "f" a spelling of "F"), region (fixed categories, some blank), weights 1 and 4
    /// (perfect squares: every sum, including √w products, is exact whatever the order).
    static let spec = SurveySpec(
        title: "Merge fixture", weight: "w",
        scale: Scale(levels: Scale.fivePointDegree.levels, missing: ["", "N/A"]),
        demographics: [Demographic(column: "gender"), Demographic(column: "region", categories: ["North", "South"])],
        tables: [
            ItemTable(id: "t1", title: "Two items", items: [Item(id: "q1", column: "q1", text: "One?"), Item(id: "q2", column: "q2", text: "Two?")]),
            ItemTable(id: "t2", title: "Three items", items: [
                Item(id: "q1", column: "q1", text: "One?"), Item(id: "q3", column: "q3", text: "Three?", reverse: true),
                Item(id: "q2", column: "q2", text: "Two?"),
            ]),
        ])

    static func rows() -> [String] {
        (0..<45).map { r in
            let gender = r < 30 ? (r % 3 == 0 ? "M" : r % 5 == 0 ? "f" : "F") : (r % 2 == 1 ? "X" : "M")
            let region = r % 7 == 0 ? "" : (r % 3 == 1 ? "North" : "South")
            let q1 = ["1", "Low", "3", "high", "5"][(r * 7 + 3) % 5]
            let q2 = r % 11 == 0 ? "N/A" : String((r * 3) % 5 + 1)
            let q3 = r % 13 == 5 ? "" : ["Very Low", "2", "Neutral", "4", "Very High"][(r * r + 1) % 5]
            return "\(gender),\(region),\(q1),\(q2),\(q3),\(r % 4 == 0 ? 4 : 1)"
        }
    }

    static let header = "gender,region,q1,q2,q3,w"

    func write(_ rows: [String]) throws -> String {
        try Fixture.write(([Self.header] + rows).joined(separator: "\n") + "\n")
    }

    func testShardsAddUpToOnePass() throws {
        let inference = InferenceOptions(confidence: 0.9, replicates: 50, seed: 7)
        let rows = Self.rows()
        let whole = try write(rows)
        let single = try Analyzer.analyze(spec: Self.spec, csvPath: whole, displayName: "all.csv", inference: inference)

        let bounds = [0, 14, 31, 45]
        var parts: [PartialStatistics] = []
        for s in 0..<3 {
            let path = try write(Array(rows[bounds[s]..<bounds[s + 1]]))
            let part = try PartialStatistics.aggregate(spec: Self.spec, csvPath: path, inference: inference)
            // Through the file format and back, as `wai aggregate` / `wai merge` do.
            parts.append(try PartialStatistics.decode(try part.encoded(), name: "part\(s + 1).waistats"))
        }
        // Each shard numbers categories as it meets them: the last one meets X first.
        XCTAssertEqual(parts[0].categories[0], ["M", "F"])
        XCTAssertEqual(parts[2].categories[0], ["X", "M"])
        let merged = try PartialStatistics.merge(parts, names: ["p1", "p2", "p3"], spec: Self.spec)
        XCTAssertEqual(merged.categories[0], ["M", "F", "X"])
        XCTAssertEqual(merged.shards.map(\.rows), [14, 17, 14])

        let analysis = try merged.analysis(spec: Self.spec, data: "all.csv", breakdowns: nil, confidence: 0.9)
        let direct = try Analyzer.analyze(spec: Self.spec, csvPath: whole, displayName: "all.csv", breakdowns: nil, inference: inference)
        XCTAssertEqual(analysis, direct)
        XCTAssertEqual(analysis.quality, single.quality)
        XCTAssertNotNil(analysis.tables[1].reliability)
        XCTAssertNotNil(analysis.tables[1].composite?.bootstrap)
        // Statistics equal too, category cells remapped by name.
        XCTAssertEqual(merged.statistics.overall, try PartialStatistics.aggregate(spec: Self.spec, csvPath: whole, inference: inference).statistics.overall)
    }

    /// A row with every item missing is listed by its line in its shard's file (the header is line 1).
    func testFullyBlankResponsesSurviveTheShardFileAndTheMerge() throws {
        let a = try PartialStatistics.aggregate(spec: Self.spec, csvPath: try write(["F,North,,,,1", "M,South,1,2,3,1"]), inference: InferenceOptions(replicates: 0))
        let b = try PartialStatistics.aggregate(spec: Self.spec, csvPath: try write(["M,South,1,2,3,1", "F,North,,N/A,,4"]), inference: InferenceOptions(replicates: 0))
        XCTAssertEqual(a.quality.fullyBlankResponses, [2])
        let decoded = try PartialStatistics.decode(try b.encoded(), name: "b.waistats")
        XCTAssertEqual(decoded.quality.fullyBlankResponses, [3])
        let merged = try PartialStatistics.merge([a, decoded], names: ["a", "b"], spec: Self.spec)
        XCTAssertEqual(merged.quality.fullyBlankResponses, [2, 3])
        let single = try Analyzer.analyze(spec: Self.spec, csvPath: try write(["F,North,,,,1", "M,South,1,2,3,1", "M,South,1,2,3,1", "F,North,,N/A,,4"]),
                                          inference: InferenceOptions(replicates: 0))
        XCTAssertEqual(single.quality.fullyBlankResponses, [2, 5])
        XCTAssertEqual(merged.quality.rowsUsed, single.quality.rowsUsed)
    }

    func testMismatchedShardsAreRefused() throws {
        let rows = Self.rows()
        let a = try PartialStatistics.aggregate(spec: Self.spec, csvPath: try write(Array(rows[..<20])), inference: InferenceOptions(replicates: 10))
        let b = try PartialStatistics.aggregate(spec: Self.spec, csvPath: try write(Array(rows[20...])), inference: InferenceOptions(replicates: 10))
        // Shards need no row keys: the bootstrap is drawn from the merged statistics.
        XCTAssertNoThrow(try PartialStatistics.merge([a, b], names: ["a", "b"], spec: Self.spec))
        let c = try PartialStatistics.aggregate(spec: Self.spec, csvPath: try write(Array(rows[20...])), inference: InferenceOptions(replicates: 0))
        XCTAssertThrowsError(try PartialStatistics.merge([a, c], names: ["a", "c"], spec: Self.spec)) { error in
            XCTAssert("\(error)".contains("different bootstrap settings"), "\(error)")
        }
        var other = Self.spec
        other.scale.levels[2].label = "Medium"
        XCTAssertThrowsError(try PartialStatistics.merge([a], names: ["a"], spec: other)) { error in
            XCTAssert("\(error)".hasPrefix("a: spec_sha256: these statistics were aggregated with another spec"), "\(error)")
        }
        // The data path is not part of the spec's identity: shards name their own files.
        var moved = Self.spec
        moved.data = "elsewhere.csv"
        XCTAssertEqual(try PartialStatistics.specDigest(moved), try PartialStatistics.specDigest(Self.spec))

        // Version 1 (with row-keyed replicates) and unknown versions are refused.
        for version in ["wai.partial/1", "wai.partial/3"] {
            let text = String(decoding: try a.encoded(), as: UTF8.self).replacingOccurrences(of: "\"wai.partial/2\"", with: "\"\(version)\"")
            XCTAssertThrowsError(try PartialStatistics.decode(Data(text.utf8), name: "old.waistats")) { error in
                XCTAssertEqual((error as? InputError)?.problem, "unsupported partial-statistics format")
            }
        }
        let damaged = String(decoding: try a.encoded(), as: UTF8.self).replacingOccurrences(of: "\"weight_sum\"", with: "\"weight_total\"")
        XCTAssertThrowsError(try PartialStatistics.decode(Data(damaged.utf8), name: "d.waistats")) { error in
            XCTAssert("\(error)".contains("missing key \"weight_sum\""), "\(error)")
        }

        var raked = Self.spec
        raked.population = Population(method: .rake, margins: [.init(column: "region", shares: ["North": 0.5, "South": 0.5])])
        XCTAssertThrowsError(try PartialStatistics.aggregate(spec: raked, csvPath: try write(rows))) { error in
            XCTAssert("\(error)".contains("population shares"), "\(error)")
        }
    }

    /// Fixture.csv counted by hand (see Fixture.swift): r1 F 5 1, r2 M 4 2, r3 F 3 –, r4 (no gender) 2 5.
    static let counts = """
        item,level,group_column,group,count,weight_sum,weight_sq_sum
        q1,Very High,,,1,1,1
        q1,4,,,1,2,4
        q1,neutral,,,1,1,1
        q1,Low,,,1,0.5,0.25
        q2,1,,,1,1,1
        q2,Low,,,1,2,4
        q2,,,,1,1,1
        q2,5,,,1,0.5,0.25
        q1,5,gender,F,1,1,1
        q1,3,gender,f,1,1,1
        q1,4,gender,M,1,2,4
        q1,2,gender,,1,0.5,0.25
        q2,1,gender,F,1,1,1
        q2,Don't know,gender,F,1,1,1
        q2,2,gender,M,1,2,4
        q2,5,gender,,1,0.5,0.25

        """

    func testACountsTableReadsLikeTheRowsItCounts() throws {
        for weighted in [false, true] {
            let spec = Fixture.spec(weight: weighted ? "w" : nil)
            var text = Self.counts
            if !weighted {
                text = text.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).prefix(5).joined(separator: ",") }.joined(separator: "\n") + "\n"
            }
            let part = try CountsTable.read(path: try Fixture.write(text, name: "counts.csv"), spec: spec)
            let fromCounts = try part.analysis(spec: spec, data: "d", breakdowns: nil)
            let fromRows = try Analyzer.analyze(spec: spec, csvPath: try Fixture.write(Fixture.csv), displayName: "d", breakdowns: nil,
                                                inference: InferenceOptions(replicates: 0))
            // Items (counts, n, missing, WAI, band, SE, interval) and frequencies are the same; what needs
            // per-respondent rows is not there.
            XCTAssertEqual(fromCounts.tables[0].items, fromRows.tables[0].items, "weighted: \(weighted)")
            XCTAssertEqual(fromCounts.frequencies, fromRows.frequencies)
            XCTAssertEqual(fromCounts.breakdowns[0].groups.map { $0.tables[0].items }, fromRows.breakdowns[0].groups.map { $0.tables[0].items })
            XCTAssertEqual(fromCounts.effectiveN, fromRows.effectiveN, accuracy: 1e-12)
            XCTAssertEqual(fromCounts.tables[0].composite?.wai, fromRows.tables[0].composite?.wai)
            XCTAssertNil(fromCounts.tables[0].composite?.se)
            XCTAssertNil(fromCounts.tables[0].reliability)
            XCTAssertEqual(part.categories[0], ["F", "M"])
        }

        // Weighted without Σw²: indices and bands, no standard errors.
        let spec = Fixture.spec(weight: "w")
        let noSquares = Self.counts.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).prefix(6).joined(separator: ",") }.joined(separator: "\n") + "\n"
        let analysis = try CountsTable.read(path: try Fixture.write(noSquares), spec: spec).analysis(spec: spec, data: "d")
        // q1 weighted: (1·1 + 2·.75 + 1·.5 + .5·.25) / 4.5 = 3.125 / 4.5 = 0.69444.
        XCTAssertEqual(analysis.tables[0].items[0].wai!, 3.125 / 4.5, accuracy: 1e-12)
        XCTAssertNil(analysis.tables[0].items[0].se)
        XCTAssertNil(analysis.tables[0].items[0].interval)
        XCTAssertEqual(analysis.effectiveN, 0)
    }

    func testBadCountsTablesAreLocated() throws {
        let spec = Fixture.spec()
        let unweighted = Self.counts.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).prefix(5).joined(separator: ",") }
        func read(_ lines: [String]) throws -> PartialStatistics {
            try CountsTable.read(path: try Fixture.write(lines.joined(separator: "\n") + "\n", name: "counts.csv"), spec: spec, displayName: "counts.csv")
        }
        XCTAssertThrowsError(try read(unweighted.filter { $0 != "q2,,,,1" })) { error in
            XCTAssert("\(error)".contains("items account for different numbers of respondents (overall)"), "\(error)")
            XCTAssert("\(error)".contains("INCLUDE NULLS"), "\(error)")
        }
        XCTAssertThrowsError(try read(unweighted.map { $0 == "q1,Low,,,1" ? "q1,Hihg,,,1" : $0 })) { error in
            XCTAssert("\(error)".hasPrefix("counts.csv:5:4: unknown answer in column \"level\" (item q1); found \"Hihg\""), "\(error)")
        }
        XCTAssertThrowsError(try read(unweighted.map { $0 == "q1,4,gender,M,1" ? "q1,4,gendr,M,1" : $0 })) { error in
            XCTAssert("\(error)".contains("unknown group_column; found \"gendr\"") && "\(error)".contains("did you mean \"gender\""), "\(error)")
        }
        XCTAssertThrowsError(try read(unweighted.filter { !$0.contains("gender,M") })) { error in
            XCTAssert("\(error)".contains("the groups of \"gender\" add up to 3 respondents, the overall rows to 4"), "\(error)")
        }
        XCTAssertThrowsError(try CountsTable.read(path: try Fixture.write(Self.counts), spec: spec)) { error in
            XCTAssert("\(error)".contains("the spec names no weight column"), "\(error)")
        }
    }
}
