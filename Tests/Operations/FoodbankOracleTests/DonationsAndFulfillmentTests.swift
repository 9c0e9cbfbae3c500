@testable import FoodbankOracle
import Testing

/// `finance.daily_donations` (key business_date, location_id, donor_type; values donations, cases, lbs,
/// fair_market_value_usd) and `finance.daily_fulfillment` (key business_date, agency_id; values orders,
/// cases_requested, cases_shipped, fill_rate).
@Suite struct DonationsAndFulfillmentTests {
    static func donations(_ builder: SnapshotBuilder) throws -> OracleHarness.Rows {
        try OracleHarness.compute(OracleQueries.dailyDonations, builder.donor("DONOR-1", type: "farm"), from: "2026-03-07", to: "2026-03-09")
    }

    static func fulfillment(_ builder: SnapshotBuilder) throws -> OracleHarness.Rows {
        try OracleHarness.compute(OracleQueries.dailyFulfillment, builder, from: "2026-03-07", to: "2026-03-09")
    }

    // MARK: daily_donations

    /// "A donation id keyed more than once counts once, as its most recent intake (highest `intake_id`) that is not
    /// voided": DN-1's intake 2 (dated 03-08) counts, not intake 1 (03-07); DN-2's voided intake 4 gives way to 3.
    @Test func theCountedIntakeIsTheHighestNotVoided() throws {
        let rows = try Self.donations(SnapshotBuilder()
            .intake(1, donation: "DN-1", receivedAt: "2026-03-07 18:00:00+00").donationLine(intake: 1, cases: "5", lbs: "50")
            .intake(2, donation: "DN-1").donationLine(intake: 2, cases: "7", lbs: "70")
            .intake(3, donation: "DN-2").donationLine(intake: 3, cases: "4", lbs: "40")
            .intake(4, donation: "DN-2", status: "voided").donationLine(intake: 4, cases: "9", lbs: "90"))
        #expect(rows == [["2026-03-08", "OAK-MAIN", "farm"]: ["2", "11", "110", "0"]])
    }

    /// "voided donations excluded".
    @Test func aVoidedDonationIsExcluded() throws {
        let rows = try Self.donations(SnapshotBuilder()
            .intake(1, donation: "DN-1", status: "voided").donationLine(intake: 1, cases: "5", lbs: "50"))
        #expect(rows.isEmpty)
    }

    /// "`donations` counts distinct `donation_id`s"; lines sum (cases, their own lbs, fair market value).
    /// Decision: a line without a fair market value adds 0.
    @Test func donationsCountsDistinctIdsAndLinesSum() throws {
        let rows = try Self.donations(SnapshotBuilder()
            .intake(1, donation: "DN-1").donationLine(intake: 1, line: 1, cases: "2", lbs: "20", fmv: "30.5")
            .donationLine(intake: 1, line: 2, cases: "3", lbs: "33.25")
            .intake(2, donation: "DN-2").donationLine(intake: 2, cases: "1", lbs: "10", fmv: "12"))
        #expect(rows == [["2026-03-08", "OAK-MAIN", "farm"]: ["2", "6", "63.25", "42.5"]])
    }

