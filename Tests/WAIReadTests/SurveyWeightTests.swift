import XCTest
import WAIModel
@testable import WAIRead

final class SurveyWeightTests: XCTestCase {
    func testPlainDecimalsAreWeights() {
        let cases: [(String, Double)] = [("2", 2), ("0.75", 0.75), (".5", 0.5), ("7.", 7), (" 3 ", 3), ("\t1.5", 1.5),
                                         ("1.2e-05", 0.000012), ("1E3", 1000), ("0", 0), ("007.50", 7.5)]
        for (text, value) in cases { XCTAssertEqual(surveyWeight(text), value, text) }
    }

    func testEverythingElseIsNot() {
        for text in ["0x10", "0X1p3", "inf", "Infinity", "nan", "NaN", "-1", "-0", "+1", "", " ", ".", "1e", "1e+", "1.2.3", "1,5", "1 2", "٣", "1e400"] {
            XCTAssertNil(surveyWeight(text), text)
        }
    }
}
