import Foundation
import XCTest

/// `wai analyze --strata --cluster` on the design reference sample: the SEs are R's
/// (Tests/WAIStatsTests/Reference/design/make_design_reference.R, `stratified_cluster`).
final class DesignCLITests: XCTestCase {
    static let reference = Products.packageRoot.appendingPathComponent("Tests/WAIStatsTests/Reference/design")

    func testStrataAndClusterFlagsGiveSvydesignStandardErrors() throws {
        let spec = try String(contentsOf: Self.reference.appendingPathComponent("design.yaml"), encoding: .utf8)
        // The same spec with its design reduced to the weight: the flags add the rest.
        let weightOnly = spec.replacingOccurrences(
            of: "design:\n  weight: w\n  strata: stratum\n  cluster: psu\n  fpc: fpc\n  lonely_psu: fail\n", with: "weight: w\n")
        XCTAssertNotEqual(weightOnly, spec)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("wai-design-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try Data(weightOnly.utf8).write(to: directory.appendingPathComponent("survey.yaml"))
        try FileManager.default.copyItem(at: Self.reference.appendingPathComponent("design.csv"), to: directory.appendingPathComponent("design.csv"))

        let run = try Products.run(Products.wai, ["analyze", "design.csv", "--spec", "survey.yaml", "--replicates", "0", "--format", "json",
                                                 "--strata", "stratum", "--cluster", "psu"], in: directory)
        XCTAssertEqual(run.status, 0, run.stderr)
        let json = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as! [String: Any]
        let reference = try JSONSerialization.jsonObject(with: Data(contentsOf: Self.reference.appendingPathComponent("design_reference.json"))) as! [String: Any]
        let r = (reference["stratified_cluster"] as! [String: Any])["items"] as! [String: [String: Double]]
        let method = json["method"] as! [String: Any]
        XCTAssertEqual(method["se_method"] as? String, "taylor")
        XCTAssertEqual((method["design"] as? [String: Any])?["psus"] as? Int, 20)
        let items = ((json["tables"] as! [[String: Any]])[0]["items"]) as! [[String: Any]]
        XCTAssertEqual(items.count, 4)
        for item in items {
            let id = item["id"] as! String
            let se = item["se"] as! Double, expected = r[id]!["se"]!
            XCTAssertEqual(se, expected, accuracy: 1e-8 * expected, id)
            XCTAssertEqual(item["deff"] as! Double, r[id]!["deff"]!, accuracy: 1e-8 * r[id]!["deff"]!, id)
        }

        let markdown = try Products.run(Products.wai, ["analyze", "design.csv", "--spec", "survey.yaml", "--replicates", "0",
                                                      "--strata", "stratum", "--cluster", "psu"], in: directory)
        XCTAssert(markdown.stdout.contains("svydesign(ids = ~psu, strata = ~stratum, weights = ~w, nest = TRUE)"), markdown.stdout)

        let bad = try Products.run(Products.wai, ["analyze", "design.csv", "--spec", "survey.yaml", "--lonely-psu", "drop"], in: directory)
        XCTAssertNotEqual(bad.status, 0)
        XCTAssert(bad.stderr.contains("--lonely-psu"), bad.stderr)
    }

    func testCountsTableRefusesADesign() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("wai-design-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: Self.reference.appendingPathComponent("design.yaml"), to: directory.appendingPathComponent("survey.yaml"))
        try Data("item,level,count\nq1,1,3\n".utf8).write(to: directory.appendingPathComponent("counts.csv"))
        let run = try Products.run(Products.wai, ["merge", "survey.yaml", "--counts", "counts.csv"], in: directory)
        XCTAssertNotEqual(run.status, 0)
        XCTAssert(run.stderr.contains("a counts table carries no sampling design"), run.stderr)
    }
}
