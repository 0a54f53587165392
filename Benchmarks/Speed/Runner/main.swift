// The speed benchmark's own program (see Benchmarks/Speed/README.md):
//
//     wai-speed generate --rows N --items P --format codes|labels [--missing 0.05] [--seed S] --out FILE
//     wai-speed spec J1|J2|J3|J4|J5 --items P                       # the job's survey.yaml, to stdout
//     wai-speed run J1|J2|J3|J4|J5 FILE --spec SPEC [--workers N] [--counts loops|blas]
//                   [--replicates B] [--seed S]
//
// `run` is the lean command of the benchmark: it computes what the peers compute (the jobs'
// indices, counts or bootstrap standard errors, as JSON on stdout) through the same library
// code as `wai analyze` — FastCodeScanner, ParallelAnalyzer, Estimator — without the rest of a
// report (linearization intervals, reliability, group tests). Its last line on stderr is a
// JSON record of which pipeline ran and the parse and aggregate times.
//
// Not a test: it reports, it does not assert.
import Foundation
import WAIKit

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("wai-speed: \(message)\n".utf8))
    exit(2)
}

var arguments = Array(CommandLine.arguments.dropFirst())
@MainActor func option(_ name: String) -> String? {
    guard let i = arguments.firstIndex(of: name) else { return nil }
    guard i + 1 < arguments.count else { fail("\(name) needs a value") }
    let value = arguments[i + 1]
    arguments.removeSubrange(i...(i + 1))
    return value
}

// MARK: - Data

