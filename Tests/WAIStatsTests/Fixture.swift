import Foundation
import WAIModel

/// A four-respondent survey small enough to work out by hand.
///
///     respondent  gender  q1 (answer → level)   q2            w
///     r1          F       Very High → 5         1 → 1         1
///     r2          M       high      → 4         Low → 2       2
///     r3          F       Neutral   → 3         (blank)       1
///     r4          (blank)   low     → 2         5 → 5         0.5
enum Fixture {
    static let csv = """
        respondent,gender,q1,q2,w
        r1,F,Very High,1,1
        r2,M,high,Low,2
        r3,F,Neutral,,1
        r4,,  low ,5,0.5

        """

    static func spec(weighting: Weighting = .normalized, weight: String? = nil, reverseQ2: Bool = false) -> SurveySpec {
        SurveySpec(
            title: "Fixture", weight: weight,
            scale: Scale(levels: Scale.fivePointDegree.levels, weighting: weighting, missing: ["", "Don't know"]),
            demographics: [Demographic(column: "gender", label: "Gender")],
            tables: [ItemTable(id: "t", title: "Two items", items: [
                Item(id: "q1", column: "q1", text: "First?"),
                Item(id: "q2", column: "q2", text: "Second?", reverse: reverseQ2),
            ])])
    }

    static func write(_ text: String, name: String = "responses.csv") throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("wai-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let url = directory.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url.path
    }
}
