import WAIModel

extension ResponseReader: CodedChunkSource {
    public func forEachCodedChunk(_ body: (CodedChunk) -> Void) throws {
        _ = try forEachChunk(body)
    }
}
