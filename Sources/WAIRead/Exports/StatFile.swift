import CReadStat
import Foundation
import WAIModel

/// SPSS (.sav, .zsav) and Stata (.dta) files, read through ReadStat into a temporary UTF-8 CSV
/// that the rest of wai reads like any export.
///
/// Each case becomes a row (line n + 1 of the copy is case n: messages name the case by that
/// line); each variable a column named as in the file, with its variable label as the question's
/// wording. A value with a value label is written as the label (like a "choice text" export);
/// system-missing, Stata's tagged missing (.a–.z) and SPSS's user-missing values are written
/// empty, so they are missing. Value-label sets of three or more labels shared by two or more
/// variables (a battery) become an implicit codebook: their items are on that scale, its levels
/// ordered by value, labelled as in the file, with the values as aliases.
public enum StatFile {
    public enum Kind: String, Sendable {
        case spss = "SPSS .sav"
        case stata = "Stata .dta"
    }

    public struct Conversion: Sendable {
        public var csvPath: String
        public var kind: Kind
        /// Variable name → variable label (the question's wording), when it has one.
        public var variableLabels: [String: String]
        public var codebook: Codebook?
        public var cases: Int
        /// The variables, in file order: the CSV copy's columns.
        public var variables: [String] = []
    }

    /// This error, when located in the CSV copy at `csvPath` of a file shown as `name`, located
    /// at its case and variable instead (a text value with a line break takes two lines of the
    /// copy, so its lines are not the cases).
    static func relocate(_ error: any Error, csvPath: String, name: String, variables: [String]) -> any Error {
        guard var input = error as? InputError, input.location.file == name, input.location.cell == nil,
              let line = input.location.line else { return error }
        if let (record, field) = Workbook.recordAndField(path: csvPath, line: line, column: input.location.column ?? 1) {
            let variable = field < variables.count ? ", variable \(variables[field])" : ""
            input.location = SourceLocation(file: name, cell: record == 0 ? "the variable names" : "case \(record)\(variable)",
                                            keyPath: input.location.keyPath)
        }
        return input
    }

    /// "case n" for each rejected line of the CSV copy at `csvPath` (its record n).
    static func relocate(_ quality: DataQuality, csvPath: String) -> DataQuality {
        var quality = quality
        let records = Workbook.records(path: csvPath, lines: Set(quality.rejections.map(\.line)))
        for r in quality.rejections.indices {
            guard let record = records[quality.rejections[r].line], record > 0 else { continue }
            quality.rejections[r].record = "case \(record)"
        }
        return quality
    }

    /// The kind of statistical file these first bytes start, if any.
    public static func kind(head: [UInt8], path: String) -> Kind? {
        let ext = (path as NSString).pathExtension.lowercased()
        if head.starts(with: Array("$FL2".utf8)) || head.starts(with: Array("$FL3".utf8)) { return .spss }
        if head.starts(with: Array("<stata_dta>".utf8)) { return .stata }
        // Stata 104–115 (formats without the XML-like header): the version, then the byte order.
        if ext == "dta", head.count >= 2, (0x66...0x73).contains(head[0]), head[1] == 1 || head[1] == 2 { return .stata }
        return nil
    }

    /// Converts `path` (shown as `name`) to a temporary CSV; the caller removes it.
    public static func convert(path: String, name: String, kind: Kind) throws -> Conversion {
        let context = Context()
        // Pass 1: variables and value labels (Stata stores the labels after the data).
        try parse(path: path, name: name, kind: kind, context: context, values: false)
        let target = Transcoder.temporaryPath(for: path)
        guard FileManager.default.createFile(atPath: target, contents: nil), let output = FileHandle(forWritingAtPath: target) else {
            throw InputError("cannot write a temporary file", at: SourceLocation(file: target), expected: "a writable temporary directory (TMPDIR)")
        }
        context.output = output
        var done = false
        defer {
            try? output.close()
            if !done { try? FileManager.default.removeItem(atPath: target) }
        }
        context.write(context.names.map(csvField).joined(separator: ",") + "\n")
        // Pass 2: the values, one row per case.
        try parse(path: path, name: name, kind: kind, context: context, values: true)
        context.flushRow()
        context.flush()
        if let failure = context.failure {
            throw InputError("cannot write a temporary file", at: SourceLocation(file: target), found: failure.localizedDescription,
                             expected: "room in the temporary directory (TMPDIR)")
        }
        done = true

        var labels: [String: String] = [:]
        for (i, name) in context.names.enumerated() where !context.variableLabels[i].isEmpty { labels[name] = context.variableLabels[i] }
        return Conversion(csvPath: target, kind: kind, variableLabels: labels, codebook: context.implicitCodebook(name: name, kind: kind), cases: context.cases,
                          variables: context.names)
    }

