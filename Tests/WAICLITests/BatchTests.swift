import Foundation
import XCTest

/// End-to-end tests of scripted analysis: `wai batch`, `wai trend`, `wai aggregate`/`wai merge`
/// (shards and counts tables), provenance, the JSON schemas and the library example.
final class BatchTests: XCTestCase {
    typealias Run = ProcessRun
    static let packageRoot = Products.packageRoot
    var products: URL { Products.directory }

    @discardableResult
    func run(_ executable: URL, _ arguments: [String], in directory: URL? = nil) throws -> Run {
        try Products.run(executable, arguments, in: directory)
    }

    @discardableResult
    func wai(_ arguments: [String], in directory: URL? = nil) throws -> Run {
        try Products.run(Products.wai, arguments, in: directory)
    }

    func python(_ arguments: [String], needs module: String) throws -> Run {
        let check = try run(URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-c", "import \(module)"])
        if check.status != 0 {
            throw XCTSkip("python3 cannot import \(module) (`make test` installs it): \(check.stderr)")
        }
        return try run(URL(fileURLWithPath: "/usr/bin/env"), ["python3"] + arguments)
    }

    func temporaryDirectory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("wai-batch-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    func write(_ text: String, to url: URL) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }

    /// The five-level scale of every fixture spec here.
    static let scale = """
        scale:
          levels:
            - {code: 1, label: Very Low}
            - {code: 2, label: Low}
            - {code: 3, label: Neutral}
            - {code: 4, label: High}
            - {code: 5, label: Very High}
          missing: ["", "N/A"]
        """

    /// Two items a, b (columns qa, qb), demographic gender; optionally a wave label and an item c.
    func spec(wave: String? = nil, extraItem: Bool = false) -> String {
        """
        title: Fixture
        \(wave.map { "wave: \"\($0)\"" } ?? "")
        data: responses.csv
        \(Self.scale)
        demographics: [gender]
        tables:
          - id: t1
            title: Items
            items:
              - {id: a, column: qa, text: "Item A?"}
              - {id: b, column: qb, text: "Item B?"}
        \(extraItem ? "      - {id: c, column: qc, text: \"Item C?\"}" : "")

        """
    }

    /// A survey directory `name` under `root`.
    @discardableResult
    func survey(_ name: String, in root: URL, spec: String? = nil, responses: String) throws -> URL {
        let directory = root.appendingPathComponent(name)
        try write(spec ?? self.spec(), to: directory.appendingPathComponent("survey.yaml"))
        try write(responses, to: directory.appendingPathComponent("responses.csv"))
        return directory
    }

    // MARK: batch

    func testBatchReportsEverySurveyAndListsTheBrokenOne() throws {
        let root = try temporaryDirectory()
        let surveys = root.appendingPathComponent("surveys")
        try survey("alpha", in: surveys, responses: "gender,qa,qb\nF,5,1\nM,4,2\nF,3,3\n")
        try survey("nested/beta", in: surveys, responses: "gender,qa,qb\nF,1,5\nM,2,4\n")
        try survey("gamma", in: surveys, responses: "gender,qa,qb\nF,Hihg,1\n")
        let out = root.appendingPathComponent("out")

        let first = try wai(["batch", surveys.path, "--out", out.path, "--replicates", "0", "--jobs", "2"])
        XCTAssertEqual(first.status, 1, first.stderr)
        // stderr is a pipe here, not a terminal: one plain line per survey, in completion order.
        let progress = first.stderr.split(separator: "\n").map(String.init)
        XCTAssertEqual(progress.count, 3, first.stderr)
        XCTAssertEqual(Set(progress.map { String($0.prefix(6)) }), ["[1/3] ", "[2/3] ", "[3/3] "])
        XCTAssert(progress.contains { $0.hasSuffix("alpha ok") }, first.stderr)
        XCTAssert(progress.contains { $0.hasSuffix("beta ok") }, first.stderr)
        XCTAssert(progress.contains { $0.contains("gamma failed: ") && $0.contains("responses.csv:2:3: unknown answer in column \"qa\"") }, first.stderr)
        XCTAssert(first.stdout.contains("3 surveys: 2 ok, 0 skipped (unchanged), 1 failed"), first.stdout)

        for name in ["alpha", "beta"] {
            for file in ["report.md", "report.json", "t1.csv"] {
                XCTAssert(FileManager.default.fileExists(atPath: out.appendingPathComponent("\(name)/\(file)").path), "\(name)/\(file)")
            }
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.appendingPathComponent("gamma").path))

        // The summary lists all three, in path order, whatever the completion order.
        let csv = try String(contentsOf: out.appendingPathComponent("summary.csv"), encoding: .utf8).split(separator: "\n").map(String.init)
        XCTAssertEqual(csv[0], "survey,status,error,table,item,n,wai,wai_reported,band,ci_lower,ci_upper")
        // alpha qa: 5,4,3 → (1 + .75 + .5)/3 = 0.75; SE = √(3/2 · Σ(s − .75)²)/3 = √(3/2 · .125)/3 = 0.1443 → ±0.2829.
        XCTAssert(csv[1].hasPrefix("alpha,ok,,t1,a,3,0.75,0.75,High,0.467"), csv[1])
        XCTAssertEqual(csv.filter { $0.hasPrefix("alpha,") }.count, 3)   // a, b, OA
        XCTAssert(csv.contains { $0.hasPrefix("beta,ok,,t1,b,2,0.875,0.88,Very High,") }, csv.joined(separator: "\n"))
        let gamma = csv.first { $0.hasPrefix("gamma,") }!
        XCTAssert(gamma.hasPrefix("gamma,failed,\"") && gamma.contains("unknown answer in column \"\"qa\"\"") && gamma.hasSuffix(",,,,,,,,"), gamma)

        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("summary.json"))) as! [String: Any]
        XCTAssertEqual(json["schema"] as? String, "wai.batch-summary/1")
        let entries = json["surveys"] as! [[String: Any]]
        XCTAssertEqual(entries.map { $0["survey"] as! String }, ["alpha", "gamma", "beta"])
        XCTAssertEqual(entries.map { $0["status"] as! String }, ["ok", "failed", "ok"])
        XCTAssert((entries[1]["error"] as! String).contains("unknown answer"))

