import XCTest
@testable import WAIModel

final class SpecValidationTests: XCTestCase {
    func spec() -> SurveySpec {
        SurveySpec(
            title: "t", scale: .fivePointDegree,
            tables: [ItemTable(id: "t1", title: "T", items: [Item(id: "a", column: "qa", text: "A?")])])
    }

    func assertRejected(_ spec: SurveySpec, at keyPath: String, _ problem: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try spec.validate(file: "survey.yaml"), file: file, line: line) { error in
            guard let error = error as? InputError else { return XCTFail("\(error)", file: file, line: line) }
            XCTAssertEqual(error.location.keyPath, keyPath, file: file, line: line)
            XCTAssert(error.problem.contains(problem), "\(error)", file: file, line: line)
            XCTAssert(error.description.hasPrefix("survey.yaml: \(keyPath): "), error.description, file: file, line: line)
        }
    }

    func testAValidSpecPasses() throws {
        try spec().validate(file: "survey.yaml")
    }

    func testAnswerSpellingsMustBeUnambiguous() {
        var s = spec()
        s.scale.levels[2].aliases = ["low"]   // "Low" is level 2's label
        assertRejected(s, at: "scale.levels[2].aliases[0]", "only one thing")
        s = spec()
        s.scale.missing = ["", "High"]
        assertRejected(s, at: "scale.levels[3].label", "only one thing")
    }

    func testExplicitWeightsNeedOnePerLevel() {
        var s = spec()
        s.scale.weighting = .explicit([0, 1, 2])
        assertRejected(s, at: "scale.weights", "one weight per level")
    }

    func testBandsMustIncreaseAndCoverTheHighestWeight() {
        var s = spec()
        s.bands.upper = [0.2, 0.4, 0.4, 0.8, 1.0]
        assertRejected(s, at: "bands.upper[2]", "must increase")
        s = spec()
        s.scale.weighting = .explicit([1, 2, 3, 4, 5])
        assertRejected(s, at: "bands.upper[4]", "highest possible index")
        s = spec()
        s.bands.upper = [0.2, 0.4, 0.6, 0.8, 1.005]
        assertRejected(s, at: "bands.upper[4]", "report precision")
        s = spec()
        s.bands.labels = ["a", "b"]
        assertRejected(s, at: "bands.labels", "one label per band")
    }

    /// Every band must be reachable: the index lies between the lowest and the highest level weight.
    func testBandsLieWithinTheIndexRange() throws {
        var s = spec()
        s.bands = BandTable(labels: ["a", "b", "c", "d", "e", "f"], upper: [0.2, 0.4, 0.6, 0.8, 1.0, 1.2])
        assertRejected(s, at: "bands.upper[4]", "above every possible index")
        s = spec()
        s.bands = BandTable(labels: ["a", "b", "c"], upper: [1.0, 1.5, 2.0])
        assertRejected(s, at: "bands.upper[0]", "above every possible index")
        s = spec()
        s.scale.weighting = .explicit([1, 2, 3, 4, 5])
        s.bands = BandTable(labels: ["a", "b", "c", "d", "e"], upper: [0.5, 1.5, 2.5, 3.5, 5])
        assertRejected(s, at: "bands.upper[0]", "below every possible index")
        // The lowest index, 1, falls in the first band: every band can be reached.
        s.bands = BandTable(labels: ["a", "b", "c", "d", "e"], upper: [1, 1.5, 2.5, 3.5, 5])
        try s.validate(file: "survey.yaml")
    }

    func testAColumnIsAnItemOnlyOnceInATable() throws {
        var s = spec()
        s.tables[0].items.append(Item(id: "b", column: "qa", text: "A again?"))
        assertRejected(s, at: "tables[0].items[1].column", "only once in a table")
        // In another table the same item may be shown again.
        s = spec()
        s.tables.append(ItemTable(id: "t2", title: "T2", items: [Item(id: "a", column: "qa", text: "A?")]))
        try s.validate(file: "survey.yaml")
    }

    func testTablesNeedUniqueIDsAndMatchingBandLabels() {
        var s = spec()
        s.tables.append(s.tables[0])
        assertRejected(s, at: "tables[1].id", "duplicate table id")
        s = spec()
        s.tables[0].bandLabels = ["x"]
        assertRejected(s, at: "tables[0].band_labels", "one label per band")
        s = spec()
        s.tables[0].items.append(Item(id: "a", column: "qb", text: "B?"))
        assertRejected(s, at: "tables[0].items[1].id", "duplicate item id")
        s = spec()
        s.tables.append(ItemTable(id: "t2", title: "T2", items: [Item(id: "a", column: "other", text: "A?")]))
        assertRejected(s, at: "tables[1].items[0]", "same column")
        s = spec()
        s.tables[0].id = "table 1"
        assertRejected(s, at: "tables[0].id", "letters, digits")
    }

    func testDemographicsAreListedOnce() {
        var s = spec()
        s.demographics = [Demographic(column: "g"), Demographic(column: "g")]
        assertRejected(s, at: "demographics[1].column", "duplicate")
    }

    func testNearestMatchOffersPlausibleTyposOnly() {
        XCTAssertEqual(nearestMatch(to: "Hihg", in: ["Low", "High", "Very High"]), "High")
        XCTAssertEqual(nearestMatch(to: "very hgh", in: ["Low", "High", "Very High"]), "Very High")
        XCTAssertNil(nearestMatch(to: "banana", in: ["Low", "High", "Very High"]))
        XCTAssertEqual(normalizedAnswer("  Very \t  HIGH "), "very high")
    }

    func testErrorMessagesSayWhereWhatAndExpected() {
        let error = InputError("unknown answer", at: SourceLocation(file: "r.csv", line: 4, column: 9),
                               found: "Hihg", expected: "a label", suggestion: "High")
        XCTAssertEqual(error.description, #"r.csv:4:9: unknown answer; found "Hihg"; expected a label (did you mean "High"?)"#)
        XCTAssertEqual(Quoted("a\"b\n").description, #""a\"b\n""#)
    }
}

final class NearestMatchTests: XCTestCase {
    func testTranspositionsAndSeparatorsAreCheap() {
        // "Hihg" is "High" with two letters swapped: one edit.
        XCTAssertEqual(editDistance(Array("hihg".unicodeScalars), Array("high".unicodeScalars)), 1)
        XCTAssertEqual(editDistance(Array("kitten".unicodeScalars), Array("sitting".unicodeScalars)), 3)
        XCTAssertEqual(nearestMatch(to: "qb", in: ["gender", "qa", "q_b"]), "q_b")
        XCTAssertEqual(nearestMatch(to: "titel", in: ["title", "data", "tables"]), "title")
        XCTAssertEqual(nearestMatch(to: "ខ្ពស", in: ["ខ្ពស់", "ទាប"]), "ខ្ពស់")
    }
}
