import XCTest
import WAIModel

final class QuotedTests: XCTestCase {
    func testALongValueIsCutAndItsLengthGiven() {
        let value = String(repeating: "a", count: 200_000)
        let message = InputError("unknown answer", at: SourceLocation(file: "r.csv", line: 4, column: 47), found: value).description
        XCTAssertEqual(message, "r.csv:4:47: unknown answer; found \"" + String(repeating: "a", count: 120) + "…\" (200000 characters)")
        // Characters, not bytes or scalars: 121 e + combining acute are cut after the 120th whole one.
        let accented = String(repeating: "e\u{301}", count: 121)
        XCTAssertEqual(Quoted(accented).description, "\"" + String(repeating: "e\u{301}", count: 120) + "…\" (121 characters)")
    }

    func testAShortValueIsShownWholeWithControlsVisible() {
        let value = String(repeating: "b", count: 119) + "\u{0}"
        XCTAssertEqual(Quoted(value).description, "\"" + String(repeating: "b", count: 119) + "\\u{0}\"")
        XCTAssertEqual(Quoted("tab\there \"q\"").description, #""tab\there \"q\"""#)
    }
}