        // Unchanged inputs: skipped. The failed survey is tried again (and fails again).
        let second = try wai(["batch", surveys.path, "--out", out.path, "--replicates", "0"])
        XCTAssertEqual(second.status, 1)
        XCTAssert(second.stderr.contains("alpha skipped (unchanged)"), second.stderr)
        XCTAssert(second.stdout.contains("3 surveys: 0 ok, 2 skipped (unchanged), 1 failed"), second.stdout)
        let skipped = try String(contentsOf: out.appendingPathComponent("summary.csv"), encoding: .utf8)
        XCTAssert(skipped.contains("alpha,skipped (unchanged),,t1,a,3,0.75,0.75,High,"), skipped)

        // A changed data file, changed options, or --force: analysed again.
        try write("gender,qa,qb\nF,5,1\nM,4,2\nF,3,3\nM,1,1\n", to: surveys.appendingPathComponent("alpha/responses.csv"))
        try write(spec(), to: surveys.appendingPathComponent("gamma/survey.yaml"))
        try write("gender,qa,qb\nF,High,1\n", to: surveys.appendingPathComponent("gamma/responses.csv"))
        let third = try wai(["batch", surveys.path, "--out", out.path, "--replicates", "0"])
        XCTAssertEqual(third.status, 0, third.stderr)
        XCTAssert(third.stdout.contains("3 surveys: 2 ok, 1 skipped (unchanged), 0 failed"), third.stdout)
        XCTAssert(third.stderr.contains("beta skipped (unchanged)"), third.stderr)
        let forced = try wai(["batch", surveys.path, "--out", out.path, "--replicates", "0", "--force"])
        XCTAssertEqual(forced.status, 0)
        XCTAssert(forced.stdout.contains("3 surveys: 3 ok, 0 skipped (unchanged), 0 failed"), forced.stdout)
        let options = try wai(["batch", surveys.path, "--out", out.path, "--replicates", "10"])
        XCTAssert(options.stdout.contains("3 surveys: 3 ok, 0 skipped"), options.stdout)
        // A deleted report is written again even though the inputs did not change.
        try FileManager.default.removeItem(at: out.appendingPathComponent("beta/report.md"))
        let repaired = try wai(["batch", surveys.path, "--out", out.path, "--replicates", "10"])
        XCTAssert(repaired.stdout.contains("3 surveys: 1 ok, 2 skipped"), repaired.stdout)
        XCTAssert(FileManager.default.fileExists(atPath: out.appendingPathComponent("beta/report.md").path))
    }

    func testBatchUsageErrorsExitTwo() throws {
        let root = try temporaryDirectory()
        XCTAssertEqual(try wai(["batch", root.appendingPathComponent("missing").path]).status, 2)
        let empty = try wai(["batch", root.path])
        XCTAssertEqual(empty.status, 2)
        XCTAssert(empty.stderr.contains("no survey directory here"), empty.stderr)
        try survey("a/same", in: root, responses: "gender,qa,qb\nF,1,1\n")
        try survey("b/same", in: root, responses: "gender,qa,qb\nF,1,1\n")
        let clash = try wai(["batch", root.path, "--out", root.appendingPathComponent("out").path])
        XCTAssertEqual(clash.status, 2)
        XCTAssert(clash.stderr.contains("two surveys are named \"same\""), clash.stderr)
    }

    // MARK: provenance

    func testProvenanceNamesTheInputsAndKeepsReportsByteIdentical() throws {
        let root = try temporaryDirectory()
        let dir = try survey("p", in: root, responses: "gender,qa,qb\nF,5,1\nM,4,2\n")
        let out = root.appendingPathComponent("out")
        XCTAssertEqual(try wai(["report", dir.path, "--out", out.path, "--replicates", "0", "--format", "md,json"]).status, 0)
        let md = try String(contentsOf: out.appendingPathComponent("report.md"), encoding: .utf8)
        let csvBytes = "gender,qa,qb\nF,5,1\nM,4,2\n"
        let dataHash = sha256(Array(csvBytes.utf8))
        XCTAssert(md.contains("## Provenance\n\n- Engine: wai "), md)
        XCTAssert(md.contains("- Data: `responses.csv`, SHA-256 `\(dataHash)` (\(csvBytes.utf8.count) bytes).\n"), md)
        XCTAssert(md.contains("- Options: strict reading, aggregation `loops`, formats `md`, `json`, breakdowns all.\n"), md)
        XCTAssert(md.contains("- Rows read 2 = rows used 2 + rows rejected 0; 0 blank lines skipped.\n"), md)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("report.json"))) as! [String: Any]
        let provenance = json["provenance"] as! [String: Any]
        XCTAssertEqual((provenance["data"] as! [[String: Any]])[0]["sha256"] as? String, dataHash)
        XCTAssertEqual((provenance["spec"] as! [String: Any])["sha256"] as? String, sha256(Array(spec().utf8)))
        XCTAssertEqual((provenance["options"] as! [String: Any])["lenient"] as? Bool, false)
        // Same inputs, same bytes: no timestamp anywhere.
        let before = try Data(contentsOf: out.appendingPathComponent("report.json"))
        XCTAssertEqual(try wai(["report", dir.path, "--out", out.path, "--replicates", "0", "--format", "md,json"]).status, 0)
        XCTAssertEqual(try Data(contentsOf: out.appendingPathComponent("report.json")), before)
    }

    /// `shasum -a 256`, for the expected values.
    func sha256(_ bytes: [UInt8]) -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("wai-sha-\(UUID().uuidString)")
        try! Data(bytes).write(to: path)
        let out = try! run(URL(fileURLWithPath: "/usr/bin/env"), ["sha256sum", path.path])
        return String(out.stdout.prefix(64))
    }

    // MARK: shards and counts

    /// 60 respondents with blanks, N/A, case and label variants, a category first met late.
    func largerResponses() -> String {
        var lines = ["id,gender,job,qa,qb,qc"]
        let answers = ["1", "Low", "neutral", "4", "Very High", "", "N/A", "high", "2", "5", "3"]
        for r in 0..<60 {
            let gender = r % 9 == 4 ? "" : (r % 2 == 0 ? "F" : "M")
            let job = r < 40 ? (r % 3 == 0 ? "Student" : "University") : (r % 2 == 0 ? "NGO" : "student")
            lines.append("r\(r),\(gender),\(job),\(answers[(r * 7) % 11]),\(answers[(r * 5 + 2) % 11]),\(answers[(r * r + 3) % 11])")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    let largerSpec = """
        title: Shards
        data: responses.csv
        id: id
        \(BatchTests.scale)
        demographics: [gender, job]
        tables:
          - id: t1
            title: First
            items:
              - {id: a, column: qa, text: "A?"}
              - {id: b, column: qb, text: "B?", reverse: true}
          - id: t2
            title: Second
            items:
              - {id: c, column: qc, text: "C?"}
              - {id: a, column: qa, text: "A?"}

        """

    func testMergedShardsPrintWhatOnePassPrints() throws {
        let root = try temporaryDirectory()
        let text = largerResponses()
        try write(largerSpec, to: root.appendingPathComponent("survey.yaml"))
        try write(text, to: root.appendingPathComponent("responses.csv"))
        let lines = text.split(separator: "\n").map(String.init)
        let bounds = [1, 21, 37, 61]   // three shards of 20, 16 and 24 rows, each with the header
        var partials: [String] = []
        for s in 0..<3 {
            let name = "part\(s + 1)"
            try write(([lines[0]] + lines[bounds[s]..<bounds[s + 1]]).joined(separator: "\n") + "\n", to: root.appendingPathComponent("\(name).csv"))
            let aggregate = try wai(["aggregate", "\(name).csv", "--spec", "survey.yaml", "--partial", "\(name).waistats",
                                     "--replicates", "40"], in: root)
            XCTAssertEqual(aggregate.status, 0, aggregate.stderr)
            XCTAssert(aggregate.stdout.contains("used \(bounds[s + 1] - bounds[s])"), aggregate.stdout)
            partials.append("\(name).waistats")
        }

        for format in ["md", "json", "csv"] {
            let by = format == "md" ? [] : ["--by", "gender", "--by", "job"]
            let single = try wai(["analyze", "responses.csv", "--spec", "survey.yaml", "--replicates", "40", "--format", format] + by, in: root)
            let merged = try wai(["merge", "survey.yaml"] + partials + ["--data-name", "responses.csv", "--format", format] + by, in: root)
            XCTAssertEqual(single.status, 0, single.stderr)
            XCTAssertEqual(merged.status, 0, merged.stderr)
            // Identical up to the provenance, which names the shards instead of the whole file.
            XCTAssertEqual(withoutProvenance(merged.stdout, format: format), withoutProvenance(single.stdout, format: format), format)
            if format == "md" {
                XCTAssert(merged.stdout.contains("- Data: 3 shards merged (`wai merge`):\n  - `part1.csv`, SHA-256 `"), merged.stdout)
                XCTAssert(merged.stdout.contains("| **OA** (mean of 2 items) |"), merged.stdout)
            }
        }
        // Without --data-name the data line names the shards.
        let named = try wai(["merge", "survey.yaml"] + partials, in: root)
        XCTAssert(named.stdout.contains("Data: `3 shards (part1.csv, part2.csv, part3.csv)` · **60** respondents"), named.stdout)

        // Refused: a shard of another spec, and the same rows twice.
        try write(largerSpec.replacingOccurrences(of: "label: Neutral", with: "label: Medium"), to: root.appendingPathComponent("other.yaml"))
        let other = try wai(["merge", "other.yaml"] + partials, in: root)
        XCTAssertEqual(other.status, 2)
        XCTAssert(other.stderr.contains("part1.waistats: spec_sha256: these statistics were aggregated with another spec"), other.stderr)
        let twice = try wai(["merge", "survey.yaml", "part1.waistats", "part1.waistats"], in: root)
        XCTAssertEqual(twice.status, 2)
        XCTAssert(twice.stderr.contains("the same responses file twice"), twice.stderr)
    }

    func withoutProvenance(_ text: String, format: String) -> String {
        switch format {
        case "md":
            return text.components(separatedBy: "\n## Provenance\n")[0]
        case "json":
            var object = try! JSONSerialization.jsonObject(with: Data(text.utf8)) as! [String: Any]
            object["provenance"] = nil
            return String(decoding: try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
        default:
            return text
        }
    }

    func testDuckDBCountsRecipeMatchesAnalyze() throws {
        let root = try temporaryDirectory()
        try write(largerSpec, to: root.appendingPathComponent("survey.yaml"))
        try write(largerResponses(), to: root.appendingPathComponent("responses.csv"))
        let recipe = Self.packageRoot.appendingPathComponent("Tests/DuckDB/counts_recipe.py").path
        let counts = root.appendingPathComponent("counts.csv").path
        let made = try python([recipe, root.appendingPathComponent("responses.csv").path, counts,
                               "--items", "qa,qb,qc", "--demographics", "gender,job"], needs: "duckdb")
        XCTAssertEqual(made.status, 0, made.stderr)

        for by in [[], ["--by", "gender", "--by", "job"]] {
            let direct = try wai(["analyze", "responses.csv", "--spec", "survey.yaml", "--format", "csv", "--replicates", "0"] + by, in: root)
            let merged = try wai(["merge", "survey.yaml", "--counts", counts, "--format", "csv", "--replicates", "0"] + by, in: root)
            XCTAssertEqual(merged.status, 0, merged.stderr)
            XCTAssertEqual(merged.stdout, direct.stdout)
        }
        // The items' bootstrap is drawn from the counts, so a counts table gives the replicates of
        // the whole file (the OA's needs the rows' cross-products: not there).
        func bootstraps(_ json: String) throws -> [String: [String: Double]] {
            let document = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
            var out: [String: [String: Double]] = [:]
            for table in document["tables"] as! [[String: Any]] {
                for item in table["items"] as! [[String: Any]] {
                    let bootstrap = try XCTUnwrap(item["bootstrap"] as? [String: Any], "\(item["id"]!)")
                    out["\(table["id"]!).\(item["id"]!)"] = ["se": bootstrap["se"] as! Double, "certainty": bootstrap["band_certainty"] as! Double]
                }
            }
            return out
        }
        let directJSON = try wai(["analyze", "responses.csv", "--spec", "survey.yaml", "--format", "json", "--seed", "9"], in: root)
        let countsJSON = try wai(["merge", "survey.yaml", "--counts", counts, "--format", "json", "--seed", "9"], in: root)
        XCTAssertEqual(countsJSON.status, 0, countsJSON.stderr)
        XCTAssertEqual(try bootstraps(countsJSON.stdout), try bootstraps(directJSON.stdout))
        XCTAssertFalse(try bootstraps(countsJSON.stdout).isEmpty)
        // The Markdown tables agree too, except what needs respondents' rows (OA interval, alpha).
        let md = try wai(["merge", "survey.yaml", "--counts", counts], in: root)
        XCTAssert(md.stdout.contains("| **OA** (mean of 2 items) |  | **"), md.stdout)
        XCTAssertFalse(md.stdout.contains("Reliability: Cronbach's alpha 0."), md.stdout)
        XCTAssert(md.stdout.contains("- Data: a counts table (`wai merge --counts`):\n  - `counts.csv`"), md.stdout)

        // Counts grouped without the unanswered rows are refused with the fix.
        let dropped = try String(contentsOfFile: counts, encoding: .utf8).split(separator: "\n").filter { !$0.hasPrefix("qa,,") }
        try write(dropped.joined(separator: "\n") + "\n", to: root.appendingPathComponent("partial-counts.csv"))
        let refused = try wai(["merge", "survey.yaml", "--counts", "partial-counts.csv"], in: root)
        XCTAssertEqual(refused.status, 2)
        XCTAssert(refused.stderr.contains("INCLUDE NULLS"), refused.stderr)
    }

    // MARK: trend

    func testTrendComparesWavesItemByItem() throws {
        let root = try temporaryDirectory()
        // Wave 2024 (given first, ordered second by its label):
        //   a: 5,5,4,4 → (1+1+.75+.75)/4 = 0.875; b: 3,3,3,3 → 0.5 (SE 0).
        // Wave 2023: a: 5,4,3,2 → (1+.75+.5+.25)/4 = 0.625; b: 1,2,3,4 → (0+.25+.5+.75)/4 = 0.375.
        // Change of a: 0.875 − 0.625 = +0.25. SEs (n/(n−1) = 4/3, W = 4):
        //   2023: Σ(s − .625)² = .140625+.015625+.015625+.140625 = .3125 → SE = √(4/3·.3125)/4 = 0.161374
        //   2024: Σ(s − .875)² = 4·.015625 = .0625 → SE = √(4/3·.0625)/4 = 0.072169
        //   SE of the change = √(0.161374² + 0.072169²) = √0.03125 = 0.176777; ±1.959964·SE = ±0.346476 → −0.096476 … 0.596476.
        // Change of b: 0.5 − 0.375 = +0.125; SE(2023) = √(4/3·.3125)/4 = 0.161374, SE(2024) = 0
        //   → ±0.316288 → −0.191288 … 0.441288.
        // OA: 2023 (0.625 + 0.375)/2 = 0.5; 2024 (0.875 + 0.5)/2 = 0.6875 → 0.69, change +0.1875 → +0.19.
        try survey("w24", in: root, spec: spec(wave: "2024"), responses: "gender,qa,qb\nF,5,3\nM,5,3\nF,4,3\nM,4,3\n")
        try survey("w23", in: root, spec: spec(wave: "2023"), responses: "gender,qa,qb\nF,5,1\nM,4,2\nF,3,3\nM,2,4\n")
        let md = try wai(["trend", "w24", "w23"], in: root)
        XCTAssertEqual(md.status, 0, md.stderr)
        XCTAssert(md.stdout.contains("Waves, in order: 2023 (`w23`), 2024 (`w24`)."), md.stdout)
        XCTAssert(md.stdout.contains("""
            ### a: Item A?

            | Wave | n | WAI | Band | Change | 95 % CI of change |
            | --- | ---: | ---: | --- | ---: | ---: |
            | 2023 | 4 | 0.63 | High |  |  |
            | 2024 | 4 | 0.88 | Very High | +0.25 | -0.10 – +0.60 |
            """), md.stdout)
        XCTAssert(md.stdout.contains("| 2024 | 4 | 0.50 | Neutral | +0.13 | -0.19 – +0.44 |"), md.stdout)
        XCTAssert(md.stdout.contains("| 2024 | 2 | 0.69 | High | +0.19 |"), md.stdout)

        let csv = try wai(["trend", "w24", "w23", "--format", "csv"], in: root)
        let rows = csv.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(rows[0], "table,item,wave,n,wai,wai_reported,band,change,change_reported,change_lower,change_upper")
        XCTAssertEqual(rows[1], "t1,a,2023,4,0.625,0.63,High,,,,")
        let a2024 = rows[2].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        XCTAssertEqual(Array(a2024[0..<9]), ["t1", "a", "2024", "4", "0.875", "0.88", "Very High", "0.25", "+0.25"])
        XCTAssertEqual(Double(a2024[9])!, -0.096476, accuracy: 1e-6)
        XCTAssertEqual(Double(a2024[10])!, 0.596476, accuracy: 1e-6)

        // JSON: the same numbers, and a change that is the difference of the two unrounded indices.
        let json = try wai(["trend", "w24", "w23", "--format", "json"], in: root)
        XCTAssertEqual(json.status, 0, json.stderr)
        try write(json.stdout, to: root.appendingPathComponent("trend.json"))
        let document = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as! [String: Any]
        XCTAssertEqual(document["schema"] as? String, "wai.trend/1")
        XCTAssertEqual(document["waves"] as? [String], ["2023", "2024"])
        let table = (document["tables"] as! [[String: Any]])[0]
        let a = (table["items"] as! [[String: Any]])[0]["points"] as! [[String: Any]]
        XCTAssertEqual(a[0]["wai"] as! Double, 0.625, accuracy: 1e-12)
        XCTAssertEqual(a[1]["wai"] as! Double, 0.875, accuracy: 1e-12)
        XCTAssertEqual(a[1]["change"] as! Double, 0.25, accuracy: 1e-12)
        let interval = a[1]["change_interval"] as! [String: Any]
        XCTAssertEqual(interval["lower"] as! Double, -0.096476, accuracy: 1e-6)
        XCTAssertEqual(interval["upper"] as! Double, 0.596476, accuracy: 1e-6)
        XCTAssertEqual(((table["composite"] as! [String: Any])["points"] as! [[String: Any]])[1]["change_reported"] as? String, "+0.19")
        let validate = Self.packageRoot.appendingPathComponent("Tests/Schemas/validate.py").path
        let valid = try python([validate, "wai.trend-1.schema.json", root.appendingPathComponent("trend.json").path], needs: "jsonschema")
        XCTAssertEqual(valid.status, 0, valid.stdout + valid.stderr)

        // Without wave labels: the order given, labelled by directory.
        try write(spec(), to: root.appendingPathComponent("w24/survey.yaml"))
        try write(spec(), to: root.appendingPathComponent("w23/survey.yaml"))
        let given = try wai(["trend", "w24", "w23", "--out", "trend"], in: root)
        XCTAssertEqual(given.status, 0, given.stderr)
        let written = try String(contentsOf: root.appendingPathComponent("trend/trend.md"), encoding: .utf8)
        XCTAssert(written.contains("Waves, in order: w24 (`w24`), w23 (`w23`)."), written)
        XCTAssert(FileManager.default.fileExists(atPath: root.appendingPathComponent("trend/trend.csv").path))
        XCTAssert(FileManager.default.fileExists(atPath: root.appendingPathComponent("trend/trend.json").path))

        // A wave with another item list is refused, naming the difference.
        try survey("w25", in: root, spec: spec(extraItem: true), responses: "gender,qa,qb,qc\nF,5,3,1\n")
        let refused = try wai(["trend", "w23", "w25"], in: root)
        XCTAssertEqual(refused.status, 2)
        XCTAssert(refused.stderr.contains("w25: tables[0].items: waves of a trend must share their spec: this wave differs from w23; found \"a, b, c\"; expected a, b"), refused.stderr)
    }

    // MARK: schemas and the library example

    func testJSONOutputsFollowTheirSchemas() throws {
        let root = try temporaryDirectory()
        let surveys = root.appendingPathComponent("surveys")
        let dir = try survey("s", in: surveys, spec: largerSpec, responses: largerResponses())
        try survey("broken", in: surveys, responses: "gender,qa\nF,High\n")   // no column qb: fails even --lenient
        let out = root.appendingPathComponent("out")
        XCTAssertEqual(try wai(["batch", surveys.path, "--out", out.path, "--replicates", "20", "--lenient"]).status, 1)
        let analyze = try wai(["analyze", "responses.csv", "--spec", "survey.yaml", "--format", "json", "--by", "gender", "--replicates", "20"], in: dir)
        try write(analyze.stdout, to: root.appendingPathComponent("analyze.json"))
        XCTAssertEqual(try wai(["aggregate", "responses.csv", "--spec", "survey.yaml", "--partial", root.appendingPathComponent("s.waistats").path, "--replicates", "5"], in: dir).status, 0)
        let merged = try wai(["merge", "survey.yaml", root.appendingPathComponent("s.waistats").path, "--format", "json"], in: dir)
        try write(merged.stdout, to: root.appendingPathComponent("merged.json"))

        let validate = Self.packageRoot.appendingPathComponent("Tests/Schemas/validate.py").path
        let cases: [(String, [String])] = [
            ("wai.analysis-2.schema.json", [out.appendingPathComponent("s/report.json").path, root.appendingPathComponent("analyze.json").path, root.appendingPathComponent("merged.json").path]),
            ("wai.table-1.schema.json", [out.appendingPathComponent("s/t1.json").path, out.appendingPathComponent("s/t2.json").path]),
            ("wai.batch-summary-1.schema.json", [out.appendingPathComponent("summary.json").path]),
            ("wai.partial-2.schema.json", [root.appendingPathComponent("s.waistats").path]),
        ]
        for (schema, documents) in cases {
            let result = try python([validate, schema] + documents, needs: "jsonschema")
            XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        }

        // Strict enough to notice a missing required field, deep in the document.
        var report = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("s/report.json"))) as! [String: Any]
        var tables = report["tables"] as! [[String: Any]]
        var items = tables[0]["items"] as! [[String: Any]]
        items[0]["n"] = nil
        tables[0]["items"] = items
        report["tables"] = tables
        let broken = root.appendingPathComponent("broken.json")
        try JSONSerialization.data(withJSONObject: report).write(to: broken)
        let rejected = try python([validate, "--invalid", "wai.analysis-2.schema.json", broken.path], needs: "jsonschema")
        XCTAssertEqual(rejected.status, 0, rejected.stdout + rejected.stderr)
        XCTAssert(rejected.stdout.contains("tables/0/items/0: 'n' is a required property"), rejected.stdout)
        let notValid = try python([validate, "wai.analysis-2.schema.json", broken.path], needs: "jsonschema")
        XCTAssertEqual(notValid.status, 1, notValid.stdout)
    }

    func testTheQuickStartExampleRuns() throws {
        let root = try temporaryDirectory()
        let dir = try survey("quick", in: root, responses: "gender,qa,qb\nF,5,1\nM,4,2\nF,3,N/A\n")
        let example = products.appendingPathComponent("wai-example-quickstart")
        let result = try run(example, [dir.path, root.appendingPathComponent("report").path])
        XCTAssertEqual(result.status, 0, result.stderr)
        // qa: 5,4,3 → 0.75 High; qb: 1,2 → 0.125 → 0.13 Very Low; OA (0.75 + 0.125)/2 = 0.4375 → 0.44 Neutral.
        XCTAssert(result.stdout.hasPrefix("Fixture: 3 respondents\n\nItems\n"), result.stdout)
        XCTAssert(result.stdout.contains("  a                    n = 3  WAI 0.75  High ["), result.stdout)
        XCTAssert(result.stdout.contains("  b                    n = 2  WAI 0.13  Very Low ["), result.stdout)
        XCTAssert(result.stdout.contains("  OA                   mean of 2 items  WAI 0.44  Neutral"), result.stdout)
        XCTAssert(FileManager.default.fileExists(atPath: root.appendingPathComponent("report/report.md").path))
        let missing = try run(example, [root.appendingPathComponent("nowhere").path])
        XCTAssertEqual(missing.status, 2)
    }
}
