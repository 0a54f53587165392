import WAIAggregate
import WAIEstimate
import WAIModel
import WAIRead

/// One analysis of a responses file, as every command and script asks for it: the one way from
/// a file and a spec to a checked analysis with its provenance (`wai analyze`, `wai report`,
/// `wai verify`, `wai trend`, `wai batch` and `wai serve` all go through `run()`).
public struct AnalysisRequest: Sendable {
    /// Where the spec comes from.
    public enum Spec: Sendable {
        /// Read from a file (its bytes are the provenance's spec digest).
        case loaded(LoadedSpec)
        /// Inferred from the responses; `yaml` is the spec as `wai init` would write it (its
        /// digest stands for the spec in the provenance).
        case inferred(SurveySpec, yaml: String)
    }

    public var data: String
    /// How messages and the report name the data file (default: `data` as given).
    public var displayName: String? = nil
    public var spec: Spec
    public var options: ReadOptions
    public var aggregation: AggregationPath
    public var inference: InferenceOptions
    /// Demographic columns to break down by; nil: every one of the spec.
    public var breakdowns: [String]?
    /// What the report is written or printed as (recorded in the provenance).
    public var formats: [String]
    public var pipeline: PipelineOptions
    /// Warnings found before the analysis (columns the inference left out), reported with its own.
    public var earlierWarnings: [DataQuality.Warning]
    /// Digests already computed by the caller (a batch hashes its inputs to decide whether to run).
    public var knownDigests: (spec: Provenance.FileDigest, data: Provenance.FileDigest)?

    public init(data: String, spec: Spec, options: ReadOptions = ReadOptions(), aggregation: AggregationPath = .blas,
                inference: InferenceOptions = InferenceOptions(), breakdowns: [String]? = nil, formats: [String] = [],
                pipeline: PipelineOptions = PipelineOptions(), earlierWarnings: [DataQuality.Warning] = [],
                knownDigests: (spec: Provenance.FileDigest, data: Provenance.FileDigest)? = nil) {
        (self.data, self.spec, self.options, self.aggregation, self.inference) = (data, spec, options, aggregation, inference)
        (self.breakdowns, self.formats, self.pipeline) = (breakdowns, formats, pipeline)
        (self.earlierWarnings, self.knownDigests) = (earlierWarnings, knownDigests)
    }

    var surveySpec: SurveySpec {
        switch spec {
        case .loaded(let loaded): loaded.spec
        case .inferred(let spec, _): spec
        }
    }

    var specName: String {
        switch spec {
        case .loaded(let loaded): loaded.path
        case .inferred: "the inferred spec"
        }
    }

    func specDigest() throws -> Provenance.FileDigest {
        switch spec {
        case .loaded(let loaded): return try Provenance.FileDigest(path: loaded.path)
        case .inferred(_, let yaml):
            let bytes = Array(yaml.utf8)
            return Provenance.FileDigest(name: "(inferred) survey.yaml", sha256: SHA256.hex(bytes), bytes: bytes.count)
        }
    }

    /// Reads, aggregates and estimates; refuses a file of no responses (or weights all 0); the
    /// provenance says which inputs, options and aggregation made it.
    public func run() throws -> SurveyAnalysis {
        let spec = surveySpec
        let analyse = {
            try Analyzer.run(spec: spec, csvPath: data, displayName: displayName ?? data, specName: specName, options: options,
                             path: aggregation, breakdowns: breakdowns, inference: inference, pipeline: pipeline)
        }
        let taken: Analyzer.Run
        let digests: (spec: Provenance.FileDigest, data: Provenance.FileDigest)
        if let knownDigests {
            (taken, digests) = (try analyse(), knownDigests)
        } else {
            let dataDigest: Provenance.FileDigest
            (taken, dataDigest) = try Provenance.FileDigest.hashing(path: data, during: analyse)
            digests = (try specDigest(), dataDigest)
        }
        var analysis = taken.analysis
        try analysis.checkResponses(weightColumn: spec.weight)
        let warnings = earlierWarnings + (analysis.quality.warnings ?? [])
        analysis.quality.warnings = warnings.isEmpty ? nil : warnings
        analysis.provenance = Provenance(
            spec: digests.spec, data: [digests.data],
            options: .init(lenient: options.lenient, aggregation: taken.aggregation.rawValue, formats: formats, breakdowns: breakdowns),
            rows: .init(analysis.quality))
        return analysis
    }
}
