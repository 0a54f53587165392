import WAIModel

/// Writes an inferred spec as `survey.yaml`, with comments saying what was assumed, ready to
/// edit. Every string is double-quoted, so any wording (quotes, colons, `#`, Khmer) stays as is.
public enum SpecWriter {
    /// - Parameter reverseWorded: items whose correlation with the rest of their table is negative
    ///   (by item id), each given a commented `reverse: true`.
    public static func yaml(_ inferred: InferredSurvey, command: String, reverseWorded: [String: Double] = [:]) -> String {
        let spec = inferred.spec
        let layout = inferred.layout
        var out = """
        # Written by `\(command)`: a spec inferred from the data, with what was assumed in comments.
        # Check and edit it (titles, item texts, tables, scale, demographics), then:
        #   wai analyze \(spec.data ?? "responses.csv") --spec survey.yaml
        #   wai report DIR        (with this file saved as DIR/survey.yaml, beside the data)
        # The format is described in Surveys/SPEC.md.
        #
        # Read as: \(layout.summary); \(inferred.rows) response\(inferred.rows == 1 ? "" : "s").

        title: \(quote(spec.title))

        """
        out += line("data: \(quote(spec.data ?? ""))", "relative to this file: keep it beside the data")
        if let sheet = spec.sheet {
            out += line("sheet: \(quote(sheet))", "the workbook's sheet to read")
        }
        if let origin = layout.origin {
            out += "# \(origin) file: recognised by itself (values with value labels are read as their labels)\n"
        }
        if let source = spec.source {
            out += line("source: \(source.rawValue)", "\(layout.recognised ? "recognised from the header" : "as named"): \(layout.headerRows) header row\(layout.headerRows == 1 ? "" : "s")\(layout.columns.contains { $0.name != $0.header } ? "; columns named as below" : "")")
        }
        if let encoding = spec.encoding {
            out += line("encoding: \(encoding.rawValue)", "the file's bytes are not UTF-8")
        }
        if let id = spec.id {
            out += line("id: \(quote(id))", "respondent ids: duplicates are reported")
        }
        if let weight = spec.weight {
            out += line("weight: \(quote(weight))", "a numeric column named like a weight: check it is a survey weight")
        } else if let candidate = inferred.weightCandidate {
            out += line("# weight: \(quote(candidate.column))", "looks like a survey weight (\(oneLine(candidate.evidence))): uncomment to use it")
        } else {
            out += line("# weight: \"column\"", "no weight column found: every response weighs 1")
        }
        if let speeders = inferred.layoutSpeedersNote {
            out += "# \(speeders)\n"
        }

        func scaleBody(_ scale: Scale, vocabulary: String, indent: String) -> String {
            var out = "\(indent)# Assumed: \(vocabulary), lowest level first. Aliases are other spellings\n"
            out += "\(indent)# (as found in the file); a cell matches a code, a label or an alias, ignoring case.\n"
            if vocabulary.hasPrefix("numeric "), let first = scale.levels.first, let last = scale.levels.last {
                out += "\(indent)# \(first.code)–\(last.code) from the observed codes; the instrument may have more levels.\n"
            }
            out += "\(indent)levels:\n"
            for level in scale.levels {
                var line = "\(indent)  - {code: \(level.code), label: \(quote(level.label))"
                if !level.aliases.isEmpty { line += ", aliases: [\(level.aliases.map(quote).joined(separator: ", "))]" }
                out += line + "}\n"
            }
            let k = scale.levels.count
            out += line("\(indent)weighting: normalized", "level i of \(k) weighs (i−1)/\(k - 1): the index runs from 0 to 1")
            out += line("\(indent)missing: [\(scale.missing.map(quote).joined(separator: ", "))]", "no opinion on the scale: counted as missing, never scored")
            return out
        }
        if spec.scales.isEmpty {
            out += "\nscale:\n" + scaleBody(spec.scale, vocabulary: inferred.vocabulary.name, indent: "  ")
        } else {
            // One scale per set of answers found; each table names its own unless it is on the default.
            out += "\n" + line("scales:", "the answers' scales: each table is on one")
            let vocabularies = [inferred.vocabulary.name] + inferred.otherScales.map(\.vocabulary)
            for (s, scale) in spec.scales.enumerated() {
                out += "  \(scale.name):\n" + scaleBody(scale, vocabulary: s < vocabularies.count ? vocabularies[s] : scale.name, indent: "    ")
            }
            out += line("scale: \(spec.scale.name)", "the default: of every table that names no other")
        }
        out += "# bands: the default five, Very Low 0.00–0.20 … Very High 0.81–1.00 (see Surveys/SPEC.md)\n"

        out += "\n"
        if spec.demographics.isEmpty {
            out += line("demographics: []", "no column with few distinct answers besides the items")
        } else {
            out += line("demographics:", "columns with few distinct answers, tabulated and usable with --by")
            for demographic in spec.demographics {
                var line = "  - {column: \(quote(demographic.column))"
                if demographic.label != demographic.column { line += ", label: \(quote(demographic.label))" }
                if let categories = demographic.categories { line += ", categories: [\(categories.map(quote).joined(separator: ", "))]" }
                line += "}"
                let values = inferred.demographicValues[demographic.column] ?? []
                var shown = values.prefix(8).joined(separator: ", ") + (values.count > 8 ? ", …" : "")
                if let column = inferred.ambiguous.first(where: { $0.column == demographic.column && $0.tabulated != nil }) {
                    shown = "\(column.why): tabulated, not analysed as an item (see the end of this file)"
                }
                out += self.line(line, oneLine(shown))
            }
        }

        out += "\n" + line("tables:", "items that share a scale; a grid question is one table")
        for table in spec.tables {
            out += "  - id: \(table.id)\n"
            out += "    title: \(quote(table.title))\n"
            if !table.composite { out += line("    composite: false", "one item: no overall row") }
            if let scale = table.scale { out += "    scale: \(scale)\n" }
            out += "    items:\n"
            for item in table.items {
                out += "      - {id: \(item.id), column: \(quote(item.column)), text: \(quote(item.text))}"
                if let r = reverseWorded[item.id] {
                    out += "  # reverse: true?  r = \((r * 100).rounded() / 100) with the rest of the table: likely reverse-worded"
                }
                out += "\n"
            }
        }

        if !inferred.ambiguous.isEmpty {
            out += "\n# Answers in an order wai cannot tell: give the scale their order (or make a spec for\n"
            out += "# them), then move them into a table\(inferred.ambiguous.contains { $0.tabulated != nil } ? " (and out of the demographics, where they are tabulated meanwhile)" : ""):\n"
            for column in inferred.ambiguous {
                let values = column.values.prefix(8).map { quote($0) }.joined(separator: ", ") + (column.values.count > 8 ? ", …" : "")
                out += "#   - {id: \(LikertInference.identifier(column.column, maxLength: 24) ?? "item"), column: \(quote(column.column)), text: \(quote(column.question))}\n"
                out += "#     # \(oneLine(column.problem)); answers: \(oneLine(values))\n"
            }
        }
        let notes = inferred.leftOut.filter { !$0.reason.hasSuffix("metadata") }
        if !notes.isEmpty {
            out += "\n# Not analysed:\n"
            for note in notes { out += "#   \(oneLine(quote(note.column))): \(oneLine(note.reason))\n" }
        }
        let metadata = inferred.leftOut.filter { $0.reason.hasSuffix("metadata") }
        if !metadata.isEmpty {
            out += "\n# Platform metadata (not analysed): \(oneLine(metadata.map { quote($0.column) }.joined(separator: ", ")))\n"
        }
        return out
    }

