import ArgumentParser
import Foundation
import WAIKit

struct AggregateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "aggregate",
        abstract: "Write the sufficient statistics of one shard of a survey's responses, for `wai merge`.",
        discussion: """
        Reads CSV through the spec and writes its per-item × group × level statistics, the \
        category names, the data-quality account, the spec's digest and the shard's SHA-256 to a \
        small versioned JSON file (format wai.partial/2, Schemas/wai.partial-2.schema.json). \
        `wai merge` adds such files up and prints what one pass over all the rows prints.

        Split a large CSV into shards (each with the header row), aggregate each where it lies, \
        and merge the small files in the original order. The bootstrap is drawn from the merged \
        statistics, so the shards need no coordination: any split gives what one pass gives.

        Examples:
          wai aggregate part1.csv --spec survey.yaml --partial part1.waistats
          wai aggregate part2.csv --spec survey.yaml --partial part2.waistats
          wai merge survey.yaml part1.waistats part2.waistats
        """
    )

    @Argument(help: "The responses CSV of this shard (with its header row).")
    var csv: String

    @Option(help: ArgumentHelp("The survey spec (YAML, see Surveys/SPEC.md).", valueName: "survey.yaml"))
    var spec: String

    @Option(help: ArgumentHelp("Where to write the partial statistics (JSON).", valueName: "out.waistats"))
    var partial: String

    @OptionGroup var reading: ReadingOptions

    @OptionGroup var progress: ProgressOptions

    func run() throws {
        let loaded = try SurveyLoader.loadSpec(path: spec)
        let line = progress.line(reading: csv)
        let part = try progress.showing(line) {
            try PartialStatistics.aggregate(
                spec: loaded.spec, csvPath: csv, specName: spec, options: reading.readOptions, path: reading.aggregation,
                inference: reading.inference, pipeline: progress.pipeline(line))
        }
        let content = String(decoding: try part.encoded(), as: UTF8.self)
        try writeAtomically(content, to: partial)
        let q = part.quality
        try output("wrote \(partial): rows read \(q.rowsRead) = used \(q.rowsUsed) + rejected \(q.rowsRejected)\n")
    }
}

struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Add up partial statistics (or read a counts table) and print the survey's tables.",
        discussion: """
        Adds the partial-statistics files written by `wai aggregate` — in the order given, which \
        should be the order of the rows — and prints exactly what `wai analyze` prints for all \
        the rows at once (the data line names the shards unless --data-name says otherwise; the \
        provenance lists every shard). Categories are matched by name across shards; files of \
        another spec or format version are refused.

        With --counts, reads instead a counts table (item,level,group_column,group,count \
        [,weight_sum[,weight_sq_sum]]) such as a SQL GROUP BY in DuckDB or Spark writes: see \
        Surveys/COUNTS.md for the format, what a counts table cannot give, and a DuckDB recipe. \
        The table `wai sql` computes (format wai.counts/2) also holds the cross-products of the \
        composites' standard errors and of Cronbach's alpha: then everything `wai analyze` prints.

        Examples:
          wai merge survey.yaml part1.waistats part2.waistats part3.waistats
          wai merge survey.yaml part*.waistats --format json --by gender
          wai merge survey.yaml --counts counts.csv --format csv
          wai sql survey.yaml --dialect duckdb --table responses.csv | python3 -c \"import duckdb, sys; duckdb.sql(sys.stdin.read()).write_csv('counts.csv')\"
        """
    )

    @Argument(help: ArgumentHelp("The survey spec the statistics were computed with.", valueName: "survey.yaml"))
    var spec: String

    @Argument(help: ArgumentHelp("Partial-statistics files (wai.partial/2), in the order of their rows.", valueName: "partial"))
    var partials: [String] = []

    @Option(help: ArgumentHelp("A counts table to read instead of partial statistics (Surveys/COUNTS.md).", valueName: "counts.csv"))
    var counts: String?

    @Option(help: ArgumentHelp("Output format: md, csv or json.", valueName: "format"))
    var format: String = "md"

    @Option(help: ArgumentHelp("Break every item down by this demographic column (repeatable).", valueName: "column"))
    var by: [String] = []

    @Option(help: ArgumentHelp("Coverage of confidence intervals, between 0 and 1.", valueName: "level"))
    var confidence = 0.95

    @Option(help: ArgumentHelp("How the report names its data (default: the shards' file names).", valueName: "text"))
    var dataName: String?

    @Option(help: ArgumentHelp("Also write the merged statistics as one partial-statistics file.", valueName: "out.waistats"))
    var partial: String?

    @Option(help: ArgumentHelp("With --counts: bootstrap replicates of the unweighted items, drawn from the counts (0: none). Shards keep the replicates they were aggregated with.", valueName: "n"))
    var replicates = 1000

    @Option(help: ArgumentHelp("With --counts: the seed of those replicates.", valueName: "n"))
    var seed: UInt64 = 20240601

    func validate() throws {
        guard replicates >= 0, replicates <= 100_000 else {
            throw ValidationError("--replicates must be between 0 and 100000 (e.g. --replicates 1000, or 0 for none)")
        }
        guard partials.isEmpty != (counts == nil) else {
            throw ValidationError(counts == nil ? "give the partial-statistics files to merge, or --counts counts.csv"
                                                : "give either partial-statistics files or --counts, not both")
        }
        guard confidence > 0, confidence < 1 else { throw ValidationError("--confidence must be between 0 and 1 (e.g. --confidence 0.9)") }
        guard let format = ReportFormat(rawValue: format), [.md, .csv, .json].contains(format) else {
            throw ValidationError("unknown format \(Quoted(format)) in --format; expected md, csv or json (e.g. --format json)")
        }
    }

    func run() throws {
        let format = ReportFormat(rawValue: format)!
        let loaded = try SurveyLoader.loadSpec(path: spec)
        var merged: PartialStatistics
        let source: String
        if let counts {
            merged = try CountsTable.read(path: counts, spec: loaded.spec, specName: spec)
            // A counts table holds the level counts the bootstrap of an unweighted item is drawn from.
            merged.statistics.plan.replicates = replicates
            merged.statistics.plan.seed = seed
            source = "counts"
        } else {
            let parts = try partials.map { try PartialStatistics.read(path: $0) }
            merged = try PartialStatistics.merge(parts, names: partials, spec: loaded.spec)
            source = "shards"
        }
        if let partial {
            try writeAtomically(String(decoding: try merged.encoded(), as: UTF8.self), to: partial)
        }
        let names = merged.shards.map(\.data.name)
        let data = dataName ?? (names.count == 1 ? names[0] : "\(names.count) shards (\(names.joined(separator: ", ")))")
        var analysis = try merged.analysis(spec: loaded.spec, data: data, breakdowns: by, confidence: confidence)
        analysis.provenance = merged.provenance(spec: try .init(path: spec), source: source, formats: [format.rawValue], breakdowns: by)
        try output(try renderAnalysis(analysis, as: format))
    }
}
