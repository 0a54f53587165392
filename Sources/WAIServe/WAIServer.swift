import FlyingFox
import FlyingSocks
import Foundation

/// `wai serve`: the local web page on FlyingFox's HTTP server. One page (`GET /`), an upload
/// (`POST /upload`, the file as the raw body, its name in `X-File-Name`), an analysis of an
/// upload through the edited spec (`POST /r/<id>/analyse`) and the files of an upload's own
/// folder (`GET /r/<id>/...`: the report, its charts, `report.zip`, `survey.yaml`).
///
///     let server = try WAIServer(options: ServeOptions(directory: "/tmp/wai-serve", port: 0))
///     let url = try await server.start()     // http://127.0.0.1:PORT/
///     ...
///     await server.stop()
public final class WAIServer: Sendable {
    public let options: ServeOptions
    public let store: UploadStore
    let server: HTTPServer
    let running = RunningTask()

    public init(options: ServeOptions) throws {
        self.options = options
        store = try UploadStore(root: options.directory)
        let address = try Self.address(host: options.host, port: options.port)
        let config = HTTPServer.Configuration(address: address, timeout: options.requestTimeout,
                                              sharedRequestBufferSize: 65_536, logger: .disabled)
        server = HTTPServer(config: config, handler: ServeHandler(options: options, store: store))
    }

    /// Starts listening; returns the page's URL once the socket listens, or throws why it cannot
    /// (the address in use, say).
    public func start() async throws -> URL {
        let server = self.server, running = self.running
        let task = Task {
            do { try await server.run() } catch {
                await running.ended(with: error)
                throw error
            }
        }
        await running.set(task)
        let deadline = Date().addingTimeInterval(10)
        while !(await server.isListening) {
            if let failure = await running.failure {
                let why = if case SocketError.failed(let call, _, let message) = failure { "\(call.lowercased()): \(message)" } else { "\(failure)" }
                throw ServeError.cannotListen(options.host, options.port, why)
            }
            guard Date() < deadline else {
                task.cancel()
                throw ServeError.cannotListen(options.host, options.port, "not listening after 10 s")
            }
            try await Task.sleep(nanoseconds: 10_000_000)
        }
        guard let address = await server.listeningAddress else { throw ServeError.cannotListen(options.host, options.port, "no listening address") }
        let port: UInt16
        switch address {
        case .ip4(_, let p), .ip6(_, let p): port = p
        case .unix: port = options.port
        }
        return URL(string: "http://\(options.urlHost):\(port)/")!
    }

    /// Waits until the server stops (stop(), or the task running it cancelled).
    public func wait() async throws {
        try await running.task?.value
    }

    /// Stops listening, lets open requests finish for up to `timeout` seconds, then closes them.
    public func stop(timeout: TimeInterval = 2) async {
        await server.stop(timeout: timeout)
    }

    static func address(host: String, port: UInt16) throws -> any SocketAddress {
        let name = host == "localhost" ? "127.0.0.1" : host
        if name.contains(":") {
            do { return try sockaddr_in6.inet6(ip6: name.trimmingCharacters(in: CharacterSet(charactersIn: "[]")), port: port) } catch {
                throw ServeError.badHost(host)
            }
        }
        do { return try sockaddr_in.inet(ip4: name, port: port) } catch { throw ServeError.badHost(host) }
    }
}

actor RunningTask {
    var task: Task<Void, any Error>?
    var failure: (any Error)?
    func set(_ task: Task<Void, any Error>) { self.task = task }
    func ended(with error: any Error) { failure = error }
}

public enum ServeError: Error, CustomStringConvertible {
    case badHost(String)
    case cannotListen(String, UInt16, String)

    public var description: String {
        switch self {
        case .badHost(let host): "\"\(host)\" is not an IP address to listen on; expected e.g. 127.0.0.1 (the default), ::1 or 0.0.0.0"
        case .cannotListen(let host, let port, let why): "cannot listen on \(host):\(port): \(why) (another server on that port? --port 0 takes a free one)"
        }
    }
}
