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

    /// `wai report` on a spec with replicate weights (Reference/design/replicates.yaml, JK1):
    /// R's svrepdesign SEs in the JSON, which the schema accepts, and the Method section's R call.
    func testReplicateWeightsSpecGivesSvrepdesignStandardErrors() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("wai-replicates-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for name in ["replicates.yaml", "replicates.csv"] {
            try FileManager.default.copyItem(at: Self.reference.appendingPathComponent(name), to: directory.appendingPathComponent(name))
        }
        try FileManager.default.moveItem(at: directory.appendingPathComponent("replicates.yaml"), to: directory.appendingPathComponent("survey.yaml"))
        let run = try Products.run(Products.wai, ["report", ".", "--out", "out", "--replicates", "20"], in: directory)
        XCTAssertEqual(run.status, 0, run.stderr)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: directory.appendingPathComponent("out/report.json"))) as! [String: Any]
        let reference = try JSONSerialization.jsonObject(with: Data(contentsOf: Self.reference.appendingPathComponent("replicate_reference.json"))) as! [String: Any]
        let jk1 = reference["jk1"] as! [String: Any]
        let r = jk1["items"] as! [String: [String: Double]]
        XCTAssertEqual((json["method"] as! [String: Any])["se_method"] as? String, "replicate")
        let table = (json["tables"] as! [[String: Any]])[0]
        for item in table["items"] as! [[String: Any]] {
            let id = item["id"] as! String
            XCTAssertEqual(item["se"] as! Double, r[id]!["se"]!, accuracy: 1e-8 * r[id]!["se"]!, id)
        }
        let oa = (jk1["oa"] as! [String: [String: Double]])["all"]!["se"]!
        XCTAssertEqual((table["composite"] as! [String: Any])["se"] as! Double, oa, accuracy: 1e-8 * oa)
        let markdown = try String(contentsOf: directory.appendingPathComponent("out/report.md"), encoding: .utf8)
        XCTAssert(markdown.contains("svrepdesign(weights = ~w, repweights = <20 columns: jk1_1 … jk1_20>, type = \"JK1\", scale = 0.95, mse = FALSE, combined.weights = TRUE)"), markdown)
        XCTAssert(markdown.contains("CI: ±z·SE (replicate-weight SE)."), markdown)

        let env = URL(fileURLWithPath: "/usr/bin/env")
        if try Products.run(env, ["python3", "-c", "import jsonschema"]).status == 0 {
            let validate = Products.packageRoot.appendingPathComponent("Tests/Schemas/validate.py").path
            let check = try Products.run(env, ["python3", validate, "wai.analysis-2.schema.json", directory.appendingPathComponent("out/report.json").path])
            XCTAssertEqual(check.status, 0, check.stdout + check.stderr)
        }

        // A replicate weight that is not a number is an error at its cell.
        var csv = try String(contentsOf: directory.appendingPathComponent("replicates.csv"), encoding: .utf8)
        var lines = csv.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let header = lines[0].split(separator: ",").map(String.init)
        let column = header.firstIndex(of: "\"jk1_7\"")!
        var fields = lines[3].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        fields[column] = "n/a"
        lines[3] = fields.joined(separator: ",")
        csv = lines.joined(separator: "\n")
        try Data(csv.utf8).write(to: directory.appendingPathComponent("replicates.csv"))
        let bad = try Products.run(Products.wai, ["analyze", "replicates.csv", "--spec", "survey.yaml", "--replicates", "0"], in: directory)
        XCTAssertEqual(bad.status, 2)
        XCTAssert(bad.stderr.contains("replicates.csv:4:"), bad.stderr)
        XCTAssert(bad.stderr.contains("jk1_7") && bad.stderr.contains("n/a"), bad.stderr)
        // --lenient cannot drop the row from one replicate only: still an error at its line.
        let lenient = try Products.run(Products.wai, ["analyze", "replicates.csv", "--spec", "survey.yaml", "--replicates", "0", "--lenient"], in: directory)
        XCTAssertEqual(lenient.status, 2)
        XCTAssert(lenient.stderr.contains("replicates.csv:4:") && lenient.stderr.contains("jk1_7"), lenient.stderr)
    }
}
