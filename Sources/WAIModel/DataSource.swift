/// The survey platform a responses file was exported from: it decides how many header rows the
/// file has, how its columns are named and which columns are the platform's own metadata.
public enum DataSource: String, Sendable, Hashable, Codable, CaseIterable {
    /// Google Forms (or the Google Sheet behind it): question wording as header, a Timestamp column.
    case google
    /// KoboToolbox: XML names or labels as header, `group/` prefixes, `_uuid`, `_submission_time`, …
    case kobo
    /// Qualtrics: three header rows (column ids, question text, `{"ImportId":…}`).
    case qualtrics
    /// SurveyMonkey: two header rows (question, then sub-question or "Response").
    case surveymonkey
    /// LimeSurvey: question codes such as `Q1[SQ001]`, answer codes (A1…) or answer text.
    case limesurvey
    /// One header row of column names, then one row per respondent.
    case plain

    /// "google, kobo, qualtrics, surveymonkey, limesurvey or plain".
    public static var choices: String {
        let names = allCases.map(\.rawValue)
        return names.dropLast().joined(separator: ", ") + " or " + names.last!
    }

    /// How the platform is named in messages.
    public var displayName: String {
        switch self {
        case .google: return "Google Forms"
        case .kobo: return "KoboToolbox"
        case .qualtrics: return "Qualtrics"
        case .surveymonkey: return "SurveyMonkey"
        case .limesurvey: return "LimeSurvey"
        case .plain: return "plain CSV"
        }
    }
}

/// How the bytes of a responses file encode its text. UTF-8 (with or without a byte order mark)
/// and UTF-16 with a byte order mark are recognised by themselves; Windows-1252 must be named,
/// since any byte sequence is valid Windows-1252 and guessing it could silently misread a file.
public enum TextEncoding: String, Sendable, Hashable, Codable, CaseIterable {
    case utf8 = "utf-8"
    case utf16LE = "utf-16le"
    case utf16BE = "utf-16be"
    case windows1252 = "windows-1252"

    /// The encoding a user names: `utf-8`, `utf8`, `utf-16le`, `windows-1252`, `cp1252`, … (case ignored).
    public init?(name: String) {
        let key = name.lowercased().filter { $0 != "-" && $0 != "_" && $0 != " " }
        switch key {
        case "utf8": self = .utf8
        case "utf16le": self = .utf16LE
        case "utf16be": self = .utf16BE
        case "windows1252", "cp1252", "win1252": self = .windows1252
        default: return nil
        }
    }

    public static var choices: String { "utf-8, utf-16le, utf-16be or windows-1252" }

    /// "UTF-8", "UTF-16 LE", "Windows-1252": as messages name it.
    public var displayName: String {
        switch self {
        case .utf8: return "UTF-8"
        case .utf16LE: return "UTF-16 LE"
        case .utf16BE: return "UTF-16 BE"
        case .windows1252: return "Windows-1252"
        }
    }
}
