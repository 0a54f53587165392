import CByteScan
import WAITestSupport
import XCTest

/// The fast reader's cell table and label loop (CByteScan) against a dictionary and a cell walk
/// written here.
final class LabelCellsTests: XCTestCase {
    /// `bytes` with 64 zero bytes before and after, as the reader's buffers are.
    func withPadded<R>(_ bytes: [UInt8], _ body: (UnsafePointer<UInt8>) -> R) -> R {
        let padded = [UInt8](repeating: 0, count: 64) + bytes + [UInt8](repeating: 0, count: 64)
        return padded.withUnsafeBufferPointer { body($0.baseAddress! + 64) }
    }

    func insert(_ table: UnsafeMutablePointer<wai_cell_table>, _ key: [UInt8], _ value: UInt32) {
        (key + [0]).withUnsafeBufferPointer { wai_cell_table_insert(table, $0.baseAddress!, Int64(key.count), value) }
    }

    /// Keys that share first words, last words and lengths around 8 and 16 bytes, where the
    /// table's key changes shape.
    func randomKey(_ rng: inout SplitMix) -> [UInt8] {
        let stems = ["Very High", "Very Low", "Strongly agree", "Strongly disagree", "abcdefgh", "abcdefghabcdefgh", "x"]
        var key = Array(rng.pick(stems).utf8)
        switch rng.below(4) {
        case 0: key = Array(key.prefix(rng.below(key.count + 1)))
        case 1: key += (0..<rng.below(12)).map { _ in rng.pick(Array("abh ".utf8)) }
        case 2: key = (0..<rng.below(40)).map { _ in rng.pick(Array("ab".utf8)) }
        default: if !key.isEmpty { key[rng.below(key.count)] = rng.pick(Array("aAz,".utf8)) }
        }
        return key
    }

    func testTheTableFindsWhatWasAddedAndNothingElse() {
        var rng = SplitMix(seed: 41)
        for round in 0..<40 {
            let table = wai_cell_table_create()!
            defer { wai_cell_table_destroy(table) }
            var want: [[UInt8]: UInt32] = [:]
            for _ in 0..<rng.below(300) {
                let key = randomKey(&rng), value = UInt32(truncatingIfNeeded: rng.next())
                insert(table, key, value)
                if want[key] == nil { want[key] = value }   // a second insert of a key changes nothing
            }
            XCTAssertEqual(Int(table.pointee.count), want.count, "round \(round)")
            for (key, value) in want {
                XCTAssertEqual(withPadded(key) { wai_cell_find(table, $0, Int64(key.count)) }, Int64(value), "round \(round): \(key)")
            }
            for _ in 0..<300 {
                let key = randomKey(&rng)
                XCTAssertEqual(withPadded(key) { wai_cell_find(table, $0, Int64(key.count)) }, want[key].map(Int64.init) ?? -1,
                               "round \(round): \(String(decoding: key, as: UTF8.self))")
            }
        }
    }

    func testTheTableStopsAtItsLimit() {
        let table = wai_cell_table_create()!
        defer { wai_cell_table_destroy(table) }
        for n in 0..<1000 {
            insert(table, Array("key \(n)".utf8), UInt32(n))
        }
        XCTAssertEqual(Int(table.pointee.count), 700)
        XCTAssertEqual(withPadded(Array("key 699".utf8)) { wai_cell_find(table, $0, 7) }, 699)
        XCTAssertEqual(withPadded(Array("key 700".utf8)) { wai_cell_find(table, $0, 7) }, -1)
    }

    /// The label loop's cells walked one by one: each up to its delimiter, taken while it is
    /// shorter than 64 bytes, holds no stop (quote, control byte) and is a key, at most `most`.
    func expectedCells(_ bytes: [UInt8], delimiter: UInt8, codes: [[UInt8]: UInt8], most: Int) -> (taken: Int, codes: [UInt8]) {
        var taken: [UInt8] = [], start = 0
        while taken.count < most {
            guard let end = bytes[start...].firstIndex(of: delimiter) else { break }
            let cell = Array(bytes[start..<end])
            guard cell.count < 64, !cell.contains(where: { $0 == UInt8(ascii: "\"") || $0 < 0x0E }), let code = codes[cell] else { break }
            taken.append(code)
            start = end + 1
        }
        return (start, taken)
    }

