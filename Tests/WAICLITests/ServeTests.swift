import Foundation
import XCTest

/// `wai serve` end to end: the built binary started on a free port, spoken to over HTTP as
/// written (RawHTTP) and through a headless Chromium as a person would use the page.
final class ServeTests: XCTestCase {
    static let fixture = Products.packageRoot.appendingPathComponent("Tests/WAIReadTests/Fixtures/google_forms.csv")

    var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("wai-serve-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    func start(_ arguments: [String] = ["--max-upload-mb", "1"]) throws -> ServeProcess {
        try ServeProcess(directory: directory, arguments: arguments)
    }

    /// The upload folders in the working directory.
    func uploads() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { !$0.hasPrefix(".") }.sorted()
    }

    func upload(_ server: ServeProcess, name: String, body: Data) throws -> RawHTTP.Reply {
        try RawHTTP.send(port: server.port, "POST", "/upload", headers: ["X-File-Name": name.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!, "X-WAI-Request": "1"], body: body)
    }

    func testServesThePageOnLoopbackWithAContentSecurityPolicy() throws {
        let server = try start()
        XCTAssertEqual(server.url.host, "127.0.0.1")
        let page = try RawHTTP.send(port: server.port, "GET", "/")
        XCTAssertEqual(page.status, 200)
        let policy = try XCTUnwrap(page.headers["content-security-policy"])
        XCTAssert(policy.contains("default-src 'none'"), policy)
        XCTAssertFalse(policy.contains("unsafe-inline"), policy)
        XCTAssertEqual(page.headers["x-content-type-options"], "nosniff")
        // The page's one script and one style carry the policy's nonce; nothing is fetched from elsewhere.
        let nonce = try XCTUnwrap(policy.range(of: #"nonce-([A-Za-z0-9+/=]+)"#, options: .regularExpression).map { String(policy[$0].dropFirst(6)) })
        XCTAssert(page.text.contains("<script nonce=\"\(nonce)\">"), page.text)
        XCTAssert(page.text.contains("<style nonce=\"\(nonce)\">"), page.text)
        XCTAssertFalse(page.text.contains("http://") || page.text.contains("https://"), "an external address in the page")
        XCTAssertNotEqual(try RawHTTP.send(port: server.port, "GET", "/").headers["content-security-policy"], policy, "a fresh nonce per page")
        // Errors carry a policy too.
        let missing = try RawHTTP.send(port: server.port, "GET", "/nothing")
        XCTAssertEqual(missing.status, 404)
        XCTAssertNotNil(missing.headers["content-security-policy"])
        // Another site's name in Host (DNS rebinding) and a POST without the page's header (a form of another site) are refused.
        XCTAssertEqual(try RawHTTP.send(port: server.port, "GET", "/", headers: ["Host": "attacker.example:\(server.port)"]).status, 403)
        let csv = try Data(contentsOf: Self.fixture)
        XCTAssertEqual(try RawHTTP.send(port: server.port, "POST", "/upload", headers: ["X-File-Name": "a.csv"], body: csv).status, 403)
        XCTAssertEqual(try RawHTTP.send(port: server.port, "POST", "/upload", headers: ["X-File-Name": "a.csv", "X-WAI-Request": "1", "Origin": "http://attacker.example"], body: csv).status, 403)
        XCTAssertEqual(try uploads(), [])
        // A second server on the same port says why it cannot listen, and exits 2.
        let second = try Products.run(Products.wai, ["serve", directory.path, "--port", String(server.port)])
        XCTAssertEqual(second.status, 2)
        XCTAssert(second.stderr.contains("cannot listen on 127.0.0.1:\(server.port): bind: Address already in use"), second.stderr)
        XCTAssertEqual(server.stop(), 0, server.stderr)
        XCTAssert(server.stderr.contains("wai: stopped"), server.stderr)
    }

    func testRefusesUploadsOverTheLimitAndBadNames() throws {
        let server = try start()   // --max-upload-mb 1
        let headers = ["X-File-Name": "big.csv", "X-WAI-Request": "1"]
        // Declared too large, the client waiting for 100 Continue: refused before any byte is sent.
        let declared = try RawHTTP.send(port: server.port, "POST", "/upload", headers: headers.merging(["Expect": "100-continue"]) { $1 },
                                        declaredLength: 5 << 20, sendBody: false)
        XCTAssertEqual(declared.status, 413, declared.text)
        XCTAssert(try declared.json()["error"] as? String == "the upload is larger than the limit of 1 MB (wai serve --max-upload-mb)", declared.text)
        // Declared too large and sent anyway; and sent in chunks with no length: counted while read.
        let big = Data(repeating: UInt8(ascii: "a"), count: (1 << 20) + 300_000)
        XCTAssertEqual(try RawHTTP.send(port: server.port, "POST", "/upload", headers: headers, body: big).status, 413)
        let chunked = try RawHTTP.send(port: server.port, "POST", "/upload", headers: headers, body: big, chunked: true)
        XCTAssertEqual(chunked.status, 413, chunked.text)
        XCTAssertEqual(try uploads(), [], "nothing of a refused upload is kept")
        // Names: a path, `..`, a NUL, a hidden file, a type wai does not read, none.
        for (name, status) in [("../escape.csv", 400), ("a/b.csv", 400), ("..", 400), ("x\u{0}.csv", 400), (".hidden.csv", 400),
                               ("/etc/passwd", 400), ("tool.exe", 415), ("", 400)] {
            let reply = try upload(server, name: name, body: Data("a,b\n1,2\n".utf8))
            XCTAssertEqual(reply.status, status, "\(name): \(reply.text)")
        }
        XCTAssertEqual(try RawHTTP.send(port: server.port, "POST", "/upload", headers: ["X-WAI-Request": "1"], body: Data("a\n".utf8)).status, 400)
        XCTAssertEqual(try upload(server, name: "empty.csv", body: Data()).status, 400)
        XCTAssertEqual(try uploads(), [])
        // The server still answers.
        XCTAssertEqual(try RawHTTP.send(port: server.port, "GET", "/").status, 200)
        server.stop()
    }

    func testUploadAnalyseAndDownloadsMatchTheCommandLine() throws {
        let server = try start()
        let csv = try Data(contentsOf: Self.fixture)
        let uploaded = try upload(server, name: "google_forms.csv", body: csv)
        XCTAssertEqual(uploaded.status, 200, uploaded.text)
        let reply = try uploaded.json()
        let id = try XCTUnwrap(reply["id"] as? String)
        XCTAssertEqual(try uploads(), [id])
        let folder = directory.appendingPathComponent(id)
        XCTAssertEqual(try Data(contentsOf: folder.appendingPathComponent("google_forms.csv")), csv)
        // The spec is the one `wai init` writes for the file.
        let spec = try XCTUnwrap(reply["spec"] as? String)
        let initRun = try Products.run(Products.wai, ["init", "google_forms.csv"], in: folder)
        XCTAssertEqual(initRun.status, 0, initRun.stderr)
        XCTAssertEqual(spec, initRun.stdout)
        XCTAssert((reply["summary"] as? String ?? "").hasPrefix("inferred 4 items in 2 tables"), "\(reply)")

        // Analyse with an edited title: the report, its zip and the spec are served from the upload's folder.
        let edited = spec.replacingOccurrences(of: "title: \"google_forms\"", with: "title: \"Health centre (edited)\"")
        XCTAssertNotEqual(edited, spec)
        let analysed = try RawHTTP.send(port: server.port, "POST", "/r/\(id)/analyse", headers: ["X-WAI-Request": "1"], body: Data(edited.utf8))
        XCTAssertEqual(analysed.status, 200, analysed.text)
        let result = try analysed.json()
        XCTAssertEqual(result["title"] as? String, "Health centre (edited)")
        let cli = try Products.run(Products.wai, ["analyze", "google_forms.csv", "--spec", "survey.yaml", "--format", "json"], in: folder)
        XCTAssertEqual(cli.status, 0, cli.stderr)
        let expected = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(cli.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(Self.indices(result), Self.indices(expected))
        XCTAssertEqual(Self.indices(result).count, 5, "4 items and 1 composite")

        let html = try RawHTTP.send(port: server.port, "GET", try XCTUnwrap(result["report"] as? String))
        XCTAssertEqual(html.status, 200)
        XCTAssert(html.headers["content-type"]?.hasPrefix("text/html") == true)
        XCTAssert(html.headers["content-security-policy"]?.contains("default-src 'none'") == true, "\(html.headers)")
        XCTAssert(html.text.contains("Health centre (edited)") && html.text.contains("<svg"), "the report with its charts")
        let zip = try RawHTTP.send(port: server.port, "GET", try XCTUnwrap(result["zip"] as? String))
        XCTAssertEqual(zip.status, 200)
        XCTAssertEqual(zip.headers["content-type"], "application/zip")
        XCTAssert(zip.headers["content-disposition"]?.hasPrefix("attachment") == true)
        XCTAssertEqual(Array(zip.body.prefix(4)), [0x50, 0x4B, 0x03, 0x04])
        let zipPath = directory.appendingPathComponent("downloaded.zip")
        try zip.body.write(to: zipPath)
        let listing = try Products.run(URL(fileURLWithPath: "/usr/bin/python3"), ["-c", "import sys, zipfile; print('\\n'.join(zipfile.ZipFile(sys.argv[1]).namelist()))", zipPath.path])
        XCTAssertEqual(listing.status, 0, listing.stderr)
        XCTAssert(listing.stdout.split(separator: "\n").contains("report/report.html"), listing.stdout)
        XCTAssert(listing.stdout.split(separator: "\n").contains("report/report.json"), listing.stdout)
        XCTAssertFalse(listing.stdout.contains("/."), "wai's own dot files stay out of the zip: \(listing.stdout)")
        let yaml = try RawHTTP.send(port: server.port, "GET", try XCTUnwrap(result["spec"] as? String))
        XCTAssertEqual(yaml.status, 200)
        XCTAssertEqual(yaml.text, edited)

        // A bad spec: the located error, 422, and the server carries on.
        let broken = edited.replacingOccurrences(of: "weighting: normalized", with: "weighting: sideways")
        let refused = try RawHTTP.send(port: server.port, "POST", "/r/\(id)/analyse", headers: ["X-WAI-Request": "1"], body: Data(broken.utf8))
        XCTAssertEqual(refused.status, 422, refused.text)
        let message = try XCTUnwrap(try refused.json()["error"] as? String)
        XCTAssert(message.hasPrefix("survey.yaml:"), message)
        XCTAssert(message.contains("sideways"), message)
        XCTAssertFalse(message.contains(directory.path), "paths are shown relative to the upload: \(message)")
        // A spec naming data outside the upload is refused.
        let outside = edited.replacingOccurrences(of: "data: \"google_forms.csv\"", with: "data: \"\(Self.fixture.path)\"")
        let escaped = try RawHTTP.send(port: server.port, "POST", "/r/\(id)/analyse", headers: ["X-WAI-Request": "1"], body: Data(outside.utf8))
        XCTAssertEqual(escaped.status, 422, escaped.text)
        XCTAssert(escaped.text.contains("outside this upload"), escaped.text)
        XCTAssertEqual(try RawHTTP.send(port: server.port, "POST", "/r/\(String(repeating: "0", count: 32))/analyse", headers: ["X-WAI-Request": "1"], body: Data(edited.utf8)).status, 404)
        // A file that reads as no survey: the located error.
        let notLikert = try upload(server, name: "notes.csv", body: Data("name,comment\nA,fine\nB,\"never closed\n".utf8))
        XCTAssertEqual(notLikert.status, 422, notLikert.text)
        XCTAssert((try notLikert.json()["error"] as? String ?? "").hasPrefix("notes.csv"), notLikert.text)
        server.stop()
    }

    /// A workbook and an SPSS file go the same way: the spec wai init infers, then the report.
    func testWorkbookAndSPSSUploads() throws {
        let server = try start()
        let fixtures = Products.packageRoot.appendingPathComponent("Tests/WAIReadTests/Fixtures")
        for name in ["surveymonkey.xlsx", "spss_survey.sav"] {
            let uploaded = try upload(server, name: name, body: try Data(contentsOf: fixtures.appendingPathComponent(name)))
            XCTAssertEqual(uploaded.status, 200, "\(name): \(uploaded.text)")
            let reply = try uploaded.json()
            let id = try XCTUnwrap(reply["id"] as? String)
            let spec = try XCTUnwrap(reply["spec"] as? String)
            let initRun = try Products.run(Products.wai, ["init", name], in: directory.appendingPathComponent(id))
            XCTAssertEqual(spec, initRun.stdout, name)
            let analysed = try RawHTTP.send(port: server.port, "POST", "/r/\(id)/analyse", headers: ["X-WAI-Request": "1"], body: Data(spec.utf8))
            XCTAssertEqual(analysed.status, 200, "\(name): \(analysed.text)")
            XCTAssertFalse(Self.indices(try analysed.json()).isEmpty, name)
            XCTAssertEqual(try RawHTTP.send(port: server.port, "GET", "/r/\(id)/report.zip").status, 200, name)
        }
        server.stop()
    }

    func testServesNoFileOutsideAnUploadsFolder() throws {
        let server = try start()
        let uploaded = try upload(server, name: "google_forms.csv", body: try Data(contentsOf: Self.fixture))
        let id = try XCTUnwrap(try uploaded.json()["id"] as? String)
        let folder = directory.appendingPathComponent(id)
        XCTAssertEqual(try RawHTTP.send(port: server.port, "GET", "/r/\(id)/survey.yaml").status, 200)
        // A secret beside the uploads, and a symbolic link to it from inside an upload.
        try Data("TOP-SECRET-42".utf8).write(to: directory.appendingPathComponent("secret.txt"))
        try FileManager.default.createSymbolicLink(atPath: folder.appendingPathComponent("link.csv").path, withDestinationPath: directory.appendingPathComponent("secret.txt").path)
        try FileManager.default.createSymbolicLink(atPath: folder.appendingPathComponent("etc").path, withDestinationPath: "/etc")
        let attempts = [
            "/r/\(id)/../secret.txt", "/r/\(id)/../../etc/passwd", "/r/\(id)/%2e%2e/secret.txt", "/r/\(id)/%2E%2E/%2E%2E/etc/passwd",
            "/r/\(id)/..%2fsecret.txt", "/r/\(id)/%2fetc%2fpasswd", "/r/\(id)//etc/passwd", "/r/\(id)/link.csv", "/r/\(id)/etc/passwd",
            "/r/\(id)/survey.yaml%00.html", "/r/\(id)/..\\secret.txt", "/r/..%2f\(id)/survey.yaml", "/r/%2e%2e/secret.txt",
            "/r/secret.txt/x", "/etc/passwd", "/r/\(id)", "/r/\(id)/", "/r/\(id)/.", "/secret.txt", "//etc/passwd",
        ]
        for target in attempts {
            let reply = try RawHTTP.send(port: server.port, "GET", target)
            XCTAssert([400, 404].contains(reply.status), "\(target): \(reply.status)")
            XCTAssertFalse(reply.text.contains("TOP-SECRET"), "\(target): \(reply.text)")
            XCTAssertFalse(reply.text.contains("root:"), "\(target): \(reply.text)")
            XCTAssertNotNil(reply.headers["content-security-policy"], target)
        }
        server.stop()
    }

    /// The page in headless Chromium: choose the fixture, check the spec, Analyse, read the indices
    /// off the page and compare them with `wai analyze --format json`; a screenshot of it all.
    func testThePageInHeadlessChromium() throws {
        guard let executable = Chromium.executable else {
            throw XCTSkip("chromium is not installed (Debian: apt-get install chromium; `make deps` installs it)")
        }
        let server = try start()
        let browser = try Chromium(executable: executable)
        defer { browser.stop() }
        try browser.openPage()
        try browser.call("Page.navigate", ["url": server.url.absoluteString])
        try browser.wait(for: "document.readyState === 'complete' && !!document.getElementById('file')")
        // Choose the file as a person would (the input's change event uploads it).
        let document = try browser.call("DOM.getDocument")
        let root = try XCTUnwrap((document["root"] as? [String: Any])?["nodeId"] as? Int)
        let input = try XCTUnwrap(try browser.call("DOM.querySelector", ["nodeId": root, "selector": "#file"])["nodeId"] as? Int)
        try browser.call("DOM.setFileInputFiles", ["files": [Self.fixture.path], "nodeId": input])
        try browser.wait(for: "['inferred', 'error'].includes(document.getElementById('status').dataset.state)")
        let uploadState = try browser.evaluate("document.getElementById('status').dataset.state") as? String
        let uploadError = try browser.evaluate("document.getElementById('error').textContent") as? String ?? ""
        XCTAssertEqual(uploadState, "inferred", uploadError)
        let spec = try XCTUnwrap(try browser.evaluate("document.getElementById('spec').value") as? String)
        XCTAssert(spec.contains("data: \"google_forms.csv\""), spec)
        try browser.evaluate("document.getElementById('analyse').click()")
        try browser.wait(for: "['done', 'error'].includes(document.getElementById('status').dataset.state)", timeout: 120)
        let analyseState = try browser.evaluate("document.getElementById('status').dataset.state") as? String
        let analyseError = try browser.evaluate("document.getElementById('spec-error').textContent") as? String ?? ""
        XCTAssertEqual(analyseState, "done", analyseError)

        // The indices on the page: each table's rows, the unrounded index in data-wai and the printed one as text.
        let onPage = try XCTUnwrap(try browser.evaluate("""
            JSON.stringify([...document.querySelectorAll('#indices table')].map((t) => ({ id: t.dataset.table,
              rows: [...t.querySelectorAll('tbody tr')].map((r) => ({ item: r.dataset.item, wai: Number(r.querySelector('td.wai').dataset.wai),
                printed: r.querySelector('td.wai').textContent, band: r.cells[3].textContent })) })))
            """) as? String)
        let tables = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(onPage.utf8)) as? [[String: Any]])
        var pageIndices: [String: Index] = [:]
        for table in tables {
            for row in table["rows"] as? [[String: Any]] ?? [] {
                pageIndices["\(table["id"]!)/\(row["item"]!)"] = Index(wai: row["wai"] as? Double, printed: row["printed"] as? String, band: row["band"] as? String)
            }
        }
        let id = try XCTUnwrap(try uploads().first)
        let folder = directory.appendingPathComponent(id)
        let cli = try Products.run(Products.wai, ["analyze", "google_forms.csv", "--spec", "survey.yaml", "--format", "json"], in: folder)
        XCTAssertEqual(cli.status, 0, cli.stderr)
        let expected = Self.indices(try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(cli.stdout.utf8)) as? [String: Any]))
        XCTAssertEqual(pageIndices.count, 5)
        XCTAssertEqual(pageIndices, expected)
        // The report itself, in its frame: every printed index is in it, with its charts.
        let frameText = try XCTUnwrap(try browser.evaluate("document.getElementById('report').contentDocument.body.innerText") as? String)
        for (key, index) in expected { XCTAssert(frameText.contains(index.printed ?? "?"), "\(key) \(index) not in the report's frame") }
        XCTAssertGreaterThan(try browser.evaluate("document.getElementById('report').contentDocument.querySelectorAll('svg').length") as? Int ?? 0, 0)
        // The download links point into the upload's folder and answer.
        for link in ["zip-link", "spec-link"] {
            let href = try XCTUnwrap(try browser.evaluate("document.getElementById('\(link)').getAttribute('href')") as? String)
            XCTAssert(href.hasPrefix("/r/\(id)/"), href)
            XCTAssertEqual(try RawHTTP.send(port: server.port, "GET", href).status, 200, href)
        }

        let png = try browser.screenshot()
        let shot = ProcessInfo.processInfo.environment["WAI_SERVE_SCREENSHOT"].map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("wai-serve-page.png")
        try png.write(to: shot)
        XCTAssertEqual(Array(png.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        XCTAssertGreaterThan(png.count, 20_000, "a screenshot of a drawn page")
        print("wai serve: screenshot of the page at \(shot.path)")

        // A spec broken on the page: the located error shown there, and the page still usable.
        try browser.evaluate("""
            (() => { const s = document.getElementById('spec'); s.value = s.value.replace('weighting: normalized', 'weighting: sideways'); })()
            """)
        try browser.evaluate("document.getElementById('analyse').click()")
        try browser.wait(for: "document.getElementById('status').dataset.state === 'error'", timeout: 60)
        let shown = try XCTUnwrap(try browser.evaluate("document.getElementById('spec-error').textContent") as? String)
        XCTAssert(shown.hasPrefix("survey.yaml:") && shown.contains("sideways"), shown)
        XCTAssertEqual(try browser.evaluate("document.getElementById('spec-error').hidden") as? Bool, false)
        let errorShot = shot.deletingPathExtension().appendingPathExtension("error.png")
        try browser.screenshot().write(to: errorShot)
        print("wai serve: screenshot of the error at \(errorShot.path)")
        browser.stop()
        XCTAssertEqual(server.stop(), 0, server.stderr)
    }

    struct Index: Equatable, CustomStringConvertible {
        var wai: Double?
        var printed: String?
        var band: String?
        var description: String { "\(wai.map { String($0) } ?? "–") (\(printed ?? "–"), \(band ?? "–"))" }
    }

    /// table/item -> index of a report.json (or of the page's analyse reply), composites as item "OA".
    static func indices(_ document: [String: Any]) -> [String: Index] {
        var out: [String: Index] = [:]
        for table in document["tables"] as? [[String: Any]] ?? [] {
            let id = table["id"] as? String ?? "?"
            for item in table["items"] as? [[String: Any]] ?? [] {
                out["\(id)/\(item["id"] as? String ?? "?")"] = Index(wai: item["wai"] as? Double, printed: item["wai_reported"] as? String, band: item["band"] as? String)
            }
            if let composite = table["composite"] as? [String: Any] {
                out["\(id)/OA"] = Index(wai: composite["wai"] as? Double, printed: composite["wai_reported"] as? String, band: composite["band"] as? String)
            }
        }
        return out
    }
}
