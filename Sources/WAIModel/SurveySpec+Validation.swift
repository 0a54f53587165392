extension SurveySpec {
    /// Checks what decoding cannot: counts that must agree, names that must be unique,
    /// bands that must cover every possible index. Throws the first problem found, located
    /// by its key path in `file`.
    public func validate(file: String) throws {
        func fail(_ keyPath: String, _ problem: String, found: String? = nil, expected: String? = nil, suggestion: String? = nil) -> InputError {
            InputError(problem, at: SourceLocation(file: file, keyPath: keyPath), found: found, expected: expected, suggestion: suggestion)
        }

        let names = scales.map(\.name)
        if let reference = scaleReference, !names.contains(reference) {
            throw fail("scale", "unknown scale", found: reference,
                       expected: names.isEmpty ? "a scale written out (`levels:`), or `scales:` naming \(Quoted(reference))" : "one of \(names.joined(separator: ", ")) (the names under `scales:`), or a scale written out",
                       suggestion: nearestMatch(to: reference, in: names))
        }
        var checked: [(scale: Scale, path: String)] = scales.map { ($0, "scales.\($0.name)") }
        if scaleReference == nil {
            if names.contains(Scale.defaultName) {
                throw fail("scales.\(Scale.defaultName)", "the name \(Quoted(Scale.defaultName)) is the written-out `scale:`", found: Scale.defaultName,
                           expected: "another name, or `scale: \(Scale.defaultName)` to make this scale the default")
            }
            checked.insert((scale, "scale"), at: 0)
        }
        for (scale, path) in checked {
            if scale.name != Scale.defaultName || path != "scale", !isIdentifier(scale.name) {
                throw fail(path, "a scale name may use letters, digits, _ and - only", found: scale.name, expected: "a name such as agree5")
            }
            try validate(scale, at: path) { fail($0, $1, found: $2, expected: $3) }
        }

        guard (0...6).contains(bands.precision) else {
            throw fail("bands.precision", "precision out of range", found: "\(bands.precision)", expected: "0 to 6 decimals")
        }
        guard !bands.upper.isEmpty, bands.labels.count == bands.upper.count else {
            throw fail("bands.labels", "one label per band is needed", found: "\(bands.labels.count) labels for \(bands.upper.count) upper bounds", expected: "\(bands.upper.count) labels")
        }
        let units = bands.upper.map { bands.scaled($0) }
        for i in units.indices {
            if bands.rounded(bands.upper[i]) != bands.upper[i] {
                throw fail("bands.upper[\(i)]", "a band bound must be given at the report precision", found: "\(bands.upper[i])", expected: "a number with at most \(bands.precision) decimals")
            }
            if i > 0, units[i] <= units[i - 1] {
                throw fail("bands.upper[\(i)]", "band bounds must increase", found: "\(bands.upper[i]) after \(bands.upper[i - 1])", expected: "a bound above \(bands.upper[i - 1])")
            }
        }
        for scale in usedScales {
            let weights = scale.weights
            if let top = weights.max(), bands.scaled(top) > units.last!, let highest = weights.firstIndex(of: top) {
                let owner = scales.isEmpty ? "" : " of scale \(Quoted(scale.name))"
                throw fail("bands.upper[\(units.count - 1)]", "the last band must reach the highest possible index", found: "\(bands.upper.last!)", expected: "at least \(bands.format(top)), the weight of \(Quoted(scale.levels[highest].label))\(owner) under \(scale.weighting.name) weighting")
            }
        }
        // Over every scale an item uses: the lowest and the highest index any item can have.
        let lowest = usedScales.compactMap { scale in scale.weights.min().map { (value: $0, scale: scale) } }.min { $0.value < $1.value }
        let highest = usedScales.compactMap { scale in scale.weights.max().map { (value: $0, scale: scale) } }.max { $0.value < $1.value }
        func under(_ scale: Scale) -> String { "\(scales.isEmpty ? "" : "scale \(Quoted(scale.name)), ")\(scale.weighting.name) weighting" }
        if let bottom = lowest, bands.scaled(bottom.value) > units[0] {
            throw fail("bands.upper[0]", "the first band lies below every possible index", found: "\(bands.upper[0])",
                       expected: "at least \(bands.format(bottom.value)), the lowest index (\(under(bottom.scale)))")
        }
        if let top = highest, units.count >= 2, units[units.count - 2] >= bands.scaled(top.value) {
            let i = units.firstIndex { $0 >= bands.scaled(top.value) }!
            throw fail("bands.upper[\(i)]", "the bands after this one lie above every possible index", found: "\(bands.upper[i])",
                       expected: "a bound below \(bands.format(top.value)), the highest index (\(under(top.scale))), for every band but the last")
        }

        guard !tables.isEmpty else {
            throw fail("tables", "a survey needs at least one table of items", expected: "a list of tables, each with items")
        }
        var tableIDs: Set<String> = []
        var columnOfItem: [String: (column: String, reverse: Bool, scale: String, path: String)] = [:]
        func checkName(_ name: String?, at keyPath: String) throws {
            guard let name, name != scaleReference, !names.contains(name) else { return }
            throw fail(keyPath, "unknown scale", found: name,
                       expected: names.isEmpty ? "a scale named under `scales:` (this spec has none; without `scale:` here items use the top-level `scale:`)" : "one of \(names.joined(separator: ", ")) (the names under `scales:`)",
                       suggestion: nearestMatch(to: name, in: names))
        }
        for (t, table) in tables.enumerated() {
            let path = "tables[\(t)]"
            guard isIdentifier(table.id) else {
                throw fail("\(path).id", "an id may use letters, digits, _ and - only", found: table.id, expected: "an id such as table1")
            }
            guard tableIDs.insert(table.id).inserted else {
                throw fail("\(path).id", "duplicate table id", found: table.id, expected: "an id not used by another table")
            }
            if let labels = table.bandLabels, labels.count != bands.labels.count {
                throw fail("\(path).band_labels", "one label per band is needed", found: "\(labels.count) labels", expected: "\(bands.labels.count) labels")
            }
            try checkName(table.scale, at: "\(path).scale")
            guard !table.items.isEmpty else {
                throw fail("\(path).items", "a table needs at least one item", expected: "a list of items")
            }
            var itemIDs: Set<String> = []
            var columnPaths: [String: String] = [:]
            for (i, item) in table.items.enumerated() {
                let itemPath = "\(path).items[\(i)]"
                guard isIdentifier(item.id) else {
                    throw fail("\(itemPath).id", "an id may use letters, digits, _ and - only", found: item.id, expected: "an id such as q1")
                }
                guard itemIDs.insert(item.id).inserted else {
                    throw fail("\(itemPath).id", "duplicate item id in this table", found: item.id, expected: "an id not used by another item of \(table.id)")
                }
                // An item's scale is its own or, when it names none, its table's.
                let scalePath = table.scale != nil && item.scale == table.scale ? "\(path).scale" : "\(itemPath).scale"
                try checkName(item.scale, at: scalePath)
                let scaleName = scale(of: item).name
                if let earlier = columnOfItem[item.id], earlier.column != item.column || earlier.reverse != item.reverse {
                    throw fail("\(itemPath)", "an item id used in two tables must name the same column and keying", found: item.column, expected: "column \(Quoted(earlier.column)) as at \(earlier.path)")
                }
                if let earlier = columnPaths[item.column] {
                    throw fail("\(itemPath).column", "a column can be an item only once in a table (its answers would count twice)",
                               found: item.column, expected: "a column not already read by \(earlier)")
                }
                columnPaths[item.column] = itemPath
                if let earlier = columnOfItem[item.id], earlier.scale != scaleName {
                    throw fail(scalePath, "an item id used in two tables must be on the same scale", found: scaleName, expected: "scale \(Quoted(earlier.scale)) as at \(earlier.path)")
                }
                columnOfItem[item.id] = (item.column, item.reverse, scaleName, itemPath)
                if item.column == weight {
                    throw fail("\(itemPath).column", "the weight column cannot also be an item", found: item.column, expected: "a column of answers")
                }
            }
        }

        try validatePopulation { fail($0, $1, found: $2, expected: $3) }

        var demographicColumns: Set<String> = []
        for (d, demographic) in demographics.enumerated() {
            guard demographicColumns.insert(demographic.column).inserted else {
                throw fail("demographics[\(d)].column", "duplicate demographic column", found: demographic.column, expected: "each column once")
            }
            if let categories = demographic.categories {
                var seen: Set<String> = []
                for (c, category) in categories.enumerated() where !seen.insert(normalizedAnswer(category)).inserted {
                    throw fail("demographics[\(d)].categories[\(c)]", "duplicate category", found: category, expected: "each category once")
                }
            }
        }
    }
}

