import Foundation
import WAIModel
import WAIRead
import WAIEstimate
@testable import WAIPipeline
import XCTest

/// Standard errors after raking and post-stratification against R's survey package: the SEs of
/// `svymean`/`svyby`/`svycontrast` on `rake()` and `postStratify()` designs, which residualize
/// each row's influence on the weighting cells (Reference/design/calibration_reference.json,
/// from make_calibration_reference.R), without a design, with strata, PSUs and fpc, and with
/// strata only.
final class CalibrationSETests: XCTestCase {
    static let directory = DesignReferenceTests.directory

    static let postStratification = """
        population:
          method: poststratify
          cells:
            - {sex: F, age: A1, share: 0.15}
            - {sex: M, age: A1, share: 0.14}
            - {sex: F, age: A2, share: 0.20}
            - {sex: M, age: A2, share: 0.19}
            - {sex: F, age: A3, share: 0.17}
            - {sex: M, age: A3, share: 0.15}

        """

    enum Design: String { case weights, stratifiedClusterFPC = "stratified_cluster_fpc", stratifiedRows = "stratified_rows" }

    /// calibration.yaml with `design` and `method` (rake, linear or poststratify) in place of its own.
    func spec(_ design: Design, _ method: String, trim: Bool = false) throws -> SurveySpec {
        var yaml = try String(contentsOf: Self.directory.appendingPathComponent("calibration.yaml"), encoding: .utf8)
        switch design {
        case .weights: break
        case .stratifiedClusterFPC: yaml = yaml.replacingOccurrences(of: "weight: w\n", with: "design:\n  weight: w\n  strata: stratum\n  cluster: psu\n  fpc: fpc\n")
        case .stratifiedRows: yaml = yaml.replacingOccurrences(of: "weight: w\n", with: "design:\n  weight: w\n  strata: stratum\n")
        }
        if method == "linear" { yaml = yaml.replacingOccurrences(of: "method: rake", with: "method: linear") }
        if method == "poststratify" {
            let start = yaml.range(of: "population:")!.lowerBound, end = yaml.range(of: "tables:")!.lowerBound
            yaml.replaceSubrange(start..<end, with: Self.postStratification)
        }
        if trim { yaml = yaml.replacingOccurrences(of: "  max_iterations: 1000\n", with: "  max_iterations: 1000\n  trim: [0.5, 1.6]\n") }
        let path = Self.directory.appendingPathComponent("calibration-\(UUID().uuidString).yaml")
        try Data(yaml.utf8).write(to: path)
        defer { try? FileManager.default.removeItem(at: path) }
        return try SurveyLoader.loadSpec(path: path.path).spec
    }

    func analysis(_ spec: SurveySpec, pipeline: PipelineOptions = PipelineOptions(), breakdowns: [String] = ["sex"],
                  data: String = "calibration.csv") throws -> SurveyAnalysis {
        try Analyzer.analyze(spec: spec, csvPath: Self.directory.appendingPathComponent(data).path, breakdowns: breakdowns,
                             inference: InferenceOptions(replicates: 0), pipeline: pipeline)
    }

