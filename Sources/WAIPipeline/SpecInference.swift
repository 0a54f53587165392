import Foundation
import WAIEstimate
import WAIModel
import WAIRead

/// `wai init` as a library call: a responses file recognised, its spec inferred and written as
/// `survey.yaml` with comments saying what was assumed (`wai init` and `wai serve` both go
/// through `run()`).
public struct InitRequest: Sendable {
    /// The responses file.
    public var data: String
    /// How it is recognised (platform, encoding, sheet); the encoding is guessed when not named.
    public var format: InputFormat
    /// Answer codes and their labels (`--codebook`).
    public var codebook: Codebook?
    /// The spec's title (default: the file's name).
    public var title: String?
    /// Leave malformed rows out of the inference instead of stopping at the first.
    public var lenient: Bool
    /// The command line written in the spec's first comment.
    public var command: String

    public init(data: String, format: InputFormat = InputFormat(), codebook: Codebook? = nil, title: String? = nil,
                lenient: Bool = false, command: String? = nil) {
        (self.data, self.format, self.codebook, self.title, self.lenient) = (data, format, codebook, title, lenient)
        self.command = command ?? "wai init \(data)"
    }

    /// Recognises the file and infers its spec (no YAML, no analysis).
    public func infer() throws -> InferredSurvey {
        var options = ReadOptions(lenient: lenient)
        options.format = format
        options.format.guessEncoding = true   // no spec: everything is read off the file
        let prepared = try PreparedInput.prepare(csvPath: data, options: options)
        defer { prepared.discard() }
        do {
            return try LikertInference.infer(prepared, codebook: codebook, title: title)
        } catch {
            throw prepared.relocate(error)
        }
    }

    /// The inferred spec written as YAML, checked to load as written. Items that correlate
    /// negatively with the rest of their table get a commented `reverse: true` (from an analysis
    /// of the data as the spec reads it; none when a column asked for as an item has an order wai
    /// cannot tell, or the data do not read without `lenient`).
    public func run() throws -> InitResult {
        let inferred = try infer()
        var spec = inferred.spec
        spec.source = inferred.layout.source
        var options = ReadOptions()
        options.format = format
        options.lenient = lenient
        let analysis = !inferred.ambiguous.contains(where: \.asked)
            ? try? Analyzer.analyze(spec: spec, csvPath: data, specName: "the inferred spec", options: options, inference: InferenceOptions(replicates: 0))
            : nil
        var reverseWorded: [String: Double] = [:]
        for table in analysis?.tables ?? [] {
            for statistic in table.reliability?.items ?? [] { if let r = statistic.itemTotal, r <= -0.005 { reverseWorded[statistic.id] = r } }
        }
        let yaml = SpecWriter.yaml(inferred, command: command, reverseWorded: reverseWorded)
        // The spec must load as written: a failure here is wai's bug, not the user's.
        let reloaded = try YAMLDocument.decode(SurveySpec.self, yaml: yaml, name: "the written spec")
        try reloaded.validate(file: "the written spec")
        return InitResult(inferred: inferred, yaml: yaml, quality: analysis?.quality)
    }
}

/// What `InitRequest.run()` gives: the inference, its YAML and the data quality of the trial analysis.
public struct InitResult: Sendable {
    public var inferred: InferredSurvey
    /// `survey.yaml` as `wai init` prints it.
    public var yaml: String
    /// The warnings of the analysis of the data through the inferred spec (nil when none was run).
    public var quality: DataQuality?

    /// One line saying what was inferred, as `wai init` prints it on standard error.
    public var summary: String {
        let items = inferred.spec.tables.reduce(0) { $0 + $1.items.count }
        let tables = inferred.spec.tables.count
        var summary = "inferred \(items) item\(items == 1 ? "" : "s") in \(tables) table\(tables == 1 ? "" : "s"), \(inferred.otherScales.isEmpty ? "scale: \(inferred.vocabulary.name)" : "scales: \(inferred.vocabulary.name) (the default), " + inferred.otherScales.map(\.vocabulary).joined(separator: ", ")); the comments say what was assumed"
        if !inferred.ambiguous.isEmpty {
            summary += "; \(inferred.ambiguous.count) column\(inferred.ambiguous.count == 1 ? "" : "s") left for you to order: \(inferred.ambiguous.map { Quoted($0.column).description }.joined(separator: ", "))"
            let tabulated = inferred.ambiguous.filter { $0.tabulated != nil }.count
            if tabulated > 0 {
                let which = tabulated == inferred.ambiguous.count ? (tabulated == 1 ? "" : "all ") : "\(tabulated) of them "
                summary += " (\(which)tabulated as \(tabulated == 1 ? "a demographic" : "demographics") meanwhile)"
            }
        }
        if let weight = inferred.weightCandidate {
            summary += "; \(Quoted(weight.column)) looks like a survey weight: uncomment its `weight:` line to use it"
        }
        return summary
    }

    /// The `--lenient:` note of the inference, if any (rows it left out).
    public var lenientNote: String? { inferred.assumptions.first(where: { $0.hasPrefix("--lenient:") }) }
}
