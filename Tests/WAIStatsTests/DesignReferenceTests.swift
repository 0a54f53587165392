import Foundation
import WAIRead
import WAIModel
import WAIAggregate
import WAIEstimate
import WAIPipeline
import XCTest

/// Design-based and classical standard errors against R's survey package: the numbers in
/// Reference/design/design_reference.json come from make_design_reference.R beside it.
final class DesignReferenceTests: XCTestCase {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Reference/design")

    struct Value: Decodable { var wai: Double; var se: Double; var deff: Double? }
    struct Variant: Decodable {
        var items: [String: Value]
        var groups: [String: [String: Value]]
        var oa: [String: Value]
    }

    func reference() throws -> [String: AnyVariant] {
        try JSONDecoder().decode([String: AnyVariant].self, from: Data(contentsOf: Self.directory.appendingPathComponent("design_reference.json")))
    }

    enum AnyVariant: Decodable {
        case design(Variant)
        case classical([String: [String: Double]])
        init(from decoder: any Decoder) throws {
            if let v = try? Variant(from: decoder) { self = .design(v) } else { self = .classical(try [String: [String: Double]](from: decoder)) }
        }
    }

    func variant(_ name: String) throws -> Variant {
        guard case .design(let v)? = try reference()[name] else { throw XCTSkip("no variant \(name)") }
        return v
    }

    func analysis(_ change: (inout SurveyDesign) -> Void) throws -> SurveyAnalysis {
        var loaded = try SurveyLoader.loadSpec(path: Self.directory.appendingPathComponent("design.yaml").path)
        change(&loaded.spec.design!)
        return try Analyzer.analyze(spec: loaded.spec, csvPath: loaded.dataPath!, inference: InferenceOptions(replicates: 0))
    }

    func assertClose(_ a: Double?, _ b: Double, relative: Double = 1e-8, _ message: String, file: StaticString = #filePath, line: UInt = #line) {
        guard let a else { return XCTFail("missing \(message)", file: file, line: line) }
        XCTAssertEqual(a, b, accuracy: relative * max(abs(b), 1e-300), message, file: file, line: line)
    }

    func check(_ name: String, _ change: (inout SurveyDesign) -> Void, file: StaticString = #filePath, line: UInt = #line) throws {
        let r = try variant(name)
        let analysis = try analysis(change)
        XCTAssertEqual(analysis.method.seMethod, "taylor", file: file, line: line)
        Self.assertMatches(analysis, r, name: name, file: file, line: line)
    }

    /// Every item's and OA's index and SE (and deff where R gives one), overall and per sex, as `r`.
    static func assertMatches(_ analysis: SurveyAnalysis, _ r: Variant, name: String, file: StaticString = #filePath, line: UInt = #line) {
        func assertClose(_ a: Double?, _ b: Double, relative: Double = 1e-8, _ message: String, file: StaticString, line: UInt) {
            guard let a else { return XCTFail("missing \(message)", file: file, line: line) }
            XCTAssertEqual(a, b, accuracy: relative * max(abs(b), 1e-300), message, file: file, line: line)
        }
        let table = analysis.tables[0]
        for item in table.items {
            let v = r.items[item.id]!
            assertClose(item.wai, v.wai, relative: 1e-12, "\(name) \(item.id) wai", file: file, line: line)
            assertClose(item.se, v.se, "\(name) \(item.id) se", file: file, line: line)
            assertClose(item.seDesign, v.se, "\(name) \(item.id) se_design", file: file, line: line)
            if let deff = v.deff { assertClose(item.deff, deff, "\(name) \(item.id) deff", file: file, line: line) }
        }
        assertClose(table.composite?.wai, r.oa["all"]!.wai, relative: 1e-12, "\(name) OA", file: file, line: line)
        assertClose(table.composite?.se, r.oa["all"]!.se, "\(name) OA se", file: file, line: line)
        let breakdown = analysis.breakdowns.first { $0.column == "sex" }!
        for group in breakdown.groups {
            guard let category = group.category, let values = r.groups[category] else { continue }
            for item in group.tables[0].items {
                let v = values[item.id]!
                assertClose(item.wai, v.wai, relative: 1e-12, "\(name) \(category) \(item.id) wai", file: file, line: line)
                assertClose(item.se, v.se, "\(name) \(category) \(item.id) se (svyby)", file: file, line: line)
                if let deff = v.deff { assertClose(item.deff, deff, "\(name) \(category) \(item.id) deff (svyby)", file: file, line: line) }
            }
            assertClose(group.tables[0].composite?.wai, r.oa[category]!.wai, relative: 1e-12, "\(name) \(category) OA", file: file, line: line)
            assertClose(group.tables[0].composite?.se, r.oa[category]!.se, "\(name) \(category) OA se", file: file, line: line)
        }
    }