    // MARK: - ReadStat

    final class Context {
        var names: [String] = []
        var variableLabels: [String] = []
        var labelSets: [String?] = []
        /// Per variable, its user-missing ranges (SPSS): their labels are not levels.
        var missingRanges: [[ClosedRange<Double>]] = []
        /// Label set → (value as written in the CSV, numeric order, label).
        var valueLabels: [String: [(key: String, order: Double, label: String)]] = [:]
        var lookup: [String: [String: String]] = [:]
        var output: FileHandle?
        var buffer: [UInt8] = []
        var row: [String] = []
        var currentCase = -1
        var cases = 0

        func write(_ text: String) {
            buffer.append(contentsOf: text.utf8)
            if buffer.count >= 1 << 16 { flush() }
        }

        /// The first failed write (the parser's callbacks cannot throw); checked after each pass.
        var failure: Error?

        func flush() {
            if !buffer.isEmpty, failure == nil {
                do { try output?.write(contentsOf: buffer) } catch { failure = error }
            }
            buffer.removeAll(keepingCapacity: true)
        }

        func flushRow() {
            guard currentCase >= 0 else { return }
            write(row.map(csvField).joined(separator: ",") + "\n")
            cases += 1
            for i in row.indices { row[i] = "" }
        }

        /// Label sets of 3+ labels whose values and labels two or more variables share (under one
        /// set name or several identical ones, as pyreadstat and SPSS syntax often write them), as
        /// codebook entries, one per variable, all of one set on one named scale: named after the
        /// set when its variables share it by name in a Stata file (`agree5`), else after its
        /// labels (SPSS stores no names: ReadStat's `labels3` is its own count; identical copies
        /// under several names have no one name).
        func implicitCodebook(name: String, kind: Kind) -> Codebook? {
            func content(_ set: String) -> String {
                (valueLabels[set] ?? []).sorted { $0.order < $1.order }.map { "\($0.key)\u{1}\($0.label)" }.joined(separator: "\u{2}")
            }
            var users: [String: [Int]] = [:]
            var setNames: [String: [String]] = [:]
            for (i, set) in labelSets.enumerated() {
                guard let set, (valueLabels[set]?.count ?? 0) >= 3 else { continue }
                let key = content(set)
                users[key, default: []].append(i)
                if !(setNames[key] ?? []).contains(set) { setNames[key, default: []].append(set) }
            }
            var entries: [Codebook.Entry] = []
            for (i, set) in labelSets.enumerated() {
                guard let set, let labels = valueLabels[set], labels.count >= 3 else { continue }
                let key = content(set)
                guard (users[key]?.count ?? 0) >= 2 else { continue }
                // User-missing values and non-answers ("Don't know") are no levels; cells hold the labels.
                let ordered = labels.sorted { $0.order < $1.order }.filter { label in
                    !missingRanges[i].contains { $0.contains(label.order) } && !LikertInference.isMissing(label.label)
                }
                guard ordered.count >= 2 else { continue }
                let shared = kind == .stata && setNames[key]!.count == 1 ? setNames[key]![0] : nil
                let levels = ordered.map(\.label)
                let described = shared.map { Quoted($0).description } ?? "\(levels.first!) … \(levels.last!)"
                entries.append(Codebook.Entry(question: names[i], codes: levels, labels: levels, line: 1,
                                              scaleName: "value labels \(described) (\(ordered.count)-point)",
                                              scaleID: shared.flatMap { LikertInference.identifier($0, maxLength: 40) } ?? StatFile.scaleID(levels: levels)))
            }
            return entries.isEmpty ? nil : Codebook(name: "the value labels of \(name)", entries: entries)
        }
    }

    /// A scale's name from its labels: the known scale they are (`agreement_5-point`), else its
    /// lowest and highest labels (`not_at_all_content-entirely_content`).
    static func scaleID(levels: [String]) -> String? {
        if let known = Vocabulary.known.first(where: { vocabulary in
            let index = vocabulary.index
            return vocabulary.levelCount == levels.count && levels.enumerated().allSatisfy { index[Vocabulary.key($1)] == $0 }
        }) {
            return LikertInference.identifier(known.name, maxLength: 40)
        }
        func words(_ label: String) -> String? { LikertInference.identifier(label, maxLength: Int.max).map { String($0.prefix(24)).lowercased() } }
        guard let low = words(levels.first!), let high = words(levels.last!) else { return nil }
        return "\(low)-\(high)"
    }

