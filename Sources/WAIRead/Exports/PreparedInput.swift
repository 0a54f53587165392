import Foundation
import WAIModel

/// How a responses file is to be recognised before it is read: what the user or the spec names,
/// the rest found in the file itself.
public struct InputFormat: Sendable, Hashable {
    /// Recognise platform, delimiter and encoding from the file. When false (and neither the spec
    /// nor these options name a source or an encoding), the file is read as a plain UTF-8 CSV
    /// with `ReadOptions.delimiter`, exactly as given.
    public var detect: Bool
    /// Forces the platform (`--source`); nil: the spec's `source:`, else recognised.
    public var source: DataSource?
    /// Forces the encoding (`--encoding`); nil: the spec's `encoding:`, else UTF-8 or the byte order mark's.
    public var encoding: TextEncoding?
    /// Forces the delimiter; nil: sniffed from the header line.
    public var delimiter: UInt8?
    /// Leave speeders out of the statistics (they are always flagged).
    public var dropSpeeders: Bool
    /// With no encoding named and no byte order mark: read a file that is not UTF-8 but is
    /// Windows-1252 text (Excel's "CSV" on Western-European Windows) as Windows-1252, and say so
    /// (`ExportLayout.encodingDetected`). Set where wai infers everything from the file (`wai
    /// analyze` without a spec, `wai init`); with a spec, an encoding it does not name stays an
    /// "invalid UTF-8" error, with the hint.
    public var guessEncoding = false
    /// The workbook sheet to read (`--sheet`); nil: the spec's `sheet:`, else the first.
    public var sheet: String? = nil

    public init(detect: Bool = true, source: DataSource? = nil, encoding: TextEncoding? = nil,
                delimiter: UInt8? = nil, dropSpeeders: Bool = false) {
        self.detect = detect
        self.source = source
        self.encoding = encoding
        self.delimiter = delimiter
        self.dropSpeeders = dropSpeeders
    }
}

extension InputFormat {
    public func with(sheet: String?) -> InputFormat {
        var format = self
        format.sheet = sheet
        return format
    }
}

/// A responses file made ready for `ResponseReader`: transcoded to UTF-8 when it was not (into a
/// temporary file, removed by `discard()`), its layout found (delimiter, header rows, flattened
/// column names) and its speeders flagged.
public struct PreparedInput: Sendable {
    /// The UTF-8 file to read: the original, or its temporary UTF-8 copy.
    public var path: String
    /// The original file as messages name it.
    public var displayName: String
    /// The caller's options with the layout applied.
    public var options: ReadOptions
    /// nil when the file is read as given (no detection asked for).
    public var layout: ExportLayout?
    public var speeders: DataQuality.Speeders?
    /// The temporary UTF-8 copy, when there is one.
    public var temporary: String?
    /// Answer codes and labels the file itself holds (SPSS/Stata value labels of a battery).
    public var codebook: Codebook?
    /// A workbook's cells, to locate messages at `Sheet1!C12` instead of the copy's lines.
    public var cells: Workbook.CellMap?
    /// An SPSS/Stata file's variables, to locate messages at a case and variable instead of the copy's lines.
    public var statVariables: [String]?

