// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "wai",
    products: [
        .executable(name: "wai", targets: ["wai"]),
        // Every stage in one import, for scripts: WAIModel, WAIIO, WAIStats, WAIReport.
        .library(name: "WAIKit", targets: ["WAIKit"]),
        .library(name: "WAIModel", targets: ["WAIModel"]),
        .library(name: "WAIIO", targets: ["WAIIO"]),
        .library(name: "WAIStats", targets: ["WAIStats"]),
        .library(name: "WAIReport", targets: ["WAIReport"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        // Workbooks in and out (.xlsx is a zip of XML parts): entries streamed in and written.
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
        // Property-based tests only (random RFC 4180 round trips in WAIIOTests).
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
        // Value types of a survey: scale, weighting, bands, items, the spec; input errors.
        .target(name: "WAIModel"),
        // Bytes in: the streaming CSV reader, spec loading, coding answers into level indices.
        .target(name: "WAIIO", dependencies: ["WAIModel", "Yams", "CReadStat", "CSHA256", "ZIPFoundation"]),
        // Sufficient statistics (aggregated on OpenBLAS) and the estimators built on them.
        .target(name: "WAIStats", dependencies: ["WAIModel", "WAIIO", "COpenBLAS"]),
        // Tables out: Markdown, CSV and JSON renderers, atomic report writing.
        .target(name: "WAIReport", dependencies: ["WAIModel", "WAIStats", "ZIPFoundation"]),
        // The umbrella module and the DocC catalog of the library (Sources/WAIKit/WAIKit.docc).
        .target(name: "WAIKit", dependencies: ["WAIModel", "WAIIO", "WAIStats", "WAIReport"]),
        .executableTarget(
            name: "wai",
            dependencies: [
                "WAIModel", "WAIIO", "WAIStats", "WAIReport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Coverage of the intervals by simulation (a benchmark-style report, not a test).
        .executableTarget(name: "wai-coverage", dependencies: ["WAIModel", "WAIIO", "WAIStats"], path: "Benchmarks/Coverage"),
        // Speed benchmark: the data generator and the lean job runner (Benchmarks/Speed/README.md).
        .executableTarget(name: "wai-speed", dependencies: ["WAIModel", "WAIIO", "WAIStats"], path: "Benchmarks/Speed/Runner"),
        // The library from a script: load a spec, analyse its responses, print the tables, write a report.
        .executableTarget(name: "wai-example-quickstart", dependencies: ["WAIModel", "WAIIO", "WAIStats", "WAIReport"], path: "Examples/QuickStart"),
        // What every test target shares: the one seeded generator.
        .target(name: "WAITestSupport", path: "Tests/WAITestSupport"),
        .testTarget(name: "WAIModelTests", dependencies: ["WAIModel"]),
        .testTarget(name: "WAIIOTests", dependencies: ["WAIIO", "CSHA256", "WAITestSupport", .product(name: "PropertyBased", package: "swift-property-based")],
                    exclude: ["Fixtures"]),
        .testTarget(name: "WAIStatsTests", dependencies: ["WAIStats", "WAIIO", "WAITestSupport", .product(name: "PropertyBased", package: "swift-property-based")],
                    exclude: ["Reference"]),
        .testTarget(name: "WAIReportTests", dependencies: ["WAIReport", "WAIStats", "WAIIO"]),
        .testTarget(name: "WAICLITests", dependencies: ["wai", "wai-example-quickstart", "WAITestSupport"]),
    ]
)
