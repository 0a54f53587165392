import Foundation
import WAIEstimate
import WAIModel

// Shared pieces of the SVG charts and the HTML report: escaping, fixed-decimal numbers,
// text-width estimates and wrapping, palettes, band geometry and a small SVG builder.
// Everything here is pure string building, so the same input always gives the same bytes.

/// The fonts every chart and the HTML page ask for: Latin, Khmer, then wide-coverage fallbacks.
let chartFontStack = #""Noto Sans", "Noto Sans Khmer", "Khmer OS", "DejaVu Sans", sans-serif"#

/// Text made safe for XML/HTML character data and attribute values (`&`, `<`, `>`, `"`, `'`).
/// Characters XML 1.0 forbids (C0 controls other than tab and line ends, U+FFFE/U+FFFF) become U+FFFD;
/// everything else, Khmer included, passes through unchanged.
func xmlEscape(_ text: String) -> String {
    var out = String.UnicodeScalarView()
    for scalar in text.unicodeScalars {
        switch scalar {
        case "&": out.append(contentsOf: "&amp;".unicodeScalars)
        case "<": out.append(contentsOf: "&lt;".unicodeScalars)
        case ">": out.append(contentsOf: "&gt;".unicodeScalars)
        case "\"": out.append(contentsOf: "&quot;".unicodeScalars)
        case "'": out.append(contentsOf: "&#39;".unicodeScalars)
        default:
            let v = scalar.value
            if (v < 0x20 && v != 0x09 && v != 0x0A && v != 0x0D) || v == 0xFFFE || v == 0xFFFF {
                out.append("\u{FFFD}")
            } else {
                out.append(scalar)
            }
        }
    }
    return String(out)
}

/// A coordinate or length with exactly two decimals ("12.50").
func px(_ x: Double) -> String { BandTable.fixed(x, decimals: 2) }

/// Estimated widths of text, from character counts: no font is read, so the estimate is
/// deliberately generous. Khmer, CJK and Hangul grapheme clusters count as wide (1 em).
enum TextMetrics {
    static func emWidth(_ character: Character) -> Double {
        guard let first = character.unicodeScalars.first else { return 0 }
        let v = first.value
        switch v {
        case 0x1780...0x17FF, 0x19E0...0x19FF: return 1.0               // Khmer cluster
        case 0x1100...0x11FF, 0x2E80...0x9FFF, 0xAC00...0xD7AF, 0xF900...0xFAFF, 0xFF00...0xFF60:
            return 1.0                                                   // CJK, Hangul, full-width forms
        case 0x200B...0x200D, 0xFEFF: return 0                           // zero-width
        case 0x0E00...0x0EFF, 0x0900...0x0DFF, 0x1000...0x109F: return 0.85  // Thai, Lao, Indic, Myanmar
        case 0x20, 0xA0, 0x202F: return 0.32
        case 0x21...0x7E: break
        default: return 0.64
        }
        switch character {
        case "i", "j", "l", ".", ",", ":", ";", "'", "|", "!", "`": return 0.30
        case "f", "r", "t", "(", ")", "[", "]", "{", "}", "-", "/", "\\", "\"", "I": return 0.42
        case "m", "w", "M", "W", "@", "%": return 0.92
        case "A"..."Z": return 0.70
        case "0"..."9": return 0.62
        case "a"..."z": return 0.58
        default: return 0.64
        }
    }

    static func width(_ text: String, size: Double, bold: Bool = false) -> Double {
        var em = 0.0
        var subscripted = false
        for character in text {
            // A Khmer consonant after a coeng (U+17D2) is written below the one before it.
            em += subscripted ? 0.2 : emWidth(character)
            subscripted = character.unicodeScalars.last?.value == 0x17D2
        }
        return em * size * (bold ? 1.08 : 1)
    }

    /// Whether the text has Khmer in it (its stacked vowels and subscripts need taller lines).
    static func hasKhmer(_ text: String) -> Bool {
        text.unicodeScalars.contains { (0x1780...0x17FF).contains($0.value) || (0x19E0...0x19FF).contains($0.value) }
    }

    /// Line height for text of this size: taller when Khmer is present.
    static func lineHeight(_ lines: [String], size: Double) -> Double {
        size * (lines.contains(where: hasKhmer) ? 1.6 : 1.3)
    }