    /// Recognises `csvPath` as `options.format` and `spec` say (see `InputFormat`).
    public static func prepare(csvPath: String, displayName: String? = nil, spec: SurveySpec? = nil,
                               options: ReadOptions = ReadOptions()) throws -> PreparedInput {
        let name = displayName ?? csvPath
        var prepared = PreparedInput(path: csvPath, displayName: name, options: options)
        let format = options.format
        if let head = try? ExportLayout.readHead(path: csvPath, name: name, count: 8), Workbook.isWorkbook(head: head, path: csvPath) {
            return try prepareWorkbook(prepared, sheet: format.sheet ?? spec?.sheet, spec: spec)
        }
        guard format.detect || format.source != nil || format.encoding != nil || spec?.source != nil || spec?.encoding != nil
        else { return prepared }

        let head = (try? ExportLayout.readHead(path: csvPath, name: name, count: 4096)) ?? []
        if let kind = StatFile.kind(head: head, path: csvPath) {
            return try prepareStatFile(prepared, kind: kind, spec: spec)
        }
        let bom = ByteOrderMark.detect(head)
        let encoding: TextEncoding
        var detected = false
        if let named = format.encoding ?? spec?.encoding {
            if let bom, bom.encoding != named {
                throw InputError(
                    "the file starts with a \(bom.encoding.rawValue.uppercased()) byte order mark, but the encoding is named \(named.rawValue)",
                    at: SourceLocation(file: name, line: 1, column: 1),
                    found: "bytes \(head.prefix(bom.length).map(hexByte).joined(separator: " "))",
                    expected: "--encoding \(bom.encoding.rawValue) (or no --encoding: a byte order mark is recognised)")
            }
            encoding = named
        } else if let bom {
            encoding = bom.encoding
        } else if let unmarked = ByteOrderMark.unmarkedUTF16(head) {
            throw InputError(
                "the file looks like UTF-16 without a byte order mark", at: SourceLocation(file: name, line: 1, column: 1),
                found: "a zero byte beside every character", expected: "--encoding \(unmarked.rawValue) (or re-save the file as CSV UTF-8)")
        } else if format.guessEncoding, try EncodingSniffer.isWindows1252Text(path: csvPath, name: name) {
            encoding = .windows1252
            detected = true
        } else {
            encoding = .utf8
        }
        if encoding != .utf8 {
            let copy = try Transcoder.toTemporaryUTF8(path: csvPath, name: name, encoding: encoding)
            prepared.path = copy
            prepared.temporary = copy
        }
        do {
            let layout = try ExportLayout.detect(path: prepared.path, name: name, encoding: encoding,
                                                 source: format.source ?? spec?.source, delimiter: format.delimiter)
            prepared.layout = layout
            prepared.layout?.encodingDetected = detected
            prepared.options.delimiter = layout.delimiter
            prepared.options.extraHeaderRows = max(0, layout.headerRows - 1)
            prepared.options.columnNames = layout.names != layout.headers ? layout.names : nil
            if let duration = layout.duration,
               var speeders = SpeederScan.run(path: prepared.path, name: name, layout: layout, duration: duration) {
                speeders.dropped = format.dropSpeeders
                prepared.speeders = speeders
                if format.dropSpeeders {
                    let reason = "speeder: faster than a third of the median time (\(SpeederScan.seconds(speeders.medianSeconds)) s), --drop-speeders"
                    prepared.options.excludedLines = Dictionary(uniqueKeysWithValues: speeders.lines.map { ($0, reason) })
                }
            }
        } catch {
            prepared.discard()
            throw error
        }
        return prepared
    }

    /// An SPSS or Stata file: converted to CSV, its variable labels as the questions' wording.
    static func prepareStatFile(_ input: PreparedInput, kind: StatFile.Kind, spec: SurveySpec?) throws -> PreparedInput {
        var prepared = input
        let conversion = try StatFile.convert(path: input.path, name: input.displayName, kind: kind)
        prepared.path = conversion.csvPath
        prepared.temporary = conversion.csvPath
        prepared.codebook = conversion.codebook
        prepared.statVariables = conversion.variables
        do {
            var layout = try ExportLayout.detect(path: prepared.path, name: prepared.displayName, source: .plain, delimiter: UInt8(ascii: ","))
            layout.recognised = true
            layout.origin = kind.rawValue
            for i in layout.columns.indices {
                if let label = conversion.variableLabels[layout.columns[i].name] { layout.columns[i].question = label }
            }
            Adapters.inferStems(&layout.columns)   // with the variable labels as the wording
            prepared.layout = layout
            prepared.options.delimiter = UInt8(ascii: ",")
            prepared.options.extraHeaderRows = 0
            prepared.options.columnNames = nil
        } catch {
            prepared.discard()
            throw error
        }
        return prepared
    }