    static func parse(path: String, name: String, kind: Kind, context: Context, values: Bool) throws {
        guard let parser = readstat_parser_init() else {
            throw InputError("cannot start ReadStat", at: SourceLocation(file: name), expected: "memory for a ReadStat parser")
        }
        defer { readstat_parser_free(parser) }
        if !values {
            readstat_set_variable_handler(parser) { index, variable, labelSet, ctx in
                let context = Unmanaged<Context>.fromOpaque(ctx!).takeUnretainedValue()
                let name = readstat_variable_get_name(variable).map { String(cString: $0) } ?? "v\(index + 1)"
                let label = readstat_variable_get_label(variable).map { String(cString: $0) } ?? ""
                context.names.append(name)
                context.variableLabels.append(label)
                context.labelSets.append(labelSet.map { String(cString: $0) })
                var ranges: [ClosedRange<Double>] = []
                for k in 0..<readstat_variable_get_missing_ranges_count(variable) {
                    let lo = readstat_double_value(readstat_variable_get_missing_range_lo(variable, k))
                    let hi = readstat_double_value(readstat_variable_get_missing_range_hi(variable, k))
                    if lo <= hi { ranges.append(lo...hi) }
                }
                context.missingRanges.append(ranges)
                return 0
            }
            readstat_set_value_label_handler(parser) { labelSet, value, label, ctx in
                let context = Unmanaged<Context>.fromOpaque(ctx!).takeUnretainedValue()
                guard let labelSet, let label else { return 0 }
                let set = String(cString: labelSet)
                let key = StatFile.text(of: value)
                let order = readstat_value_type_class(value) == READSTAT_TYPE_CLASS_STRING ? Double(context.valueLabels[set]?.count ?? 0) : readstat_double_value(value)
                context.valueLabels[set, default: []].append((key, order, String(cString: label)))
                context.lookup[set, default: [:]][key] = String(cString: label)
                return 0
            }
        } else {
            // ReadStat 1.1.8 hands SPSS value handlers a null variable unless a variable handler is set.
            readstat_set_variable_handler(parser) { _, _, _, _ in 0 }
            context.row = Array(repeating: "", count: context.names.count)
            readstat_set_value_handler(parser) { observation, variable, value, ctx in
                let context = Unmanaged<Context>.fromOpaque(ctx!).takeUnretainedValue()
                let index = Int(readstat_variable_get_index(variable))
                if Int(observation) != context.currentCase {
                    context.flushRow()
                    context.currentCase = Int(observation)
                }
                guard index < context.row.count else { return 0 }
                if readstat_value_is_missing(value, variable) != 0 {
                    context.row[index] = ""
                    return 0
                }
                let key = StatFile.text(of: value)
                if let set = context.labelSets[index], let label = context.lookup[set]?[key] {
                    context.row[index] = label
                } else {
                    context.row[index] = key
                }
                return 0
            }
        }
        let unmanaged = Unmanaged.passUnretained(context).toOpaque()
        let status = kind == .spss ? readstat_parse_sav(parser, path, unmanaged) : readstat_parse_dta(parser, path, unmanaged)
        guard status == READSTAT_OK else {
            let message = readstat_error_message(status).map { String(cString: $0) } ?? "error \(status.rawValue)"
            throw InputError("cannot read the \(kind.rawValue) file", at: SourceLocation(file: name),
                             found: message, expected: kind == .spss ? "an SPSS .sav or .zsav file" : "a Stata .dta file")
        }
    }

    /// A value as the CSV copy writes it: integers without a decimal point, others in Swift's shortest form.
    static func text(of value: readstat_value_t) -> String {
        if readstat_value_type_class(value) == READSTAT_TYPE_CLASS_STRING {
            return readstat_string_value(value).map { String(cString: $0) } ?? ""
        }
        let x = readstat_double_value(value)
        if x.isNaN { return "" }
        if x.rounded() == x && abs(x) < 1e15 { return String(Int64(x)) }
        return "\(x)"
    }
}

/// A CSV field, quoted when it must be (RFC 4180).
func csvField(_ text: String) -> String {
    if text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) {
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
    return text
}
