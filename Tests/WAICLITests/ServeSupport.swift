import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `wai serve` started as a user starts it, on a free port; its first line says where.
final class ServeProcess {
    let process = Process()
    let url: URL
    let port: Int
    let directory: URL
    let errorFile: URL

    init(directory: URL, arguments: [String] = []) throws {
        self.directory = directory
        errorFile = FileManager.default.temporaryDirectory.appendingPathComponent("wai-serve-stderr-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: errorFile.path, contents: nil)
        process.executableURL = Products.wai
        process.arguments = ["serve", directory.path, "--port", "0"] + arguments
        process.currentDirectoryURL = Products.packageRoot
        let out = Pipe()
        process.standardOutput = out
        process.standardError = try FileHandle(forWritingTo: errorFile)
        try process.run()
        // The first line: "wai serve: http://127.0.0.1:PORT/".
        let reader = out.fileHandleForReading
        let line = LineBox()
        let ready = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            var data = Data()
            while !data.contains(UInt8(ascii: "\n")) {
                let chunk = reader.availableData
                if chunk.isEmpty { break }
                data.append(chunk)
            }
            line.text = String(decoding: data, as: UTF8.self)
            ready.signal()
        }
        guard ready.wait(timeout: .now() + 30) == .success, let first = line.text?.split(separator: "\n").first,
              first.hasPrefix("wai serve: "), let url = URL(string: String(first.dropFirst("wai serve: ".count))), let port = url.port else {
            process.terminate()
            let stderr = (try? String(contentsOf: errorFile, encoding: .utf8)) ?? ""
            throw ServeTestError("wai serve printed no URL: \(line.text ?? "nothing"); stderr: \(stderr)")
        }
        (self.url, self.port) = (url, port)
    }

    /// SIGTERM, as Ctrl-C would; returns the exit status.
    @discardableResult
    func stop() -> Int32 {
        if process.isRunning { process.terminate() }
        let deadline = Date().addingTimeInterval(15)
        while process.isRunning, Date() < deadline { usleep(50_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }
        return process.terminationStatus
    }

    var stderr: String { (try? String(contentsOf: errorFile, encoding: .utf8)) ?? "" }

    deinit {
        if process.isRunning { stop() }
        try? FileManager.default.removeItem(at: errorFile)
    }
}

private final class LineBox: @unchecked Sendable { var text: String? }

struct ServeTestError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// HTTP/1.1 over a plain socket: requests exactly as written (a raw `..` in the path, a
/// Content-Length with no body, a Host of another site), which URLSession would tidy up.
enum RawHTTP {
    struct Reply {
        var status: Int
        /// Header names lowercased.
        var headers: [String: String]
        var body: Data
        var text: String { String(decoding: body, as: UTF8.self) }
        func json() throws -> [String: Any] {
            guard let object = try JSONSerialization.jsonObject(with: body) as? [String: Any] else { throw ServeTestError("not a JSON object: \(text)") }
            return object
        }
    }

    /// Sends `method target` with `headers` (Host and Connection: close added) and `body`
    /// (`chunked`: as chunks of 64 KiB), and reads the reply to the end.
    static func send(port: Int, _ method: String, _ target: String, headers: [String: String] = [:], body: Data = Data(),
                     chunked: Bool = false, declaredLength: Int? = nil, sendBody: Bool = true) throws -> Reply {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ServeTestError("socket: \(errno)") }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 60, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw ServeTestError("connect: \(errno)") }
        var head = "\(method) \(target) HTTP/1.1\r\n"
        var all = headers
        if all["Host"] == nil { all["Host"] = "127.0.0.1:\(port)" }
        all["Connection"] = "close"
        if chunked { all["Transfer-Encoding"] = "chunked" } else if method == "POST" || !body.isEmpty || declaredLength != nil {
            all["Content-Length"] = String(declaredLength ?? body.count)
        }
        for (name, value) in all.sorted(by: { $0.key < $1.key }) { head += "\(name): \(value)\r\n" }
        head += "\r\n"
        var payload = Data(head.utf8)
        if sendBody {
            if chunked {
                var offset = 0
                while offset < body.count {
                    let end = min(offset + 65_536, body.count)
                    payload.append(Data((String(end - offset, radix: 16) + "\r\n").utf8))
                    payload.append(body[offset..<end])
                    payload.append(Data("\r\n".utf8))
                    offset = end
                }
                payload.append(Data("0\r\n\r\n".utf8))
            } else {
                payload.append(body)
            }
        }
        // Written on another thread, so that a server answering early (413) is read as it answers.
        let bytes = payload
        let writer = Thread { _ = bytes.withUnsafeBytes { writeAll(fd, $0) } }
        writer.start()
        var received = Data()
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { break }
            received.append(contentsOf: buffer[0..<n])
        }
        shutdown(fd, Int32(SHUT_RDWR))
        guard let split = received.firstRange(of: Data("\r\n\r\n".utf8)) else {
            throw ServeTestError("no HTTP reply (\(received.count) bytes, errno \(errno))")
        }
        let lines = String(decoding: received[..<split.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
        let status = Int(lines[0].split(separator: " ")[1]) ?? 0
        var replyHeaders: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            replyHeaders[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        var body = Data(received[split.upperBound...])
        if let length = replyHeaders["content-length"].flatMap(Int.init), body.count > length { body = body.prefix(length) }
        return Reply(status: status, headers: replyHeaders, body: body)
    }

    private static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n = Glibc.send(fd, bytes.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
            if n <= 0 { return false }
            offset += n
        }
        return true
    }
}

