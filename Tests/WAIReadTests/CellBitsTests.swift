import CByteScan
import WAITestSupport
import XCTest

/// The fast reader's cell-end bitmaps (CByteScan) against a loop written here.
final class CellBitsTests: XCTestCase {
    func expected(_ bytes: [UInt8], delimiter: UInt8) -> (delimiters: UInt64, stops: UInt64) {
        var delimiters: UInt64 = 0, stops: UInt64 = 0
        for (j, b) in bytes.prefix(64).enumerated() {
            if b == delimiter {
                delimiters |= 1 << UInt64(j)
            } else if b == UInt8(ascii: "\"") || b == 0x0A || b == 0x0D || b < 0x0E {
                stops |= 1 << UInt64(j)
            }
        }
        return (delimiters, stops)
    }

    func testVectorAndPortableBitmapsMatchTheLoop() {
        var rng = SplitMix(seed: 7)
        // Bytes a CSV holds, and every byte value, both sides of 0x80 (the vector compare is unsigned).
        let common: [UInt8] = Array("Very High,Low;\t\"\r\n 3".utf8) + [0x00, 0x0D, 0x0E, 0x7F, 0x80, 0x8D, 0xE1, 0xFF]
        for round in 0..<2000 {
            let delimiter = rng.pick([UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "\t"), UInt8(ascii: "|"), 0x8D])
            let bytes = (0..<64).map { _ in rng.chance(0.7) ? rng.pick(common) : UInt8(truncatingIfNeeded: rng.next()) }
            let want = expected(bytes, delimiter: delimiter)
            bytes.withUnsafeBufferPointer { p in
                let vector = wai_cell_bits_64(p.baseAddress!, delimiter, UInt8(ascii: "\""))
                let portable = wai_cell_bits_portable(p.baseAddress!, delimiter, UInt8(ascii: "\""))
                XCTAssertEqual(vector.delimiters, want.delimiters, "round \(round)")
                XCTAssertEqual(vector.stops, want.stops, "round \(round)")
                XCTAssertEqual(portable.delimiters, want.delimiters, "round \(round)")
                XCTAssertEqual(portable.stops, want.stops, "round \(round)")
            }
        }
    }

    func testATabDelimiterIsNotAStop() {
        let bytes = Array("a\tb\t\"c\"\r\n".utf8) + [UInt8](repeating: UInt8(ascii: "x"), count: 55)
        let bits = bytes.withUnsafeBufferPointer { wai_cell_bits_64($0.baseAddress!, UInt8(ascii: "\t"), UInt8(ascii: "\"")) }
        XCTAssertEqual(bits.delimiters, 0b1010)
        XCTAssertEqual(bits.stops, 0b1_1101_0000)   // the two quotes (4, 6), CR (7), LF (8)
    }
}
