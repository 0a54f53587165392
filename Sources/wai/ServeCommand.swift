import ArgumentParser
import Foundation
import WAIKit
import WAIServe

struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "A local web page: drop a responses file, edit the inferred spec, read and download the report.",
        discussion: """
        Listens on 127.0.0.1 only (another address only with --host) and prints the page's URL as \
        its first line: "wai serve: http://127.0.0.1:PORT/". On the page: drop a CSV, a workbook \
        or an SPSS/Stata file (at most --max-upload-mb; a larger one is refused with 413 before it \
        is stored), see and edit the spec `wai init` infers, press Analyse for the report `wai \
        report` writes (with its charts), and download it as a zip, with the spec. Each upload \
        gets a folder in DIR (default: a new temporary folder, removed when the server stops) \
        holding the file, survey.yaml, report/ and report.zip; the server serves no file outside an upload's own folder. Stop it \
        with Ctrl-C.

        Examples:
          wai serve                                   # http://127.0.0.1:8080/
          wai serve ~/surveys/work --port 9000
          wai serve --port 0                          # any free port (the URL printed says which)
        """
    )

    @Argument(help: ArgumentHelp("The working folder: each upload gets a folder in it (default: a new temporary folder, removed when the server stops).", valueName: "dir"))
    var directory: String?

    @Option(help: ArgumentHelp("The port to listen on; 0 takes any free one.", valueName: "n"))
    var port: Int = Int(ServeOptions.defaultPort)

    @Option(help: ArgumentHelp("The address to listen on (default \(ServeOptions.defaultHost), this computer only; 0.0.0.0 opens it to the network).", valueName: "address"))
    var host: String = ServeOptions.defaultHost

    @Option(name: .customLong("max-upload-mb"), help: ArgumentHelp("The largest upload taken, in MB (2^20 bytes).", valueName: "n"))
    var maxUploadMB: Int = ServeOptions.defaultMaxUploadMB

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535 (0: any free port)") }
        guard maxUploadMB >= 1, maxUploadMB <= 1 << 20 else { throw ValidationError("--max-upload-mb must be between 1 and 1048576 (e.g. --max-upload-mb 200)") }
    }

    func run() throws {
        let folder: String
        if let directory {
            folder = directory
        } else {
            folder = (NSTemporaryDirectory() as NSString).appendingPathComponent("wai-serve-\(UUID().uuidString.prefix(8).lowercased())")
        }
        let options = ServeOptions(directory: folder, host: host, port: UInt16(port), maxUploadBytes: maxUploadMB * 1_048_576,
                                   pipeline: .fromEnvironment)
        let server: WAIServer
        do {
            server = try WAIServer(options: options)
        } catch {
            printError("wai: error: \(error)")
            throw ExitCode(2)
        }
        // The server runs on Swift's tasks; this thread waits for it to stop.
        let outcome = Outcome()
        let done = DispatchSemaphore(value: 0)
        Task {
            do {
                let url = try await server.start()
                try output("wai serve: \(url.absoluteString)\n")
                printError("wai: uploads go to \(server.store.root.path), at most \(maxUploadMB) MB each; Ctrl-C stops")
                if !options.isLoopback { printError("wai: warning: listening on \(host): other computers can reach this page") }
                try? await server.wait()   // ends when stop() closes the listening socket
            } catch {
                outcome.set(error)
            }
            done.signal()
        }
        // Ctrl-C and SIGTERM stop the server (open requests get a moment to finish).
        let signals = [SIGINT, SIGTERM].map { number -> any DispatchSourceSignal in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { Task { await server.stop(timeout: 2) } }
            source.resume()
            return source
        }
        done.wait()
        signals.forEach { $0.cancel() }
        if let error = outcome.error {
            printError("wai: error: \(error)")
            throw ExitCode(2)
        }
        if directory == nil {
            // A folder of wai's own making goes with the server; one that was named stays.
            try? FileManager.default.removeItem(atPath: server.store.root.path)
            printError("wai: stopped; removed \(server.store.root.path)")
        } else {
            printError("wai: stopped")
        }
    }
}

/// The error that ended the server's task, handed to the waiting thread.
private final class Outcome: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: (any Error)?
    func set(_ error: any Error) { lock.lock(); stored = error; lock.unlock() }
    var error: (any Error)? { lock.lock(); defer { lock.unlock() }; return stored }
}