    /// A workbook sheet: converted to CSV, then recognised as a CSV export would be (SurveyMonkey's
    /// merged header cells come out as its CSV's blanks beside the question).
    static func prepareWorkbook(_ input: PreparedInput, sheet: String?, spec: SurveySpec?) throws -> PreparedInput {
        var prepared = input
        let conversion = try Workbook.convert(path: input.path, name: input.displayName, sheet: sheet)
        prepared.path = conversion.csvPath
        prepared.temporary = conversion.csvPath
        prepared.cells = conversion.cells
        do {
            var csv = try prepare(csvPath: conversion.csvPath, displayName: input.displayName, spec: spec, options: {
                var options = input.options
                options.format.encoding = .utf8
                return options
            }())
            csv.temporary = conversion.csvPath
            csv.cells = conversion.cells
            csv.layout?.sheet = conversion.sheet
            return csv
        } catch {
            prepared.discard()
            throw prepared.relocate(error)
        }
    }

    /// `error` located at a workbook's cell when it points into the CSV copy of a sheet.
    public func relocate(_ error: any Error) -> any Error {
        if let statVariables { return StatFile.relocate(error, csvPath: path, name: displayName, variables: statVariables) }
        guard let cells else { return error }
        return cells.relocate(error, csvPath: path, name: displayName)
    }

    /// `quality` with each rejected row also named as the user's file names it (a workbook's
    /// sheet row, an SPSS/Stata case); unchanged for a CSV.
    public func relocate(_ quality: DataQuality) -> DataQuality {
        guard !quality.rejections.isEmpty else { return quality }
        if statVariables != nil { return StatFile.relocate(quality, csvPath: path) }
        return cells?.relocate(quality, csvPath: path) ?? quality
    }

    /// Removes the temporary copy, if any.
    public func discard() {
        if let temporary { try? FileManager.default.removeItem(atPath: temporary) }
    }
}

/// Reads the durations of a file (a seconds column, or start and end timestamps) and flags the
/// respondents faster than a third of the median.
public enum SpeederScan {
    /// nil when no row has a readable duration. Stops quietly at malformed CSV: the reader that
    /// follows reports it where it is.
    public static func run(path: String, name: String, layout: ExportLayout, duration: DurationColumns) -> DataQuality.Speeders? {
        guard var reader = try? CSVReader(path: path, name: name, delimiter: layout.delimiter, chunkSize: 1 << 18) else { return nil }
        var lines: [Int32] = []
        var times: [Float] = []
        var headerLeft = layout.headerRows
        var seenHeader = false
        while let record = try? reader.next() {
            if !seenHeader {
                if record.isBlank { continue }
                seenHeader = true
            }
            if headerLeft > 0 {
                headerLeft -= 1
                continue
            }
            if record.isBlank { continue }
            let cells = record.fields
            let seconds: Double?
            switch duration {
            case .seconds(let column):
                seconds = column < cells.count ? Double(cells[column].value.trimmingCharacters(in: " \t")) : nil
            case .interval(let start, let end):
                if start < cells.count, end < cells.count, let a = Timestamp.seconds(cells[start].value), let b = Timestamp.seconds(cells[end].value) {
                    seconds = b - a
                } else {
                    seconds = nil
                }
            }
            guard let seconds, seconds.isFinite, seconds >= 0 else { continue }
            lines.append(Int32(clamping: record.line))
            times.append(Float(seconds))
        }
        guard !times.isEmpty else { return nil }
        let sorted = times.sorted()
        let n = sorted.count
        let median = n % 2 == 1 ? Double(sorted[n / 2]) : (Double(sorted[n / 2 - 1]) + Double(sorted[n / 2])) / 2
        let threshold = median / 3
        var flagged: [Int] = []
        for (k, t) in times.enumerated() where Double(t) < threshold { flagged.append(Int(lines[k])) }
        let source: String
        switch duration {
        case .seconds(let column): source = layout.columns[column].name
        case .interval(let start, let end): source = "\(layout.columns[start].name) to \(layout.columns[end].name)"
        }
        return DataQuality.Speeders(source: source, timed: n, medianSeconds: median, thresholdSeconds: threshold,
                                    lines: flagged, dropped: false)
    }

