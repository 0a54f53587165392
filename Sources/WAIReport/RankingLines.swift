import WAIEstimate
import WAIModel

/// What every renderer says about rankings: an item's rank, and the groups' agreement table.
enum RankingLines {
    /// "2", or "2.5" for a tie.
    static func rank(_ rank: Double?) -> String {
        guard let rank else { return "–" }
        return rank == rank.rounded() ? String(Int(rank)) : BandTable.fixed(rank, decimals: 1)
    }

    static let header = ["Table", "Items", "Kendall's W", "χ² (df)", "p", "Spearman's rho (p)"]

    /// One row per table: W with its χ² test over all answered groups, and rho for every pair.
    static func rows(_ breakdown: Breakdown, pValue: (Double?) -> String) -> [[String]] {
        breakdown.rankAgreement.map { a in
            let w = a.kendallW.map { BandTable.fixed($0, decimals: 3) } ?? "–"
            let chi = a.chiSquare.map { "\(BandTable.fixed($0, decimals: 2)) (\(a.df))" } ?? "–"
            let rho = a.spearman.map { pair in
                "\(pair.groups.joined(separator: " – ")): \(pair.rho.map { BandTable.fixed($0, decimals: 3) } ?? "–") (\(pValue(pair.pValue)))"
            }.joined(separator: "; ")
            return [a.table, String(a.items.count), w, chi, pValue(a.pValue), rho]
        }
    }

    static func note(_ label: String) -> String {
        "Items ranked by WAI within each table, 1 the highest, ties sharing their average rank. Kendall's W (corrected for ties) "
            + "measures how far the \(label) groups agree on the ranking (0 none, 1 complete), with its χ² test (m(n − 1)W on n − 1 df); "
            + "Spearman's rho compares two groups' rankings (p from t on n − 2 df). Items without answers in some group and respondents "
            + "who did not answer \(label) are left out."
    }
}