extension SurveySpec {
    /// One scale's levels, answers and weights; `path` is where it is written (`scale`, `scales.lr7`).
    func validate(_ scale: Scale, at path: String, _ fail: (String, String, String?, String?) -> InputError) throws {
        let levels = scale.levels
        guard levels.count >= 2, levels.count <= 250 else {
            throw fail("\(path).levels", "a scale needs 2 to 250 levels", "\(levels.count) levels", "2…250 levels, lowest first")
        }
        var answerOwner: [String: String] = [:]
        for (i, marker) in scale.missing.enumerated() {
            answerOwner[normalizedAnswer(marker)] = "\(path).missing[\(i)]"
        }
        for (i, level) in levels.enumerated() {
            let levelPath = "\(path).levels[\(i)]"
            if level.label.trimmingWhitespace.isEmpty {
                throw fail("\(levelPath).label", "a level needs a label", level.label, "a non-empty label")
            }
            let spellings = [("code", String(level.code)), ("label", level.label)]
                + level.aliases.enumerated().map { ("aliases[\($0.offset)]", $0.element) }
            for (key, spelling) in spellings {
                let normal = normalizedAnswer(spelling)
                if let owner = answerOwner[normal], !owner.hasPrefix(levelPath + ".") {
                    throw fail("\(levelPath).\(key)", "an answer can mean only one thing", spelling, "a spelling not already used by \(owner)")
                }
                answerOwner[normal] = "\(levelPath).\(key)"
            }
        }
        if case .explicit(let explicit) = scale.weighting {
            guard explicit.count == levels.count else {
                throw fail("\(path).weights", "one weight per level is needed", "\(explicit.count) weights", "\(levels.count) weights")
            }
            if let bad = explicit.firstIndex(where: { !$0.isFinite }) {
                throw fail("\(path).weights[\(bad)]", "a weight must be a finite number", "\(explicit[bad])", "a number")
            }
        }
    }

