import WAIStats

/// Sentences of the Method section that every renderer prints the same way (plain text;
/// each renderer escapes it for its format).
enum MethodLines {
    /// How band certainty and the bootstrap intervals were computed.
    static func bootstrap(_ inference: InferenceOptions) -> String {
        guard inference.replicates > 0 else { return "No bootstrap replicates were drawn." }
        return "Bootstrap: \(inference.replicates) replicates (seed \(inference.seed)). "
            + "For an unweighted item, exactly the Poisson(1) bootstrap: a replicate gives each level the total "
            + "of its respondents' Poisson(1) multipliers, which is one Poisson(nₖ) draw from the level's count nₖ, "
            + "so the replicates come from the counts and do not depend on the order of the rows. "
            + "For a weighted item and for an OA, whose replicates would need each respondent's multiplier, they are "
            + "draws from the normal distribution of the index with its linearization SE. "
            + "Band certainty is the share of replicates whose rounded index falls in the printed band; "
            + "percentile intervals come from the same replicates."
    }

    /// How the code statistics beside each index were computed (`CodeStatistics`).
    static let codes = "Mean code and SD: the answered codes as given (before reverse keying), weighted where weights exist, "
        + "mean Σw·c/Σw and SD √(n/(n−1)·Σw(c − mean)²/Σw) (R: mean and sd; with weights svymean and sqrt(svyvar(~x, design))); "
        + "SD score: the same of the normalised score the index averages. Quartiles Q1–Md–Q3 of the codes: "
        + "R's quantile(x, type = 7) without weights; with weights the lowest code whose weighted cumulative share reaches p "
        + "(R: svyquantile(~x, design, c(0.25, 0.5, 0.75), qrule = \"math\"))."
}
