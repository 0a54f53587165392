import XCTest
@testable import WAIModel

final class BandTableTests: XCTestCase {
    let bands = BandTable.standard

    func testValuesPrintWithTwoDecimalsRoundedHalfUp() {
        XCTAssertEqual(bands.format(0.6), "0.60")
        XCTAssertEqual(bands.format(0.6043), "0.60")
        XCTAssertEqual(bands.format(0.60499), "0.60")
        // 0.605 is stored as 0.60499999999999998…; a person rounding the decimal gets 0.61.
        XCTAssertEqual(bands.format(0.605), "0.61")
        // 121/200 computed as a mean: the same half, reached by arithmetic.
        XCTAssertEqual(bands.format(121.0 / 200.0), "0.61")
        XCTAssertEqual(bands.format(0.995), "1.00")
        XCTAssertEqual(bands.format(0), "0.00")
        XCTAssertEqual(bands.format(1), "1.00")
    }

    func testBandEdgesAreClosedAtTheReportedPrecision() {
        XCTAssertEqual(bands.band(0.00), "Very Low")
        XCTAssertEqual(bands.band(0.20), "Very Low")
        XCTAssertEqual(bands.band(0.2049), "Very Low")   // prints 0.20
        XCTAssertEqual(bands.band(0.205), "Low")         // prints 0.21
        XCTAssertEqual(bands.band(0.21), "Low")
        XCTAssertEqual(bands.band(0.40), "Low")
        XCTAssertEqual(bands.band(0.41), "Neutral")
        XCTAssertEqual(bands.band(0.60), "Neutral")
        XCTAssertEqual(bands.band(0.604), "Neutral")     // the chapter's example: 0.604 → 0.60 → Neutral
        XCTAssertEqual(bands.band(0.605), "High")        // prints 0.61
        XCTAssertEqual(bands.band(0.61), "High")
        XCTAssertEqual(bands.band(0.80), "High")
        XCTAssertEqual(bands.band(0.81), "Very High")
        XCTAssertEqual(bands.band(1.00), "Very High")
        XCTAssertNil(bands.band(1.006))                  // prints 1.01: above every band
    }

    func testPrintedValueAndBandNeverDisagree() {
        // Sweep a fine grid: the band must be the one whose printed interval holds the printed value.
        for step in 0...100_000 {
            let value = Double(step) / 100_000
            let printed = Double(bands.format(value))!
            let band = bands.bandIndex(value)!
            let low = band == 0 ? 0 : bands.upper[band - 1] + 0.01
            XCTAssert(printed >= low - 1e-12 && printed <= bands.upper[band] + 1e-12, "\(value) printed \(printed) in band \(band)")
        }
    }

    func testIntervalsPrintAsTheChapterStatesThem() {
        XCTAssertEqual((0..<5).map(bands.intervalText),
                       ["0.00–0.20", "0.21–0.40", "0.41–0.60", "0.61–0.80", "0.81–1.00"])
    }

    func testRelabelingKeepsTheBounds() {
        let table1 = bands.relabeled(["Very Low", "Low", "Medium", "High", "Very High"])
        XCTAssertEqual(table1.band(0.59), "Medium")
        XCTAssertEqual(table1.upper, bands.upper)
    }

    func testOtherPrecisions() {
        let one = BandTable(precision: 1, labels: ["low", "high"], upper: [0.5, 1.0])
        XCTAssertEqual(one.format(0.55), "0.6")
        XCTAssertEqual(one.band(0.549), "low")
        XCTAssertEqual(BandTable.fixed(46.0 / 99.0 * 100, decimals: 1), "46.5")
        XCTAssertEqual(BandTable.fixed(26.0 / 94.0 * 100, decimals: 1), "27.7")
        XCTAssertEqual(BandTable.fixed(-0.125, decimals: 2), "-0.13")
        XCTAssertEqual(BandTable.fixed(7, decimals: 0), "7")
    }
}
