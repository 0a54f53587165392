import Foundation

extension Array where Element == String {
    /// The positions of these values in numeric order (ties in their own order) when every one
    /// is a number, as category codes 1, 2, 10 are; nil otherwise (or when empty).
    public var numericOrder: [Int]? {
        let numbers = map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard !numbers.isEmpty, numbers.allSatisfy({ $0?.isFinite == true }) else { return nil }
        return indices.sorted { numbers[$0]! != numbers[$1]! ? numbers[$0]! < numbers[$1]! : $0 < $1 }
    }
}
