import WAIEstimate
import WAIModel

/// Sentences of the Method section that every renderer prints the same way (plain text;
/// each renderer escapes it for its format).
enum MethodLines {
    /// How items are ranked and how groups' rankings are compared, with the R calls.
    static let rankings = "Rank: items ordered by WAI within each table, 1 the highest, ties sharing their average rank "
        + "(R: rank(-wai)). By a demographic, Kendall's W over its answered groups, corrected for ties: "
        + "W = 12S / (m²(n³ − n) − mΣT), with its χ² = m(n − 1)W on n − 1 df (R: friedman.test on groups × items, "
        + "irr::kendall(correct = TRUE)); Spearman's rho for each pair of groups, cor(x, y, method = \"spearman\"), "
        + "p from cor.test(…, exact = FALSE)."

    /// How the groups of a demographic are tested against each other, with the R calls.
    static func groupTests(_ m: SurveyAnalysis.Method, designBased: Bool, fileOrderTies: Bool, midpointTies: Bool) -> String {
        guard designBased else {
            return "Group tests (unweighted): Mann–Whitney for two groups, R's wilcox.test(exact = FALSE, correct = TRUE), W as R reports it; "
                + "Kruskal–Wallis for more, kruskal.test, both with mid-ranks for ties; Pearson's χ² of groups × chosen levels, "
                + "chisq.test (Yates' correction on 2 × 2 tables); Cliff's δ from the counts. Holm's adjustment (p.adjust(method = \"holm\")) "
                + "runs over the items of each breakdown."
        }
        let design: String
        if let r = m.design?.replicates {
            design = "the \(r.columns.count) replicate weights (svrepdesign, as for the SEs)"
        } else if m.seMethod == "taylor" {
            design = "the sampling design (svydesign, as for the SEs)"
        } else {
            design = "svydesign(ids = ~1, weights = ~\(m.weightColumn ?? "w"))"
        }
        let ranks = m.inference.rankTies == .midpoint || !fileOrderTies
            ? "Each answered level's rank is its midpoint, the weight of the lower levels plus half its own (C + W/2), the same in any "
                + "row order (--rank-ties midpoint\(fileOrderTies ? "" : ", or statistics without a file order: a counts table, SQL")); "
                + "R averages cumsum(w) − w/2 over the tied rows in file order instead, which differs when their weights differ"
            : "Each answered level's rank is the mean over its respondents of the running weight sum less half their weight, the rows "
                + "taken in file order (R's ave(cumsum(w) − w/2, y); with unequal weights the test therefore depends on the order of tied "
                + "rows, as in R; --rank-ties midpoint ranks every tied row C + W/2 instead)"
                + (midpointTies ? "; where the statistics carry no file order (a counts table, SQL) the level's midpoint C + W/2" : "")
        return "Group tests (design-based, over \(design)): R's svyranktest(item ~ group, design) with Wilcoxon scores. "
            + ranks
            + ", over the total weight; two groups: t of the difference in mean rank score on degf − 1 df (degf of the design restricted "
            + "to the rows that answered both: PSUs less strata, rows less strata without clusters, replicates less one); more groups: "
            + "χ² = β'V⁻¹β of the groups' differences from the first, p from F(χ²/(G − 1); G − 1, degf − G + 1). χ²: svychisq(~item + group, "
            + "design, statistic = \"F\"), Pearson's X² of the weighted table divided by tr Δ, Δ the Rao–Scott design-effect matrix of the "
            + "cell shares' interaction contrasts, on F(d₀, d₀·degf) with d₀ = (tr Δ)²/tr Δ². Holm's adjustment runs over the items of each breakdown; "
            + "Cliff's δ stays unweighted."
    }

    /// How band certainty and the bootstrap intervals were computed.
    static func bootstrap(_ inference: InferenceOptions) -> String {
        guard inference.replicates > 0 else { return "No bootstrap replicates were drawn." }
        return "Bootstrap: \(inference.replicates) replicates (seed \(inference.seed)). "
            + "For an unweighted item, exactly the Poisson(1) bootstrap: a replicate gives each level the total "
            + "of its respondents' Poisson(1) multipliers, which is one Poisson(nₖ) draw from the level's count nₖ, "
            + "so the replicates come from the counts and do not depend on the order of the rows. "
            + "For a weighted item and for an OA, whose replicates would need each respondent's multiplier, they are "
            + "draws from the normal distribution of the index with its standard error (above). "
            + "Band certainty is the share of replicates whose rounded index falls in the printed band; "
            + "percentile intervals come from the same replicates."
    }