    func validatePopulation(_ fail: (String, String, String?, String?) -> InputError) throws {
        guard let population else { return }
        func categories(of column: String, at keyPath: String) throws -> [String] {
            guard let demographic = demographics.first(where: { $0.column == column }) else {
                throw fail(keyPath, "a weighting column must be listed under demographics", column, "one of \(demographics.map(\.column).joined(separator: ", "))")
            }
            guard let categories = demographic.categories else {
                throw fail(keyPath, "a weighting column needs its categories fixed in the spec", column, "`categories: [...]` for \(column) under demographics")
            }
            return categories
        }
        func checkShare(_ share: Double, at keyPath: String) throws {
            guard share.isFinite, share >= 0 else { throw fail(keyPath, "a population share must be a non-negative number", "\(share)", "a share such as 0.25") }
        }
        switch population.method {
        case .rake, .linear:
            guard !population.margins.isEmpty else { throw fail("population.margins", "\(population.method == .rake ? "raking" : "linear calibration") needs at least one margin", nil, "`margins: {column: {category: share, …}}`") }
            for margin in population.margins {
                let path = "population.margins.\(margin.column)"
                let known = try categories(of: margin.column, at: path)
                for (category, share) in margin.shares {
                    guard known.contains(category) else {
                        throw fail("\(path).\(category)", "unknown category", category, "one of \(known.joined(separator: ", "))")
                    }
                    try checkShare(share, at: "\(path).\(category)")
                }
                guard margin.shares.values.reduce(0, +) > 0 else { throw fail(path, "the shares of a margin must not all be zero", nil, "positive shares") }
            }
        case .poststratify:
            guard !population.cells.isEmpty else { throw fail("population.cells", "post-stratification needs cells", nil, "`cells: [{column: category, …, share: 0.2}, …]`") }
            let columns = population.columns
            for (i, cell) in population.cells.enumerated() {
                let path = "population.cells[\(i)]"
                guard Set(cell.categories.keys) == Set(columns) else {
                    throw fail(path, "every cell must name a category of each column", cell.categories.keys.sorted().joined(separator: ", "), columns.joined(separator: ", "))
                }
                for (column, category) in cell.categories {
                    let known = try categories(of: column, at: "\(path).\(column)")
                    guard known.contains(category) else {
                        throw fail("\(path).\(column)", "unknown category", category, "one of \(known.joined(separator: ", "))")
                    }
                }
                try checkShare(cell.share, at: "\(path).share")
            }
        }
        if let trim = population.trim {
            guard trim.count == 2, trim[0] >= 0, trim[0] < 1, trim[1] > 1 else {
                throw fail("population.trim", "trim bounds are [lower, upper] relative to the mean weight", trim.map { "\($0)" }.joined(separator: ", "), "two numbers such as [0.3, 3.0], lower below 1 and upper above 1")
            }
        }
        guard population.maxIterations >= 1, population.tolerance > 0 else {
            throw fail("population.max_iterations", "raking needs at least one iteration and a positive tolerance", "\(population.maxIterations), \(population.tolerance)", "e.g. max_iterations: 100, tolerance: 1e-8")
        }
    }
}

private func isIdentifier(_ s: String) -> Bool {
    !s.isEmpty && s.unicodeScalars.allSatisfy { ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) || $0 == "_" || $0 == "-" }
}

/// An answer as it is matched: trimmed, inner white space collapsed to one space, lowercased.
public func normalizedAnswer(_ text: String) -> String {
    var out = ""
    var pendingSpace = false
    for ch in text {
        if ch.isWhitespace {
            pendingSpace = !out.isEmpty
        } else {
            if pendingSpace { out.append(" ") }
            pendingSpace = false
            out.append(ch)
        }
    }
    return out.lowercased()
}

extension String {
    var trimmingWhitespace: String { normalizedAnswer(self) }
}