    func testStratifiedClusterWithFPCMatchesSvydesign() throws {
        try check("stratified_cluster_fpc") { _ in }
    }

    func testStratifiedClusterMatchesSvydesign() throws {
        try check("stratified_cluster") { $0.fpc = nil }
    }

    func testClusterOnlyMatchesSvydesign() throws {
        try check("cluster") { $0.fpc = nil; $0.strata = nil }
    }

    func testStratifiedRowsWithFPCMatchesSvydesign() throws {
        // Without `cluster` the rows are the PSUs; the OA's SE comes from per-stratum cross-products.
        let r = try variant("stratified_rows_fpc")
        let analysis = try analysis { $0.cluster = nil; $0.fpc = "fpc_rows" }
        for item in analysis.tables[0].items {
            assertClose(item.se, r.items[item.id]!.se, "rows \(item.id) se")
            assertClose(item.deff, r.items[item.id]!.deff!, "rows \(item.id) deff")
        }
        assertClose(analysis.tables[0].composite?.se, r.oa["all"]!.se, "rows OA se")
        var groups = 0
        for group in analysis.breakdowns[0].groups {
            guard let category = group.category else { continue }
            for item in group.tables[0].items { assertClose(item.se, r.groups[category]![item.id]!.se, "rows \(category) \(item.id) se") }
            assertClose(group.tables[0].composite?.se, r.oa[category]!.se, "rows \(category) OA se")
            groups += 1
        }
        XCTAssertEqual(groups, 2)
        // The same SE taken as fixed-PSU clusters differs: the check can fail.
        let clustered = try variant("stratified_cluster_fpc")
        XCTAssertGreaterThan(abs(clustered.oa["all"]!.se / r.oa["all"]!.se - 1), 1e-3)
    }

    func testLonelyPSUOptionsMatchSurveyOptions() throws {
        for option in [SurveyDesign.LonelyPSU.adjust, .average, .certainty, .remove] {
            try check("lonely_\(option.rawValue)") { $0.fpc = nil; $0.strata = "stratum_l"; $0.lonelyPSU = option }
        }
    }

    func testLonelyPSUFailIsAnError() throws {
        XCTAssertThrowsError(try analysis { $0.fpc = nil; $0.strata = "stratum_l"; $0.lonelyPSU = .fail }) { error in
            guard let error = error as? InputError else { return XCTFail("\(error)") }
            XCTAssertEqual(error.location.keyPath, "design.lonely_psu")
            XCTAssertTrue(error.problem.contains("only one PSU"), error.problem)
        }
    }

    func testClassicalStandardErrorsMatchSdOverRootN() throws {
        guard case .classical(let r)? = try reference()["classical_bfi"] else { return XCTFail("no classical reference") }
        let loaded = try SurveyLoader.loadSpec(path: Self.directory.deletingLastPathComponent().appendingPathComponent("bfi.yaml").path)
        let analysis = try Analyzer.analyze(spec: loaded.spec, csvPath: loaded.dataPath!, inference: InferenceOptions(replicates: 0))
        XCTAssertEqual(analysis.method.seMethod, "classical")
        for table in analysis.tables {
            for item in table.items {
                assertClose(item.se, r["all"]![item.id]!, "\(item.id) classical se")
                assertClose(item.seClassical, r["all"]![item.id]!, "\(item.id) se_classical")
                XCTAssertEqual(item.seMethod, "classical")
                XCTAssertNil(item.deff)
            }
        }
        let gender = analysis.breakdowns.first { $0.column == "gender" }!
        for group in gender.groups {
            guard let category = group.category else { continue }
            for item in group.tables.flatMap(\.items) {
                assertClose(item.se, r[category]![item.id]!, "\(category) \(item.id) classical se")
            }
        }
    }
}