    func testLabelCellsMatchTheCellWalk() {
        var rng = SplitMix(seed: 43)
        var stoppedEarly = 0, tookAll = 0
        for round in 0..<3000 {
            let delimiter = rng.pick([UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "\t")])
            let labels = (0..<(1 + rng.below(8))).map { _ in randomKey(&rng).filter { $0 != delimiter } }
            var codes: [[UInt8]: UInt8] = [:]
            let table = wai_cell_table_create()!
            defer { wai_cell_table_destroy(table) }
            for label in labels where codes[label] == nil && rng.chance(0.9) {
                let code = UInt8(1 + codes.count)
                codes[label] = code
                insert(table, label, UInt32(code))
            }
            // Cells of the labels, keys like them that the table may not hold, now and then a
            // quote, a control byte or a long run; then a line end.
            var bytes: [UInt8] = []
            for _ in 0..<rng.below(40) {
                switch rng.below(40) {
                case 0: bytes += Array("\"Low\"".utf8)
                case 1: bytes += [0x01]
                case 2: bytes += Array(repeating: UInt8(ascii: "a"), count: 60 + rng.below(10))
                case 3: bytes += Array("Moderate".utf8)
                case 4...9: bytes += randomKey(&rng).filter { $0 != delimiter }   // often a near miss of a label
                default: bytes += rng.pick(labels)
                }
                bytes.append(delimiter)
            }
            bytes += Array("Low\r\n".utf8)
            let most = rng.chance(0.2) ? rng.below(10) : 1000
            let want = expectedCells(bytes, delimiter: delimiter, codes: codes, most: most)
            // The codes go to slots in reverse order, as a run whose items are not consecutive does.
            let slots = (0..<max(most, 1)).map { most - 1 - $0 }
            var out = [UInt8](repeating: 0xEE, count: max(most, 1))
            var count: Int64 = -1
            let taken = withPadded(bytes) { p in
                out.withUnsafeMutableBufferPointer { o in
                    wai_label_cells(p, delimiter, UInt8(ascii: "\""), Int64(most), table, o.baseAddress!, slots, &count)
                }
            }
            XCTAssertEqual(Int(taken), want.taken, "round \(round)")
            XCTAssertEqual(Int(count), want.codes.count, "round \(round)")
            let written = (0..<want.codes.count).map { out[slots[$0]] }
            XCTAssertEqual(written, want.codes, "round \(round)")
            XCTAssertEqual(out.filter { $0 != 0xEE }.count, want.codes.count, "round \(round): only the taken cells are written")
            if want.codes.count < most && want.taken < bytes.count - 5 { stoppedEarly += 1 } else { tookAll += 1 }
        }
        XCTAssertGreaterThan(stoppedEarly, 300)
        XCTAssertGreaterThan(tookAll, 300)
    }

    func testLabelCellsWorkedByHand() {
        let table = wai_cell_table_create()!
        defer { wai_cell_table_destroy(table) }
        for (label, code) in [("", 9), ("1", 1), ("Low", 2), ("Very High", 5), ("Neither agree nor disagree", 3)] {
            insert(table, Array(label.utf8), UInt32(code))
        }
        // Cells: "Low", "", "Very High", "1", "Neither agree nor disagree", "Lo" (not a key).
        let row = Array("Low,,Very High,1,Neither agree nor disagree,Lo,Low\n".utf8)
        var out = [UInt8](repeating: 0, count: 8)
        var count: Int64 = 0
        let taken = withPadded(row) { p in
            out.withUnsafeMutableBufferPointer { wai_label_cells(p, UInt8(ascii: ","), UInt8(ascii: "\""), 8, table, $0.baseAddress!, Array(0..<8), &count) }
        }
        XCTAssertEqual(count, 5)
        XCTAssertEqual(Array(out.prefix(5)), [2, 9, 5, 1, 3])
        XCTAssertEqual(taken, 44)   // "Low,,Very High,1,Neither agree nor disagree," is 4 + 1 + 10 + 2 + 27 bytes
    }
}
