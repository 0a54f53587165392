import WAIAggregate
import WAIModel

/// Statistics aggregated (by this process or merged from elsewhere) into everything a report draws.
public enum Estimation {
    /// The analysis from statistics already aggregated (by this process or merged from elsewhere).
    public static func summarize(
        spec: SurveySpec, items: [Item], statistics: SufficientStatistics, categories: [[String]],
        quality: DataQuality, data: String, breakdowns: [String]? = nil, confidence: Double = 0.95,
        design: DesignVariance? = nil, replicateDesign: ReplicateVariance? = nil
    ) throws -> SurveyAnalysis {
        var estimator = Estimator(spec: spec, items: items, designRows: statistics.overall.rows, confidence: confidence,
                                  replicates: statistics.plan.replicates, seed: statistics.plan.seed)
        estimator.design = design
        estimator.replicateDesign = replicateDesign
        estimator.calibration = statistics.overall.calibration
        let columns = spec.demographics.map(\.column)
        for (b, name) in (breakdowns ?? []).enumerated() where !columns.contains(name) {
            throw InputError(
                "cannot break down by \(Quoted(name)): it is not a demographic column of the spec",
                at: SourceLocation(file: "--by", keyPath: breakdowns!.count > 1 ? "[\(b)]" : nil),
                found: name, expected: columns.isEmpty ? "a column listed under `demographics:` in the spec" : "one of \(columns.joined(separator: ", "))",
                suggestion: nearestMatch(to: name, in: columns))
        }
        let chosen = spec.demographics.indices.filter { breakdowns?.contains(columns[$0]) ?? true }
        let overall = statistics.overall
        let weights = spec.scale.weights
        var analysis = SurveyAnalysis(
            title: spec.title, data: data,
            method: .init(
                weighting: spec.scale.weighting.name,
                levels: spec.scale.levels.enumerated().map { .init(code: $1.code, label: $1.label, weight: weights[$0]) },
                precision: spec.bands.precision,
                bands: spec.bands.labels.indices.map { .init(label: spec.bands.labels[$0], interval: spec.bands.intervalText($0)) },
                weightColumn: spec.weight,
                inference: InferenceOptions(confidence: confidence, replicates: statistics.plan.replicates, seed: statistics.plan.seed,
                                            covariances: statistics.plan.pairwise,
                                            rankTies: spec.usesDesignBasedTests && statistics.tiePositions == nil ? .midpoint : .fileOrder),
                scales: spec.usedScales.map { scale in
                    let weights = scale.weights
                    return .init(name: scale.name, weighting: scale.weighting.name,
                                 levels: scale.levels.enumerated().map { .init(code: $1.code, label: $1.label, weight: weights[$0]) },
                                 missing: scale.missing,
                                 tables: spec.tables.filter { $0.items.contains { spec.scale(of: $0).name == scale.name } }.map(\.id),
                                 items: items.filter { spec.scale(of: $0).name == scale.name }.map(\.id))
                },
                seMethod: estimator.seMethod,
                design: designSummary(design, replicateDesign)),
            respondents: Int(overall.rows), weightSum: overall.weightSum,
            effectiveN: overall.weightSquaredSum > 0 ? overall.weightSum * overall.weightSum / overall.weightSquaredSum : 0,
            quality: quality,
            tables: estimator.tables(in: overall, reliability: statistics.reliability, reliabilityNotes: statistics.plan.pairwise),
            frequencies: spec.demographics.indices.map { estimator.frequencies($0, statistics: statistics, categories: categories[$0]) },
            breakdowns: chosen.map { estimator.breakdown($0, statistics: statistics, categories: categories[$0]) })
        Rankings.rank(&analysis.tables)
        for b in analysis.breakdowns.indices {
            for g in analysis.breakdowns[b].groups.indices { Rankings.rank(&analysis.breakdowns[b].groups[g].tables) }
            analysis.breakdowns[b].rankAgreement = Rankings.agreement(analysis.breakdowns[b])
        }
        // Columns not analysed are the inference's to say; the others follow from these tables.
        let warnings = (quality.warnings ?? []).filter { $0.kind == "not_analysed" } + researcherWarnings(spec: spec, tables: analysis.tables)
        analysis.quality.warnings = warnings.isEmpty ? nil : warnings
        return analysis
    }

    static func designSummary(_ design: DesignVariance?, _ replicateDesign: ReplicateVariance?) -> SurveyAnalysis.DesignSummary? {
        typealias Summary = SurveyAnalysis.DesignSummary
        if let v = design {
            return Summary(strata: v.design.strata, cluster: v.design.cluster, fpc: v.design.fpc, lonelyPSU: v.design.lonelyPSU.rawValue,
                           strataCount: v.strataCount, psus: v.psuTotal)
        }
        guard let v = replicateDesign else { return nil }
        var summary = Summary(strata: nil, cluster: nil, fpc: nil, lonelyPSU: nil, strataCount: nil, psus: nil)
        summary.replicates = Summary.Replicates(type: v.weights.type.rawValue, columns: v.columns, scale: v.scale,
                                                rscales: v.weights.rscales, rho: v.weights.rho, mse: v.weights.mse)
        return summary
    }

    /// An item whose correlation with the rest of its table is negative (likely reverse-worded),
    /// and a scale of numeric codes whose bottom or top level no item's respondents chose.
    static func researcherWarnings(spec: SurveySpec, tables: [TableEstimate]) -> [DataQuality.Warning] {
        var warnings: [DataQuality.Warning] = []
        for table in tables {
            for statistic in table.reliability?.items ?? [] {
                guard let r = statistic.itemTotal, r <= -0.005 else { continue }   // prints as −0.01 or below
                let reversed = table.items.first { $0.id == statistic.id }?.reverse == true
                warnings.append(.init(
                    kind: "reverse_worded", subject: statistic.id,
                    message: "item \(statistic.id) correlates negatively with the rest of table \(table.id) (r = \((r * 100).rounded() / 100))"
                        + (reversed ? ", although it is reversed: check its keying" : ": likely reverse-worded; if so, give it `reverse: true` in the spec")))
            }
        }
        for scale in spec.usedScales where scale.levels.count >= 3 && scale.levels.allSatisfy({ Int($0.label) != nil }) {
            let items = tables.flatMap(\.items).filter { ($0.scale ?? spec.scale.name) == scale.name }
            guard !items.isEmpty, items.allSatisfy({ $0.counts.count == scale.levels.count }) else { continue }
            let total = { (level: Int) in items.reduce(0) { $0 + $1.counts[level].count } }
            guard items.reduce(0, { $0 + $1.n }) > 0 else { continue }
            for (end, level) in [("bottom", 0), ("top", scale.levels.count - 1)] where total(level) == 0 {
                warnings.append(.init(
                    kind: "unchosen_level", subject: scale.name,
                    message: "no one chose the \(end) level \(scale.levels[level].label) of scale \(scale.name) (\(items.count) item\(items.count == 1 ? "" : "s")): if the instrument's scale is shorter, its weights are wrong; say the levels in the spec"))
            }
        }
        return warnings
    }
}
