/// One way the reporting database disagrees with the oracle: a value, or a whole row one side lacks
/// (`column` is `row`, the missing side nil).
public struct Difference: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, CaseIterable {
        /// The reported value is not what the contract gives for the sources as they stand.
        case wrong
        /// The day's latest version predates inputs the platform has applied since: the next
        /// finalization will change it, and the difference says nothing yet.
        case pendingRefinalization = "pending_refinalization"
        /// The day has no finalized version at all.
        case unfinalized
        /// An orphaned shipment dq has not yet held for its grace period (an order can arrive after its shipment).
        case inFlight = "in_flight"
    }

    public var table: String
    public var key: [String]
    public var column: String
    public var expected: String?
    public var actual: String?
    public var kind: Kind

    public var description: String {
        "\(kind.rawValue)\t\(table)\t\(key.joined(separator: "|"))\t\(column)\texpected \(expected ?? "no row")\tactual \(actual ?? "no row")"
    }

    /// Every difference between the oracle's rows and the reported ones, all `wrong` until classified.
    public static func between(expected: CuratedRows, actual: CuratedRows, in table: CuratedTable) -> [Difference] {
        var differences: [Difference] = []
        let describe = { (values: [String?]) in
            zip(table.valueColumns, values).map { "\($0)=\($1 ?? "null")" }.joined(separator: " ")
        }
        for (key, values) in expected.rows.sorted(by: { $0.key.lexicographicallyPrecedes($1.key) }) {
            guard let reported = actual.rows[key] else {
                differences.append(Difference(table: table.name, key: key, column: "row", expected: describe(values), actual: nil, kind: .wrong))
                continue
            }
            for (column, (want, have)) in zip(table.valueColumns, zip(values, reported)) where want != have {
                differences.append(Difference(table: table.name, key: key, column: column, expected: want, actual: have, kind: .wrong))
            }
        }
        for (key, values) in actual.rows.sorted(by: { $0.key.lexicographicallyPrecedes($1.key) }) where expected.rows[key] == nil {
            let mustBeZero = zip(table.valueColumns, values).filter { table.lingeringRowZeroColumns.contains($0.0) }
            if !mustBeZero.isEmpty, mustBeZero.allSatisfy({ $0.1 == "0" }) { continue }
            differences.append(Difference(table: table.name, key: key, column: "row", expected: nil, actual: describe(values), kind: .wrong))
        }
        return differences
    }
}
