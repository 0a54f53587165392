import Foundation

/// What one run of a built executable printed, and how it ended.
struct ProcessRun {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// The package's built executables, run as a user would run them.
enum Products {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The products directory: the test bundle sits in it, beside the executables.
    static var directory: URL {
        var directory = Bundle(for: BundleMarker.self).bundleURL
        while directory.pathExtension == "xctest" || directory.lastPathComponent == "Contents" { directory.deleteLastPathComponent() }
        return directory
    }

    static var wai: URL { directory.appendingPathComponent("wai") }

    /// Runs `executable` in `directory` (default: the package root). Standard error goes to a
    /// file, so that neither stream can fill a pipe and block the process.
    static func run(_ executable: URL, _ arguments: [String], in directory: URL? = nil,
                    environment: [String: String]? = nil) throws -> ProcessRun {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = directory ?? packageRoot
        if let environment { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        let errorFile = FileManager.default.temporaryDirectory.appendingPathComponent("wai-stderr-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: errorFile.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errorFile) }
        let out = Pipe()
        process.standardOutput = out
        process.standardError = try FileHandle(forWritingTo: errorFile)
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let stderr = try Data(contentsOf: errorFile)
        return ProcessRun(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                          stderr: String(decoding: stderr, as: UTF8.self))
    }
}

private final class BundleMarker {}
