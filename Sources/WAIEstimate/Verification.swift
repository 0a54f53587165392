import WAIAggregate
import WAIModel

/// One comparison of a computed value with a published one.
public struct VerificationCheck: Sendable, Hashable {
    /// Where the published value sits, e.g. `tables[0].items[2].wai`.
    public var keyPath: String
    /// What is compared, e.g. `table1 / gov WAI`.
    public var subject: String
    public var computed: String
    public var published: String
    public var matches: Bool { computed == published }
}

public enum Verifier {
    /// Every value in `published` against `analysis`, at the precision the study printed:
    /// indices at the spec's band precision, percents at one decimal, counts exactly.
    public static func checks(_ analysis: SurveyAnalysis, against published: PublishedValues, bands: BandTable) -> [VerificationCheck] {
        var checks: [VerificationCheck] = []
        func check(_ keyPath: String, _ subject: String, _ computed: String?, _ published: String) {
            checks.append(VerificationCheck(keyPath: keyPath, subject: subject, computed: computed ?? "(not computed)", published: published))
        }
        if let respondents = published.respondents {
            check("respondents", "respondents", String(analysis.respondents), String(respondents))
        }
        for (f, frequency) in published.frequencies.enumerated() {
            let table = analysis.frequencies.first { $0.column == frequency.column }
            for (c, category) in frequency.categories.enumerated() {
                let path = "frequencies[\(f)].categories[\(c)]"
                let row = table?.rows.first { normalizedAnswer($0.value) == normalizedAnswer(category.value) }
                let subject = "\(frequency.column) = \(category.value)"
                if let count = category.count {
                    check("\(path).count", "\(subject) count", row.map { String($0.count) }, String(count))
                }
                if let percent = category.percent {
                    check("\(path).percent", "\(subject) %", row.map { BandTable.fixed($0.percent, decimals: 1) },
                          BandTable.fixed(percent, decimals: 1))
                }
            }
        }
        for (t, table) in published.tables.enumerated() {
            let computed = analysis.tables.first { $0.id == table.id }
            let tableBands = bands.relabeled(computed?.bandLabels)
            if let n = table.n {
                for item in computed?.items ?? [] {
                    check("tables[\(t)].n", "\(table.id) / \(item.id) n", String(item.n), String(n))
                }
            }
            for (i, value) in table.items.enumerated() {
                let path = "tables[\(t)].items[\(i)]"
                let item = computed?.items.first { $0.id == value.id }
                if let wai = value.wai {
                    check("\(path).wai", "\(table.id) / \(value.id) WAI", item?.waiReported, tableBands.format(wai))
                }
                if let band = value.band {
                    check("\(path).band", "\(table.id) / \(value.id) band", item?.band, band)
                }
            }
            if let composite = table.composite {
                if let wai = composite.wai {
                    check("tables[\(t)].composite.wai", "\(table.id) / OA WAI", computed?.composite?.waiReported, tableBands.format(wai))
                }
                if let band = composite.band {
                    check("tables[\(t)].composite.band", "\(table.id) / OA band", computed?.composite?.band, band)
                }
            }
        }
        return checks
    }
}
