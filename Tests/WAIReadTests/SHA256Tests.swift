import Foundation
import XCTest
import WAIModel
@testable import WAIRead
import CSHA256

/// The FIPS 180-2 / NIST example vectors, and agreement of every way of feeding the bytes.
final class SHA256Tests: XCTestCase {
    func testFIPSVectors() {
        XCTAssertEqual(SHA256.hex(Array("".utf8)), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(SHA256.hex(Array("abc".utf8)), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        // The 448-bit message: its padding needs a second block.
        XCTAssertEqual(SHA256.hex(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)),
                       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        // The 896-bit message of FIPS 180-2 appendix B.
        XCTAssertEqual(SHA256.hex(Array("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu".utf8)),
                       "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1")
    }

    func testOneMillionAs() {
        var hash = SHA256()
        hash.update(Data(repeating: UInt8(ascii: "a"), count: 1_000_000))
        XCTAssertEqual(hash.hexDigest(), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    func testPiecewiseFeedingAndFilesAgree() throws {
        let bytes = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        let whole = SHA256.hex(bytes)
        for split in [0, 1, 55, 56, 63, 64, 65, 500, 999] {
            var hash = SHA256()
            hash.update(bytes[..<split])
            hash.update(Data(bytes[split...]))
            XCTAssertEqual(hash.hexDigest(), whole, "split at \(split)")
        }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("wai-sha-\(UUID().uuidString)").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let file = try SHA256.file(atPath: path)
        XCTAssertEqual(file.hex, whole)
        XCTAssertEqual(file.bytes, 1000)
    }

    /// A file longer than one mapped window (8 MiB), and an empty one, against Python's hashlib.
    func testMappedWindowsGiveTheDigestOfTheWholeFile() throws {
        let directory = FileManager.default.temporaryDirectory
        for count in [0, (8 << 20) - 1, (17 << 20) + 13] {
            var bytes = [UInt8](repeating: 0, count: count)
            for i in stride(from: 0, to: count, by: 4093) { bytes[i] = UInt8(truncatingIfNeeded: i / 4093 &* 97) }
            let path = directory.appendingPathComponent("wai-sha-\(UUID().uuidString)").path
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            defer { try? FileManager.default.removeItem(atPath: path) }
            let python = Process()
            python.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            python.arguments = ["python3", "-c", "import hashlib,sys; print(hashlib.sha256(open(sys.argv[1],'rb').read()).hexdigest())", path]
            let pipe = Pipe()
            python.standardOutput = pipe
            try python.run()
            let expected = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            python.waitUntilExit()
            let file = try SHA256.file(atPath: path)
            XCTAssertEqual(file.hex, expected, "\(count) bytes")
            XCTAssertEqual(file.bytes, count)
        }
    }

    /// The accelerated compression (x86 SHA extensions, when this processor has them) and the
    /// portable one give the same state on pseudo-random blocks.
    func testAcceleratedAndPortableCompressionAgree() {
        var seed: UInt64 = 0x1234_5678
        let bytes = (0..<(64 * 1000)).map { _ -> UInt8 in
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return UInt8(truncatingIfNeeded: seed >> 56)
        }
        var fast: [UInt32] = [0x6a09_e667, 0xbb67_ae85, 0x3c6e_f372, 0xa54f_f53a, 0x510e_527f, 0x9b05_688c, 0x1f83_d9ab, 0x5be0_cd19]
        var portable = fast
        bytes.withUnsafeBufferPointer { data in
            wai_sha256_blocks(&fast, data.baseAddress!, 1000)
            wai_sha256_blocks_portable(&portable, data.baseAddress!, 1000)
        }
        XCTAssertEqual(fast, portable)
        print("SHA-256 uses the x86 SHA extensions: \(wai_sha256_accelerated() == 1)")
    }
}
