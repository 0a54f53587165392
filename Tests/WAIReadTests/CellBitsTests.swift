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

    /// The digit window's cells walked one by one: cells before the first that is longer than
    /// a byte, holds a stop or ends past the window, at most `most`; nil when one is not a level.
    func expectedDigits(_ bytes: [UInt8], delimiter: UInt8, levels: UInt8, empty: UInt8?, most: Int) -> (taken: Int, codes: [UInt8])? {
        var codes: [UInt8] = [], start = 0
        while codes.count < most {
            guard let end = (start..<64).first(where: { bytes[$0] == delimiter }) else { break }
            let cell = bytes[start..<end]
            if cell.count > 1 || cell.contains(where: { $0 == UInt8(ascii: "\"") || $0 < 0x0E }) { break }
            if let b = cell.first {
                guard b >= UInt8(ascii: "1"), b - UInt8(ascii: "0") <= levels else { return nil }
                codes.append(b - UInt8(ascii: "0"))
            } else {
                guard let empty else { return nil }
                codes.append(empty)
            }
            start = end + 1
        }
        return codes.isEmpty ? nil : (start, codes)
    }

    func testDigitWindowsMatchTheCellWalk() {
        var rng = SplitMix(seed: 11)
        let cells: [[UInt8]] = ["", "1", "2", "3", "5", "7", "9", "0", "X", "12", "\"", "\n", "\r", "Low"].map { Array($0.utf8) }
        var checked = (taken: 0, refused: 0)
        for round in 0..<4000 {
            let delimiter = rng.pick([UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "\t")])
            let levels = UInt8(1 + rng.below(9))
            let empty: UInt8? = rng.chance(0.8) ? UInt8(rng.below(3)) : nil
            let rare = rng.chance(0.5) ? 0.02 : 0.3   // long runs of digits, or many other cells
            var bytes: [UInt8] = []
            while bytes.count < 64 + 16 {
                let cell = rng.chance(rare) ? rng.pick(cells) : rng.pick(Array(cells[0...4]))
                bytes += cell + [delimiter]
            }
            let most = rng.chance(0.3) ? 1 + rng.below(5) : 64
            let want = expectedDigits(bytes, delimiter: delimiter, levels: levels, empty: empty, most: most)
            bytes.withUnsafeBufferPointer { p in
                let bits = wai_cell_bits_64(p.baseAddress!, delimiter, UInt8(ascii: "\""))
                for vector in [true, false] {
                    var out = [UInt8](repeating: 0xEE, count: 80)
                    var count: Int32 = -1
                    let taken = out.withUnsafeMutableBufferPointer { out in
                        vector ? wai_digit_cells_64(p.baseAddress!, bits, Int32(most), delimiter, levels, empty ?? 0xFF, empty == nil ? 0 : 1, out.baseAddress!, &count)
                            : wai_digit_cells_portable(p.baseAddress!, bits, Int32(most), delimiter, levels, empty ?? 0xFF, empty == nil ? 0 : 1, out.baseAddress!, &count)
                    }
                    if let want {
                        XCTAssertEqual(Int(taken), want.taken, "round \(round), vector \(vector)")
                        XCTAssertEqual(Array(out.prefix(Int(count))), want.codes, "round \(round), vector \(vector)")
                    } else {
                        XCTAssertEqual(taken, 0, "round \(round), vector \(vector)")
                    }
                }
            }
            if want == nil { checked.refused += 1 } else { checked.taken += 1 }
        }
        // Both outcomes were met often.
        XCTAssertGreaterThan(checked.taken, 1000)
        XCTAssertGreaterThan(checked.refused, 1000)
    }

    func testADigitWindowWorkedByHand() {
        // "3,,5,X,": cells 3, empty and 5 take 5 bytes, through the third comma; X is refused
        // when it is in reach, so `most` 3 takes three cells and 4 takes none.
        let bytes = Array("3,,5,X,".utf8) + [UInt8](repeating: 0, count: 64)
        bytes.withUnsafeBufferPointer { p in
            let bits = wai_cell_bits_64(p.baseAddress!, UInt8(ascii: ","), UInt8(ascii: "\""))
            var out = [UInt8](repeating: 0, count: 80), count: Int32 = 0
            XCTAssertEqual(wai_digit_cells_64(p.baseAddress!, bits, 3, UInt8(ascii: ","), 5, 0, 1, &out, &count), 5)
            XCTAssertEqual(count, 3)
            XCTAssertEqual(Array(out.prefix(3)), [3, 0, 5])
            XCTAssertEqual(wai_digit_cells_64(p.baseAddress!, bits, 4, UInt8(ascii: ","), 5, 0, 1, &out, &count), 0)
            // Levels 1…4: the 5 is no level.
            XCTAssertEqual(wai_digit_cells_64(p.baseAddress!, bits, 3, UInt8(ascii: ","), 4, 0, 1, &out, &count), 0)
        }
    }
}