    /// Donor type from `intake.donors`, by location. Decision: `unknown` when the donor is missing; an intake
    /// without lines is a donation of 0 cases.
    @Test func donorTypeFromDonorsAndUnknownWhenMissing() throws {
        let rows = try Self.donations(SnapshotBuilder().donor("DONOR-2", type: "grocery_rescue")
            .intake(1, donation: "DN-1").donationLine(intake: 1, cases: "2", lbs: "20")
            .intake(2, donation: "DN-2", donor: "DONOR-2", location: "OAK-COLD").donationLine(intake: 2, cases: "3", lbs: "30")
            .intake(3, donation: "DN-3", donor: "DONOR-GONE"))
        #expect(rows == [
            ["2026-03-08", "OAK-MAIN", "farm"]: ["1", "2", "20", "0"],
            ["2026-03-08", "OAK-COLD", "grocery_rescue"]: ["1", "3", "30", "0"],
            ["2026-03-08", "OAK-MAIN", "unknown"]: ["1", "0", "0", "0"],
        ])
    }

    /// Dated by `received_at` in America/Los_Angeles: 2026-03-09 06:30 UTC is 03-08.
    @Test func donationsAreDatedByReceivedAtInLosAngeles() throws {
        let rows = try Self.donations(SnapshotBuilder()
            .intake(1, donation: "DN-1", receivedAt: "2026-03-09 06:30:00+00").donationLine(intake: 1, cases: "2", lbs: "20")
            .intake(2, donation: "DN-2", receivedAt: "2026-03-09 07:30:00+00").donationLine(intake: 2, cases: "3", lbs: "30"))
        #expect(rows == [
            ["2026-03-08", "OAK-MAIN", "farm"]: ["1", "2", "20", "0"],
            ["2026-03-09", "OAK-MAIN", "farm"]: ["1", "3", "30", "0"],
        ])
    }

    // MARK: daily_fulfillment

    /// "by the shipment's `shipped_at` date"; `fill_rate = cases_shipped / cases_requested`.
    @Test func fulfillmentByShippedAtDate() throws {
        let rows = try Self.fulfillment(SnapshotBuilder()
            .order("O-1").orderLine(order: "O-1", requested: "10")
            .shipment("S-1", order: "O-1", shippedAt: "2026-03-09 06:30:00+00").shipmentLine(shipment: "S-1", cases: "8"))
        #expect(rows == [["2026-03-08", "AG-1"]: ["1", "10", "8", "0.8"]])
    }

    /// "void shipments excluded"; "Without a `shipped_at`, whatever its status, it counts in neither".
    @Test func voidAndUnshippedShipmentsAreExcluded() throws {
        let rows = try Self.fulfillment(SnapshotBuilder()
            .order("O-1").orderLine(order: "O-1", requested: "10")
            .shipment("S-1", order: "O-1", status: "void").shipmentLine(shipment: "S-1", cases: "8")
            .shipment("S-2", order: "O-1", shippedAt: nil, status: "shipped").shipmentLine(shipment: "S-2", cases: "8")
            .shipment("S-3", order: "O-1", shippedAt: nil, status: "delivered").shipmentLine(shipment: "S-3", cases: "8")
            .shipment("S-4", order: "O-1", shippedAt: nil, status: "picked").shipmentLine(shipment: "S-4", cases: "8"))
        #expect(rows.isEmpty)
    }

    /// "`orders` counts the distinct orders shipped that day, `cases_requested` sums all lines of those orders":
    /// two shipments of one order are one order, requested once, with every line (even one not shipped).
    @Test func ordersAreDistinctAndRequestedIsEveryLineOfThem() throws {
        let rows = try Self.fulfillment(SnapshotBuilder()
            .order("O-1").orderLine(order: "O-1", line: 1, requested: "6").orderLine(order: "O-1", line: 2, requested: "4")
            .shipment("S-1", order: "O-1").shipmentLine(shipment: "S-1", cases: "3")
            .shipment("S-2", order: "O-1").shipmentLine(shipment: "S-2", cases: "2"))
        #expect(rows == [["2026-03-08", "AG-1"]: ["1", "10", "5", "0.5"]])
    }

    /// "`cases_shipped` sums that day's shipment lines": an order shipped over two days is on both, requested in full.
    @Test func shippedIsThatDaysShipmentLines() throws {
        let rows = try Self.fulfillment(SnapshotBuilder()
            .order("O-1").orderLine(order: "O-1", requested: "10")
            .shipment("S-1", order: "O-1", shippedAt: "2026-03-07 18:00:00+00").shipmentLine(shipment: "S-1", cases: "3")
            .shipment("S-2", order: "O-1").shipmentLine(shipment: "S-2", cases: "5"))
        #expect(rows == [
            ["2026-03-07", "AG-1"]: ["1", "10", "3", "0.3"],
            ["2026-03-08", "AG-1"]: ["1", "10", "5", "0.5"],
        ])
    }

    /// Per agency. Decision: `fill_rate` is rounded to 4 decimals (2/3 → 0.6667); NULL when nothing was requested;
    /// an order missing from `agency.orders` is agency `unknown`.
    @Test func fillRateRoundingNullAndUnknownAgency() throws {
        let rows = try Self.fulfillment(SnapshotBuilder()
            .order("O-1").orderLine(order: "O-1", requested: "3")
            .shipment("S-1", order: "O-1").shipmentLine(shipment: "S-1", cases: "2")
            .order("O-2", agency: "AG-2")
            .shipment("S-2", order: "O-2").shipmentLine(shipment: "S-2", cases: "5")
            .shipment("S-3", order: "O-GONE").shipmentLine(shipment: "S-3", cases: "1"))
        #expect(rows == [
            ["2026-03-08", "AG-1"]: ["1", "3", "2", "0.6667"],
            ["2026-03-08", "AG-2"]: ["1", "0", "5", nil],
            ["2026-03-08", "unknown"]: ["1", "0", "1", nil],
        ])
    }
}
