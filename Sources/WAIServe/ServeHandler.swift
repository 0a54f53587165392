import FlyingFox
import Foundation
import WAIEstimate
import WAIModel
import WAIPipeline
import WAIRead
import WAIReport
import ZIPFoundation

/// The routes of `wai serve`. Every response carries a Content-Security-Policy (and nosniff);
/// requests whose Host is not the loopback address the server listens on are refused (DNS
/// rebinding), and so are POSTs from another origin or without the page's `X-WAI-Request` header
/// (a form of another site cannot send it).
struct ServeHandler: HTTPHandler {
    let options: ServeOptions
    let store: UploadStore
    let busy = BusyUploads()

    static let fileNameHeader = HTTPHeader("X-File-Name")
    static let requestHeader = HTTPHeader("X-WAI-Request")

    /// The page's policy: its own script and style by nonce, requests to this server only, the
    /// report in a frame of this server only, nothing else.
    static func pagePolicy(nonce: String) -> String {
        "default-src 'none'; script-src 'nonce-\(nonce)'; style-src 'nonce-\(nonce)'; img-src 'self' data:; "
            + "connect-src 'self'; frame-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    }
    /// The HTML report's own policy (its <meta> says the same), to be framed by the page only.
    static let reportPolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'self'"
    /// Everything else: data, never run.
    static let dataPolicy = "default-src 'none'; sandbox; frame-ancestors 'self'"

    func handleRequest(_ request: HTTPRequest) async throws -> HTTPResponse {
        if let refusal = refuseHost(request) { return refusal }
        let rawPath = request.target.path(percentEncoded: true)
        // A NUL or `..` anywhere (percent-encoded or not) is refused before routing.
        let decoded = rawPath.removingPercentEncoding ?? rawPath
        if decoded.contains("\0") || decoded.split(separator: "/", omittingEmptySubsequences: false).contains(where: { $0 == ".." || $0 == "." }) || decoded.contains("\\") {
            return Self.error(.badRequest, "the path \(UploadStore.quoted(decoded)) goes outside its folder")
        }
        let components = request.path.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map(String.init)
        let method = request.method
        switch (method, components) {
        case (.GET, [""]), (.HEAD, [""]):
            return page()
        case (.POST, ["upload"]):
            if let refusal = refuseCrossSite(request) { return refusal }
            return await upload(request)
        case (.POST, let c) where c.count == 3 && c[0] == "r" && c[2] == "analyse":
            if let refusal = refuseCrossSite(request) { return refusal }
            return await analyse(id: c[1], request)
        case (.GET, let c) where c.count >= 3 && c[0] == "r", (.HEAD, let c) where c.count >= 3 && c[0] == "r":
            return file(id: c[1], components: Array(c[2...]), head: method == .HEAD)
        case (_, [""]), (_, ["upload"]):
            return Self.error(.methodNotAllowed, "\(method.rawValue) is not allowed here")
        default:
            return Self.error(.notFound, "no such page: \(UploadStore.quoted(request.path))")
        }
    }

    // MARK: - Requests refused

    func refuseHost(_ request: HTTPRequest) -> HTTPResponse? {
        guard options.isLoopback else { return nil }
        guard let host = request.headers[.host], Self.isLoopbackHost(host, listening: options.host) else {
            return Self.error(.forbidden, "this server answers requests for \(options.host) only (the Host header names another)")
        }
        return nil
    }

    static func isLoopbackHost(_ header: String, listening: String) -> Bool {
        var name = header.lowercased()
        if name.hasPrefix("[") {
            guard let close = name.firstIndex(of: "]") else { return false }
            name = String(name[name.index(after: name.startIndex)..<close])
        } else if let colon = name.lastIndex(of: ":") {
            name = String(name[..<colon])
        }
        return name == "127.0.0.1" || name == "localhost" || name == "::1" || name == listening.lowercased()
    }

    func refuseCrossSite(_ request: HTTPRequest) -> HTTPResponse? {
        if let site = request.headers[HTTPHeader("Sec-Fetch-Site")], site != "same-origin", site != "none" {
            return Self.error(.forbidden, "a request from another site (Sec-Fetch-Site: \(site))")
        }
        if let origin = request.headers[HTTPHeader("Origin")], let host = request.headers[.host], origin != "http://\(host)" {
            return Self.error(.forbidden, "a request from another origin (\(origin))")
        }
        guard request.headers[Self.requestHeader] != nil else {
            return Self.error(.forbidden, "a POST without the page's X-WAI-Request header")
        }
        return nil
    }

    // MARK: - The page

    func page() -> HTTPResponse {
        let nonce = Self.nonce()
        let html = Page.html(nonce: nonce, maxUploadBytes: options.maxUploadBytes)
        return Self.response(.ok, body: Data(html.utf8), type: "text/html; charset=utf-8", policy: Self.pagePolicy(nonce: nonce))
    }

    static func nonce() -> String {
        var generator = SystemRandomNumberGenerator()
        var bytes = [UInt8](repeating: 0, count: 16)
        for i in bytes.indices { bytes[i] = generator.next() }
        return Data(bytes).base64EncodedString()
    }

    // MARK: - Upload

    func upload(_ request: HTTPRequest) async -> HTTPResponse {
        guard let raw = request.headers[Self.fileNameHeader], let name = raw.removingPercentEncoding else {
            return Self.error(.badRequest, "the upload names no file (header X-File-Name, percent-encoded)")
        }
        let checked: String
        switch UploadStore.checkFileName(name) {
        case .success(let name): checked = name
        case .failure(let refusal):
            if case .unsupportedType = refusal { return Self.error(.unsupportedMediaType, refusal.description) }
            return Self.error(.badRequest, refusal.description)
        }
        // A declared size over the limit is refused before a byte of the body is stored. A client
        // that waits for "100 Continue" has sent nothing more; from one that sends the body anyway,
        // up to the limit again is read and dropped, so that it reads the 413 (not a reset
        // connection); past that the rest is left unread.
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > options.maxUploadBytes {
            let waits = request.headers[HTTPHeader("Expect")]?.lowercased() == "100-continue"
            if !waits, length <= 2 * options.maxUploadBytes { await Self.drain(request.bodySequence, limit: options.maxUploadBytes) }
            return Self.error(.payloadTooLarge, UploadRefusal.tooLarge(limit: options.maxUploadBytes).description)
        }
        let id = UploadStore.newID()
        guard let folder = store.folder(id) else { return Self.error(.internalServerError, "no upload folder") }
        let dataURL = folder.appendingPathComponent(checked)
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: false)
            let partial = folder.appendingPathComponent(".upload.part")
            let stored = try await Self.store(request.bodySequence, to: partial, limit: options.maxUploadBytes)
            switch stored {
            case .failure(let refusal):
                try? FileManager.default.removeItem(at: folder)
                return Self.error(refusal == .empty ? .badRequest : .payloadTooLarge, refusal.description)
            case .success:
                try FileManager.default.moveItem(at: partial, to: dataURL)
            }
        } catch {
            try? FileManager.default.removeItem(at: folder)
            return Self.error(.internalServerError, "the upload could not be stored: \(error)")
        }
        let request = InitRequest(data: dataURL.path, command: "wai init \(checked)")
        let inferred = await Self.background { try request.run() }
        switch inferred {
        case .success(let result):
            do {
                try Data(result.yaml.utf8).write(to: folder.appendingPathComponent(UploadStore.specName), options: .atomic)
            } catch {
                return Self.error(.internalServerError, "the spec could not be written: \(error)")
            }
            let body = UploadReply(id: id, name: checked, spec: result.yaml, summary: result.summary,
                                   warnings: (result.quality?.warnings ?? []).map(\.message), specURL: "/r/\(id)/\(UploadStore.specName)")
            return Self.json(.ok, body)
        case .failure(let error):
            let message = relative(error, folder: folder)
            return Self.json(error is InputError ? .unprocessableContent : .internalServerError,
                             ErrorReply(error: message, id: id, name: checked))
        }
    }

    /// Writes the body to `url` as it arrives, storing nothing past `limit` bytes.
    static func store(_ body: HTTPBodySequence, to url: URL, limit: Int) async throws -> Result<Int, UploadRefusal> {
        guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: url.path])
        }
        let handle = try FileHandle(forWritingTo: url)
        defer { try? handle.close() }
        var total = 0
        var buffer = Data()
        var over = false
        for try await chunk in body {
            total += chunk.count
            if over || total > limit {
                // Nothing more is stored; up to the limit again is read and dropped (see upload()).
                over = true
                if total > 2 * limit { break }
                continue
            }
            buffer.append(chunk)
            if buffer.count >= 1 << 20 {
                try handle.write(contentsOf: buffer)
                buffer.removeAll(keepingCapacity: true)
            }
        }
        if over { return .failure(.tooLarge(limit: limit)) }
        if !buffer.isEmpty { try handle.write(contentsOf: buffer) }
        return total == 0 ? .failure(.empty) : .success(total)
    }

    /// Reads and drops what is left of a refused body, `limit` bytes at most.
    static func drain(_ body: HTTPBodySequence, limit: Int) async {
        var dropped = 0
        do {
            for try await chunk in body {
                dropped += chunk.count
                if dropped > limit { return }
            }
        } catch {}
    }

    // MARK: - Analyse

    func analyse(id: String, _ request: HTTPRequest) async -> HTTPResponse {
        guard let folder = store.folder(id), FileManager.default.fileExists(atPath: folder.path) else {
            return Self.error(.notFound, "no such upload: \(UploadStore.quoted(id))")
        }
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > options.maxSpecBytes {
            return Self.error(.payloadTooLarge, "the spec is larger than \(ServeOptions.describe(bytes: options.maxSpecBytes))")
        }
        var body = Data()
        do {
            for try await chunk in request.bodySequence {
                body.append(chunk)
                if body.count > options.maxSpecBytes {
                    return Self.error(.payloadTooLarge, "the spec is larger than \(ServeOptions.describe(bytes: options.maxSpecBytes))")
                }
            }
        } catch {
            return Self.error(.badRequest, "the spec could not be read: \(error)")
        }
        guard let yaml = String(data: body, encoding: .utf8), !yaml.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            return Self.error(.badRequest, "the spec is empty or not UTF-8 text")
        }
        guard await busy.claim(id) else {
            return Self.error(.conflict, "this upload is being analysed already; wait for it to finish")
        }
        let pipeline = options.pipeline
        let outcome = await Self.background { () throws -> AnalyseReply in
            let specURL = folder.appendingPathComponent(UploadStore.specName)
            try Data(yaml.utf8).write(to: specURL, options: .atomic)
            return try Self.report(id: id, folder: folder, pipeline: pipeline)
        }
        await busy.release(id)
        switch outcome {
        case .success(let reply): return Self.json(.ok, reply)
        case .failure(let error):
            return Self.json(error is InputError ? .unprocessableContent : .internalServerError,
                             ErrorReply(error: relative(error, folder: folder), id: id, name: store.dataFile(id)))
        }
    }

    /// What `wai report DIR` does, into DIR/report, then the folder zipped as report.zip.
    static func report(id: String, folder: URL, pipeline: PipelineOptions) throws -> AnalyseReply {
        let survey = try SurveyDirectory(folder.path)
        let dataPath = try survey.dataPath
        let resolved = URL(fileURLWithPath: dataPath).resolvingSymlinksInPath().standardizedFileURL.path
        guard resolved.hasPrefix(folder.path + "/"), !resolved.hasPrefix(folder.appendingPathComponent(UploadStore.reportFolder).path + "/") else {
            throw InputError("the spec's data names a file outside this upload", at: SourceLocation(file: survey.loaded.path, keyPath: "data"),
                             found: survey.loaded.spec.data, expected: "the uploaded file's name, e.g. data: \"\(((dataPath as NSString).lastPathComponent))\"")
        }
        let formats = ReportFormat.allCases
        // As `wai report` run in the upload's folder: the report names the data by its path there.
        var request = AnalysisRequest(data: dataPath, spec: .loaded(survey.loaded), options: ReadOptions(), aggregation: .loops,
                                      inference: InferenceOptions(), formats: formats.map(\.rawValue), pipeline: pipeline)
        request.displayName = String(resolved.dropFirst(folder.path.count + 1))
        let analysis = try request.run()
        let reportURL = folder.appendingPathComponent(UploadStore.reportFolder, isDirectory: true)
        _ = try ReportWriter(formats: Set(formats)).write(analysis, to: reportURL.path)
        try zip(reportURL, to: folder.appendingPathComponent(UploadStore.zipName))
        let json = try JSONRenderer().report(analysis)
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let summary = try decoder.decode(ReportSummary.self, from: Data(json.utf8))
        return AnalyseReply(id: id, title: summary.title, respondents: analysis.quality.rowsUsed,
                            rowsRead: analysis.quality.rowsRead, rowsRejected: analysis.quality.rowsRejected,
                            tables: summary.tables, warnings: (analysis.quality.warnings ?? []).map(\.message),
                            report: "/r/\(id)/\(UploadStore.reportFolder)/report.html",
                            zip: "/r/\(id)/\(UploadStore.zipName)", spec: "/r/\(id)/\(UploadStore.specName)",
                            json: "/r/\(id)/\(UploadStore.reportFolder)/report.json",
                            xlsx: "/r/\(id)/\(UploadStore.reportFolder)/report.xlsx")
    }

    /// The report folder as a zip (its files under `report/`, wai's own dot files left out),
    /// written beside and moved into place.
    static func zip(_ directory: URL, to destination: URL) throws {
        let temporary = destination.deletingLastPathComponent().appendingPathComponent(".report.zip.part")
        try? FileManager.default.removeItem(at: temporary)
        let archive = try Archive(url: temporary, accessMode: .create)
        let base = directory.deletingLastPathComponent()
        let enumerator = FileManager.default.enumerator(atPath: directory.path)
        var paths: [String] = []
        while let path = enumerator?.nextObject() as? String {
            if (path as NSString).pathComponents.contains(where: { $0.hasPrefix(".") }) { continue }
            var isDirectory: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: directory.appendingPathComponent(path).path, isDirectory: &isDirectory)
            if !isDirectory.boolValue { paths.append(path) }
        }
        for path in paths.sorted() {
            try archive.addEntry(with: directory.lastPathComponent + "/" + path, relativeTo: base, compressionMethod: .deflate)
        }
        _ = try? FileManager.default.removeItem(at: destination)
        try FileManager.default.moveItem(at: temporary, to: destination)
    }

    // MARK: - Files of an upload

    func file(id: String, components: [String], head: Bool) -> HTTPResponse {
        guard let url = store.file(id, components: components) else {
            return Self.error(.notFound, "no such file in this upload")
        }
        let ext = url.pathExtension.lowercased()
        let (type, policy, attachment) = Self.contentType(ext)
        var headers: HTTPHeaders = [:]
        if attachment {
            let name = url.lastPathComponent
            let ascii = String(name.unicodeScalars.map { $0.isASCII && $0 != "\"" && $0.value >= 0x20 ? Character($0) : "_" })
            let encoded = name.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ascii
            headers[.contentDisposition] = "attachment; filename=\"\(ascii)\"; filename*=UTF-8''\(encoded)"
        }
        do {
            let body = head ? HTTPBodySequence() : try HTTPBodySequence(file: url, suggestedBufferSize: 65_536)
            var response = HTTPResponse(statusCode: .ok, headers: headers, body: body)
            Self.secure(&response, type: type, policy: policy)
            if head, let size = (try? FileManager.default.attributesOfItem(atPath: url.path))?[.size] as? Int {
                response.headers[.contentLength] = String(size)
            }
            return response
        } catch {
            return Self.error(.notFound, "the file could not be read")
        }
    }

    static func contentType(_ ext: String) -> (type: String, policy: String, attachment: Bool) {
        switch ext {
        case "html": ("text/html; charset=utf-8", reportPolicy, false)
        case "svg": ("image/svg+xml", reportPolicy, false)
        case "json": ("application/json", dataPolicy, false)
        case "md": ("text/markdown; charset=utf-8", dataPolicy, false)
        case "csv": ("text/csv; charset=utf-8", dataPolicy, true)
        case "yaml", "yml": ("application/yaml; charset=utf-8", dataPolicy, true)
        case "zip": ("application/zip", dataPolicy, true)
        case "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", dataPolicy, true)
        default: ("application/octet-stream", dataPolicy, true)
        }
    }

    // MARK: - Responses

    static func secure(_ response: inout HTTPResponse, type: String, policy: String) {
        response.headers[.contentType] = type
        response.headers[HTTPHeader("Content-Security-Policy")] = policy
        response.headers[HTTPHeader("X-Content-Type-Options")] = "nosniff"
        response.headers[HTTPHeader("Referrer-Policy")] = "no-referrer"
        response.headers[HTTPHeader("Cross-Origin-Resource-Policy")] = "same-origin"
        response.headers[.cacheControl] = "no-store"
    }

    static func response(_ status: HTTPStatusCode, body: Data, type: String, policy: String) -> HTTPResponse {
        var response = HTTPResponse(statusCode: status, body: body)
        secure(&response, type: type, policy: policy)
        return response
    }

    static func json(_ status: HTTPStatusCode, _ value: some Encodable) -> HTTPResponse {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        let data = (try? encoder.encode(value)) ?? Data("{\"error\":\"the reply could not be encoded\"}".utf8)
        return response(status, body: data, type: "application/json", policy: dataPolicy)
    }

    static func error(_ status: HTTPStatusCode, _ message: String) -> HTTPResponse {
        json(status, ErrorReply(error: message))
    }

    /// An error as the page shows it: the upload folder left out of its paths (`survey.yaml:12:3`).
    func relative(_ error: any Error, folder: URL) -> String {
        let text = (error as? InputError).map { "\(EncodingHint.annotate($0))" } ?? "\(error)"
        return text.replacingOccurrences(of: folder.path + "/", with: "")
    }

    /// Runs `work` off the server's tasks (reading and estimating are synchronous).
    static func background<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async -> Result<T, any Error> {
        await withCheckedContinuation { continuation in
            DispatchQueue.global(qos: .userInitiated).async {
                continuation.resume(returning: Result { try work() })
            }
        }
    }
}

