import FoodbankJSON
import Foundation

/// The parts of a feed record (`foodbank.files.*`, written by sftp-watcher) normalization reads,
/// checked: the row, its identity across the feed's files, the file holding it, and its position
/// by delivery.
struct FeedRecordEnvelope {
    let row: JSONValue
    let change: VersionChange
    let eventID: String
    let coordinates: SourceCoordinates

    init(_ record: JSONValue, system: String, identity: [String]) throws {
        guard let row = record["row"], row.objectValue != nil else { throw Rejection("feed record without its row") }
        guard let file = record["file"]?.stringValue, let version = record["file_version"]?.intValue,
              let line = record["record"]?.intValue, let delivery = record["delivery"]?.intValue else {
            throw Rejection("feed record without file, file_version, record or delivery")
        }
        let changeText = record["change"]?.stringValue
        guard changeText == "assert" || changeText == "retract" else { throw Rejection("unknown change \(changeText ?? "null")") }
        let values = identity.map { row[$0]?.stringValue ?? "" }
        guard values.allSatisfy({ !$0.isEmpty }) else { throw Rejection("row without its \(identity.joined(separator: " and "))") }
        self.row = row
        self.change = changeText == "retract" ? .retract : .assert
        let position = change == .retract ? FeedPosition.retraction(delivery: delivery) : FeedPosition.line(line, delivery: delivery)
        // The delivery is in the id, as a change's LSN is in a CDC id: a version published again by
        // a crash is the same event, a version delivered again by a conversion (decision 37) is not.
        self.eventID = "\(system):\(file):v\(version):d\(delivery):\(line):\(change.rawValue)"
        self.coordinates = SourceCoordinates(system: system, object: system, sourceID: values.joined(separator: "|"), version: "v\(version):\(line)",
                                             position: String(position), committedAt: nil, holder: file)
    }

    /// The row's event as `read` makes it. A row that cannot be read is still held by its file: an
    /// assertion becomes an unreadable version (with the rejection, for the dead-letter topic), and
    /// a retraction removes it whatever it said (its assertion was dead-lettered already).
    func normalized(processedAt: Date, _ read: (JSONValue, SourceCoordinates) throws -> InventoryEvent) throws -> NormalizedEvents {
        do {
            return NormalizedEvents(events: [InventoryNormalizer.finish(try read(row, coordinates))])
        } catch let rejection as Rejection {
            let held = placeholder(processedAt: processedAt, change: change == .retract ? .retract : .unreadable)
            return NormalizedEvents(events: [held], rejection: change == .retract ? nil : rejection)
        }
    }

    /// An event that says only which row and holder, for a version whose fields cannot be read.
    private func placeholder(processedAt: Date, change: VersionChange) -> InventoryEvent {
        InventoryEvent(
            eventID: eventID, change: change, movementType: .receipt, sku: row["sku"]?.stringValue ?? "",
            locationID: row["site_code"]?.stringValue ?? row["location_id"]?.stringValue ?? "", lotCode: "", quantityCases: 0, deltaCases: 0,
            weightLbs: nil, referenceType: nil, referenceID: nil, occurredAt: processedAt, businessDate: BusinessTime.businessDate(of: processedAt),
            source: coordinates, processedAt: processedAt)
    }
}
