import Foundation
import Yams
import WAIModel

/// A YAML file decoded into a value, with every failure reported as an `InputError`
/// at the file's line:column and the key path of the offending node.
public enum YAMLDocument {
    public static func decode<T: Decodable>(_ type: T.Type, path: String, displayName: String? = nil) throws -> T {
        let name = displayName ?? path
        guard let data = FileManager.default.contents(atPath: path) else {
            throw InputError("cannot read file", at: SourceLocation(file: name), expected: "a readable YAML file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw InputError("invalid UTF-8", at: SourceLocation(file: name), expected: "a YAML file saved as UTF-8")
        }
        return try decode(type, yaml: text, name: name)
    }

    public static func decode<T: Decodable>(_ type: T.Type, yaml: String, name: String) throws -> T {
        let node: Node
        do {
            guard let composed = try Yams.compose(yaml: yaml) else {
                throw InputError("empty document", at: SourceLocation(file: name), expected: "a YAML mapping")
            }
            node = composed
        } catch let error as YamlError {
            throw inputError(from: error, name: name)
        }
        do {
            return try YAMLDecoder().decode(type, from: node)
        } catch let error as DecodingError {
            throw inputError(from: error, root: node, name: name)
        } catch let error as YamlError {
            throw inputError(from: error, name: name)
        }
    }

    static func inputError(from error: YamlError, name: String) -> InputError {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _),
             .composer(_, let problem, let mark, _):
            return InputError("YAML syntax: \(problem)", at: SourceLocation(file: name, line: mark.line, column: mark.column))
        case .duplicatedKeysInMapping(let duplicates, let context):
            return InputError(
                "duplicate key", at: SourceLocation(file: name, line: context.mark.line, column: context.mark.column),
                found: duplicates.joined(separator: ", "), expected: "each key once in a mapping")
        default:
            return InputError("YAML: \(error)", at: SourceLocation(file: name))
        }
    }

    static func inputError(from error: DecodingError, root: Node, name: String) -> InputError {
        func location(_ path: [any CodingKey]) -> SourceLocation {
            let mark = deepestNode(root, path)?.mark
            return SourceLocation(file: name, line: mark?.line, column: mark?.column, keyPath: keyPath(path))
        }
        func foundText(_ path: [any CodingKey]) -> String? {
            guard let node = deepestNode(root, path, exact: true) else { return nil }
            switch node {
            case .scalar(let scalar): return scalar.string
            case .mapping: return "a mapping"
            case .sequence: return "a list"
            case .alias: return "an alias"
            }
        }
        switch error {
        case .keyNotFound(let key, let context):
            return InputError(
                "missing key \(Quoted(key.stringValue))", at: location(context.codingPath),
                expected: "`\(key.stringValue):` here")
        case .typeMismatch(let type, let context):
            return InputError(
                "wrong kind of value", at: location(context.codingPath),
                found: foundText(context.codingPath), expected: describe(type))
        case .valueNotFound(let type, let context):
            return InputError(
                "missing value", at: location(context.codingPath), expected: describe(type))
        case .dataCorrupted(let context):
            var place = location(context.codingPath)
            if context.debugDescription.hasPrefix("unknown key"), let key = keyNode(root, context.codingPath)?.mark {
                place.line = key.line
                place.column = key.column
            }
            return InputError(context.debugDescription, at: place)
        @unknown default:
            return InputError("\(error)", at: SourceLocation(file: name))
        }
    }

    /// `tables[0].items[2].column`
    public static func keyPath(_ path: [any CodingKey]) -> String {
        var text = ""
        for key in path {
            if let index = key.intValue {
                text += "[\(index)]"
            } else {
                text += text.isEmpty ? key.stringValue : ".\(key.stringValue)"
            }
        }
        return text
    }

    /// The node at `path`, or (unless `exact`) the deepest existing node on the way to it.
    static func deepestNode(_ root: Node, _ path: [any CodingKey], exact: Bool = false) -> Node? {
        var node = root
        for key in path {
            var next: Node?
            if let index = key.intValue, let sequence = node.sequence, index < sequence.count {
                next = sequence[index]
            } else if let mapping = node.mapping {
                next = mapping[key.stringValue]
            }
            guard let found = next else { return exact ? nil : node }
            node = found
        }
        return node
    }

    /// The key (not the value) named by the last component of `path`.
    static func keyNode(_ root: Node, _ path: [any CodingKey]) -> Node? {
        guard let last = path.last, let parent = deepestNode(root, Array(path.dropLast()), exact: true),
              let mapping = parent.mapping else { return nil }
        return mapping.first { $0.key.string == last.stringValue }?.key
    }

    static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: return "a string"
        case is Int.Type: return "a whole number"
        case is Double.Type: return "a number"
        case is Bool.Type: return "true or false"
        case is Node.Scalar.Type: return "a single value (text or a number), not a list or a mapping"
        case is Node.Sequence.Type: return "a list (lines starting with `- `, or [a, b])"
        case is Node.Mapping.Type: return "a mapping of keys to values (`key: value` lines, or {key: value})"
        default:
            let name = String(describing: type)
            if name.hasPrefix("Array") { return "a list (lines starting with `- `, or [a, b])" }
            return "a mapping of keys to values (`key: value` lines, or {key: value})"
        }
    }
}

extension YAMLDocument {
    /// Line and column of the node at a key path such as `tables[0].items[2].column`.
    public static func mark(of keyPath: String, in yaml: String) -> (line: Int, column: Int)? {
        guard let root = try? Yams.compose(yaml: yaml) else { return nil }
        var keys: [any CodingKey] = []
        for part in keyPath.split(separator: ".") {
            var rest = Substring(part)
            if let bracket = rest.firstIndex(of: "[") {
                if bracket > rest.startIndex { keys.append(PathKey(String(rest[..<bracket]))) }
                rest = rest[bracket...]
                while rest.hasPrefix("["), let close = rest.firstIndex(of: "]") {
                    guard let index = Int(rest[rest.index(after: rest.startIndex)..<close]) else { return nil }
                    keys.append(PathKey(index))
                    rest = rest[rest.index(after: close)...]
                }
            } else {
                keys.append(PathKey(String(rest)))
            }
        }
        guard let mark = deepestNode(root, keys)?.mark else { return nil }
        return (mark.line, mark.column)
    }
}

struct PathKey: CodingKey {
    var stringValue: String
    var intValue: Int?
    init(_ string: String) { stringValue = string; intValue = nil }
    init(_ int: Int) { stringValue = "\(int)"; intValue = int }
    init?(stringValue: String) { self.init(stringValue) }
    init?(intValue: Int) { self.init(intValue) }
}
