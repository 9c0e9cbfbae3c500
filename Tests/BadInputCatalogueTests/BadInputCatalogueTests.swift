import Foundation
import Testing

/// The bad-input catalogue (README, "Guarantees and how they are kept"): every kind is refused by the real code with its
/// reason, and the README lists exactly these kinds.
@Suite struct BadInputCatalogueTests {
    static let catalogue = CaptureBadInputs.all + ChangeEventBadInputs.all + FeedFileBadInputs.all + FeedRowBadInputs.all
        + CanonicalBadInputs.all

    @Test(arguments: catalogue)
    func isRefusedWithItsReason(_ input: BadInput) {
        let given = input.judge()
        #expect(given != nil, "accepted: \(input.kind)")
        #expect(given?.contains(input.reason) == true, "\(input.kind): reason \(given ?? "none"), expected \(input.reason)")
    }

    @Test func theCatalogueHasAtLeastFiftyDistinctKindsOverEveryLayer() {
        #expect(Self.catalogue.count >= 50)
        #expect(Set(Self.catalogue.map(\.testDescription)).count == Self.catalogue.count, "a kind is listed twice")
        #expect(Set(Self.catalogue.map(\.layer)) == Set(BadInput.Layer.allCases))
    }

    /// The README's table is the catalogue, row for row (the failure prints the table to paste).
    @Test func theReadmeListsEveryKind() throws {
        let readme = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("README.md")
        let text = try String(contentsOf: readme, encoding: .utf8)
        let listed = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { line in
            BadInput.Layer.allCases.contains { line.hasPrefix("| \($0.rawValue) |") }
        }
        let expected = Self.catalogue.map(\.tableRow)
        #expect(listed == expected, "README's bad-input table should be:\n\(expected.joined(separator: "\n"))")
    }
}
