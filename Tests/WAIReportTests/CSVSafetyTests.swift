import XCTest
import WAIModel
@testable import WAIReport

final class CSVSafetyTests: XCTestCase {
    func testFormulaCellsArePrefixedAndNumbersAreNot() {
        XCTAssertEqual(csvField("=HYPERLINK(\"http://x\")"), #""'=HYPERLINK(""http://x"")""#)
        XCTAssertEqual(csvField("+cmd|' /C calc'!A0"), "'+cmd|' /C calc'!A0")
        XCTAssertEqual(csvField("@SUM(A1)"), "'@SUM(A1)")
        XCTAssertEqual(csvField("-2+3"), "'-2+3")
        XCTAssertEqual(csvField("\tx"), "'\tx")
        XCTAssertEqual(csvField("\r=x"), "\"'\n=x\"")
        XCTAssertEqual(csvField("-"), "'-")
        XCTAssertEqual(csvField("-inf"), "'-inf")
        for number in ["-0.25", "+3", "-1e-5", "-.5", "-7.", "12"] { XCTAssertEqual(csvField(number), number) }
        XCTAssertEqual(csvField("a=b"), "a=b")
        XCTAssertEqual(csvField(""), "")
    }

    func testControlCharactersNeverReachAnOutput() {
        XCTAssertEqual(withoutControlCharacters("a\u{0}b\u{7F}c\u{1B}[2J\td\ne\r"), "a\u{FFFD}b\u{FFFD}c\u{FFFD}[2J\td\ne\u{FFFD}")
        XCTAssertEqual(withoutControlCharacters("ខ្ពស់ é"), "ខ្ពស់ é")
        XCTAssertEqual(inline("a|b\nc\r\nd\te\u{0}"), "a\\|b c d e\u{FFFD}")
    }
}
