import Foundation

/// A survey whose items are on three scales, with the indices worked out by hand from the raw
/// answers: the expectations of the mixed-scale tests of the library and of the command line.
/// (Tests/WAICLITests has a symbolic link to this file.)
enum MixedScaleFixture {
    static let spec = """
        title: Mixed scales
        data: responses.csv
        scales:
          degree:
            levels:
              - {code: 1, label: Very Low}
              - {code: 2, label: Low}
              - {code: 3, label: Neutral}
              - {code: 4, label: High}
              - {code: 5, label: Very High}
            missing: ["", "Don't know"]
          lr7:
            weighting: proportional
            levels:
              - {code: 1, label: Extremely liberal}
              - {code: 2, label: Liberal}
              - {code: 3, label: Slightly liberal}
              - {code: 4, label: Moderate}
              - {code: 5, label: Slightly conservative}
              - {code: 6, label: Conservative}
              - {code: 7, label: Extremely conservative}
            missing: ["", "Don't know"]
          freq4:
            weights: [0.1, 0.4, 0.7, 0.9]
            levels:
              - {code: 1, label: Never}
              - {code: 2, label: Sometimes}
              - {code: 3, label: Often}
              - {code: 4, label: Always}
        scale: degree
        demographics: [group]
        tables:
          - id: attitudes
            items:
              - {id: d1, column: D1}
              - {id: d2, column: D2}
              - {id: d3, column: D3, reverse: true}
              - {id: d4, column: D4}
          - id: placements
            scale: lr7
            items:
              - {id: p1, column: P1}
              - {id: p2, column: P2}
              - {id: p3, column: P3}
              - {id: p4, column: P4}
              - {id: f1, column: F1, scale: freq4}

        """

    static let header = "id,D1,D2,D3,D4,P1,P2,P3,P4,F1,group\n"
    static let rows = """
        1,5,4,4,5,7,6,7,6,Always,A
        2,4,4,3,4,6,Extremely conservative,5,6,3,A
        3,3,,2,3,4,4,4,3,2,B
        4,Very High,5,5,5,1,2,1,2,1,B
        5,2,2,Don't know,1,2,3,2,2,Never,A
        6,1,1,1,2,3,,3,4,Sometimes,B
        7,4,3,4,4,5,5,6,5,4,A
        8,5,5,4,5,Don't know,7,7,7,4,B
        9,3,3,3,3,4,4,4,4,2,A
        10,2,1,2,1,1,1,2,1,1,B
        11,4,Low,4,4,6,Moderate,5,6,3,A
        12,,4,5,4,7,6,7,7,,B

        """

    /// A scale as the test reads it: spellings of each level (1-based), missing markers, and
    /// the level weights written out by hand.
    struct HandScale {
        var name: String
        var spellings: [[String]]
        var missing: Set<String>
        var weights: [Double]
        var low: Double { weights.min()! }
        var high: Double { weights.max()! }
    }

    static let degree = HandScale(
        name: "degree", spellings: [["1", "Very Low"], ["2", "Low"], ["3", "Neutral"], ["4", "High"], ["5", "Very High"]],
        missing: ["", "Don't know"], weights: [0, 0.25, 0.5, 0.75, 1])
    static let lr7 = HandScale(
        name: "lr7",
        spellings: [["1", "Extremely liberal"], ["2", "Liberal"], ["3", "Slightly liberal"], ["4", "Moderate"],
                    ["5", "Slightly conservative"], ["6", "Conservative"], ["7", "Extremely conservative"]],
        missing: ["", "Don't know"], weights: [1.0 / 7, 2.0 / 7, 3.0 / 7, 4.0 / 7, 5.0 / 7, 6.0 / 7, 1])
    static let freq4 = HandScale(
        name: "freq4", spellings: [["1", "Never"], ["2", "Sometimes"], ["3", "Often"], ["4", "Always"]],
        missing: [""], weights: [0.1, 0.4, 0.7, 0.9])

    /// id, column (field number in a row), scale, reverse-keyed.
    static let items: [(id: String, field: Int, scale: HandScale, reverse: Bool)] = [
        ("d1", 1, degree, false), ("d2", 2, degree, false), ("d3", 3, degree, true), ("d4", 4, degree, false),
        ("p1", 5, lr7, false), ("p2", 6, lr7, false), ("p3", 7, lr7, false), ("p4", 8, lr7, false),
        ("f1", 9, freq4, false),
    ]

    struct Expected {
        var n: Int
        var missing: Int
        var counts: [Int]
        var wai: Double
    }

    /// Counts and index of every item from the raw rows (times `repeats`), optionally of one group only.
    static func expected(repeats: Int = 1, group: String? = nil) -> [String: Expected] {
        let table = rows.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
            .filter { group == nil || $0[10] == group }
        var result: [String: Expected] = [:]
        for item in items {
            var counts = [Int](repeating: 0, count: item.scale.spellings.count)
            var missing = 0
            for row in table {
                let answer = row[item.field]
                if item.scale.missing.contains(answer) { missing += 1; continue }
                let level = item.scale.spellings.firstIndex { $0.contains(answer) }!
                counts[level] += 1
            }
            let weights = item.reverse ? item.scale.weights.reversed() : item.scale.weights
            let n = counts.reduce(0, +)
            let sum = zip(weights, counts).reduce(0.0) { $0 + $1.0 * Double($1.1) }
            result[item.id] = Expected(n: n * repeats, missing: missing * repeats, counts: counts.map { $0 * repeats }, wai: sum / Double(n))
        }
        return result
    }

    /// The OA of the placements table: the mean of its items' indices, each mapped to 0…1 by
    /// its scale's lowest and highest weight.
    static func placementsOA(_ expected: [String: Expected]) -> Double {
        let members = items.filter { $0.id.hasPrefix("p") || $0.id == "f1" }
        let normalised = members.map { (expected[$0.id]!.wai - $0.scale.low) / ($0.scale.high - $0.scale.low) }
        return normalised.reduce(0, +) / Double(normalised.count)
    }

    /// The OA of the attitudes table: one scale, the plain mean.
    static func attitudesOA(_ expected: [String: Expected]) -> Double {
        ["d1", "d2", "d3", "d4"].map { expected[$0]!.wai }.reduce(0, +) / 4
    }

    /// Respondents: the n of pairwise alpha (the default without weights).
    static var respondents: Int { rows.split(separator: "\n").count }

    /// Rows that answered every item of the attitudes table (alpha's listwise rows).
    static var attitudesComplete: Int {
        rows.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
            .filter { row in (1...4).allSatisfy { !degree.missing.contains(row[$0]) } }.count
    }

    /// The rows repeated until the file holds at least `bytes` bytes.
    static func responses(atLeast bytes: Int = 0) -> (text: String, repeats: Int) {
        let repeats = max(1, (bytes - header.utf8.count + rows.utf8.count - 1) / rows.utf8.count + (bytes > 0 ? 1 : 0))
        return (header + String(repeating: rows, count: repeats), repeats)
    }

    static func write(to directory: URL, responses text: String) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try Data(spec.utf8).write(to: directory.appendingPathComponent("survey.yaml"))
        try Data(text.utf8).write(to: directory.appendingPathComponent("responses.csv"))
    }
}