    /// Greedy wrapping at spaces (and zero-width spaces); a word wider than the line is
    /// broken between grapheme clusters, so a Khmer cluster is never split.
    static func wrap(_ text: String, width: Double, size: Double, bold: Bool = false) -> [String] {
        var words: [(text: String, space: Bool)] = []
        var current = ""
        var pendingSpace = false
        func flush(space: Bool) {
            if !current.isEmpty { words.append((current, pendingSpace)) }
            current = ""
            pendingSpace = space
        }
        for character in text {
            if character.isWhitespace && character != "\u{00A0}" && character != "\u{202F}" {
                flush(space: true)
            } else if character == "\u{200B}" {
                flush(space: false)
            } else {
                current.append(character)
            }
        }
        flush(space: true)

        // Break over-long words into pieces that fit.
        var pieces: [(text: String, space: Bool)] = []
        for word in words {
            if Self.width(word.text, size: size, bold: bold) <= width {
                pieces.append(word)
                continue
            }
            var piece = ""
            var first = true
            for character in word.text {
                if !piece.isEmpty && Self.width(piece + String(character), size: size, bold: bold) > width {
                    pieces.append((piece, first ? word.space : false))
                    first = false
                    piece = ""
                }
                piece.append(character)
            }
            if !piece.isEmpty { pieces.append((piece, first ? word.space : false)) }
        }

        var lines: [String] = []
        var line = ""
        for piece in pieces {
            if line.isEmpty {
                line = piece.text
                continue
            }
            let candidate = line + (piece.space ? " " : "") + piece.text
            if Self.width(candidate, size: size, bold: bold) <= width {
                line = candidate
            } else {
                lines.append(line)
                line = piece.text
            }
        }
        if !line.isEmpty || lines.isEmpty { lines.append(line) }
        return lines
    }
}

/// Colours chosen to stay apart for colour-blind readers and in greyscale.
enum Palette {
    static let text = "#1a1a1a"
    static let muted = "#4d4d4d"
    static let axis = "#333333"
    /// Band zones: alternating light greys.
    static let zones = ["#f3f3f3", "#e1e1e1"]
    /// Item bars of the index chart, and the darker OA bar.
    static let bar = "#8073ac"
    static let overall = "#2d004b"
    /// The neutral (middle) level: a mid-light grey, visible on white.
    static let neutral = "#c8c8c8"

    /// ColorBrewer PuOr, 11 classes, orange (low) to purple (high).
    static let puOr11 = ["#7f3b08", "#b35806", "#e08214", "#fdb863", "#fee0b6", "#f7f7f7",
                         "#d8daeb", "#b2abd2", "#8073ac", "#542788", "#2d004b"]
    /// ColorBrewer PuOr by number of classes (3…11); 2 uses the ends of 4.
    static let puOr: [Int: [String]] = [
        2: ["#e66101", "#5e3c99"],
        3: ["#f1a340", "#f7f7f7", "#998ec3"],
        4: ["#e66101", "#fdb863", "#b2abd2", "#5e3c99"],
        5: ["#e66101", "#fdb863", "#f7f7f7", "#b2abd2", "#5e3c99"],
        6: ["#b35806", "#f1a340", "#fee0b6", "#d8daeb", "#998ec3", "#542788"],
        7: ["#b35806", "#f1a340", "#fee0b6", "#f7f7f7", "#d8daeb", "#998ec3", "#542788"],
        8: ["#b35806", "#e08214", "#fdb863", "#fee0b6", "#d8daeb", "#b2abd2", "#8073ac", "#542788"],
        9: ["#b35806", "#e08214", "#fdb863", "#fee0b6", "#f7f7f7", "#d8daeb", "#b2abd2", "#8073ac", "#542788"],
        10: ["#7f3b08", "#b35806", "#e08214", "#fdb863", "#fee0b6", "#d8daeb", "#b2abd2", "#8073ac", "#542788", "#2d004b"],
        11: puOr11,
    ]

    /// One colour per level of a k-level scale, diverging around the middle (grey for the neutral level).
    static func levels(_ k: Int) -> [String] {
        guard k > 0 else { return [] }
        if k == 1 { return [neutral] }
        var colours: [String]
        if let fixed = puOr[k] {
            colours = fixed
        } else {
            // Interpolate along the 11-class ramp, each side from dark (outside) to light (inside).
            colours = (0..<k).map { i in interpolate(puOr11, Double(i) / Double(k - 1)) }
        }
        if k % 2 == 1 { colours[k / 2] = neutral }
        return colours
    }

