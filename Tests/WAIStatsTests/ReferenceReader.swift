import Foundation
@testable import WAIRead
import WAIModel
@testable import WAIAggregate
@testable import WAIEstimate
@testable import WAIPipeline

/// A reader of survey CSVs written for the tests from the dialect `CSVReader` documents and the
/// rules of README "Reading responses", sharing no code with the range scanner: a record is
/// split with a plain loop over the bytes, weights are checked with a regular expression and
/// converted by `Double`, categories are numbered as they appear. Answers are coded by
/// `AnswerCoder` (the spec's matching rule, tested on its own) and the coded rows are tallied
/// by `Aggregator`'s loops, whose counts `AggregatorTests` checks against a direct tally.
///
/// What it gives is what the range pipeline must give: the same statistics, categories and
/// row accounting, or an error at the same line and column.
struct ReferenceReader {
    struct Failure: Error, Equatable, CustomStringConvertible {
        var line: Int
        var column: Int
        var what: String
        var description: String { "\(line):\(column): \(what)" }
    }

    struct Field {
        var text: [UInt8]
        var quoted: Bool
        var line: Int
        var column: Int
    }

    struct Record {
        var line: Int
        var fields: [Field]
        var isBlank: Bool { fields.count == 1 && fields[0].text.isEmpty && !fields[0].quoted }
    }

    /// The records of `bytes` up to the first one that cannot be split, and why it cannot; each
    /// field with the line and column (in Unicode scalars) of its first character.
    static func records(_ bytes: [UInt8], delimiter: UInt8 = UInt8(ascii: ",")) -> (records: [Record], failure: Failure?) {
        var records: [Record] = []
        do {
            try split(bytes, delimiter: delimiter) { records.append($0) }
            return (records, nil)
        } catch {
            return (records, error as? Failure)
        }
    }

    static func split(_ bytes: [UInt8], delimiter: UInt8, _ body: (Record) -> Void) throws {
        var i = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        var line = 1, column = 1
        func advance() {
            let b = bytes[i]
            if b == 0x0A || b == 0x0D {
                if b == 0x0D && i + 1 < bytes.count && bytes[i + 1] == 0x0A { i += 1 }
                line += 1
                column = 1
            } else if b & 0xC0 != 0x80 {
                column += 1
            }
            i += 1
        }
        func checkUTF8(_ field: Field, from start: Int) throws {
            // Re-walk the field's bytes in the file to find the bad one's place.
            guard String(validating: field.text, as: UTF8.self) == nil else { return }
            var j = start, l = field.line, c = field.column
            if field.quoted { j += 1; c += 1 }
            while true {
                // The shortest prefix from j that makes the bytes so far invalid ends at the bad byte.
                let lead = bytes[j]
                let length = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1
                if lead >= 0x80, String(validating: bytes[j..<min(bytes.count, j + length)], as: UTF8.self) == nil {
                    throw Failure(line: l, column: c, what: "invalid UTF-8")
                }
                if lead == 0x0A || lead == 0x0D {
                    if lead == 0x0D && j + 1 < bytes.count && bytes[j + 1] == 0x0A { j += 1 }
                    l += 1
                    c = 1
                } else {
                    c += 1
                }
                j += length
            }
        }
        while i < bytes.count {
            let recordLine = line
            var fields: [Field] = []
            while true {
                var field = Field(text: [], quoted: false, line: line, column: column)
                let start = i
                if i < bytes.count && bytes[i] == 0x22 {
                    field.quoted = true
                    advance()
                    while true {
                        guard i < bytes.count else {
                            throw Failure(line: field.line, column: field.column, what: "unterminated quoted field")
                        }
                        if bytes[i] == 0x22 {
                            if i + 1 < bytes.count && bytes[i + 1] == 0x22 {
                                field.text.append(0x22)
                                advance(); advance()
                                continue
                            }
                            advance()
                            break
                        }
                        let b = bytes[i]
                        field.text.append(b)
                        if b == 0x0D && i + 1 < bytes.count && bytes[i + 1] == 0x0A { field.text.append(0x0A) }
                        advance()
                    }
                    if i < bytes.count, ![delimiter, 0x0A, 0x0D].contains(bytes[i]) {
                        throw Failure(line: line, column: column, what: "unexpected text after a closing quote")
                    }
                } else {
                    while i < bytes.count, ![delimiter, 0x0A, 0x0D].contains(bytes[i]) {
                        field.text.append(bytes[i])
                        advance()
                    }
                }
                try checkUTF8(field, from: start)
                fields.append(field)
                if i < bytes.count && bytes[i] == delimiter {
                    advance()
                    continue
                }
                if i < bytes.count { advance() }   // the line end
                break
            }
            body(Record(line: recordLine, fields: fields))
        }
    }

    struct Result {
        var statistics: SufficientStatistics
        var categories: [[String]]
        var quality: DataQuality
    }

    static func text(_ field: Field) -> String { String(decoding: field.text, as: UTF8.self) }