    func reference(_ key: String) throws -> [String: Any] {
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: Self.directory.appendingPathComponent("calibration_reference.json"))) as! [String: Any]
        return try XCTUnwrap(json[key] as? [String: Any], key)
    }

    func close(_ value: Double?, _ expected: Any?, _ tolerance: Double = 1e-8, _ message: String, line: UInt = #line) {
        guard let value, let expected = expected as? Double else { return XCTFail("missing: \(message)", line: line) }
        XCTAssertEqual(value / expected, 1, accuracy: tolerance, "\(message): \(value) vs R \(expected)", line: line)
    }

    /// Items (index, SE, deff), items by sex, and the OA overall and by sex.
    func check(_ analysis: SurveyAnalysis, against key: String, line: UInt = #line) throws {
        let r = try reference(key)
        let items = r["items"] as! [String: [String: Double]]
        let groups = r["groups"] as! [String: [String: [String: Double]]]
        let oa = r["oa"] as! [String: [String: Double]]
        XCTAssertEqual(analysis.weighting?.seCalibrated, true, line: line)
        for item in analysis.tables[0].items {
            close(item.wai, items[item.id]!["wai"], 1e-12, "\(key) \(item.id) wai", line: line)
            close(item.se, items[item.id]!["se"], 1e-8, "\(key) \(item.id) se", line: line)
            close(item.deff, items[item.id]!["deff"], 1e-8, "\(key) \(item.id) deff", line: line)
        }
        close(analysis.tables[0].composite?.se, oa["all"]!["se"], 1e-8, "\(key) OA se", line: line)
        let bySex = try XCTUnwrap(analysis.breakdowns.first { $0.column == "sex" }, line: line)
        XCTAssertEqual(bySex.groups.count, 2, line: line)
        for group in bySex.groups {
            for item in group.tables[0].items {
                close(item.se, groups[group.category!]![item.id]!["se"], 1e-8, "\(key) \(group.category) \(item.id) se", line: line)
            }
            close(group.tables[0].composite?.se, oa[group.category!]!["se"], 1e-8, "\(key) \(group.category) OA se", line: line)
        }
    }

    func testRakingWithWeightsOnlyMatchesSvymeanOnRake() throws {
        try check(try analysis(try spec(.weights, "rake")), against: "weights_rake")
    }

    func testPostStratificationWithWeightsOnlyMatchesSvymeanOnPostStratify() throws {
        try check(try analysis(try spec(.weights, "poststratify")), against: "weights_poststratify")
    }

    /// calibrate(design, ~sex + age, population, calfun = "linear"): GREG weights and their SEs.
    func testLinearCalibrationMatchesCalibrate() throws {
        for design in [Design.weights, .stratifiedClusterFPC, .stratifiedRows] {
            let analysis = try analysis(try spec(design, "linear"))
            XCTAssertEqual(analysis.weighting?.method, "linear")
            XCTAssertLessThan(analysis.weighting!.maxDeviation, 1e-12)
            try check(analysis, against: "\(design.rawValue)_linear")
        }
        // Linear and raked weights differ (the check can tell them apart).
        let raked = try reference("weights_rake")["items"] as! [String: [String: Double]]
        for item in try analysis(try spec(.weights, "linear")).tables[0].items {
            XCTAssertGreaterThan(abs(item.wai! / raked[item.id]!["wai"]! - 1), 1e-12, item.id)
        }
    }

    func testCalibratedStratifiedClusterDesignsMatchR() throws {
        try check(try analysis(try spec(.stratifiedClusterFPC, "rake")), against: "stratified_cluster_fpc_rake")
        try check(try analysis(try spec(.stratifiedClusterFPC, "poststratify")), against: "stratified_cluster_fpc_poststratify")
    }

    func testCalibratedStratifiedRowDesignsMatchR() throws {
        try check(try analysis(try spec(.stratifiedRows, "rake")), against: "stratified_rows_rake")
        try check(try analysis(try spec(.stratifiedRows, "poststratify")), against: "stratified_rows_poststratify")
    }

    /// Many ranges, each with its own category numbering, add up to the same sums.
    func testRangesMergeTheCalibrationSums() throws {
        var options = PipelineOptions(workers: 4)
        options.bytesPerWorker = 1
        options.blockSize = 512
        options.chunkRows = 7
        let analysis = try analysis(try spec(.weights, "rake"), pipeline: options)
        XCTAssertGreaterThan(analysis.respondents, 100)
        try check(analysis, against: "weights_rake")
    }

    /// The calibration matters at this tolerance: the same weights taken as fixed (R's
    /// `rake_fixed`) give SEs the check above would reject.
    func testFixedWeightSEsDifferFromCalibratedOnes() throws {
        let analysis = try analysis(try spec(.weights, "rake"))
        let fixed = try reference("weights_rake_fixed")["items"] as! [String: [String: Double]]
        for item in analysis.tables[0].items {
            XCTAssertGreaterThan(abs(item.se! / fixed[item.id]!["se"]! - 1), 1e-4, item.id)
        }
    }

    /// svyranktest and svychisq on the calibrated designs (R: `tests` of each reference): every
    /// item by sex (Wilcoxon t) and by age (Kruskal–Wallis χ² with its F), with the Rao–Scott F.
    func checkTests(_ analysis: SurveyAnalysis, against key: String, line: UInt = #line) throws {
        let tests = try XCTUnwrap(try reference(key)["tests"] as? [String: [String: [String: [String: Double]]]], key, line: line)
        var checked = 0
        for column in ["sex", "age"] {
            let breakdown = try XCTUnwrap(analysis.breakdowns.first { $0.column == column }, line: line)
            for (item, expected) in tests[column]! {
                let what = "\(key) \(item) by \(column)"
                let c = try XCTUnwrap(breakdown.comparisons.first { $0.item == item }, what, line: line)
                let (rank, chi) = (expected["rank"]!, expected["chisq"]!)
                close(c.chiSquare?.statistic, chi["f"], 1e-8, "\(what) Rao-Scott F", line: line)
                close(c.chiSquare?.ndf, chi["ndf"], 1e-8, "\(what) ndf", line: line)
                close(c.chiSquare?.ddf, chi["ddf"], 1e-8, "\(what) ddf", line: line)
                close(c.chiSquare?.p, chi["p"], 1e-6, "\(what) χ² p", line: line)
                if column == "sex" {
                    close(c.rankTest?.statistic, rank["t"], 1e-8, "\(what) t", line: line)
                    close(c.rankTest?.estimate, rank["estimate"], 1e-8, "\(what) estimate", line: line)
                } else {
                    close(c.rankTest?.statistic, rank["chisq"], 1e-8, "\(what) χ²", line: line)
                }
                close(c.rankTest?.p, rank["p"], 1e-6, "\(what) rank p", line: line)
                checked += 1
            }
        }
        XCTAssertEqual(checked, 8, key, line: line)
    }

    func testGroupTestsOnCalibratedDesignsMatchSvyranktestAndSvychisq() throws {
        for design in [Design.weights, .stratifiedClusterFPC, .stratifiedRows] {
            for method in ["rake", "linear", "poststratify"] {
                try checkTests(try analysis(try spec(design, method), breakdowns: ["sex", "age"]), against: "\(design.rawValue)_\(method)")
            }
        }
        // In ranges (tie sums and calibration sums merged) as in one.
        var options = PipelineOptions(workers: 4)
        options.bytesPerWorker = 1
        options.blockSize = 512
        options.chunkRows = 7
        try checkTests(try analysis(try spec(.weights, "rake"), pipeline: options, breakdowns: ["sex", "age"]), against: "weights_rake")
    }

    /// Taking the raked weights as fixed moves the tests beyond the tolerance above.
    func testFixedWeightGroupTestsDifferFromCalibratedOnes() throws {
        let tests = try XCTUnwrap(try reference("weights_rake_fixed")["tests"] as? [String: [String: [String: [String: Double]]]])
        let analysis = try analysis(try spec(.weights, "rake"))
        let sex = try XCTUnwrap(analysis.breakdowns.first { $0.column == "sex" })
        for c in sex.comparisons {
            XCTAssertGreaterThan(abs(c.rankTest!.statistic / tests["sex"]![c.item]!["rank"]!["t"]! - 1), 1e-6, c.item)
        }
    }

    /// calibration.yaml over replicates_calibration.csv with its `jk1_*` (JK1) or `boot_*`
    /// (bootstrap) replicate weights.
    func replicateSpec(_ replicates: String, _ method: String) throws -> SurveySpec {
        var spec = try spec(.weights, method)
        spec.weight = nil
        spec.design = SurveyDesign(weight: "w")
        spec.design!.replicates = ReplicateWeights(pattern: "\(replicates)_*", type: replicates == "jk1" ? .JK1 : .bootstrap)
        return spec
    }

    /// rake()/postStratify() on a svrepdesign calibrate every replicate: items, items by sex and
    /// the OA (withReplicates) against R, and the uncalibrated replicate SEs differ.
    func testCalibratedReplicateWeightsMatchSvrepdesign() throws {
        for replicates in ["jk1", "boot"] {
            for method in ["rake", "linear", "poststratify"] {
                let key = "\(replicates)_\(method)"
                let analysis = try analysis(try replicateSpec(replicates, method), data: "replicates_calibration.csv")
                let r = try reference(key)
                let items = r["items"] as! [String: [String: Double]]
                let groups = r["groups"] as! [String: [String: [String: Double]]]
                let oa = r["oa"] as! [String: [String: Double]]
                let uncalibrated = try reference("\(replicates)_uncalibrated")["items"] as! [String: [String: Double]]
                XCTAssertEqual(analysis.weighting?.replicatesCalibrated, true, key)
                XCTAssertEqual(analysis.method.seMethod, "replicate", key)
                for item in analysis.tables[0].items {
                    close(item.wai, items[item.id]!["wai"], 1e-12, "\(key) \(item.id) wai")
                    close(item.se, items[item.id]!["se"], 1e-8, "\(key) \(item.id) se")
                    XCTAssertGreaterThan(abs(item.se! / uncalibrated[item.id]!["se"]! - 1), 1e-4, "\(key) \(item.id)")
                }
                close(analysis.tables[0].composite?.se, oa["all"]!["se"], 1e-8, "\(key) OA se")
                let bySex = try XCTUnwrap(analysis.breakdowns.first { $0.column == "sex" })
                XCTAssertEqual(bySex.groups.count, 2)
                for group in bySex.groups {
                    for item in group.tables[0].items {
                        close(item.se, groups[group.category!]![item.id]!["se"], 1e-8, "\(key) \(group.category!) \(item.id) se")
                    }
                    close(group.tables[0].composite?.se, oa[group.category!]!["se"], 1e-8, "\(key) \(group.category!) OA se")
                }
            }
        }
    }

    /// Trimmed weights miss their margins: the SEs then take them as fixed, and say so.
    func testTrimmedWeightsAreTakenAsFixedAndSaidSo() throws {
        let trimmed = try analysis(try spec(.weights, "rake", trim: true))
        XCTAssertGreaterThan(trimmed.weighting!.trimmed, 0)
        XCTAssertEqual(trimmed.weighting!.seCalibrated, false)
        XCTAssertNotNil(trimmed.tables[0].items[0].se)
    }
}
