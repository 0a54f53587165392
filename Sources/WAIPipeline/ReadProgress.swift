import Synchronization

/// How far a run has read, counted by the readers as they go (per chunk of the range scanner)
/// and read by whoever shows it. Pass one in through
/// `PipelineOptions.progress`; nil counts nothing.
public final class ReadProgress: Sendable {
    private let bytes = Atomic<Int>(0)
    private let rows = Atomic<Int>(0)

    public init() {}

    public func add(bytes: Int, rows: Int) {
        if bytes != 0 { self.bytes.add(bytes, ordering: .relaxed) }
        if rows != 0 { self.rows.add(rows, ordering: .relaxed) }
    }

    /// Bytes and data rows read so far.
    public var read: (bytes: Int, rows: Int) { (bytes.load(ordering: .relaxed), rows.load(ordering: .relaxed)) }
}
