import WAIEstimate
import WAIModel

extension TableEstimate {
    /// The table's items grouped by scale, in order of first use: one group (scale nil) when
    /// every item has the same levels, so a single-scale table prints as one answers table.
    var scaleGroups: [(scale: String?, items: [ItemEstimate])] {
        var names: [String] = []
        var groups: [String: [ItemEstimate]] = [:]
        for item in items {
            let name = item.scale ?? ""
            if groups[name] == nil { names.append(name) }
            groups[name, default: []].append(item)
        }
        guard names.count > 1 else { return [(nil, items)] }
        return names.map { ($0, groups[$0]!) }
    }

    /// Whether the items are on different scales.
    var mixesScales: Bool { Set(items.map { $0.scale ?? "" }).count > 1 }

    /// The most levels of any item (the answers columns of a mixed table).
    var levelColumns: Int { items.map(\.counts.count).max() ?? 0 }
}

extension SurveyAnalysis.Method.ScaleUse {
    /// "1 Very Low = 0, 2 Low = 0.25, …".
    func levelsText(_ number: (Double) -> String) -> String {
        levels.map { "\($0.code) \($0.label) = \(number($0.weight))" }.joined(separator: ", ")
    }
}

/// The Method section's sentences about scales, the same in Markdown and HTML.
enum ScaleMethod {
    static func composite(_ m: SurveyAnalysis.Method) -> String {
        guard m.mixesScales else { return "OA (overall assessment) of a table: the mean of its items' unrounded indices, rounded and banded the same way." }
        return "OA (overall assessment) of a table: the mean of its items' unrounded indices, rounded and banded the same way. "
            + "Over items on different scales each index is first mapped to 0…1 by its scale's lowest and highest score, (WAI − min)/(max − min), "
            + "and the OA is the mean of these normalised indices (an index under normalized weighting is already on 0…1 and is unchanged)."
    }

    static let reliabilityRule = " Alpha is computed over items of one scale only: a table whose items are on different scales gets none, and says so."
}