    /// Which standard error the tables print, with its R call, and how composites get theirs.
    static func standardErrors(_ m: SurveyAnalysis.Method) -> String {
        let level = "\(BandTable.fixed(100 * m.inference.confidence, decimals: 0)) % intervals are WAI ± z·SE."
        let composites = m.inference.covariances
            ? "A composite's SE uses the covariances of its items over the respondents who answered both."
            : "The items' covariances were not aggregated (--no-covariances): composites have no interval and no reliability is reported."
        switch m.seMethod {
        case "taylor":
            let d = m.design
            let ids = d?.cluster.map { "~\($0)" } ?? "~1"
            let call = "svydesign(ids = \(ids)" + (d?.strata.map { ", strata = ~\($0)" } ?? "")
                + (d?.fpc.map { ", fpc = ~\($0)" } ?? "") + (m.weightColumn.map { ", weights = ~\($0)" } ?? "")
                + (d?.cluster != nil && d?.strata != nil ? ", nest = TRUE" : "") + ")"
            let size = d.map { " (\($0.strataCount ?? 0) strata, \($0.psus ?? 0) \($0.cluster == nil ? "rows as PSUs" : "PSUs"))" } ?? ""
            return "Standard errors by Taylor linearization over the sampling design\(size), as R's "
                + "survey::svymean(~s, \(call), na.rm = TRUE), and svyby(~s, ~group, …, svymean, na.rm = TRUE) for groups "
                + "(domains of the whole sample), with options(survey.lonely.psu = \"\(d?.lonelyPSU ?? "fail")\"); "
                + "design effects (JSON: deff) as svymean(…, deff = TRUE). \(level) "
                + (d?.cluster != nil ? "A composite's SE is linearized over the same PSUs, as svycontrast() of the items' svytotal()."
                                     : "A composite's SE is linearized over the same strata with each row a PSU, as svycontrast() of the items' svytotal().")
        case "replicate":
            guard let r = m.design?.replicates else { return level }
            let columns = r.columns.count > 3 ? "\(r.columns[0]) … \(r.columns[r.columns.count - 1])" : r.columns.joined(separator: ", ")
            let call = "svrepdesign(weights = ~\(m.weightColumn ?? "w"), repweights = <\(r.columns.count) columns: \(columns)>, type = \"\(r.type)\""
                + (r.rho.map { ", rho = \(shortNumber($0))" } ?? "") + ", scale = \(shortNumber(r.scale))"
                + (r.rscales != nil ? ", rscales = <from the spec>" : "") + ", mse = \(r.mse ? "TRUE" : "FALSE"), combined.weights = TRUE)"
            return "Standard errors from \(r.columns.count) replicate weights: each index (and each composite, the mean of its items' "
                + "indices) is recomputed with every replicate column as the weights, and Var = scale · Σ rscales_r (θ_r − \(r.mse ? "θ" : "θ̄"))², "
                + "as R's survey::svymean(~s, \(call), na.rm = TRUE), and svyby(~s, ~group, …, svymean, na.rm = TRUE) for groups; "
                + "design effects (JSON: deff) as svymean(…, deff = TRUE). \(level)"
        case "linearization":
            return "Standard errors by linearization, as R's survey::svymean(~s, svydesign(ids = ~1, weights = ~\(m.weightColumn ?? "w")), na.rm = TRUE) "
                + "(svyby for subgroups, domains of the whole sample); design effects (JSON: deff) as svymean(…, deff = TRUE). \(level) \(composites)"
        default:
            return "Standard errors (classical): the SD of the item's scores (n − 1) over √n, among the group's respondents who answered it, "
                + "as R's sd(s) / sqrt(n). The design-based SE (JSON: se_design), by linearization as R's "
                + "survey::svymean(~s, svydesign(ids = ~1, weights = ~1), na.rm = TRUE) with subgroups as domains (svyby), "
                + "is in the JSON beside it. \(level) \(composites)"
        }
    }

    /// How the code statistics beside each index were computed (`CodeStatistics`).
    static let codes = "Mean code and SD: the answered codes as given (before reverse keying), weighted where weights exist, "
        + "mean Σw·c/Σw and SD √(n/(n−1)·Σw(c − mean)²/Σw) (R: mean and sd; with weights svymean and sqrt(svyvar(~x, design))); "
        + "SD score: the same of the normalised score the index averages. Quartiles Q1–Md–Q3 of the codes: "
        + "R's quantile(x, type = 7) without weights; with weights the lowest code whose weighted cumulative share reaches p "
        + "(R: svyquantile(~x, design, c(0.25, 0.5, 0.75), qrule = \"math\"))."
}