    /// "95" or "31.5": seconds as a report prints them.
    public static func seconds(_ value: Double) -> String {
        let tenths = (value * 10).rounded()
        return tenths.truncatingRemainder(dividingBy: 10) == 0 ? String(Int(tenths / 10)) : String(tenths / 10)
    }
}

/// Timestamps as survey platforms write them, to seconds (only differences are used).
public enum Timestamp {
    /// ISO 8601 (`2024-03-01T10:22:33.123+07:00`, `2024-03-01 10:22:33`, `…Z`) or US
    /// (`03/01/2024 10:22:33 AM`); nil for anything else.
    public static func seconds(_ text: String) -> Double? {
        let s = Array(text.trimmingCharacters(in: " \t").utf8)
        guard !s.isEmpty else { return nil }
        var i = 0
        func number(maxDigits: Int = 4) -> Int? {
            var value = 0, digits = 0
            while i < s.count, digits < maxDigits, s[i] >= 48, s[i] <= 57 {
                value = value * 10 + Int(s[i] - 48)
                digits += 1
                i += 1
            }
            return digits == 0 ? nil : value
        }
        func expect(_ c: Character) -> Bool {
            guard i < s.count, s[i] == c.asciiValue! else { return false }
            i += 1
            return true
        }
        var year = 0, month = 0, day = 0
        guard let first = number() else { return nil }
        if expect("-") {
            guard let m = number(maxDigits: 2), expect("-"), let d = number(maxDigits: 2) else { return nil }
            (year, month, day) = (first, m, d)
        } else if expect("/") {
            guard let d = number(maxDigits: 2), expect("/"), let y = number() else { return nil }
            (year, month, day) = (y < 100 ? 2000 + y : y, first, d)
        } else {
            return nil
        }
        guard (1...12).contains(month), (1...31).contains(day) else { return nil }
        var hour = 0, minute = 0, second = 0.0
        if i < s.count, s[i] == UInt8(ascii: "T") || s[i] == UInt8(ascii: " ") {
            i += 1
            while i < s.count, s[i] == UInt8(ascii: " ") { i += 1 }
            guard let h = number(maxDigits: 2), expect(":"), let m = number(maxDigits: 2) else { return nil }
            hour = h
            minute = m
            if expect(":") {
                guard let sec = number(maxDigits: 2) else { return nil }
                second = Double(sec)
                if expect(".") || expect(",") {
                    var scale = 0.1
                    while i < s.count, s[i] >= 48, s[i] <= 57 {
                        second += Double(s[i] - 48) * scale
                        scale /= 10
                        i += 1
                    }
                }
            }
            while i < s.count, s[i] == UInt8(ascii: " ") { i += 1 }
            if i + 1 < s.count, (s[i] | 0x20) == UInt8(ascii: "a") || (s[i] | 0x20) == UInt8(ascii: "p"), (s[i + 1] | 0x20) == UInt8(ascii: "m") {
                let pm = (s[i] | 0x20) == UInt8(ascii: "p")
                guard (1...12).contains(hour) else { return nil }
                hour = hour % 12 + (pm ? 12 : 0)
                i += 2
            }
        }
        var offset = 0
        if i < s.count {
            if s[i] == UInt8(ascii: "Z") {
                i += 1
            } else if s[i] == UInt8(ascii: "+") || s[i] == UInt8(ascii: "-") {
                let sign = s[i] == UInt8(ascii: "-") ? -1 : 1
                i += 1
                guard let h = number(maxDigits: 2) else { return nil }
                _ = expect(":")
                let m = number(maxDigits: 2) ?? 0
                offset = sign * (h * 3600 + m * 60)
            }
        }
        guard i == s.count, hour < 24, minute < 60, second < 61 else { return nil }
        return Double(daysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 - offset) + second
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func daysFromCivil(_ y0: Int, _ m: Int, _ d: Int) -> Int {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }
}
