import ArgumentParser
import Foundation
import WAIKit

struct SQLCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sql",
        abstract: "Print one SQL query that computes a survey's sufficient statistics where the data live, for `wai merge --counts`.",
        discussion: """
        The query codes every answer through the spec (codes, labels, aliases, missing markers, \
        each item on its own scale), validates the weights, and returns one long table \
        (format wai.counts/2, Surveys/COUNTS.md): per item × level × group the count, Σw and Σw²; \
        per item pair the cross-products a composite's standard error needs; per table the \
        cross-products of Cronbach's alpha. `wai merge SPEC --counts result.csv` then prints \
        everything `wai analyze` prints (the bootstrap is drawn from these statistics).

        --table is a table or view the engine knows, or a .csv/.tsv/.parquet path: DuckDB reads \
        it with read_csv/read_parquet; for Spark, a CREATE TEMPORARY VIEW statement is printed \
        first (run it, then the query); PostgreSQL needs the data loaded into a table.

        Refused: `population:` (raking), a design with strata, cluster or fpc, a platform \
        `source:`, and for files an `encoding:` other than UTF-8.

        Examples:
          wai sql survey.yaml --dialect duckdb --table responses.csv | python3 -c \"import duckdb, sys; duckdb.sql(sys.stdin.read()).write_csv('counts.csv')\"
          wai merge survey.yaml --counts counts.csv
          wai sql survey.yaml --dialect spark --table responses.parquet
          wai sql survey.yaml --dialect postgres --table survey.responses
        """
    )

    @Argument(help: ArgumentHelp("The survey spec (YAML, see Surveys/SPEC.md).", valueName: "survey.yaml"))
    var spec: String

    @Option(help: ArgumentHelp("The SQL dialect: duckdb, spark or postgres.", valueName: "dialect"))
    var dialect: String

    @Option(help: ArgumentHelp("The table (or view) of responses, or a .csv/.tsv/.parquet file.", valueName: "name-or-path"))
    var table: String

    func validate() throws {
        guard SQLDialect(rawValue: dialect) != nil else {
            throw ValidationError("unknown dialect \(Quoted(dialect)) in --dialect; expected \(SQLDialect.allCases.map(\.rawValue).joined(separator: ", ")) (e.g. --dialect duckdb)")
        }
        guard !table.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw ValidationError("--table is empty; expected a table name or a .csv/.parquet path (e.g. --table responses.csv)")
        }
    }

    func run() throws {
        let loaded = try SurveyLoader.loadSpec(path: spec)
        let query = try SQLQuery(spec: loaded.spec, dialect: SQLDialect(rawValue: dialect)!, source: SQLSource(table), specName: spec)
        var text = ""
        if let setup = query.setup {
            text += "-- 1. register the file as a view, 2. run the query\n\(setup);\n\n"
        }
        text += try query.text() + ";\n"
        try output(text)
    }
}
