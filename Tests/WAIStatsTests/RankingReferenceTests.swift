import Foundation
import XCTest
import WAIRead
import WAIModel
@testable import WAIEstimate
@testable import WAIPipeline

/// Rankings against R on psych's bfi data (Reference/make_rankings.R wrote rankings.json with
/// rank(), friedman.test, cor(method = "spearman") and cor.test(exact = FALSE)): each table's items
/// ranked overall and per group, Kendall's W over the education groups and over gender, and
/// Spearman's rho for every pair of groups; and a table of tied ratings.
final class RankingReferenceTests: XCTestCase {
    struct Pair: Decodable { var groups: [String]; var rho: Double; var p: Double }
    struct Agreement: Decodable { var ranks: [[Double]]; var W: Double; var chisq: Double; var df: Int; var p: Double; var spearman: [Pair] }
    struct Ties: Decodable { var values: [[Double]]; var ranks: [[Double]]; var W: Double; var chisq: Double; var p: Double; var rho12: Double; var p12: Double }
    struct Weighted: Decodable {
        var overall: [String: [Double]]
        var education: [String: Agreement]
        var gender: [String: Agreement]
    }
    struct Reference: Decodable {
        var overall: [String: [Double]]
        var education: [String: Agreement]
        var gender: [String: Agreement]
        var ties: Ties
        /// The same with bfi.csv's weight column: R ranks the weighted indices (svymean).
        var weighted: Weighted
    }

    func reference() throws -> Reference {
        try JSONDecoder().decode(Reference.self, from: Data(contentsOf: ReferenceTests.directory.appendingPathComponent("rankings.json")))
    }

    func close(_ a: Double?, _ b: Double, _ message: String, file: StaticString = #filePath, line: UInt = #line) {
        guard let a else { return XCTFail("missing \(message)", file: file, line: line) }
        XCTAssertEqual(a, b, accuracy: 1e-9 * max(abs(b), 1e-300), message, file: file, line: line)
    }

    func testRanksAndAgreementMatchR() throws {
        let r = try reference()
        let loaded = try SurveyLoader.loadSpec(path: ReferenceTests.directory.appendingPathComponent("bfi.yaml").path)
        let analysis = try Analyzer.analyze(spec: loaded.spec, csvPath: loaded.dataPath!, inference: InferenceOptions(replicates: 0))
        try check(analysis, overall: r.overall, education: r.education, gender: r.gender)
    }

    /// With weights the items are ranked by their weighted indices; W, its χ² and p, and every
    /// rho are those of R's rank statistics on the svymean indices. The weights change some
    /// rankings, so this check tells weighted from unweighted.
    func testWeightedRanksAndAgreementMatchR() throws {
        let r = try reference()
        var loaded = try SurveyLoader.loadSpec(path: ReferenceTests.directory.appendingPathComponent("bfi.yaml").path)
        loaded.spec.weight = "w"
        let analysis = try Analyzer.analyze(spec: loaded.spec, csvPath: loaded.dataPath!, inference: InferenceOptions(replicates: 0))
        try check(analysis, overall: r.weighted.overall, education: r.weighted.education, gender: r.weighted.gender)
        XCTAssertNotEqual(r.weighted.gender["E"]!.W, r.gender["E"]!.W)
        XCTAssertNotEqual(r.weighted.education["A"]!.ranks, r.education["A"]!.ranks)
    }

    func check(_ analysis: SurveyAnalysis, overall: [String: [Double]], education: [String: Agreement], gender: [String: Agreement],
               file: StaticString = #filePath, line: UInt = #line) throws {
        for table in analysis.tables {
            XCTAssertEqual(table.items.map(\.rank), overall[table.id]!.map { Optional($0) }, "overall ranks of \(table.id)", file: file, line: line)
        }
        for (column, expected) in [("education", education), ("gender", gender)] {
            let breakdown = try XCTUnwrap(analysis.breakdowns.first { $0.column == column })
            let answered = breakdown.groups.filter { $0.category != nil }
            XCTAssertEqual(breakdown.rankAgreement.map(\.table), analysis.tables.map(\.id))
            for agreement in breakdown.rankAgreement {
                let want = try XCTUnwrap(expected[agreement.table])
                let t = analysis.tables.firstIndex { $0.id == agreement.table }!
                for (g, group) in answered.enumerated() {
                    XCTAssertEqual(group.tables[t].items.map(\.rank), want.ranks[g].map { Optional($0) }, "\(column) \(group.category!) \(agreement.table)")
                }
                XCTAssertEqual(agreement.groups, answered.map { $0.category! })
                XCTAssertEqual(agreement.items.count, 5)
                XCTAssertEqual(agreement.df, want.df)
                close(agreement.kendallW, want.W, "W \(column) \(agreement.table)")
                close(agreement.chiSquare, want.chisq, "χ² \(column) \(agreement.table)")
                close(agreement.pValue, want.p, "p \(column) \(agreement.table)")
                XCTAssertEqual(agreement.spearman.map(\.groups), want.spearman.map(\.groups))
                for (pair, expected) in zip(agreement.spearman, want.spearman) {
                    close(pair.rho, expected.rho, "rho \(pair.groups) \(agreement.table)")
                    if expected.rho == 1 || expected.rho == -1 {
                        // R's t of rho = ±1 is finite only by rounding in cor(); its p is noise below 1e-15.
                        XCTAssertEqual(pair.pValue, 0)
                        XCTAssertLessThan(expected.p, 1e-15)
                    } else {
                        close(pair.pValue, expected.p, "p of rho \(pair.groups) \(agreement.table)")
                    }
                }
            }
        }
    }

    func testTiesShareTheirAverageRankAndCorrectW() throws {
        let ties = try reference().ties
        let ranks = ties.values.map { Rankings.descendingRanks($0.map { Optional($0) }).map { $0! } }
        XCTAssertEqual(ranks, ties.ranks)
        let (w, chi) = Rankings.kendall(ranks)
        close(w, ties.W, "W")
        close(chi, ties.chisq, "χ²")
        close(chi.map { Distributions.chiSquareSurvival($0, df: 5) }, ties.p, "p")
        let rho = Rankings.pearson(ranks[0], ranks[1])
        close(rho, ties.rho12, "rho")
        close(rho.flatMap { Rankings.spearmanP($0, n: 6) }, ties.p12, "p of rho")
    }

    func testUnansweredItemsTakeNoRank() {
        XCTAssertEqual(Rankings.descendingRanks([0.5, nil, 0.7, 0.5]), [2.5, nil, 1, 2.5])
    }
}