    static func isPlainWeight(_ cell: String) -> Bool {
        let trimmed = cell.trimmingCharacters(in: CharacterSet(charactersIn: " \t"))
        return trimmed.range(of: #"^([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$"#, options: .regularExpression) != nil
            && Double(trimmed)?.isFinite == true
    }

    /// The statistics of `bytes` read through `spec` strictly (one chunk, `plan`'s cross-products),
    /// or the first error. Header problems throw a `Failure` at line 0.
    static func read(_ spec: SurveySpec, _ bytes: [UInt8], plan: AggregationPlan, calibration: Calibration? = nil,
                     delimiter: UInt8 = UInt8(ascii: ",")) throws -> Result {
        var (records, failure) = records(bytes, delimiter: delimiter)
        while records.first?.isBlank == true { records.removeFirst() }
        guard !records.isEmpty else { throw failure.map { Failure(line: 0, column: 0, what: "header: \($0)") } ?? Failure(line: 0, column: 0, what: "empty file") }
        let header = records.removeFirst().fields.map(text)
        var seen: Set<String> = []
        let items = spec.allItems.filter { seen.insert($0.id).inserted }
        func column(_ name: String) throws -> Int {
            let found = header.indices.filter { header[$0] == name }
            guard found.count == 1 else { throw Failure(line: 0, column: 0, what: "column \(name)") }
            return found[0]
        }
        let itemColumns = try items.map { try column($0.column) }
        let groupColumns = try spec.demographics.map { try column($0.column) }
        let weightColumn = try spec.weight.map(column)
        let idColumn = try spec.id.map(column)
        let used = Set(itemColumns + groupColumns + [weightColumn, idColumn].compactMap { $0 })

        let coder = AnswerCoder(scale: spec.scale)
        var names: [[String]] = spec.demographics.map { $0.categories ?? [] }
        var quality = DataQuality()
        quality.duplicateUnusedHeaders = Set(header.filter { name in
            let at = header.indices.filter { header[$0] == name }
            return at.count > 1 && at.allSatisfy { !used.contains($0) }
        }).sorted()
        var chunk = CodedChunk(demographicCount: spec.demographics.count)
        var idLines: [String: [Int]] = [:]
        var fullyBlank: [Int] = []
        for record in records {
            if record.isBlank && header.count > 1 { quality.blankLines += 1; continue }
            quality.rowsRead += 1
            guard record.fields.count == header.count else {
                let last = record.fields.last!
                throw Failure(line: last.line, column: last.column, what: "ragged row")
            }
            var weight = 1.0
            if let weightColumn {
                let field = record.fields[weightColumn]
                guard isPlainWeight(text(field)) else { throw Failure(line: field.line, column: field.column, what: "invalid survey weight") }
                weight = Double(text(field).trimmingCharacters(in: CharacterSet(charactersIn: " \t")))!
            }
            var codes: [UInt8] = []
            for column in itemColumns {
                let field = record.fields[column]
                guard let code = coder.code(text(field)) else { throw Failure(line: field.line, column: field.column, what: "unknown answer") }
                codes.append(code)
            }
            var groups: [UInt32] = []
            for (d, column) in groupColumns.enumerated() {
                let field = record.fields[column]
                let cell = text(field)
                if coder.code(cell) == 0 { groups.append(0); continue }
                if let k = names[d].firstIndex(where: { normalizedAnswer($0) == normalizedAnswer(cell) }) {
                    groups.append(UInt32(k + 1))
                } else if spec.demographics[d].categories == nil {
                    names[d].append(cell.split(whereSeparator: \.isWhitespace).joined(separator: " "))
                    groups.append(UInt32(names[d].count))
                } else {
                    throw Failure(line: field.line, column: field.column, what: "unknown category")
                }
            }
            if let idColumn { idLines[text(record.fields[idColumn]), default: []].append(record.line) }
            if !codes.isEmpty && codes.allSatisfy({ $0 == 0 }) { fullyBlank.append(record.line) }
            quality.rowsUsed += 1
            chunk.rowCount += 1
            chunk.codes += codes
            chunk.weights.append(weight)
            for d in groups.indices { chunk.groups[d].append(groups[d]) }
        }
        if let failure { throw failure }
        calibration?.adjust(&chunk)
        var aggregator = Aggregator(itemCount: items.count, levelCount: spec.levelCount, demographicCount: spec.demographics.count,
                                    path: .loops, plan: plan, scores: Analyzer.scores(spec: spec, items: items))
        aggregator.add(chunk)
        quality.fullyBlankResponses = fullyBlank.isEmpty ? nil : fullyBlank
        if spec.id != nil {
            quality.duplicateIDs = idLines.filter { $0.value.count > 1 }.map { DataQuality.DuplicateID(id: $0.key, lines: $0.value) }
                .sorted { $0.lines[0] < $1.lines[0] }
        }
        return Result(statistics: aggregator.statistics, categories: names, quality: quality)
    }
}