/// SplitMix64: the same seed gives the same file.
struct SplitMix {
    var state: UInt64
    @inline(__always) mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

let labels = ["Very Low", "Low", "Neutral", "High", "Very High"]
func itemName(_ i: Int) -> String { i < 9 ? "q0\(i + 1)" : "q\(i + 1)" }

/// Columns: respondent, gender, region, weight, q01…qP. Item i's answers centre on a level of
/// its own; each answer is missing with probability `missing`.
func generate(rows: Int, items: Int, labelsFormat: Bool, missing: Double, seed: UInt64, out: String) {
    guard let file = fopen(out, "w") else { fail("cannot write \(out)") }
    defer { fclose(file) }
    var rng = SplitMix(state: seed)
    // Cumulative thresholds (out of 2^32) of the five levels for every item.
    var thresholds: [[UInt64]] = []
    for i in 0..<items {
        let centre = 1.0 + 3.0 * Double((i * 37) % 100) / 100
        let p = (1...5).map { exp(-pow(Double($0) - centre, 2) / 2.5) }
        let total = p.reduce(0, +)
        var sum = 0.0
        thresholds.append(p.map { sum += $0 / total; return UInt64(min(sum, 1) * 4294967296.0) })
    }
    let missingBelow = UInt64(missing * 4294967296.0)
    let genders = ["F", "M"], regions = ["North", "South", "East", "West", "Central", "Coast"]
    let answerBytes = (labelsFormat ? labels : ["1", "2", "3", "4", "5"]).map { Array($0.utf8) }
    var buffer: [UInt8] = []
    buffer.reserveCapacity(1 << 21)
    buffer += Array(("respondent,gender,region,weight," + (0..<items).map(itemName).joined(separator: ",") + "\n").utf8)
    func digits(_ value: Int, width: Int = 0) {
        var text = Array(String(value).utf8)
        while text.count < width { text.insert(0x30, at: 0) }
        buffer += text
    }
    for r in 0..<rows {
        digits(r + 1)
        buffer.append(0x2C)
        let g = rng.next() % 100
        if g < 48 { buffer += Array(genders[0].utf8) } else if g < 96 { buffer += Array(genders[1].utf8) } else if g < 99 { buffer.append(0x58) }
        buffer.append(0x2C)
        buffer += Array(regions[Int(rng.next() % 6)].utf8)
        buffer.append(0x2C)
        let w = 2000 + Int(rng.next() % 28000)   // 0.2000 … 2.9999
        digits(w / 10000)
        buffer.append(0x2E)
        digits(w % 10000, width: 4)
        for i in 0..<items {
            buffer.append(i == 0 ? 0x2C : 0x2C)
            let x = rng.next()
            if x >> 32 < missingBelow { continue }
            let u = x & 0xFFFF_FFFF
            var level = 0
            while level < 4 && u >= thresholds[i][level] { level += 1 }
            buffer += answerBytes[level]
        }
        buffer.append(0x0A)
        if buffer.count >= 1 << 20 {
            _ = buffer.withUnsafeBufferPointer { fwrite($0.baseAddress, 1, $0.count, file) }
            buffer.removeAll(keepingCapacity: true)
        }
    }
    _ = buffer.withUnsafeBufferPointer { fwrite($0.baseAddress, 1, $0.count, file) }
}

/// The spec of a job: J2 reads the weight and two demographics; the others only the items.
func specText(job: String, items: Int) -> String {
    var text = "title: speed benchmark \(job)\n"
    if job == "J2" { text += "weight: weight\ndemographics: [gender, region]\n" }
    text += """
    scale:
      levels:
        - {code: 1, label: Very Low}
        - {code: 2, label: Low}
        - {code: 3, label: Neutral}
        - {code: 4, label: High}
        - {code: 5, label: Very High}
      missing: [""]
    tables:
      - id: all
        items:

    """
    for i in 0..<items { text += "      - {id: \(itemName(i)), column: \(itemName(i)), text: \(itemName(i))}\n" }
    return text
}

// MARK: - Jobs

func json(_ value: Double?) -> String {
    guard let value, value.isFinite else { return "null" }
    return "\(value)"
}

func quoted(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out + "\""
}

func run(job: String, csv: String, specPath: String, workers: Int?, blockSize: Int?, counts: AggregationPath, replicates: Int, seed: UInt64) throws {
    let began = Date()
    let spec = try SurveyLoader.loadSpec(path: specPath).spec
    let reader = try ResponseReader(spec: spec, csvPath: csv)
    let items = reader.items
    let plan = job == "J5" ? AggregationPlan(replicates: replicates, seed: seed) : .countsOnly
    var options = PipelineOptions(environment: ProcessInfo.processInfo.environment)
    if let workers { options.workers = workers }
    if let blockSize { options.blockSize = blockSize }

    var record: [String: String] = [:]
    let read = try ParallelAnalyzer.aggregate(reader: reader, plan: plan, scores: Analyzer.scores(spec: spec, items: items),
                                              counts: counts, calibration: nil, options: options)
    let statistics = read.statistics
    let categories = read.categories
    record["pipeline"] = quoted(read.report.pipeline)
    record["workers"] = "\(read.report.workers)"
    record["aggregation"] = quoted(read.report.aggregation)
    record["parse_s"] = json(read.report.parseSeconds)
    record["aggregate_s"] = json(read.report.aggregateSeconds)

    let estimator = Estimator(spec: spec, items: items, designRows: statistics.overall.rows,
                              replicates: statistics.plan.replicates, seed: statistics.plan.seed)
    func indices(_ cell: CellStatistics) -> String {
        "{" + items.indices.map { i in "\(quoted(items[i].id)): \(json(estimator.item(i, in: cell, bands: spec.bands).wai))" }.joined(separator: ", ") + "}"
    }
    var out = "{\"job\": \(quoted(job)), \"rows\": \(Int(statistics.overall.rows))"
    switch job {
    case "J1", "J4":
        out += ", \"items\": \(indices(statistics.overall))"
    case "J2":
        var groups: [String] = []
        for (d, demographic) in spec.demographics.enumerated() {
            let cells = statistics.byDemographic[d]
            let named = cells.indices.map { g in "\(quoted(g == 0 ? "" : categories[d][g - 1])): \(indices(cells[g]))" }
            groups.append("\(quoted(demographic.column)): {" + named.joined(separator: ", ") + "}")
        }
        out += ", \"groups\": {" + groups.joined(separator: ", ") + "}"
    case "J3":
        let k = spec.scale.levels.count
        out += ", \"counts\": {" + items.indices.map { i in
            "\(quoted(items[i].id)): [" + (0..<k).map { "\(Int(statistics.overall.counts[i * k + $0]))" }.joined(separator: ", ") + "]"
        }.joined(separator: ", ") + "}"
    default:
        let estimates = items.indices.map { estimator.item($0, in: statistics.overall, bands: spec.bands) }
        out += ", \"items\": {" + estimates.map { "\(quoted($0.id)): \(json($0.wai))" }.joined(separator: ", ") + "}"
        out += ", \"se\": {" + estimates.map { "\(quoted($0.id)): \(json($0.bootstrap?.se))" }.joined(separator: ", ") + "}"
    }
    out += "}\n"
    FileHandle.standardOutput.write(Data(out.utf8))
    record["wall_s"] = json(Date().timeIntervalSince(began))
    let line = "{" + record.sorted { $0.key < $1.key }.map { "\(quoted($0.key)): \($0.value)" }.joined(separator: ", ") + "}\n"
    FileHandle.standardError.write(Data(line.utf8))
}

// MARK: - Command line

guard !arguments.isEmpty else { fail("usage: wai-speed generate|spec|run …") }
let command = arguments.removeFirst()
switch command {
case "generate":
    let rows = Int(option("--rows") ?? "1000000")!
    let items = Int(option("--items") ?? "50")!
    let format = option("--format") ?? "codes"
    let missing = Double(option("--missing") ?? "0.05")!
    let seed = UInt64(option("--seed") ?? "20240601")!
    guard let out = option("--out") else { fail("generate needs --out FILE") }
    guard format == "codes" || format == "labels" else { fail("--format is codes or labels") }
    generate(rows: rows, items: items, labelsFormat: format == "labels", missing: missing, seed: seed, out: out)
case "spec":
    let items = Int(option("--items") ?? "50")!
    guard let job = arguments.first else { fail("spec needs a job: J1…J5") }
    FileHandle.standardOutput.write(Data(specText(job: job, items: items).utf8))
case "run":
    let workers = option("--workers").flatMap { Int($0) }
    let blockSize = option("--block-size").flatMap { Int($0) }
    let counts = AggregationPath(rawValue: option("--counts") ?? "loops") ?? .loops
    let replicates = Int(option("--replicates") ?? "1000")!
    let seed = UInt64(option("--seed") ?? "20240601")!
    guard let specPath = option("--spec"), arguments.count == 2 else { fail("usage: wai-speed run JOB FILE --spec SPEC") }
    do {
        try run(job: arguments[0], csv: arguments[1], specPath: specPath, workers: workers, blockSize: blockSize, counts: counts,
                replicates: replicates, seed: seed)
    } catch {
        fail("\(error)")
    }
default:
    fail("unknown command \(command)")
}
