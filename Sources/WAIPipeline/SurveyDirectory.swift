import Foundation
import WAIAggregate
import WAIEstimate
import WAIModel
import WAIRead

/// A survey directory as the commands find it: `survey.yaml` and the data file it names.
public struct SurveyDirectory {
    public static let reference = "Surveys/chapter11"

    public var path: String
    public var loaded: LoadedSpec

    /// The directory's name, used for its report directory (`Reports/<name>`).
    public var name: String { (path as NSString).lastPathComponent }

    public init(_ path: String) throws {
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
    public var dataPath: String {
        get throws {
            guard let dataPath = loaded.dataPath else {
                throw InputError("the spec names no responses file", at: SourceLocation(file: loaded.path, keyPath: "data"),
                                 expected: "`data: responses.csv` (a path relative to the spec)")
            }
            return dataPath
        }
    }

    /// SHA-256 digests of the spec and the responses file.
    public func digests() throws -> (spec: Provenance.FileDigest, data: Provenance.FileDigest) {
        (try .init(path: loaded.path), try .init(path: try dataPath))
    }

    /// The analysis, with its provenance (`formats`: what the report is written as; `digests`
    /// when the caller has already hashed the inputs).
    public func analyze(options: ReadOptions, aggregation: AggregationPath, inference: InferenceOptions, breakdowns: [String]? = nil,
                        formats: [String] = [], digests known: (spec: Provenance.FileDigest, data: Provenance.FileDigest)? = nil,
                        pipeline: PipelineOptions = PipelineOptions()) throws -> SurveyAnalysis {
        try AnalysisRequest(data: try dataPath, spec: .loaded(loaded), options: options, aggregation: aggregation,
                            inference: inference, breakdowns: breakdowns, formats: formats, pipeline: pipeline,
                            knownDigests: known).run()
    }
}
