// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "wai",
    products: [
        .executable(name: "wai", targets: ["wai"]),
        // Every stage in one import, for scripts (README: Architecture).
        .library(name: "WAIKit", targets: ["WAIKit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        // Workbooks in and out (.xlsx is a zip of XML parts): entries streamed in and written.
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
        // `wai serve`: a small HTTP/1.1 server on Swift concurrency and BSD sockets (no SwiftNIO: seconds to build, not minutes).
        .package(url: "https://github.com/swhitty/FlyingFox", from: "0.27.1"),
        // Property-based tests only (random RFC 4180 round trips in WAIReadTests).
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
        // `swift package generate-documentation --target WAIKit` (a plugin: nothing of it is linked).
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        // OpenBLAS's CBLAS interface, found through pkg-config `openblas` (Debian: libopenblas-dev).
        .systemLibrary(
            name: "COpenBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]
        ),
        // ReadStat's C interface (Debian: libreadstat-dev, which ships no pkg-config file: linked by name).
        .systemLibrary(
            name: "CReadStat",
            providers: [.apt(["libreadstat-dev"])]
        ),
        // SHA-256 block compression in C, with the x86 SHA extensions where present (input fingerprints).
        .target(name: "CSHA256"),
        // The fast CSV reader's bitmaps of cell ends, 64 bytes per call (SSE2 where present).
        .target(name: "CByteScan"),
        // The stages of the data flow (README: Architecture), each a module that links only what it needs.
        // Model: value types of a survey (spec, scales, bands, coded chunks, data quality, provenance, errors); no I/O.
        .target(name: "WAIModel"),
        // Read: bytes -> records -> coded chunks (CSV dialects, platform layouts, encodings, workbooks, SPSS/Stata), spec loading.
        .target(name: "WAIRead", dependencies: ["WAIModel", "Yams", "CReadStat", "CSHA256", "CByteScan", "ZIPFoundation"]),
        // Aggregate: coded chunks -> sufficient statistics (level counts, cross-products, design sums); OpenBLAS here only.
        .target(name: "WAIAggregate", dependencies: ["WAIModel", "COpenBLAS"]),
        // Estimate: sufficient statistics -> indices, SEs, bootstrap, tests, reliability (links neither Yams nor ReadStat).
        .target(name: "WAIEstimate", dependencies: ["WAIModel", "WAIAggregate"]),
        // Report: an analysis -> Markdown, HTML, CSV, JSON, SVG, xlsx; atomic report folders.
        .target(name: "WAIReport", dependencies: ["WAIModel", "WAIEstimate", "ZIPFoundation"]),
        // Pipeline: the one entry point every command and script goes through (files and survey directories in,
        // ranges read in parallel, partial statistics merged, analysis and provenance out; batch jobs).
        .target(name: "WAIPipeline", dependencies: ["WAIModel", "WAIRead", "WAIAggregate", "WAIEstimate", "WAIReport"]),
        // Serve: the local web page of `wai serve` (upload, the inferred spec to edit, the report and its downloads).
        .target(name: "WAIServe", dependencies: ["WAIModel", "WAIEstimate", "WAIRead", "WAIReport", "WAIPipeline", "ZIPFoundation",
                                                 .product(name: "FlyingFox", package: "FlyingFox")]),
        // The umbrella module and the DocC catalog of the library (Sources/WAIKit/WAIKit.docc).
        .target(name: "WAIKit", dependencies: ["WAIModel", "WAIRead", "WAIAggregate", "WAIEstimate", "WAIReport", "WAIPipeline"]),
        .executableTarget(
            name: "wai",
            dependencies: [
                "WAIKit",
                "WAIServe",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Coverage of the intervals by simulation (a benchmark-style report, not a test).
        .executableTarget(name: "wai-coverage", dependencies: ["WAIKit"], path: "Benchmarks/Coverage"),
        // Speed benchmark: the data generator and the lean job runner (Benchmarks/Speed/README.md).
        .executableTarget(name: "wai-speed", dependencies: ["WAIKit"], path: "Benchmarks/Speed/Runner"),
        // The library from a script: load a spec, analyse its responses, print the tables, write a report.
        .executableTarget(name: "wai-example-quickstart", dependencies: ["WAIKit"], path: "Examples/QuickStart"),
        // What every test target shares: the one seeded generator.
        .target(name: "WAITestSupport", path: "Tests/WAITestSupport"),
        .testTarget(name: "WAIModelTests", dependencies: ["WAIModel"]),
        .testTarget(name: "WAIReadTests", dependencies: ["WAIRead", "CSHA256", "CByteScan", "WAITestSupport", .product(name: "PropertyBased", package: "swift-property-based")],
                    exclude: ["Fixtures"]),
        .testTarget(name: "WAIStatsTests", dependencies: ["WAIAggregate", "WAIEstimate", "WAIPipeline", "WAIRead", "WAITestSupport", .product(name: "PropertyBased", package: "swift-property-based")],
                    exclude: ["Reference"]),
        .testTarget(name: "WAIReportTests", dependencies: ["WAIReport", "WAIEstimate", "WAIPipeline", "WAIRead"]),
        .testTarget(name: "WAICLITests", dependencies: ["wai", "wai-example-quickstart", "WAITestSupport"]),
        .testTarget(name: "WAIServeTests", dependencies: ["WAIServe"]),
    ]
)
