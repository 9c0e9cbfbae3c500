/// What the oracle computes from: the current rows of every source table (text form, in the
/// columns of its ``SourceTable``) and every feed file version as delivered, in delivery order.
public struct SourceSnapshot: Sendable, Equatable {
    public var rows: [SourceTable: [[String?]]]
    public var deliveries: [DeliveredFile]

    public init(rows: [SourceTable: [[String?]]] = [:], deliveries: [DeliveredFile] = []) {
        self.rows = rows
        self.deliveries = deliveries
    }
}
