/// What one movement source record becomes: its inventory events, and, when the version could not
/// be read, why. An unreadable version still has events (the retraction of the row's earlier
/// version, or the feed row held unreadable), so the old number stops counting while the record
/// goes to the dead-letter topic.
public struct NormalizedEvents: Sendable, Equatable {
    public var events: [InventoryEvent] = []
    public var rejection: Rejection?

    public init(events: [InventoryEvent] = [], rejection: Rejection? = nil) {
        self.events = events
        self.rejection = rejection
    }
}