    /// Viridis stops (0, 0.1, …, 1): monotone in lightness, readable by colour-blind readers.
    static let viridis = ["#440154", "#482475", "#414487", "#355f8d", "#2a788e", "#21918c",
                         "#22a884", "#44bf70", "#7ad151", "#bddf26", "#fde725"]

    /// One colour per group, light to dark; the "no answer" group is drawn white with an outline.
    static func groups(_ count: Int) -> [String] {
        guard count > 0 else { return [] }
        if count == 1 { return [interpolate(viridis, 0.35)] }
        return (0..<count).map { i in interpolate(viridis, 0.85 - 0.85 * Double(i) / Double(count - 1)) }
    }
    static let noAnswer = "#ffffff"

    static func interpolate(_ stops: [String], _ t: Double) -> String {
        let position = max(0, min(1, t)) * Double(stops.count - 1)
        let i = min(Int(position), stops.count - 2)
        let f = position - Double(i)
        let a = rgb(stops[i]), b = rgb(stops[i + 1])
        func channel(_ x: Int, _ y: Int) -> Int { Int((Double(x) + (Double(y) - Double(x)) * f).rounded()) }
        return hex(channel(a.0, b.0), channel(a.1, b.1), channel(a.2, b.2))
    }

    static func rgb(_ hex: String) -> (Int, Int, Int) {
        let digits = Array(hex.dropFirst())
        func byte(_ i: Int) -> Int { Int(String(digits[i..<(i + 2)]), radix: 16) ?? 0 }
        return (byte(0), byte(2), byte(4))
    }

    static func hex(_ r: Int, _ g: Int, _ b: Int) -> String {
        let digits = Array("0123456789abcdef")
        return "#" + [r, g, b].map { String(digits[$0 / 16]) + String(digits[$0 % 16]) }.joined()
    }

    /// WCAG relative luminance, 0 (black) … 1 (white).
    static func luminance(_ hex: String) -> Double {
        let (r, g, b) = rgb(hex)
        func linear(_ c: Int) -> Double {
            let s = Double(c) / 255
            return s <= 0.03928 ? s / 12.92 : pow((s + 0.055) / 1.055, 2.4)
        }
        return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b)
    }

    /// Black or white, whichever contrasts more with the fill.
    static func textOn(_ fill: String) -> String {
        luminance(fill) > 0.2 ? text : "#ffffff"
    }
}

/// One band drawn as a background zone of an index axis.
struct BandZone: Equatable {
    var label: String
    var interval: String
    var lower: Double
    var upper: Double

    /// The zones of a table: its own band labels over the analysis' intervals ("0.41–0.60"),
    /// each reaching from the previous band's upper bound to its own. Intervals that do not
    /// parse fall back to equal parts of 0…1.
    static func zones(labels: [String], method: SurveyAnalysis.Method) -> [BandZone] {
        let bands = method.bands
        let names = labels.count == bands.count ? labels : bands.map(\.label)
        let parsed: [(Double, Double)] = bands.compactMap { band in
            let parts = band.interval.split(separator: "–").map { Double($0.trimmingCharacters()) }
            guard parts.count == 2, let low = parts[0], let high = parts[1] else { return nil }
            return (low, high)
        }
        guard !bands.isEmpty else { return [] }
        if parsed.count == bands.count {
            return bands.indices.map { i in
                BandZone(label: names[i], interval: bands[i].interval,
                         lower: i == 0 ? min(parsed[0].0, parsed[0].1) : parsed[i - 1].1, upper: parsed[i].1)
            }
        }
        let k = Double(bands.count)
        return bands.indices.map { i in
            BandZone(label: names[i], interval: bands[i].interval, lower: Double(i) / k, upper: Double(i + 1) / k)
        }
    }

    /// The axis an index is drawn on: 0…1, widened only when a band reaches beyond it.
    static func domain(_ zones: [BandZone]) -> (lower: Double, upper: Double) {
        (min(0, zones.first?.lower ?? 0), max(1, zones.last?.upper ?? 1))
    }
}

extension Substring {
    func trimmingCharacters() -> String {
        var s = self
        while s.first?.isWhitespace == true { s.removeFirst() }
        while s.last?.isWhitespace == true { s.removeLast() }
        return String(s)
    }
}

/// Text alignment of an SVG text element.
enum Anchor: String { case start, middle, end }

/// Accumulates SVG elements; every number printed with two decimals, every text escaped.
struct SVGCanvas {
    let width: Double
    private(set) var elements: [String] = []

    init(width: Double) { self.width = width }

    mutating func raw(_ element: String) { elements.append(element) }

