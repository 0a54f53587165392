import Foundation
import XCTest

/// `wai sql` run on real engines (Tests/SQL/engines.py), then `wai merge --counts`, against
/// `wai analyze` on the same rows; and what it refuses.
final class SQLCommandTests: XCTestCase {
    let fixture = Products.packageRoot.appendingPathComponent("Tests/SQL/fixture")
    let script = Products.packageRoot.appendingPathComponent("Tests/SQL/engines.py").path

    func wai(_ arguments: [String], in directory: URL? = nil) throws -> ProcessRun {
        try Products.run(Products.wai, arguments, in: directory)
    }

    func python(_ arguments: [String], needs module: String) throws -> ProcessRun {
        let check = try Products.run(URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-c", "import \(module)"])
        if check.status != 0 { throw XCTSkip("python3 cannot import \(module) (`make test` installs it): \(check.stderr)") }
        return try Products.run(URL(fileURLWithPath: "/usr/bin/env"), ["python3"] + arguments)
    }

    func testDuckDBQueryOnCSVAndParquetMatchesAnalyze() throws {
        let run = try python([script, Products.wai.path, fixture.path, "duckdb"], needs: "duckdb")
        XCTAssertEqual(run.status, 0, run.stdout + run.stderr)
        XCTAssert(run.stdout.contains("duckdb (parquet): `wai merge --counts` equals `wai analyze`"), run.stdout)
    }

    func testPostgresQueryRunsInDuckDBAndMatchesAnalyze() throws {
        let run = try python([script, Products.wai.path, fixture.path, "postgres"], needs: "duckdb")
        XCTAssertEqual(run.status, 0, run.stdout + run.stderr)
    }

    func testSparkQueryMatchesAnalyze() throws {
        let java = try? Products.run(URL(fileURLWithPath: "/usr/bin/env"), ["java", "-version"])
        guard java?.status == 0 else {
            throw XCTSkip("no Java runtime (`java -version` failed): the Spark test needs Java 17 (Debian openjdk-17-jre-headless)")
        }
        // pyspark is not skipped: `make pydeps` installs it, and CI must run this test.
        let check = try Products.run(URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-c", "import pyspark"])
        XCTAssertEqual(check.status, 0, "python3 cannot import pyspark (`make pydeps` installs it): \(check.stderr)")
        let run = try Products.run(URL(fileURLWithPath: "/usr/bin/env"), ["python3", script, Products.wai.path, fixture.path, "spark"])
        XCTAssertEqual(run.status, 0, run.stdout + run.stderr)
        XCTAssert(run.stdout.contains("spark (csv): `wai merge --counts` equals `wai analyze`"), run.stdout + run.stderr)
    }

    func testIdentifiersAndLiteralsAreQuotedPerDialect() throws {
        let spec = fixture.appendingPathComponent("survey.yaml").path
        let duck = try wai(["sql", spec, "--dialect", "duckdb", "--table", "it's.csv"])
        XCTAssertEqual(duck.status, 0, duck.stderr)
        XCTAssert(duck.stdout.contains(#"CAST("q ""co"" cn" AS VARCHAR)"#), duck.stdout)
        XCTAssert(duck.stdout.contains("read_csv('it''s.csv', header = true, all_varchar = true)"), duck.stdout)
        XCTAssert(duck.stdout.contains("'don''t know'"), duck.stdout)
        let spark = try wai(["sql", spec, "--dialect", "spark", "--table", "data/r.parquet"])
        XCTAssertEqual(spark.status, 0, spark.stderr)
        XCTAssert(spark.stdout.hasPrefix("-- 1. register the file as a view, 2. run the query\nCREATE OR REPLACE TEMPORARY VIEW wai_responses USING parquet OPTIONS (path 'data/r.parquet');\n\n"), spark.stdout)
        XCTAssert(spark.stdout.contains(#"CAST(`q "co" cn` AS STRING)"#), spark.stdout)
        XCTAssert(spark.stdout.contains(#"'don\'t know'"#), spark.stdout)
        XCTAssert(spark.stdout.contains(#"regexp_replace(a0, '\\s+', ' ')"#) || spark.stdout.contains(#"'\\s+'"#), spark.stdout)
        let table = try wai(["sql", spec, "--dialect", "postgres", "--table", "survey.responses"])
        XCTAssertEqual(table.status, 0, table.stderr)
        XCTAssert(table.stdout.contains("FROM survey.responses"), table.stdout)
    }

    func testRefusesWhatSQLCannotComputeAsAnalyzeDoes() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("wai-sql-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let base = try String(contentsOf: fixture.appendingPathComponent("survey.yaml"), encoding: .utf8)
        let cases: [(String, String, String)] = [
            ("design", base.replacingOccurrences(of: "weight: w\n", with: "design: {weight: w, strata: job}\n"), "design: design-based SEs need per-PSU sums"),
            ("population", base + "population:\n  method: poststratify\n  cells:\n    - {job: University, share: 0.4}\n    - {job: Student, share: 0.3}\n    - {job: Farmer, share: 0.3}\n", "population shares"),
            ("source", base.replacingOccurrences(of: "data: responses.csv\n", with: "data: responses.csv\nsource: qualtrics\n"), "platform export"),
        ]
        for (name, text, message) in cases {
            let path = root.appendingPathComponent("\(name).yaml").path
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            let run = try wai(["sql", path, "--dialect", "duckdb", "--table", "responses"])
            XCTAssertEqual(run.status, 2, "\(name): \(run.stdout)")
            XCTAssert(run.stderr.contains(message) && run.stderr.contains("\(name).yaml"), "\(name): \(run.stderr)")
        }
        let spec = fixture.appendingPathComponent("survey.yaml").path
        let file = try wai(["sql", spec, "--dialect", "postgres", "--table", "responses.csv"])
        XCTAssertEqual(file.status, 2)
        XCTAssert(file.stderr.contains("PostgreSQL cannot query a file") && file.stderr.contains("COPY responses FROM 'responses.csv'"), file.stderr)
        let parquet = try wai(["merge", spec, "--counts", "result.parquet"])
        XCTAssertEqual(parquet.status, 2)
        XCTAssert(parquet.stderr.contains("cannot read a Parquet counts table") && parquet.stderr.contains("COPY (FROM 'result.parquet') TO 'counts.csv' (HEADER)"), parquet.stderr)
        let dialect = try wai(["sql", spec, "--dialect", "mysql", "--table", "t"])
        XCTAssertEqual(dialect.status, 2)
        XCTAssert(dialect.stderr.contains("unknown dialect \"mysql\""), dialect.stderr)
    }

    /// An answer or weight the reader refuses comes back from the engine as a row, and `wai merge` refuses it.
    func testUnknownAnswersAndInvalidWeightsAreRefusedByMerge() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("wai-sql-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: fixture.appendingPathComponent("survey.yaml"), to: root.appendingPathComponent("survey.yaml"))
        let rows = try String(contentsOf: fixture.appendingPathComponent("responses.csv"), encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        func variant(_ name: String, line: Int, replace: (String) -> String) throws -> ProcessRun {
            var edited = rows.map(String.init)
            edited[line] = replace(edited[line])
            try Data(edited.joined(separator: "\n").utf8).write(to: root.appendingPathComponent("responses.csv"))
            let counts = root.appendingPathComponent("\(name).csv").path
            let made = try python([script, Products.wai.path, root.path, "counts", counts], needs: "duckdb")
            XCTAssertEqual(made.status, 0, made.stderr)
            return try wai(["merge", "survey.yaml", "--counts", counts], in: root)
        }
        let answer = try variant("answer", line: 3) { line in
            var fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            fields[1] = "Hgh"
            return fields.joined(separator: ",")
        }
        XCTAssertEqual(answer.status, 2)
        XCTAssert(answer.stderr.contains("unknown answer in column \"q_gov\" (item gov) in 1 row of the data") && answer.stderr.contains("Hgh")
                  && answer.stderr.contains("answer.csv:"), answer.stderr)
        let weight = try variant("weight", line: 5) { line in
            var fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            fields[fields.count - 1] = "-1"
            return fields.joined(separator: ",")
        }
        XCTAssertEqual(weight.status, 2)
        XCTAssert(weight.stderr.contains("invalid survey weight in column \"w\" in 1 row of the data") && weight.stderr.contains("-1"), weight.stderr)
    }
}
