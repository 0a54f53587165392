import WAIAggregate
import WAIModel

extension SurveyAnalysis {
    /// Refuses an analysis that would print a report of nothing: a responses file with a header
    /// and no rows, or survey weights that are all 0 (every index would read "no answers" beside
    /// a positive n).
    public func checkResponses(weightColumn: String?) throws {
        guard quality.rowsRead > 0 else {
            throw InputError("no responses: the file has a header and no rows", at: SourceLocation(file: data),
                             expected: "at least one row of answers under the header")
        }
        if let weightColumn, quality.rowsUsed > 0, !(weightSum > 0) {
            throw InputError("every survey weight in column \(Quoted(weightColumn)) is 0", at: SourceLocation(file: data),
                             found: "\(quality.rowsUsed) rows used, their weights summing to 0",
                             expected: "positive weights (a row of weight 0 counts for nothing)")
        }
    }
}
