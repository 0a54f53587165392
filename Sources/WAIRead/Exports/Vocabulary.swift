import WAIModel

/// An ordered answer scale wai recognises by its wording: every spelling of each level, lowest
/// level first, in English and Khmer.
public struct Vocabulary: Sendable, Hashable {
    /// "agreement (5-point)".
    public var name: String
    /// Per level, its spellings; the first is the English label, Khmer ones follow.
    public var levels: [[String]]
    /// Codes a level may also be written as (LimeSurvey's A1…A5 from a codebook), per level.
    public var codes: [String]? = nil
    /// Preference when several vocabularies contain every answer seen: lower wins.
    public var rank: Int = 0
    /// Numeric scales: the code of the first level (0 or 1).
    public var numericStart: Int? = nil
    /// Codes that mean no answer (a codebook's "Don't know" option): missing, never a level.
    public var missingCodes: [String] = []
    /// The scale's name in a spec, when it is not `name` as an identifier (an SPSS/Stata label set's).
    public var specName: String? = nil

    public var levelCount: Int { levels.count }

    /// Level (0-based) of each normalized spelling.
    public var index: [String: Int] {
        var map: [String: Int] = [:]
        for (i, spellings) in levels.enumerated() {
            for spelling in spellings { map[Vocabulary.key(spelling)] = i }
        }
        for (i, code) in (codes ?? []).enumerated() { map[Vocabulary.key(code)] = i }
        return map
    }

    /// "Strongly disagree … Strongly agree".
    public var range: String { "\(levels.first![0]) … \(levels.last![0])" }

    /// How answers are compared: trimmed, white space collapsed, case ignored, typographic apostrophes
    /// straight, `_` as a space (KoboToolbox's XML values such as `strongly_agree`).
    public static func key(_ text: String) -> String {
        normalizedAnswer(text.replacingOccurrences(of: "\u{2019}", with: "'").replacingOccurrences(of: "\u{2018}", with: "'")
            .replacingOccurrences(of: "_", with: " "))
    }

    /// Whether a spelling is Khmer (any Khmer letter).
    static func isKhmer(_ text: String) -> Bool {
        text.unicodeScalars.contains { (0x1780...0x17FF).contains($0.value) }
    }

    /// A 1…k or 0…10 numeric scale.
    public static func numeric(from start: Int, to end: Int) -> Vocabulary {
        Vocabulary(name: "numeric \(start)–\(end)", levels: (start...end).map { [String($0)] }, rank: 50, numericStart: start)
    }