/// Headless Chromium driven through the DevTools protocol over a pipe (--remote-debugging-pipe:
/// NUL-terminated JSON messages on its file descriptors 3 and 4; no WebSocket needed).
final class Chromium {
    let process = Process()
    let toBrowser: FileHandle
    let fromBrowser: FileHandle
    let profile: URL
    private var buffer = Data()
    private var nextID = 0
    private var session: String?

    /// The browser on PATH (Debian: `chromium`), or nil.
    static var executable: String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for name in ["chromium", "chromium-browser", "google-chrome"] {
            for directory in path.split(separator: ":") {
                let candidate = "\(directory)/\(name)"
                if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            }
        }
        return nil
    }

    init(executable: String, width: Int = 1280, height: Int = 900) throws {
        profile = FileManager.default.temporaryDirectory.appendingPathComponent("wai-chromium-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: profile, withIntermediateDirectories: true)
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        let flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                     "--disable-extensions", "--disable-background-networking", "--remote-debugging-pipe",
                     "--user-data-dir=\(profile.path)", "--window-size=\(width),\(height)", "about:blank"]
        // fd 3: what the browser reads (this process's pipe in), fd 4: what it writes.
        process.arguments = ["-c", "exec \"$0\" \"$@\" 3<&0 4>&1 0</dev/null 1>&2", executable] + flags
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        (toBrowser, fromBrowser) = (input.fileHandleForWriting, output.fileHandleForReading)
        // A browser that hangs is ended, so that the test fails instead of waiting for ever.
        let process = self.process
        DispatchQueue.global().asyncAfter(deadline: .now() + 240) { if process.isRunning { process.terminate() } }
    }

    /// Sends one command (to the page's session once attached) and returns its result.
    @discardableResult
    func call(_ method: String, _ params: [String: Any] = [:], browser: Bool = false) throws -> [String: Any] {
        nextID += 1
        var message: [String: Any] = ["id": nextID, "method": method, "params": params]
        if !browser, let session { message["sessionId"] = session }
        var data = try JSONSerialization.data(withJSONObject: message)
        data.append(0)
        try toBrowser.write(contentsOf: data)
        while true {
            let reply = try readMessage()
            guard reply["id"] as? Int == nextID else { continue }   // events and others' replies
            if let error = reply["error"] as? [String: Any] { throw ServeTestError("\(method): \(error)") }
            return reply["result"] as? [String: Any] ?? [:]
        }
    }

    private func readMessage() throws -> [String: Any] {
        while true {
            if let end = buffer.firstIndex(of: 0) {
                let message = buffer[buffer.startIndex..<end]
                buffer = Data(buffer[(end + 1)...])
                if let object = try JSONSerialization.jsonObject(with: message) as? [String: Any] { return object }
                continue
            }
            let chunk = fromBrowser.availableData
            if chunk.isEmpty { throw ServeTestError("the browser closed its pipe") }
            buffer.append(chunk)
        }
    }

    /// Opens a page target and attaches to it: later calls go to it.
    func openPage(width: Int = 1280, height: Int = 900) throws {
        let target = try call("Target.createTarget", ["url": "about:blank"], browser: true)
        let attached = try call("Target.attachToTarget", ["targetId": target["targetId"] as! String, "flatten": true], browser: true)
        session = attached["sessionId"] as? String
        try call("Page.enable")
        try call("Runtime.enable")
        try call("Emulation.setDeviceMetricsOverride", ["width": width, "height": height, "deviceScaleFactor": 1, "mobile": false])
    }

    /// The value of a JavaScript expression (awaited when it is a promise).
    @discardableResult
    func evaluate(_ expression: String) throws -> Any? {
        let result = try call("Runtime.evaluate", ["expression": expression, "returnByValue": true, "awaitPromise": true])
        if let exception = result["exceptionDetails"] as? [String: Any] { throw ServeTestError("JavaScript: \(exception)") }
        return (result["result"] as? [String: Any])?["value"]
    }

    /// Waits until `expression` is true (polling), up to `timeout` seconds.
    func wait(for expression: String, timeout: TimeInterval = 60) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try evaluate(expression) as? Bool == true { return }
            usleep(100_000)
        }
        throw ServeTestError("timed out waiting for \(expression)")
    }

    /// A PNG of the whole page (beyond the viewport).
    func screenshot() throws -> Data {
        _ = try call("Runtime.evaluate", ["expression": "window.scrollTo(0, 0)"])
        let metrics = try call("Page.getLayoutMetrics")
        let size = metrics["cssContentSize"] as? [String: Any] ?? [:]
        let width = size["width"] as? Double ?? 1280, height = min(size["height"] as? Double ?? 900, 12_000)
        let shot = try call("Page.captureScreenshot", ["format": "png", "captureBeyondViewport": true,
                                                       "clip": ["x": 0, "y": 0, "width": width, "height": height, "scale": 1]])
        guard let base64 = shot["data"] as? String, let png = Data(base64Encoded: base64) else { throw ServeTestError("no screenshot") }
        return png
    }

    func stop() {
        if process.isRunning {
            _ = try? call("Browser.close", browser: true)
            let deadline = Date().addingTimeInterval(10)
            while process.isRunning, Date() < deadline { usleep(50_000) }
            if process.isRunning { process.terminate(); process.waitUntilExit() }
        }
        try? FileManager.default.removeItem(at: profile)
    }

    deinit { stop() }
}
