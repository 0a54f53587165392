import Foundation
import XCTest
@testable import WAIServe

final class UploadStoreTests: XCTestCase {
    func testFileNames() {
        for good in ["responses.csv", "Export (1).xlsx", "ស្ទង់មតិ.csv", "survey.SAV", "a b.tsv", "data.dta"] {
            XCTAssertEqual(try? UploadStore.checkFileName(good).get(), good, good)
        }
        for bad in ["", " ", "../x.csv", "a/b.csv", "a\\b.csv", "..", ".", ".hidden.csv", "x\u{0}.csv", "x\n.csv", "x..csv",
                    String(repeating: "a", count: 201) + ".csv"] {
            guard case .failure(.badName) = UploadStore.checkFileName(bad) else { return XCTFail("accepted \(bad.debugDescription)") }
        }
        guard case .failure(.unsupportedType) = UploadStore.checkFileName("run.sh") else { return XCTFail("accepted run.sh") }
        guard case .failure(.unsupportedType) = UploadStore.checkFileName("noextension") else { return XCTFail("accepted noextension") }
    }

    func testIDs() {
        let id = UploadStore.newID()
        XCTAssert(UploadStore.isValidID(id), id)
        XCTAssertNotEqual(id, UploadStore.newID())
        for bad in ["", "..", String(repeating: "0", count: 31), String(repeating: "G", count: 32), String(repeating: "A", count: 32),
                    "../" + String(repeating: "0", count: 29)] {
            XCTAssertFalse(UploadStore.isValidID(bad), bad)
        }
    }

    func testFilesStayInsideTheUploadsFolder() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("wai-store-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let store = try UploadStore(root: root.path)
        let id = UploadStore.newID(), other = UploadStore.newID()
        let folder = try XCTUnwrap(store.folder(id))
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("report/charts"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: try XCTUnwrap(store.folder(other)), withIntermediateDirectories: true)
        try Data("x".utf8).write(to: folder.appendingPathComponent("report/charts/a.svg"))
        try Data("a.svg".utf8).write(to: folder.appendingPathComponent("report/.wai-files"))
        try Data("partial".utf8).write(to: folder.appendingPathComponent(".upload.part"))
        try Data("secret".utf8).write(to: root.appendingPathComponent("secret.txt"))
        try Data("other".utf8).write(to: try XCTUnwrap(store.folder(other)).appendingPathComponent("survey.yaml"))
        try FileManager.default.createSymbolicLink(atPath: folder.appendingPathComponent("up").path, withDestinationPath: root.path)
        try FileManager.default.createSymbolicLink(atPath: folder.appendingPathComponent("in.svg").path, withDestinationPath: "report/charts/a.svg")

        XCTAssertEqual(store.file(id, components: ["report", "charts", "a.svg"])?.lastPathComponent, "a.svg")
        XCTAssertEqual(store.file(id, components: ["in.svg"])?.lastPathComponent, "a.svg", "a link that stays inside is followed")
        for components in [["report"], ["report", "charts"], [], [""], ["..", "secret.txt"], ["report", "..", "..", "secret.txt"],
                           ["up", "secret.txt"], ["up", other, "survey.yaml"], ["/etc/passwd"], ["report/../../secret.txt"],
                           ["a\0b"], ["report", ".", "charts", "a.svg"], ["report", ".wai-files"], [".upload.part"], ["..\\secret.txt"], ["missing.csv"]] {
            XCTAssertNil(store.file(id, components: components), "\(components)")
        }
        XCTAssertNil(store.file("..", components: ["secret.txt"]))
        XCTAssertNil(store.file("../" + id, components: ["report"]))
    }

    func testLoopbackHosts() {
        for host in ["127.0.0.1:8080", "localhost:1", "[::1]:80", "LOCALHOST", "127.0.0.1"] {
            XCTAssert(ServeHandler.isLoopbackHost(host, listening: "127.0.0.1"), host)
        }
        for host in ["attacker.example", "attacker.example:8080", "127.0.0.1.attacker.example:80", "[::1", "localhost.attacker:8080", ""] {
            XCTAssertFalse(ServeHandler.isLoopbackHost(host, listening: "127.0.0.1"), host)
        }
    }
}
