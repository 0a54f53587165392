import Foundation

/// The uploads of a `wai serve` session: one folder per upload under the working directory,
/// named by a random id (128 bits, hex), holding the uploaded file, `survey.yaml`, the report
/// folder `report/` and `report.zip`. Nothing outside an upload's own folder is ever served.
public struct UploadStore: Sendable {
    /// The working directory, with symbolic links resolved.
    public let root: URL

    public static let specName = "survey.yaml"
    public static let reportFolder = "report"
    public static let zipName = "report.zip"
    /// File types the page takes: CSV/TSV (and text exports), workbooks, SPSS and Stata files.
    public static let extensions: Set<String> = ["csv", "tsv", "txt", "xlsx", "sav", "dta"]

    public init(root: String) throws {
        let url = URL(fileURLWithPath: root, isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        self.root = url.resolvingSymlinksInPath().standardizedFileURL
    }

    /// A new upload id: 32 hex digits from the system's secure generator.
    public static func newID() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<2).map { _ in
            let hex = String(generator.next() as UInt64, radix: 16)
            return String(repeating: "0", count: 16 - hex.count) + hex
        }.joined()
    }

    /// Whether `id` has the shape of an upload id (so it names a folder directly under the root).
    public static func isValidID(_ id: some StringProtocol) -> Bool {
        id.utf8.count == 32 && id.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }

    /// The folder of upload `id`, or nil when `id` is not an id.
    public func folder(_ id: String) -> URL? {
        guard Self.isValidID(id) else { return nil }
        return root.appendingPathComponent(id, isDirectory: true)
    }

    /// A file name as uploaded, checked: one path component of at most 200 bytes, no `..` or
    /// leading dot, no slash, backslash, NUL or other control character, and one of the known
    /// extensions. Returns the name or why it is refused.
    public static func checkFileName(_ name: String) -> Result<String, UploadRefusal> {
        let trimmed = name.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { return .failure(.badName("the upload has no file name")) }
        guard trimmed.utf8.count <= 200 else { return .failure(.badName("the file name is longer than 200 bytes")) }
        if trimmed.unicodeScalars.contains(where: { $0 == "/" || $0 == "\\" || $0.value < 0x20 || $0.value == 0x7F }) {
            return .failure(.badName("the file name \(quoted(trimmed)) holds a slash, backslash or control character; a plain file name is expected"))
        }
        guard !trimmed.hasPrefix("."), !trimmed.contains("..") else {
            return .failure(.badName("the file name \(quoted(trimmed)) starts with a dot or holds `..`; a plain file name is expected"))
        }
        let ext = (trimmed as NSString).pathExtension.lowercased()
        guard extensions.contains(ext) else {
            return .failure(.unsupportedType("\(quoted(trimmed)) is not a responses file wai reads; expected .csv, .tsv, .txt, .xlsx, .sav or .dta"))
        }
        return .success(trimmed)
    }

    /// The file of upload `id` at the URL path components `components` (already percent-decoded),
    /// or nil unless it is a regular file inside the upload's own folder: no empty component, none
    /// starting with a dot (`.`, `..`, wai's own `.wai-files` and partial uploads), none with a NUL
    /// or backslash, and the path with its symbolic links resolved still under the folder.
    public func file(_ id: String, components: [String]) -> URL? {
        guard let folder = folder(id), !components.isEmpty else { return nil }
        for component in components {
            if component.isEmpty || component.hasPrefix(".") || component.contains("\0") || component.contains("\\") || component.contains("/") {
                return nil
            }
        }
        let candidate = components.reduce(folder) { $0.appendingPathComponent($1) }
        let resolved = candidate.resolvingSymlinksInPath().standardizedFileURL.path
        let base = folder.resolvingSymlinksInPath().standardizedFileURL.path
        guard resolved.hasPrefix(base + "/") else { return nil }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: resolved, isDirectory: &isDirectory), !isDirectory.boolValue,
              let attributes = try? FileManager.default.attributesOfItem(atPath: resolved),
              attributes[.type] as? FileAttributeType == .typeRegular else { return nil }
        return URL(fileURLWithPath: resolved)
    }

    /// The data file of upload `id` (the one file it was created with), if there is one.
    public func dataFile(_ id: String) -> String? {
        guard let folder = folder(id),
              let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return nil }
        return names.sorted().first { name in
            !name.hasPrefix(".") && Self.extensions.contains((name as NSString).pathExtension.lowercased())
        }
    }

    static func quoted(_ text: String) -> String {
        "\"" + (text.count > 80 ? String(text.prefix(80)) + "…" : text) + "\""
    }
}

/// Why an upload or a request was refused.
public enum UploadRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    case badName(String)
    case unsupportedType(String)
    case tooLarge(limit: Int)
    case empty

    public var description: String {
        switch self {
        case .badName(let why), .unsupportedType(let why): why
        case .tooLarge(let limit): "the upload is larger than the limit of \(ServeOptions.describe(bytes: limit)) (wai serve --max-upload-mb)"
        case .empty: "the upload is empty"
        }
    }
}
