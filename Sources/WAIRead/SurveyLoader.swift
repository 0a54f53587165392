import Foundation
import WAIModel

/// A spec read from disk, with the directory its relative paths are resolved against.
public struct LoadedSpec: Sendable {
    /// The spec, decoded and validated.
    public var spec: SurveySpec
    /// The path the spec was read from, as given.
    public var path: String
    /// The spec's directory ("." for a bare file name): relative paths in the spec start there.
    public var directory: String

    /// The responses file the spec names, resolved against the spec's directory.
    public var dataPath: String? {
        guard let data = spec.data else { return nil }
        return data.hasPrefix("/") ? data : (directory as NSString).appendingPathComponent(data)
    }
}

/// Loads survey specs: the entry point of a script.
///
///     let loaded = try SurveyLoader.loadSpec(path: "Surveys/chapter11/survey.yaml")
///     let analysis = try Analyzer.analyze(spec: loaded.spec, csvPath: loaded.dataPath!)
///     try ReportWriter().write(analysis, to: "Reports/chapter11")
///
/// Every problem in the file is an `InputError` located at its line, column and key path.
public enum SurveyLoader {
    /// Reads and validates `survey.yaml` (or any spec file).
    public static func loadSpec(path: String) throws -> LoadedSpec {
        let spec = try YAMLDocument.decode(SurveySpec.self, path: path)
        do {
            try spec.validate(file: path)
        } catch var error as InputError {
            error.location = locate(error.location, in: path)
            throw error
        }
        let directory = (path as NSString).deletingLastPathComponent
        return LoadedSpec(spec: spec, path: path, directory: directory.isEmpty ? "." : directory)
    }

    /// Adds the line:column of a key path to a location in a YAML file, when the path resolves.
    static func locate(_ location: SourceLocation, in path: String) -> SourceLocation {
        guard let keyPath = location.keyPath,
              let text = try? String(contentsOfFile: path, encoding: .utf8),
              let mark = YAMLDocument.mark(of: keyPath, in: text)
        else { return location }
        var located = location
        located.line = mark.line
        located.column = mark.column
        return located
    }
}
