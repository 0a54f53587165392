/// A block of respondents with their answers coded: the unit the statistics consume.
public struct CodedChunk: Sendable, Hashable {
    public var rowCount = 0
    /// Row-major, `itemCount` per row: 0 = missing, 1…k = level, as answered (before reverse keying).
    public var codes: [UInt8] = []
    /// One survey weight per row (1 when the spec names no weight column).
    public var weights: [Double] = []
    /// Per demographic, per row: 0 = missing, c + 1 = category c (in discovery order).
    public var groups: [[UInt32]]

    public init(demographicCount: Int) {
        groups = Array(repeating: [], count: demographicCount)
    }

    public mutating func reserve(rows: Int, items: Int) {
        codes.reserveCapacity(rows * items)
        weights.reserveCapacity(rows)
        for d in groups.indices { groups[d].reserveCapacity(rows) }
    }
}

/// Where coded chunks come from, in file order: a reader of responses, for the passes that
/// need the rows again (calibration's fit).
public protocol CodedChunkSource {
    /// Hands every chunk of the file to `body`, in file order; throws the first located error.
    func forEachCodedChunk(_ body: (CodedChunk) -> Void) throws
}
