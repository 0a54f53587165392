import Foundation
import WAIPipeline

/// How `wai serve` listens and what it takes: passed to `WAIServer` as a value.
public struct ServeOptions: Sendable {
    /// The working folder: each upload gets a folder in it.
    public var directory: String
    /// The address to listen on: 127.0.0.1 unless another is asked for.
    public var host: String
    /// The port; 0 takes any free one (the URL printed says which).
    public var port: UInt16
    /// The largest upload taken, in bytes; a larger one is refused with 413 before it is stored.
    public var maxUploadBytes: Int
    /// The largest spec taken by "Analyse", in bytes.
    public var maxSpecBytes: Int
    /// How long one request may take (an analysis of a large file included), in seconds.
    public var requestTimeout: TimeInterval
    /// The execution options of the analyses (threads, chunk sizes).
    public var pipeline: PipelineOptions

    public static let defaultHost = "127.0.0.1"
    public static let defaultPort: UInt16 = 8080
    public static let defaultMaxUploadMB = 200

    public init(directory: String, host: String = ServeOptions.defaultHost, port: UInt16 = ServeOptions.defaultPort,
                maxUploadBytes: Int = ServeOptions.defaultMaxUploadMB * 1_048_576, maxSpecBytes: Int = 1_048_576,
                requestTimeout: TimeInterval = 600, pipeline: PipelineOptions = PipelineOptions()) {
        (self.directory, self.host, self.port) = (directory, host, port)
        (self.maxUploadBytes, self.maxSpecBytes, self.requestTimeout, self.pipeline) = (maxUploadBytes, maxSpecBytes, requestTimeout, pipeline)
    }

    /// Whether the server listens on a loopback address only (then requests must name it in
    /// their Host header: a page of another site cannot reach the server by DNS rebinding).
    public var isLoopback: Bool {
        host == "127.0.0.1" || host == "::1" || host == "localhost" || host.hasPrefix("127.")
    }

    /// The address as it goes into a URL (IPv6 in brackets).
    var urlHost: String { host.contains(":") ? "[\(host)]" : host }

    static func describe(bytes: Int) -> String {
        bytes % 1_048_576 == 0 ? "\(bytes / 1_048_576) MB" : "\(bytes) bytes"
    }
}
