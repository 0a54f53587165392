import Foundation
import XCTest
import WAIModel
import WAIRead
@testable import WAIAggregate
@testable import WAIEstimate
@testable import WAIPipeline

/// Tail probabilities against R's pnorm/pchisq/pt/pf (Reference/make_distributions.R writes distributions.json).
final class DistributionTests: XCTestCase {
    struct Point: Decodable { var x: Double; var df: Double?; var d1: Double?; var d2: Double?; var p: Double; var two: Double? }
    struct Table: Decodable { var normal: [Point]; var chisq: [Point]; var t: [Point]; var f: [Point] }

    func table() throws -> Table {
        try JSONDecoder().decode(Table.self, from: Data(contentsOf: ReferenceTests.directory.appendingPathComponent("distributions.json")))
    }

    func assertRelative(_ a: Double, _ b: Double, _ tolerance: Double, _ message: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertGreaterThan(a, 0, "0 where R prints \(b): \(message)", file: file, line: line)
        XCTAssertEqual(a, b, accuracy: tolerance * b, message, file: file, line: line)
    }

    func testNormalTailsMatchPnormToTheSmallestDouble() throws {
        for point in try table().normal {
            assertRelative(Distributions.normalSurvival(point.x), point.p, 1e-12, "pnorm(\(point.x), lower = FALSE)")
            assertRelative(Distributions.normalTwoSided(point.x), point.two!, 1e-12, "2 pnorm(-|\(point.x)|)")
        }
    }

    func testChiSquareTailsMatchPchisq() throws {
        for point in try table().chisq {
            assertRelative(Distributions.chiSquareSurvival(point.x, df: point.df!), point.p, 1e-12, "pchisq(\(point.x), \(point.df!))")
        }
    }

    func testStudentTailsMatchPt() throws {
        for point in try table().t {
            assertRelative(Distributions.studentSurvival(point.x, df: point.df!), point.p, 1e-10, "pt(\(point.x), \(point.df!))")
        }
    }

    func testFTailsMatchPf() throws {
        for point in try table().f {
            assertRelative(Distributions.fSurvival(point.x, d1: point.d1!, d2: point.d2!), point.p, 1e-10, "pf(\(point.x), \(point.d1!), \(point.d2!))")
        }
    }
}

extension DistributionTests {
    /// R: x <- c(rep(1, 180), rep(2, 20)); y <- c(rep(1, 20), rep(2, 180))
    ///    wilcox.test(x, y, exact = FALSE, correct = TRUE)  →  W = 4000, p-value = 1.7759833229135543e-57
    func testMannWhitneyFarTailIsNotZero() throws {
        let spec = try SurveyLoader.loadSpec(path: ReferenceTests.directory.appendingPathComponent("bfi.yaml").path).spec
        let estimator = Estimator(spec: spec, items: spec.tables[0].items, designRows: 400)
        let test = try XCTUnwrap(estimator.rankTest([[180, 20], [20, 180]]))
        XCTAssertEqual(test.statistic, 4000)
        XCTAssertEqual(test.p, 1.7759833229135543e-57, accuracy: 1e-6 * 1.7759833229135543e-57)
    }
}
