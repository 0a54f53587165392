import ArgumentParser
import Foundation
import WAIIO
import WAIModel
import WAIStats

/// A survey directory as the commands find it: `survey.yaml` and the data file it names.
struct SurveyDirectory {
    static let reference = "Surveys/chapter11"

    var path: String
    var loaded: LoadedSpec

    /// The directory's name, used for its report directory (`Reports/<name>`).
    var name: String { (path as NSString).lastPathComponent }

    init(_ path: String) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw InputError("no such survey directory", at: SourceLocation(file: path),
                             expected: "a directory holding survey.yaml and its responses CSV (run from the repository root for the default \(Self.reference))")
        }
        let specPath = (path as NSString).appendingPathComponent("survey.yaml")
        guard FileManager.default.fileExists(atPath: specPath) else {
            throw InputError("the survey directory has no survey.yaml", at: SourceLocation(file: specPath),
                             expected: "a spec file named survey.yaml (format: Surveys/SPEC.md)")
        }
        self.path = path
        loaded = try SurveyLoader.loadSpec(path: specPath)
    }

    /// The responses file the spec names.
    var dataPath: String {
        get throws {
            guard let dataPath = loaded.dataPath else {
                throw InputError("the spec names no responses file", at: SourceLocation(file: loaded.path, keyPath: "data"),
                                 expected: "`data: responses.csv` (a path relative to the spec)")
            }
            return dataPath
        }
    }

    /// SHA-256 digests of the spec and the responses file.
    func digests() throws -> (spec: Provenance.FileDigest, data: Provenance.FileDigest) {
        (try .init(path: loaded.path), try .init(path: try dataPath))
    }

    /// The analysis, with its provenance (`formats`: what the report is written as; `digests`
    /// when the caller has already hashed the inputs).
    func analyze(options: ReadOptions, aggregation: AggregationPath, inference: InferenceOptions, breakdowns: [String]? = nil,
                 formats: [String] = [], digests known: (spec: Provenance.FileDigest, data: Provenance.FileDigest)? = nil) throws -> SurveyAnalysis {
        let dataPath = try self.dataPath
        let run = {
            try Analyzer.run(
                spec: loaded.spec, csvPath: dataPath, displayName: dataPath, specName: loaded.path,
                options: options, path: aggregation, breakdowns: breakdowns, inference: inference,
                pipeline: PipelineOptions(environment: ProcessInfo.processInfo.environment))
        }
        let taken: Analyzer.Run
        let digests: (spec: Provenance.FileDigest, data: Provenance.FileDigest)
        if let known {
            (taken, digests) = (try run(), known)
        } else {
            let data: Provenance.FileDigest
            (taken, data) = try Provenance.FileDigest.hashing(path: dataPath, during: run)
            digests = (try .init(path: loaded.path), data)
        }
        var analysis = taken.analysis
        try analysis.checkResponses(weightColumn: loaded.spec.weight)
        analysis.provenance = Provenance(
            spec: digests.spec, data: [digests.data],
            options: .init(lenient: options.lenient, aggregation: taken.aggregation.rawValue, formats: formats, breakdowns: breakdowns),
            rows: .init(analysis.quality))
        return analysis
    }
}

/// Options shared by the commands that read responses.
struct ReadingOptions: ParsableArguments {
    @Flag(help: "Count unknown answers as missing (listed in the data-quality section) and reject malformed rows, instead of stopping at the first.")
    var lenient = false

    @Option(help: ArgumentHelp("How the sequential reader sums answers: blas (one OpenBLAS GEMM per chunk) or loops. Files with 4 MiB of data or more go through the parallel pipeline, which counts levels with loops (faster there) and keeps BLAS for cross-products and replicates; the numbers are the same.", valueName: "path"))
    var aggregation: AggregationPath = .blas

    @Option(help: ArgumentHelp("Bootstrap replicates for band certainty and percentile intervals; 0 turns the bootstrap off (faster on large files).", valueName: "n"))
    var replicates = 1000

    @Option(help: ArgumentHelp("Seed of the bootstrap replicates: the same seed gives the same numbers.", valueName: "n"))
    var seed: UInt64 = 20240601

    @Option(help: ArgumentHelp("Coverage of confidence intervals, between 0 and 1.", valueName: "level"))
    var confidence = 0.95

    var readOptions: ReadOptions { ReadOptions(lenient: lenient) }
    @Flag(inversion: .prefixedNo, help: "Aggregate the items' cross-products for composite intervals and Cronbach's alpha. --no-covariances skips them: the main cost on files of millions of rows; item intervals stay, composites get no interval.")
    var covariances = true

    var inference: InferenceOptions { InferenceOptions(confidence: confidence, replicates: replicates, seed: seed, covariances: covariances) }

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
