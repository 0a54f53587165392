import Foundation
import XCTest
import WAIModel
@testable import WAIAggregate
@testable import WAIEstimate
@testable import WAIPipeline

/// Mean, SD, score SD and quartiles of each item's codes against R (Reference/make_items.R writes items.json).
extension ReferenceTests {
    struct CodeExpected: Decodable { var mean: Double; var sd: Double; var score_sd: Double; var q: [Double] }

    func testCodeStatisticsMatchR() throws {
        let json = try JSONDecoder().decode([String: [String: [String: CodeExpected]]].self,
                                            from: Data(contentsOf: ReferenceTests.directory.appendingPathComponent("items.json")))
        for weighted in [false, true] {
            let analysis = try analysis(weighted: weighted)
            let expected = try XCTUnwrap(json[weighted ? "weighted" : "unweighted"])
            let gender = try XCTUnwrap(analysis.breakdowns.first { $0.column == "gender" })
            var cells: [(String, [TableEstimate])] = [("all", analysis.tables)]
            for group in gender.groups { if let c = group.category { cells.append((c, group.tables)) } }
            for (name, tables) in cells {
                for item in tables.flatMap(\.items) {
                    let r = try XCTUnwrap(expected[name]?[item.id])
                    let codes = try XCTUnwrap(item.codes, item.id)
                    let label = "\(item.id) \(name) weighted=\(weighted)"
                    assertClose(codes.mean, r.mean, relative: 1e-12, "mean \(label)")
                    assertClose(codes.sd, r.sd, relative: 1e-12, "sd \(label)")
                    assertClose(codes.scoreSD, r.score_sd, relative: 1e-12, "score sd \(label)")
                    XCTAssertEqual([codes.q1, codes.median, codes.q3], r.q, "quartiles \(label)")
                    XCTAssertEqual(codes.quantileRule, weighted ? "weighted (qrule math)" : "type 7")
                }
            }
        }
    }
}