    /// A YAML double-quoted scalar.
    public static func quote(_ text: String) -> String {
        doubleQuoted(text) { scalar in
            guard scalar.value < 0x20 || scalar.value == 0x7F || scalar.value == 0xFEFF || (0x80...0x9F).contains(scalar.value) else { return nil }
            let hex = String(scalar.value, radix: 16, uppercase: true)
            return "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
        }
    }

    /// `content`, then `# comment` from column 41 (or after one space when the content is longer).
    static func line(_ content: String, _ comment: String) -> String {
        content + String(repeating: " ", count: max(1, 40 - content.count)) + "# " + comment + "\n"
    }

    static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: { $0 == "\n" || $0 == "\r" }).joined(separator: " ")
    }
}

extension InferredSurvey {
    /// A comment on durations, when the layout has them.
    public var layoutSpeedersNote: String? {
        guard let duration = layout.duration else { return nil }
        let source: String
        switch duration {
        case .seconds(let c): source = Quoted(layout.columns[c].name).description
        case .interval(let s, let e): source = "\(Quoted(layout.columns[s].name)) to \(Quoted(layout.columns[e].name))"
        }
        return "durations from \(source): responses under a third of the median time are flagged as speeders in the report (`wai analyze --drop-speeders` leaves them out)"
    }
}
