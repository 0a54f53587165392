import Dispatch
import Foundation
import Synchronization
import WAIEstimate
import WAIAggregate
import WAIModel
import WAIRead
import WAIReport

/// A batch run's settings: everything a worker needs, all values.
public struct BatchJob: Sendable {
    public struct Found: Sendable, Hashable {
        public var name: String
        public var path: String
    }

    /// The state kept between runs: per survey, the key of its inputs and the report files written.
    struct State: Codable {
        struct Entry: Codable {
            var inputs: String
            var files: [String]
            var summary: BatchSummary.Survey
        }
        static let format = "wai.batch-state/1"
        var format = State.format
        var surveys: [String: Entry] = [:]
    }

    public var out: String
    public var formats: [ReportFormat]
    public var force: Bool
    public var readOptions: ReadOptions
    public var aggregation: AggregationPath
    public var inference: InferenceOptions
    public var pipeline: PipelineOptions

    public init(out: String, formats: [ReportFormat], force: Bool, readOptions: ReadOptions, aggregation: AggregationPath,
                inference: InferenceOptions, pipeline: PipelineOptions = PipelineOptions()) {
        (self.out, self.formats, self.force, self.readOptions) = (out, formats, force, readOptions)
        (self.aggregation, self.inference, self.pipeline) = (aggregation, inference, pipeline)
    }

    var statePath: String { (out as NSString).appendingPathComponent(".wai-batch-state.json") }