    mutating func rect(x: Double, y: Double, width: Double, height: Double, fill: String,
                       cls: String? = nil, stroke: String? = nil, strokeWidth: Double? = nil, data: [(String, String)] = []) {
        var attributes = cls.map { "class=\"\(xmlEscape($0))\" " } ?? ""
        for (name, value) in data { attributes += "data-\(name)=\"\(xmlEscape(value))\" " }
        attributes += "x=\"\(px(x))\" y=\"\(px(y))\" width=\"\(px(max(0, width)))\" height=\"\(px(max(0, height)))\" fill=\"\(fill)\""
        if let stroke { attributes += " stroke=\"\(stroke)\" stroke-width=\"\(px(strokeWidth ?? 1))\"" }
        elements.append("<rect \(attributes)/>")
    }

    mutating func line(x1: Double, y1: Double, x2: Double, y2: Double, stroke: String, width: Double = 1, cls: String? = nil, dash: String? = nil) {
        let c = cls.map { "class=\"\($0)\" " } ?? ""
        let d = dash.map { " stroke-dasharray=\"\($0)\"" } ?? ""
        elements.append("<line \(c)x1=\"\(px(x1))\" y1=\"\(px(y1))\" x2=\"\(px(x2))\" y2=\"\(px(y2))\" stroke=\"\(stroke)\" stroke-width=\"\(px(width))\"\(d)/>")
    }

    /// One line of text; `parts` lets a run be bold (`<tspan>`).
    mutating func text(_ string: String, x: Double, y: Double, size: Double, anchor: Anchor = .start,
                       bold: Bool = false, fill: String = Palette.text, cls: String? = nil) {
        elements.append(textElement([(string, bold)], x: x, y: y, size: size, anchor: anchor, fill: fill, cls: cls))
    }

    mutating func text(runs: [(String, Bool)], x: Double, y: Double, size: Double, anchor: Anchor = .start,
                       fill: String = Palette.text, cls: String? = nil) {
        elements.append(textElement(runs, x: x, y: y, size: size, anchor: anchor, fill: fill, cls: cls))
    }

    private func textElement(_ runs: [(String, Bool)], x: Double, y: Double, size: Double, anchor: Anchor, fill: String, cls: String?) -> String {
        var out = "<text "
        if let cls { out += "class=\"\(cls)\" " }
        out += "x=\"\(px(x))\" y=\"\(px(y))\" font-size=\"\(px(size))\""
        if anchor != .start { out += " text-anchor=\"\(anchor.rawValue)\"" }
        if fill != Palette.text { out += " fill=\"\(fill)\"" }
        if runs.count == 1 {
            if runs[0].1 { out += " font-weight=\"bold\"" }
            return out + ">" + xmlEscape(runs[0].0) + "</text>"
        }
        out += ">"
        for (string, bold) in runs {
            out += bold ? "<tspan font-weight=\"bold\">\(xmlEscape(string))</tspan>" : xmlEscape(string)
        }
        return out + "</text>"
    }

    /// Several lines in a block whose top is `top`, each centred in its line box. Returns the block's height.
    @discardableResult
    mutating func lines(_ lines: [String], x: Double, top: Double, size: Double, anchor: Anchor = .start,
                        bold: Bool = false, fill: String = Palette.text, cls: String? = nil, lineHeight: Double? = nil) -> Double {
        let height = lineHeight ?? TextMetrics.lineHeight(lines, size: size)
        for (i, line) in lines.enumerated() {
            text(line, x: x, y: top + Double(i) * height + (height + 0.7 * size) / 2, size: size, anchor: anchor, bold: bold, fill: fill, cls: cls)
        }
        return Double(lines.count) * height
    }

    /// The finished document: `viewBox`, `role="img"`, `<title>` and `<desc>` first, a white background.
    func document(height: Double, title: String, description: String) -> String {
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(px(width))\" height=\"\(px(height))\" "
        out += "viewBox=\"0.00 0.00 \(px(width)) \(px(height))\" role=\"img\" "
        out += "font-family=\"\(xmlEscape(chartFontStack))\" font-size=\"12.00\" fill=\"\(Palette.text)\">\n"
        out += "<title>\(xmlEscape(title))</title>\n<desc>\(xmlEscape(description))</desc>\n"
        out += "<rect class=\"background\" x=\"0.00\" y=\"0.00\" width=\"\(px(width))\" height=\"\(px(height))\" fill=\"#ffffff\"/>\n"
        for element in elements { out += element + "\n" }
        return out + "</svg>\n"
    }
}
