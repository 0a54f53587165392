import Foundation
import WAIRead
import WAIModel
import WAIEstimate
import WAIPipeline
import XCTest

/// Replicate-weight standard errors against R's survey package: Reference/design/replicates.csv
/// and replicate_reference.json come from make_replicate_reference.R beside them (JK1, JKn,
/// BRR, Fay and bootstrap weights made by as.svrepdesign from the stratified cluster sample).
final class ReplicateReferenceTests: XCTestCase {
    static let directory = DesignReferenceTests.directory

    /// What svrepdesign used beside the estimates (DesignReferenceTests.Variant).
    struct Replicates: Decodable {
        var scale: Double
        var rscales: [Double]
    }

    func reference<T: Decodable>(_ name: String, as type: T.Type = Replicates.self) throws -> T {
        let all = try JSONDecoder().decode([String: T].self, from: Data(contentsOf: Self.directory.appendingPathComponent("replicate_reference.json")))
        return try XCTUnwrap(all[name], "no variant \(name)")
    }

    func analysis(_ replicates: ReplicateWeights) throws -> SurveyAnalysis {
        var loaded = try SurveyLoader.loadSpec(path: Self.directory.appendingPathComponent("design.yaml").path)
        loaded.spec.design = SurveyDesign(weight: "w", replicates: replicates)
        return try Analyzer.analyze(spec: loaded.spec, csvPath: Self.directory.appendingPathComponent("replicates.csv").path,
                                    inference: InferenceOptions(replicates: 0))
    }

    func check(_ name: String, _ replicates: ReplicateWeights, file: StaticString = #filePath, line: UInt = #line) throws {
        let r: Replicates = try reference(name)
        let analysis = try analysis(replicates)
        XCTAssertEqual(analysis.method.seMethod, "replicate", file: file, line: line)
        let summary = try XCTUnwrap(analysis.method.design?.replicates, file: file, line: line)
        XCTAssertEqual(summary.columns.count, r.rscales.count, file: file, line: line)
        XCTAssertEqual(summary.scale, r.scale, accuracy: 1e-12 * r.scale, "\(name) scale", file: file, line: line)
        for item in analysis.tables[0].items {
            XCTAssertEqual(item.seMethod, "replicate", file: file, line: line)
            XCTAssertEqual(item.interval?.method, "replicate", file: file, line: line)
        }
        DesignReferenceTests.assertMatches(analysis, try reference(name, as: DesignReferenceTests.Variant.self), name: name, file: file, line: line)
    }

    func testJK1MatchesSvrepdesign() throws {
        try check("jk1", ReplicateWeights(pattern: "jk1_*", type: .JK1))
    }

    func testJK1WithMSEMatchesSvrepdesign() throws {
        try check("jk1_mse", ReplicateWeights(pattern: "jk1_*", type: .JK1, mse: true))
    }

    func testJKnMatchesSvrepdesign() throws {
        try check("jkn", ReplicateWeights(pattern: "jkn_*", type: .JKn, rscales: (try reference("jkn") as Replicates).rscales))
    }

    func testBRRMatchesSvrepdesign() throws {
        try check("brr", ReplicateWeights(pattern: "brr_*", type: .BRR))
    }

    func testFayMatchesSvrepdesign() throws {
        try check("fay", ReplicateWeights(pattern: "fay_*", type: .Fay, rho: 0.3))
    }

    func testBootstrapWithItsScaleMatchesSvrepdesign() throws {
        try check("boot", ReplicateWeights(pattern: "boot_*", type: .bootstrap, scale: (try reference("boot") as Replicates).scale))
    }

    /// The glob matches columns in header order, the order JKn's rscales follow.
    func testTheSpecReadsReplicateWeightsAndRefusesWhatIsWrong() throws {
        func decode(_ yaml: String) throws -> SurveyDesign {
            try YAMLDocument.decode(SurveyDesign.self, yaml: yaml, name: "design.yaml")
        }
        let fay = try decode("{weight: w, replicate_weights: \"fay_*\", replicate_type: fay, rho: 0.3}")
        XCTAssertEqual(fay.replicates, ReplicateWeights(pattern: "fay_*", type: .Fay, rho: 0.3))
        XCTAssertEqual(fay.replicates!.scale(replicates: 8), 1 / (8 * 0.49), accuracy: 1e-15)
        XCTAssertEqual(ReplicateWeights(pattern: "*", type: .JK1).scale(replicates: 20), 0.95)
        XCTAssertEqual(ReplicateWeights(pattern: "*", type: .bootstrap).scale(replicates: 41), 1.0 / 40)
        for (yaml, says) in [
            ("{replicate_weights: \"r*\"}", "replicate_type"),
            ("{replicate_weights: \"r*\", replicate_type: JK2}", "unknown replicate_type"),
            ("{replicate_weights: \"r*\", replicate_type: JKn}", "rscales"),
            ("{replicate_weights: \"r*\", replicate_type: Fay}", "rho"),
            ("{replicate_weights: \"r*\", replicate_type: JK1, strata: s}", "carries its strata"),
            ("{strata: s, mse: true}", "belongs to replicate weights"),
        ] {
            XCTAssertThrowsError(try decode(yaml), yaml) { error in
                XCTAssert("\(error)".contains(says), "\(yaml): \(error)")
            }
        }
        // Fewer than two matching columns, and rscales of the wrong length, name the spec key.
        for (replicates, key) in [(ReplicateWeights(pattern: "nothing_*", type: .JK1), "design.replicate_weights"),
                                  (ReplicateWeights(pattern: "jkn_*", type: .JKn, rscales: [1, 1]), "design.rscales")] {
            XCTAssertThrowsError(try analysis(replicates)) { error in
                XCTAssertEqual((error as? InputError)?.location.keyPath, key, "\(error)")
            }
        }
    }
}
