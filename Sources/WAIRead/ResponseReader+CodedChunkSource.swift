import WAIModel

extension ResponseReader: CodedChunkSource {}