/// Uploads being analysed (one analysis per upload at a time).
actor BusyUploads {
    var ids: Set<String> = []
    func claim(_ id: String) -> Bool { ids.insert(id).inserted }
    func release(_ id: String) { ids.remove(id) }
}

struct ErrorReply: Encodable {
    var error: String
    var id: String? = nil
    var name: String? = nil
}

struct UploadReply: Encodable {
    var id: String
    var name: String
    var spec: String
    var summary: String
    var warnings: [String]
    var specURL: String
}

struct AnalyseReply: Encodable, Sendable {
    var id: String
    var title: String
    var respondents: Int
    var rowsRead: Int
    var rowsRejected: Int
    var tables: [ReportSummary.Table]
    var warnings: [String]
    var report: String
    var zip: String
    var spec: String
    var json: String
    var xlsx: String
}

/// The part of report.json the page shows: each table's items and composite, with their indices.
struct ReportSummary: Codable, Sendable {
    struct Item: Codable, Sendable {
        var id: String
        var text: String?
        var n: Int?
        var wai: Double?
        var waiReported: String?
        var band: String?
    }
    struct Composite: Codable, Sendable {
        var items: Int
        var wai: Double
        var waiReported: String
        var band: String
    }
    struct Table: Codable, Sendable {
        var id: String
        var title: String
        var items: [Item]
        var composite: Composite?
    }
    var title: String
    var tables: [Table]
}