    /// Every survey directory under `paths`, in path order then name order; a directory holding
    /// survey.yaml is a survey and is not searched further. Two surveys of one name are refused:
    /// their reports would overwrite each other.
    public static func discover(_ paths: [String]) throws -> [Found] {
        let manager = FileManager.default
        var found: [Found] = []
        var seen: Set<String> = []
        func isSurvey(_ directory: String) -> Bool { manager.fileExists(atPath: (directory as NSString).appendingPathComponent("survey.yaml")) }
        func visit(_ directory: String) {
            if isSurvey(directory) {
                let standard = (directory as NSString).standardizingPath
                if seen.insert(standard).inserted {
                    found.append(Found(name: (standard as NSString).lastPathComponent, path: directory))
                }
                return
            }
            let children = ((try? manager.contentsOfDirectory(atPath: directory)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
            for child in children {
                let path = (directory as NSString).appendingPathComponent(child)
                var isDirectory: ObjCBool = false
                if manager.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue { visit(path) }
            }
        }
        for path in paths {
            var isDirectory: ObjCBool = false
            guard manager.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw InputError("no such directory", at: SourceLocation(file: path), expected: "a survey directory, or a directory to search for survey.yaml files")
            }
            let before = found.count
            visit(path)
            if found.count == before, !isSurvey(path) {
                throw InputError("no survey directory here", at: SourceLocation(file: path), expected: "directories holding a survey.yaml (format: Surveys/SPEC.md)")
            }
        }
        var byName: [String: String] = [:]
        for survey in found {
            if let other = byName[survey.name] {
                throw InputError("two surveys are named \(Quoted(survey.name)): their reports would overwrite each other", at: SourceLocation(file: survey.path),
                                 found: "\(other) and \(survey.path)", expected: "survey directories with distinct names (or separate runs with different --out)")
            }
            byName[survey.name] = survey.path
        }
        return found
    }

    /// The key of a survey's inputs: spec and data bytes (by their SHA-256), the engine and every
    /// option that changes a report.
    func inputsKey(spec: Provenance.FileDigest, data: Provenance.FileDigest) -> String {
        let options = [
            "wai-batch/1", Engine.name, "lenient=\(readOptions.lenient)", "aggregation=\(aggregation.rawValue)",
            "replicates=\(inference.replicates)", "seed=\(inference.seed)", "confidence=\(inference.confidence)",
            "formats=\(formats.map(\.rawValue).joined(separator: ","))", "spec=\(spec.sha256)", "data=\(data.sha256)",
        ] + (inference.covariances ? [] : ["covariances=false"])
        return SHA256.hex(Array(options.joined(separator: "\n").utf8))
    }

    /// One survey: skipped when its key and report files are those of the last run, else analysed and written.
    func process(_ survey: Found, previous: State.Entry?) -> (BatchSummary.Survey, State.Entry?) {
        do {
            let directory = try SurveyDirectory(survey.path)
            let digests = try directory.digests()
            let key = inputsKey(spec: digests.spec, data: digests.data)
            if !force, let previous, previous.inputs == key,
               previous.files.allSatisfy({ FileManager.default.fileExists(atPath: $0) }) {
                var summary = previous.summary
                summary.status = .skipped
                summary.path = survey.path
                return (summary, previous)
            }
            let analysis = try directory.analyze(options: readOptions, aggregation: aggregation, inference: inference,
                                                 formats: formats.map(\.rawValue), digests: digests, pipeline: pipeline)
            let target = (out as NSString).appendingPathComponent(survey.name)
            let files = try ReportWriter(formats: Set(formats)).write(analysis, to: target)
            let summary = BatchSummary.Survey(survey: survey.name, path: survey.path, status: .ok, inputs: key, analysis: analysis)
            return (summary, State.Entry(inputs: key, files: files, summary: summary))
        } catch {
            let message = (error as? InputError)?.description ?? "\(error)"
            return (BatchSummary.Survey(survey: survey.name, path: survey.path, status: .failed, error: message), nil)
        }
    }

    /// Runs every survey with at most `jobs` at once, then writes the summary and the state;
    /// `progress` is called (from the workers) as each survey ends.
    public func run(_ surveys: [Found], jobs: Int, progress: @Sendable (BatchSummary.Survey) -> Void = { _ in }) throws -> BatchSummary {
        let previous = loadState()
        let results = ResultSlots<(BatchSummary.Survey, State.Entry?)>(count: surveys.count)
        let next = ResultSlots<Int>(count: 0)
        DispatchQueue.concurrentPerform(iterations: min(jobs, max(1, surveys.count))) { _ in
            while let index = next.claim(below: surveys.count) {
                let result = process(surveys[index], previous: previous.surveys[surveys[index].name])
                results.set(index, result)
                progress(result.0)
            }
        }
        let outcomes = results.values.map { $0! }
        // Surveys of earlier runs into the same directory that this run did not visit keep their entries.
        var state = previous
        for (summary, entry) in outcomes { state.surveys[summary.survey] = entry }
        let summary = BatchSummary(surveys: outcomes.map(\.0))
        do {
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        } catch {
            throw InputError("cannot create the output directory", at: SourceLocation(file: out), found: error.localizedDescription)
        }
        try writeAtomically(try summary.json(), to: (out as NSString).appendingPathComponent("summary.json"))
        try writeAtomically(summary.csv(), to: (out as NSString).appendingPathComponent("summary.csv"))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try writeAtomically(String(decoding: try encoder.encode(state), as: UTF8.self) + "\n", to: statePath)
        return summary
    }

    /// The last run's state; none (everything is analysed) when absent, unreadable or of another format.
    func loadState() -> State {
        guard let data = FileManager.default.contents(atPath: statePath),
              let state = try? JSONDecoder().decode(State.self, from: data), state.format == State.format else { return State() }
        return state
    }
}

/// Slots filled by concurrent workers, and a shared counter to claim work from.
final class ResultSlots<Value: Sendable>: Sendable {
    private struct State {
        var slots: [Value?]
        var claimed = 0
    }
    private let state: Mutex<State>

    init(count: Int) { state = Mutex(State(slots: Array(repeating: nil, count: count))) }

    func set(_ index: Int, _ value: Value) { state.withLock { $0.slots[index] = value } }
    var values: [Value?] { state.withLock { $0.slots } }

    /// The next unclaimed index below `limit`, or nil when all are taken.
    func claim(below limit: Int) -> Int? {
        state.withLock {
            guard $0.claimed < limit else { return nil }
            $0.claimed += 1
            return $0.claimed - 1
        }
    }
}