    /// The known text scales, most common first.
    public static let known: [Vocabulary] = [
        Vocabulary(name: "agreement (5-point)", levels: [
            ["Strongly disagree", "Disagree strongly", "មិនយល់ស្របខ្លាំង", "មិនយល់ស្របយ៉ាងខ្លាំង", "មិនយល់ស្របទាល់តែសោះ"],
            ["Disagree", "មិនយល់ស្រប"],
            ["Neither agree nor disagree", "Neither agree or disagree", "Neutral", "Undecided", "អព្យាក្រឹត"],
            ["Agree", "យល់ស្រប"],
            ["Strongly agree", "Agree strongly", "យល់ស្របខ្លាំង", "យល់ស្របយ៉ាងខ្លាំង"],
        ], rank: 1),
        Vocabulary(name: "agreement (7-point)", levels: [
            ["Strongly disagree", "Disagree strongly"], ["Disagree"], ["Somewhat disagree", "Slightly disagree", "Mildly disagree"],
            ["Neither agree nor disagree", "Neither agree or disagree", "Neutral", "Undecided"],
            ["Somewhat agree", "Slightly agree", "Mildly agree"], ["Agree"], ["Strongly agree", "Agree strongly"],
        ], rank: 2),
        Vocabulary(name: "agreement (4-point)", levels: [
            ["Strongly disagree", "Disagree strongly"], ["Disagree"], ["Agree"], ["Strongly agree", "Agree strongly"],
        ], rank: 3),
        Vocabulary(name: "degree (5-point)", levels: [
            ["Very Low", "ទាបណាស់", "ទាបខ្លាំង"], ["Low", "ទាប"], ["Neutral", "Medium", "Moderate", "មធ្យម"],
            ["High", "ខ្ពស់"], ["Very High", "ខ្ពស់ណាស់", "ខ្ពស់ខ្លាំង"],
        ], rank: 1),
        Vocabulary(name: "satisfaction (5-point)", levels: [
            ["Very dissatisfied", "Very unsatisfied", "មិនពេញចិត្តខ្លាំង", "មិនពេញចិត្តទាល់តែសោះ"],
            ["Dissatisfied", "Unsatisfied", "មិនពេញចិត្ត"],
            ["Neither satisfied nor dissatisfied", "Neither satisfied or dissatisfied", "Neutral", "ធម្មតា"],
            ["Satisfied", "ពេញចិត្ត"],
            ["Very satisfied", "ពេញចិត្តខ្លាំង", "ពេញចិត្តណាស់"],
        ], rank: 1),
        Vocabulary(name: "satisfaction (7-point)", levels: [
            ["Very dissatisfied"], ["Dissatisfied"], ["Somewhat dissatisfied", "Slightly dissatisfied"],
            ["Neither satisfied nor dissatisfied", "Neither satisfied or dissatisfied", "Neutral"],
            ["Somewhat satisfied", "Slightly satisfied"], ["Satisfied"], ["Very satisfied"],
        ], rank: 2),
        Vocabulary(name: "frequency (5-point)", levels: [
            ["Never", "មិនដែល"], ["Rarely", "Seldom", "កម្រ"], ["Sometimes", "Occasionally", "ពេលខ្លះ", "ម្ដងម្កាល"],
            ["Often", "Usually", "Frequently", "ញឹកញាប់", "ជាញឹកញាប់"], ["Always", "ជានិច្ច", "រាល់ពេល"],
        ], rank: 1),
        Vocabulary(name: "quality (5-point, Very poor … Excellent)", levels: [
            ["Very poor", "Very bad", "អន់ខ្លាំង"], ["Poor", "Bad", "អន់"], ["Fair", "Average", "មធ្យម"], ["Good", "ល្អ"], ["Excellent", "ល្អណាស់"],
        ], rank: 1),
        Vocabulary(name: "quality (5-point, Poor … Excellent)", levels: [
            ["Poor"], ["Fair"], ["Good"], ["Very good"], ["Excellent"],
        ], rank: 1),
        Vocabulary(name: "importance (5-point, Not at all … Extremely)", levels: [
            ["Not at all important", "Not important at all"], ["Slightly important", "Of little importance", "Low importance"],
            ["Moderately important", "Somewhat important"], ["Very important"], ["Extremely important"],
        ], rank: 1),
        Vocabulary(name: "importance (5-point, Not … Very)", levels: [
            ["Not important", "Unimportant"], ["Slightly important", "Of little importance"],
            ["Moderately important", "Somewhat important", "Neutral"], ["Important"], ["Very important"],
        ], rank: 1),
        Vocabulary(name: "likelihood (5-point)", levels: [
            ["Very unlikely", "Extremely unlikely"], ["Unlikely", "Somewhat unlikely"],
            ["Neither likely nor unlikely", "Neither likely or unlikely", "Neutral"],
            ["Likely", "Somewhat likely"], ["Very likely", "Extremely likely"],
        ], rank: 1),
        Vocabulary(name: "extent (5-point)", levels: [
            ["Not at all"], ["To a small extent", "A little", "Slightly"], ["To a moderate extent", "Moderately", "Somewhat"],
            ["To a large extent", "Quite a bit", "A lot"], ["To a very large extent", "To a great extent", "Very much", "Completely", "Extremely"],
        ], rank: 1),
    ]

    /// Answers that are no opinion on the scale: counted as missing, never scored.
    public static let nonSubstantive: Set<String> = Set([
        "Don't know", "Dont know", "Do not know", "DK", "Don't know / not sure", "Not sure / don't know",
        "Prefer not to say", "Prefer not to answer", "Rather not say", "I prefer not to answer", "Decline to answer",
        "Refused", "No answer", "No opinion", "N/A", "NA", "#N/A", "Not applicable", "Does not apply", "Not relevant",
        "No response", "Skipped", "Can't say", "Cannot say", "Can't choose",
        "មិនដឹង", "មិនឆ្លើយ", "មិនដឹង/មិនឆ្លើយ", "មិនពាក់ព័ន្ធ", "មិនចង់ឆ្លើយ",
    ].map(key))

    /// Numeric codes platforms use for "no answer" (-99 seen but unanswered, 98/99 don't know or
    /// refused): missing when they lie outside the scale, as every negative number does.
    public static let missingCodes: Set<Int> = [77, 88, 97, 98, 99, 777, 888, 997, 998, 999, 9999]
}
