import ArgumentParser
import Foundation
import WAIKit

/// Options shared by the commands that read responses.
struct ReadingOptions: ParsableArguments {
    @Flag(help: "Count unknown answers as missing (listed in the data-quality section) and reject malformed rows, instead of stopping at the first.")
    var lenient = false

    @Option(help: ArgumentHelp("How level counts are summed: loops (the fastest on one-hot answers) or blas (one OpenBLAS GEMM per chunk); cross-products are always BLAS, and the numbers are the same.", valueName: "path"))
    var aggregation: AggregationPath = .loops

    @Option(help: ArgumentHelp("Bootstrap replicates for band certainty and percentile intervals; 0 turns the bootstrap off (faster on large files).", valueName: "n"))
    var replicates = 1000

    @Option(help: ArgumentHelp("Seed of the bootstrap replicates: the same seed gives the same numbers.", valueName: "n"))
    var seed: UInt64 = 20240601

    @Option(help: ArgumentHelp("Coverage of confidence intervals, between 0 and 1.", valueName: "level"))
    var confidence = 0.95

    var readOptions: ReadOptions { ReadOptions(lenient: lenient) }
    @Flag(inversion: .prefixedNo, help: "Aggregate the items' cross-products for composite intervals and Cronbach's alpha. --no-covariances skips them: the main cost on files of millions of rows; item intervals stay, composites get no interval.")
    var covariances = true

    @Option(help: ArgumentHelp("Tied answers in weighted and design-based rank tests: file-order (R's svyranktest, which depends on the order of tied rows when their weights differ) or midpoint (the same in any row order, as counts tables and SQL give).", valueName: "rule"))
    var rankTies: InferenceOptions.RankTies = .fileOrder

    var inference: InferenceOptions {
        InferenceOptions(confidence: confidence, replicates: replicates, seed: seed, covariances: covariances, rankTies: rankTies)
    }

    func validate() throws {
        guard replicates >= 0, replicates <= 100_000 else {
            throw ValidationError("--replicates must be between 0 and 100000 (e.g. --replicates 1000, or 0 for none)")
        }
        guard confidence > 0, confidence < 1 else {
            throw ValidationError("--confidence must be between 0 and 1 (e.g. --confidence 0.9)")
        }
    }
}

extension AggregationPath: ExpressibleByArgument {}
extension InferenceOptions.RankTies: ExpressibleByArgument {}

extension PipelineOptions {
    /// The command line's execution options: the defaults, changed by this process's `WAI_*` variables.
    static var fromEnvironment: PipelineOptions { PipelineOptions(environment: ProcessInfo.processInfo.environment) }
}
