/// The reporting database: the curated tables of the contract (`ops.*`, `finance.*`) and the
/// platform's own bookkeeping (`platform.*`). Append new migrations; never edit applied ones.
public enum ReportingSchema {
    public static let migrations: [Migration] = [
        Migration(version: 1, name: "platform bookkeeping", sql: """
            CREATE SCHEMA IF NOT EXISTS platform;

            -- Offsets of consumers that write to PostgreSQL, stored in the same transaction as
            -- their data; the consumer seeks to them on assignment (exactly once into the database).
            CREATE TABLE platform.consumer_offsets (
                consumer_group text NOT NULL,
                topic          text NOT NULL,
                partition      integer NOT NULL,
                next_offset    bigint NOT NULL CHECK (next_offset >= 0),
                updated_at     timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (consumer_group, topic, partition)
            );

            -- Every file the SFTP watcher has seen, per version: a re-delivered identical file
            -- matches its checksum; a changed one becomes a new version that supersedes the old.
            CREATE TABLE platform.file_manifest (
                feed          text NOT NULL,
                file_name     text NOT NULL,
                version       integer NOT NULL CHECK (version >= 1),
                size_bytes    bigint NOT NULL,
                sha256        text NOT NULL,
                status        text NOT NULL CHECK (status IN ('held_incomplete','published','quarantined','superseded')),
                reason        text,
                row_count     integer,
                first_seen_at timestamptz NOT NULL DEFAULT now(),
                last_seen_at  timestamptz NOT NULL DEFAULT now(),
                published_at  timestamptz,
                PRIMARY KEY (feed, file_name, version)
            );
            CREATE INDEX file_manifest_status ON platform.file_manifest (status) WHERE status <> 'published';
            """),
        Migration(version: 2, name: "ops near-real-time tables", sql: """
            CREATE SCHEMA IF NOT EXISTS ops;

            CREATE TABLE ops.inventory_on_hand (
                sku              text NOT NULL,
                location_id      text NOT NULL,
                lot_code         text NOT NULL DEFAULT '',   -- '' means "no lot"
                on_hand_cases    numeric(14,2) NOT NULL DEFAULT 0,
                on_hand_lbs      numeric(16,3) NOT NULL DEFAULT 0,
                last_movement_at timestamptz,
                updated_at       timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (sku, location_id, lot_code)
            );
            CREATE INDEX inventory_on_hand_location ON ops.inventory_on_hand (location_id);

            CREATE TABLE ops.dq_violations (
                violation_id  text PRIMARY KEY,              -- deterministic: check + entity + occurrence
                check_name    text NOT NULL,
                severity      text NOT NULL CHECK (severity IN ('info','warning','error','critical')),
                entity_type   text NOT NULL,
                entity_key    text NOT NULL,
                details       jsonb NOT NULL DEFAULT '{}'::jsonb,
                first_seen_at timestamptz NOT NULL DEFAULT now(),
                last_seen_at  timestamptz NOT NULL DEFAULT now(),
                resolved_at   timestamptz
            );
            -- One open row per problem, however often it is seen.
            CREATE UNIQUE INDEX dq_violations_one_open ON ops.dq_violations (check_name, entity_type, entity_key)
                WHERE resolved_at IS NULL;
            CREATE INDEX dq_violations_check ON ops.dq_violations (check_name, resolved_at);

            CREATE TABLE ops.pipeline_freshness (
                source            text PRIMARY KEY,
                last_source_ts    timestamptz,
                last_processed_at timestamptz
            );
            """),
        Migration(version: 3, name: "finance versioned daily snapshots", sql: """
            CREATE SCHEMA IF NOT EXISTS finance;

            -- One row per finalized version of a day: why it was made and from what inputs.
            CREATE TABLE finance.snapshot_versions (
                business_date     date NOT NULL,
                snapshot_version  integer NOT NULL CHECK (snapshot_version >= 1),
                finalized_at      timestamptz NOT NULL DEFAULT now(),
                reason            text NOT NULL,
                input_fingerprint text NOT NULL,
                PRIMARY KEY (business_date, snapshot_version)
            );

            CREATE TABLE finance.daily_inventory (
                business_date       date NOT NULL,
                sku                 text NOT NULL,
                location_id         text NOT NULL,
                opening_cases       numeric(14,2) NOT NULL,
                receipts_cases      numeric(14,2) NOT NULL,
                transfers_in_cases  numeric(14,2) NOT NULL,
                transfers_out_cases numeric(14,2) NOT NULL,
                adjustments_cases   numeric(14,2) NOT NULL,
                spoilage_cases      numeric(14,2) NOT NULL,
                distributions_cases numeric(14,2) NOT NULL,
                closing_cases       numeric(14,2) NOT NULL,
                closing_lbs         numeric(16,3) NOT NULL,
                snapshot_version    integer NOT NULL,
                finalized_at        timestamptz NOT NULL,
                PRIMARY KEY (business_date, sku, location_id, snapshot_version),
                CHECK (closing_cases = opening_cases + receipts_cases + transfers_in_cases - transfers_out_cases
                                       + adjustments_cases - spoilage_cases - distributions_cases)
            );

            CREATE TABLE finance.daily_donations (
                business_date         date NOT NULL,
                location_id           text NOT NULL,
                donor_type            text NOT NULL,
                donations             integer NOT NULL,
                cases                 numeric(14,2) NOT NULL,
                lbs                   numeric(16,3) NOT NULL,
                fair_market_value_usd numeric(14,2) NOT NULL,
                snapshot_version      integer NOT NULL,
                finalized_at          timestamptz NOT NULL,
                PRIMARY KEY (business_date, location_id, donor_type, snapshot_version)
            );

            CREATE TABLE finance.daily_fulfillment (
                business_date    date NOT NULL,
                agency_id        text NOT NULL,
                orders           integer NOT NULL,
                cases_requested  numeric(14,2) NOT NULL,
                cases_shipped    numeric(14,2) NOT NULL,
                fill_rate        numeric(9,4),
                snapshot_version integer NOT NULL,
                finalized_at     timestamptz NOT NULL,
                PRIMARY KEY (business_date, agency_id, snapshot_version)
            );

            CREATE TABLE finance.reconciliation_exceptions (
                business_date    date NOT NULL,
                kind             text NOT NULL CHECK (kind IN ('donation_vs_receipt','shipment_vs_distribution')),
                location_id      text NOT NULL,
                reference_id     text NOT NULL,
                expected_cases   numeric(14,2) NOT NULL,
                actual_cases     numeric(14,2) NOT NULL,
                delta_cases      numeric(14,2) NOT NULL CHECK (delta_cases <> 0),
                snapshot_version integer NOT NULL,
                PRIMARY KEY (business_date, kind, reference_id, snapshot_version)
            );

            -- Finalized rows are immutable: a correction is a new snapshot_version, never an edit.
            CREATE FUNCTION finance.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'finance.% is append-only: finalized snapshots are never changed; write a new snapshot_version', TG_TABLE_NAME
                    USING ERRCODE = 'insufficient_privilege';
            END $$;
            CREATE TRIGGER immutable BEFORE UPDATE OR DELETE ON finance.snapshot_versions FOR EACH ROW EXECUTE FUNCTION finance.refuse_change();
            CREATE TRIGGER immutable BEFORE UPDATE OR DELETE ON finance.daily_inventory FOR EACH ROW EXECUTE FUNCTION finance.refuse_change();
            CREATE TRIGGER immutable BEFORE UPDATE OR DELETE ON finance.daily_donations FOR EACH ROW EXECUTE FUNCTION finance.refuse_change();
            CREATE TRIGGER immutable BEFORE UPDATE OR DELETE ON finance.daily_fulfillment FOR EACH ROW EXECUTE FUNCTION finance.refuse_change();
            CREATE TRIGGER immutable BEFORE UPDATE OR DELETE ON finance.reconciliation_exceptions FOR EACH ROW EXECUTE FUNCTION finance.refuse_change();

            -- The latest version of each day, which is what dashboards normally read.
            CREATE VIEW finance.daily_inventory_latest AS
                SELECT d.* FROM finance.daily_inventory d
                JOIN (SELECT business_date, max(snapshot_version) AS v FROM finance.snapshot_versions GROUP BY business_date) l
                  ON l.business_date = d.business_date AND l.v = d.snapshot_version;
            """),
        Migration(version: 4, name: "exactly-once self-check", sql: """
            -- relay-check's sink: one row per event id however often it was delivered, and one row
            -- per applied Kafka offset with no conflict clause, so an offset applied twice fails.
            CREATE SCHEMA IF NOT EXISTS selfcheck;
            CREATE TABLE selfcheck.events (
                run_id           text NOT NULL,
                event_id         text NOT NULL,
                value            text NOT NULL,
                deliveries       integer NOT NULL DEFAULT 1,
                first_written_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (run_id, event_id)
            );
            CREATE TABLE selfcheck.applied_offsets (
                run_id    text NOT NULL,
                topic     text NOT NULL,
                partition integer NOT NULL,
                "offset"  bigint NOT NULL,
                PRIMARY KEY (run_id, topic, partition, "offset")
            );
            """),
            Migration(version: 5, name: "local cdc bookkeeping", sql: """
            -- The local cdc executable's replication slots: a slot whose initial snapshot did not
            -- finish is dropped and made again, so a crash mid-snapshot never leaves rows out.
            CREATE TABLE platform.cdc_sources (
                slot_name             text PRIMARY KEY,
                database_name         text NOT NULL,
                topic_prefix          text NOT NULL,
                consistent_point      text NOT NULL,
                snapshot_rows         bigint,
                snapshot_completed_at timestamptz,
                created_at            timestamptz NOT NULL DEFAULT now()
            );
            """),
            Migration(version: 6, name: "file manifest keeps published content", sql: """
            -- A corrected file retracts the rows of its earlier version: the manifest keeps the
            -- published content, since the inbox holds only the newest delivery.
            ALTER TABLE platform.file_manifest ADD COLUMN content bytea;
            """),
            Migration(version: 7, name: "normalize parent keys", sql: """
            -- What each version of a header row says its lines are keyed by (an intake's
            -- donation_id, a shipment's order_id): source lines do not carry the key, and normalize
            -- keys a line by its header's version at or before the line's own position (LSN).
            -- Facts from the source, so writing one ahead of its Kafka transaction is harmless.
            CREATE TABLE platform.parent_keys (
                kind        text NOT NULL,
                parent_id   text NOT NULL,
                position    bigint NOT NULL,
                key         text NOT NULL,
                recorded_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (kind, parent_id, position)
            );
            """),
            Migration(version: 8, name: "reconcile ledger and item master", sql: """
            -- Every inventory event reconcile applied, once (the event id is the key: a record seen
            -- twice upstream is applied once). On-hand is the sum of this ledger; nightly reads it by
            -- business date. own_lbs: the movement's own weight, signed like delta_cases; NULL means
            -- "cases times the item's unit weight".
            CREATE TABLE ops.inventory_movements (
                event_id       text PRIMARY KEY,
                sku            text NOT NULL,
                location_id    text NOT NULL,
                lot_code       text NOT NULL,
                movement_type  text NOT NULL,
                retraction     boolean NOT NULL,
                delta_cases    numeric(14,2) NOT NULL,
                own_lbs        numeric(16,3),
                reference_type text,
                reference_id   text,
                occurred_at    timestamptz NOT NULL,
                business_date  date NOT NULL,
                source_system  text NOT NULL,
                applied_at     timestamptz NOT NULL DEFAULT now()
            );
            CREATE INDEX inventory_movements_position ON ops.inventory_movements (sku, location_id, lot_code);
            CREATE INDEX inventory_movements_business_date ON ops.inventory_movements (business_date);

            -- The warehouse item master as CDC last said it (a deleted item keeps its row, marked).
            CREATE TABLE ops.items (
                sku             text PRIMARY KEY,
                description     text,
                category        text,
                unit_weight_lbs numeric(10,3) NOT NULL,
                perishable      boolean,
                active          boolean,
                deleted         boolean NOT NULL DEFAULT false,
                source_position bigint NOT NULL,
                updated_at      timestamptz NOT NULL DEFAULT now()
            );
            """),
            Migration(version: 9, name: "dq state", sql: """
            -- What dq has seen, enough to judge its checks again whenever a fact changes: the latest
            -- version of each source row it needs (position guards keep a late older version out).
            CREATE SCHEMA IF NOT EXISTS dq;
            CREATE TABLE dq.items (
                sku      text PRIMARY KEY,
                deleted  boolean NOT NULL,
                position bigint NOT NULL
            );
            -- Only the live records that named a sku while it was unknown: small, whatever the volume.
            CREATE TABLE dq.unknown_sku_references (
                record_id   text PRIMARY KEY,
                sku         text NOT NULL,
                record_type text NOT NULL
            );
            CREATE INDEX unknown_sku_references_sku ON dq.unknown_sku_references (sku);
            CREATE TABLE dq.intakes (
                intake_id   bigint PRIMARY KEY,
                donation_id text NOT NULL,
                voided      boolean NOT NULL,
                live        boolean NOT NULL,
                position    bigint NOT NULL
            );
            CREATE INDEX intakes_donation ON dq.intakes (donation_id);
            CREATE TABLE dq.orders (
                order_id text PRIMARY KEY,
                live     boolean NOT NULL,
                position bigint NOT NULL
            );
            CREATE TABLE dq.order_lines (
                order_id text NOT NULL,
                line_no  bigint NOT NULL,
                live     boolean NOT NULL,
                position bigint NOT NULL,
                PRIMARY KEY (order_id, line_no)
            );
            -- first_seen_at: when dq first read the shipment, the start of its grace period; pending:
            -- not decided yet (the sweep's work list).
            CREATE TABLE dq.shipments (
                shipment_id   text PRIMARY KEY,
                order_id      text NOT NULL,
                void          boolean NOT NULL,
                live          boolean NOT NULL,
                position      bigint NOT NULL,
                first_seen_at timestamptz NOT NULL,
                pending       boolean NOT NULL DEFAULT true
            );
            CREATE INDEX shipments_order ON dq.shipments (order_id);
            CREATE INDEX shipments_pending ON dq.shipments (first_seen_at) WHERE pending;
            CREATE TABLE dq.shipment_lines (
                shipment_id   text NOT NULL,
                line_no       bigint NOT NULL,
                order_line_no bigint NOT NULL,
                live          boolean NOT NULL,
                position      bigint NOT NULL,
                PRIMARY KEY (shipment_id, line_no)
            );
            -- Numbering a problem's findings counts its earlier rows.
            CREATE INDEX dq_violations_entity ON ops.dq_violations (check_name, entity_type, entity_key);
            """),
            Migration(version: 10, name: "pounds kept exact", sql: """
            -- Derived pounds are cases (2 decimals) times a unit weight (3 decimals): 5 decimals. Held
            -- at 3 they were rounded once per movement and drifted from the sum of the ledger.
            ALTER TABLE ops.inventory_on_hand ALTER COLUMN on_hand_lbs TYPE numeric(18,5);
            DROP VIEW finance.daily_inventory_latest;
            ALTER TABLE finance.daily_inventory ALTER COLUMN closing_lbs TYPE numeric(18,5);
            CREATE VIEW finance.daily_inventory_latest AS
                SELECT d.* FROM finance.daily_inventory d
                JOIN (SELECT business_date, max(snapshot_version) AS v FROM finance.snapshot_versions GROUP BY business_date) l
                  ON l.business_date = d.business_date AND l.v = d.snapshot_version;
            """),
            Migration(version: 11, name: "nightly inputs", sql: """
            -- The latest version of every canonical donation, order and shipment record (and donor),
            -- as nightly read it from the unique topics: one row per source record, newer positions
            -- winning; business_date dates it (America/Los_Angeles) where its kind has a date.
            CREATE SCHEMA IF NOT EXISTS nightly;
            CREATE TABLE nightly.records (
                record_type   text NOT NULL,
                source_id     text NOT NULL,
                live          boolean NOT NULL,
                position      bigint NOT NULL,
                fields        jsonb NOT NULL,
                business_date date,
                recorded_at   timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (record_type, source_id)
            );
            CREATE INDEX records_business_date ON nightly.records (record_type, business_date);
            CREATE INDEX records_recorded_at ON nightly.records (recorded_at);
            CREATE INDEX records_donation ON nightly.records ((fields->>'donation_id')) WHERE record_type = 'intake';
            CREATE INDEX records_order ON nightly.records ((fields->>'order_id')) WHERE record_type IN ('order_line', 'shipment', 'order');
            CREATE INDEX records_parent ON nightly.records (record_type, (fields->>'intake_id'), (fields->>'shipment_id'));
            -- Late data: which business dates changed since a day was finalized.
            CREATE INDEX inventory_movements_applied_at ON ops.inventory_movements (applied_at);
            CREATE INDEX inventory_movements_reference ON ops.inventory_movements (reference_id) WHERE reference_id IS NOT NULL;
            """),
            Migration(version: 12, name: "nightly line lookups", sql: """
            -- Lines are found by their header's id: one index per kind of header (a composite index
            -- led by the intake id did not serve shipment lines).
            DROP INDEX nightly.records_parent;
            CREATE INDEX records_intake_id ON nightly.records (record_type, (fields->>'intake_id'));
            CREATE INDEX records_shipment_id ON nightly.records (record_type, (fields->>'shipment_id'));
            """),
            Migration(version: 13, name: "verify runs", sql: """
            -- Every foodbank-ctl verify: when, over which business days, and what it found (the
            -- oracle's tables beside the reported ones), kept for auditors and read by the metrics.
            CREATE TABLE platform.verify_runs (
                run_id                 bigserial PRIMARY KEY,
                started_at             timestamptz NOT NULL,
                finished_at            timestamptz NOT NULL DEFAULT now(),
                from_date              date NOT NULL,
                to_date                date NOT NULL,
                wrong                  integer NOT NULL,
                pending_refinalization integer NOT NULL,
                unfinalized            integer NOT NULL,
                in_flight              integer NOT NULL,
                unreadable_feed_rows   integer NOT NULL
            );
            CREATE TABLE platform.verify_differences (
                run_id      bigint NOT NULL REFERENCES platform.verify_runs (run_id),
                kind        text NOT NULL,
                table_name  text NOT NULL,
                key         text NOT NULL,
                column_name text NOT NULL,
                expected    text,
                actual      text
            );
            CREATE INDEX verify_differences_run ON platform.verify_differences (run_id);
            """),
            Migration(version: 14, name: "row-state ledger and delivery order", sql: """
            -- Counting is state per source row, not deltas (DESIGN.md, "Counting"). Every holder's
            -- version of each source row (holder: '' for a CDC table, the file name for a feed row),
            -- with its position (LSN; for feeds delivery and line): a newer version replaces the
            -- stored one, an older or equal one changes nothing. legs: the version's effects (a
            -- transfer two), [] for a version held but unreadable.
            CREATE TABLE ops.ledger_versions (
                row_id     text NOT NULL,
                holder     text NOT NULL,
                position   bigint NOT NULL,
                live       boolean NOT NULL,
                legs       jsonb NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT clock_timestamp(),
                PRIMARY KEY (row_id, holder)
            );
            -- What each row counts now: the legs of its latest live holder's version. On-hand is
            -- the sum of this table; nightly reads it by business date. The event-id ledger it
            -- replaces summed deltas; an existing deployment converts by re-snapshotting its
            -- sources and replaying reconcile (README, "Converting to row-state counting").
            DROP TABLE ops.inventory_movements;
            TRUNCATE ops.inventory_on_hand;
            CREATE TABLE ops.inventory_movements (
                row_id         text NOT NULL,
                leg            text NOT NULL,
                event_id       text NOT NULL,
                sku            text NOT NULL,
                location_id    text NOT NULL,
                lot_code       text NOT NULL,
                movement_type  text NOT NULL,
                delta_cases    numeric(14,2) NOT NULL,
                own_lbs        numeric(16,5),
                reference_type text,
                reference_id   text,
                occurred_at    timestamptz NOT NULL,
                business_date  date NOT NULL,
                source_system  text NOT NULL,
                applied_at     timestamptz NOT NULL DEFAULT clock_timestamp(),
                PRIMARY KEY (row_id, leg)
            );
            CREATE INDEX inventory_movements_position ON ops.inventory_movements (sku, location_id, lot_code, occurred_at);
            CREATE INDEX inventory_movements_business_date ON ops.inventory_movements (business_date);
            CREATE INDEX inventory_movements_reference ON ops.inventory_movements (reference_id) WHERE reference_id IS NOT NULL;
            -- Business dates whose counted movements changed (a corrected date touches both), for
            -- nightly's re-finalization of late data.
            CREATE TABLE ops.ledger_changed_dates (
                business_date date PRIMARY KEY,
                changed_at    timestamptz NOT NULL DEFAULT clock_timestamp()
            );
            CREATE INDEX ledger_changed_dates_changed_at ON ops.ledger_changed_dates (changed_at);

            -- Delivery order of the feeds: the order in which the platform first saw each file
            -- version, taken when the version is recorded, before its rows are published
            -- ('publishing': a crash before the Kafka commit publishes it again, same delivery).
            CREATE SEQUENCE platform.file_delivery;
            ALTER TABLE platform.file_manifest ADD COLUMN delivery bigint;
            UPDATE platform.file_manifest f SET delivery = o.n
            FROM (SELECT feed, file_name, version, row_number() OVER (ORDER BY first_seen_at, feed, file_name, version) AS n
                  FROM platform.file_manifest) o
            WHERE o.feed = f.feed AND o.file_name = f.file_name AND o.version = f.version;
            SELECT setval('platform.file_delivery', coalesce((SELECT max(delivery) FROM platform.file_manifest), 0) + 1, false);
            ALTER TABLE platform.file_manifest ALTER COLUMN delivery SET DEFAULT nextval('platform.file_delivery');
            ALTER TABLE platform.file_manifest ALTER COLUMN delivery SET NOT NULL;
            CREATE UNIQUE INDEX file_manifest_delivery ON platform.file_manifest (delivery);
            ALTER TABLE platform.file_manifest DROP CONSTRAINT file_manifest_status_check;
            ALTER TABLE platform.file_manifest ADD CONSTRAINT file_manifest_status_check
                CHECK (status IN ('held_incomplete','publishing','published','quarantined','superseded'));
            """),
            Migration(version: 15, name: "dq sku references", sql: """
            -- Every live record that names a sku, with its position: an item deleted from the master
            -- makes all of them missing_sku findings again, so dq must know them all, not only those
            -- that named a sku while it was unknown. Rebuilt by replaying dq.
            DROP TABLE dq.unknown_sku_references;
            CREATE TABLE dq.sku_references (
                record_id   text PRIMARY KEY,
                sku         text NOT NULL,
                record_type text NOT NULL,
                live        boolean NOT NULL,
                position    bigint NOT NULL
            );
            CREATE INDEX sku_references_sku ON dq.sku_references (sku) WHERE live;
            """),
            Migration(version: 16, name: "ledger change lookups", sql: """
            -- Late data: nightly finds the days whose reconciliation rows a newly counted movement
            -- may move (the other movements of its reference).
            CREATE INDEX inventory_movements_applied_at ON ops.inventory_movements (applied_at);
            """),
            Migration(version: 17, name: "consumer roles", sql: """
            -- Least privilege: each consumer connects as its own role and writes only what its
            -- stage owns (the deployment gives each role a login and a password: README, "Database
            -- roles"). The operator, who owns the tables and runs migrations, replay and verify,
            -- keeps every right. Roles belong to the server, shared by each database on it: made
            -- once, granted here per database. A later migration's new table grants its stage.
            DO $roles$
            DECLARE role text;
            BEGIN
                FOREACH role IN ARRAY ARRAY['foodbank_cdc', 'foodbank_sftp_watcher', 'foodbank_normalize',
                                            'foodbank_reconcile', 'foodbank_dq', 'foodbank_nightly'] LOOP
                    BEGIN
                        EXECUTE format('CREATE ROLE %I NOLOGIN', role);
                    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
                    END;
                END LOOP;
            END
            $roles$;

            GRANT USAGE ON SCHEMA platform TO foodbank_cdc, foodbank_sftp_watcher, foodbank_normalize,
                foodbank_reconcile, foodbank_dq, foodbank_nightly;
            GRANT USAGE ON SCHEMA ops TO foodbank_reconcile, foodbank_dq, foodbank_nightly;
            GRANT USAGE ON SCHEMA dq TO foodbank_dq;
            GRANT USAGE ON SCHEMA nightly, finance TO foodbank_nightly;

            GRANT SELECT, INSERT, UPDATE ON platform.cdc_sources TO foodbank_cdc;
            GRANT SELECT, INSERT, UPDATE ON platform.file_manifest TO foodbank_sftp_watcher;
            GRANT USAGE ON SEQUENCE platform.file_delivery TO foodbank_sftp_watcher;
            GRANT SELECT, INSERT, UPDATE ON platform.parent_keys TO foodbank_normalize;
            GRANT SELECT, INSERT, UPDATE, DELETE ON ops.ledger_versions, ops.inventory_movements, ops.ledger_changed_dates,
                ops.inventory_on_hand, ops.items, ops.pipeline_freshness TO foodbank_reconcile;
            GRANT SELECT, INSERT, UPDATE, DELETE ON dq.items, dq.sku_references, dq.intakes, dq.orders, dq.order_lines,
                dq.shipments, dq.shipment_lines, ops.dq_violations TO foodbank_dq;
            GRANT SELECT, INSERT, UPDATE, DELETE ON nightly.records TO foodbank_nightly;
            GRANT SELECT ON ops.inventory_movements, ops.items, ops.ledger_changed_dates, ops.pipeline_freshness,
                ops.inventory_on_hand, ops.dq_violations TO foodbank_nightly;
            -- Finance is append-only for nightly: it adds snapshot versions, and cannot change or
            -- remove a finalized one.
            GRANT SELECT, INSERT ON ALL TABLES IN SCHEMA finance TO foodbank_nightly;

            -- Shared bookkeeping: a group's stored offsets are rows of its stage's role only. A
            -- group is named after its stage ("reconcile", or "reconcile-<suffix>").
            GRANT SELECT, INSERT, UPDATE ON platform.consumer_offsets TO foodbank_reconcile, foodbank_dq, foodbank_nightly;
            ALTER TABLE platform.consumer_offsets ENABLE ROW LEVEL SECURITY;
            CREATE POLICY reconcile_offsets ON platform.consumer_offsets TO foodbank_reconcile
                USING (consumer_group = 'reconcile' OR consumer_group LIKE 'reconcile-%')
                WITH CHECK (consumer_group = 'reconcile' OR consumer_group LIKE 'reconcile-%');
            CREATE POLICY dq_offsets ON platform.consumer_offsets TO foodbank_dq
                USING (consumer_group = 'dq' OR consumer_group LIKE 'dq-%')
                WITH CHECK (consumer_group = 'dq' OR consumer_group LIKE 'dq-%');
            CREATE POLICY nightly_offsets ON platform.consumer_offsets TO foodbank_nightly
                USING (consumer_group = 'nightly' OR consumer_group LIKE 'nightly-%')
                WITH CHECK (consumer_group = 'nightly' OR consumer_group LIKE 'nightly-%');
            """),
            Migration(version: 18, name: "dq quantities", sql: """
            -- implausible_value: the quantities each sku-naming record's latest version states
            -- ({field: decimal text}; none when not live). Rebuilt by replaying dq.
            ALTER TABLE dq.sku_references ADD COLUMN quantities jsonb NOT NULL DEFAULT '{}'::jsonb;
            """),
            Migration(version: 19, name: "complete snapshots", sql: """
            -- Decision 32: each sink's latest complete snapshot of each source table. A version of
            -- the table's rows older than it, read before or after it, is a row the snapshot lacked:
            -- removed. Emptied with the sink's other tables by a replay from the earliest offsets.
            -- source_table: system:schema.table (reconcile, dq), or the record type (nightly).
            CREATE TABLE ops.snapshot_completions (
                source_table text PRIMARY KEY,
                position     bigint NOT NULL,
                completed_at timestamptz NOT NULL DEFAULT now()
            );
            CREATE TABLE dq.snapshot_completions (LIKE ops.snapshot_completions INCLUDING ALL);
            CREATE TABLE nightly.snapshot_completions (LIKE ops.snapshot_completions INCLUDING ALL);
            GRANT SELECT, INSERT, UPDATE, DELETE ON ops.snapshot_completions TO foodbank_reconcile;
            GRANT SELECT, INSERT, UPDATE, DELETE ON dq.snapshot_completions TO foodbank_dq;
            GRANT SELECT, INSERT, UPDATE, DELETE ON nightly.snapshot_completions TO foodbank_nightly;
            """),
            Migration(version: 20, name: "latest finance versions", sql: """
            -- A day's latest version is the newest in finance.snapshot_versions, not the newest a
            -- table's rows show: a version may hold no row of a table (a day whose only movement was
            -- corrected away), and the max of the rows would then read the stale version as latest.
            -- Each finance table gets the view daily_inventory has.
            CREATE VIEW finance.daily_donations_latest AS
                SELECT d.* FROM finance.daily_donations d
                JOIN (SELECT business_date, max(snapshot_version) AS v FROM finance.snapshot_versions GROUP BY business_date) l
                  ON l.business_date = d.business_date AND l.v = d.snapshot_version;
            CREATE VIEW finance.daily_fulfillment_latest AS
                SELECT d.* FROM finance.daily_fulfillment d
                JOIN (SELECT business_date, max(snapshot_version) AS v FROM finance.snapshot_versions GROUP BY business_date) l
                  ON l.business_date = d.business_date AND l.v = d.snapshot_version;
            CREATE VIEW finance.reconciliation_exceptions_latest AS
                SELECT d.* FROM finance.reconciliation_exceptions d
                JOIN (SELECT business_date, max(snapshot_version) AS v FROM finance.snapshot_versions GROUP BY business_date) l
                  ON l.business_date = d.business_date AND l.v = d.snapshot_version;
            """),
            Migration(version: 21, name: "nightly changed dates", sql: """
            -- The days a record's replaced version counted on: its own date and, for an intake or a
            -- shipment, the earliest day of its old key's movements and witnesses. nightly.records
            -- keeps only the new version, so without these a record moved to a later day or another
            -- key would leave the earlier day's finalized version counting it.
            CREATE TABLE nightly.changed_dates (
                business_date date PRIMARY KEY,
                changed_at    timestamptz NOT NULL DEFAULT clock_timestamp()
            );
            CREATE INDEX changed_dates_changed_at ON nightly.changed_dates (changed_at);
            GRANT SELECT, INSERT, UPDATE, DELETE ON nightly.changed_dates TO foodbank_nightly;
            """),
            Migration(version: 22, name: "dq feed row holders", sql: """
            -- Decision 22: a feed row held by several live files names its sku only in the latest
            -- delivered one, as the ledger counts it. row_id is the row whatever file holds it (NULL
            -- for a source row: its record is its row).
            ALTER TABLE dq.sku_references ADD COLUMN row_id text;
            CREATE INDEX sku_references_row_id ON dq.sku_references (row_id) WHERE live AND row_id IS NOT NULL;
            """),
            Migration(version: 23, name: "finance holds", sql: """
            -- A rebuild of nightly's inputs (a replay from the earliest offsets, a conversion) holds
            -- its finance: while a hold exists, nightly's rounds finalize nothing, so no version is
            -- made of half-read inputs; the operator's backfill, once the fleet has caught up,
            -- re-finalizes the days and releases it. Kept apart from nightly's derived tables, which
            -- the rebuild empties.
            CREATE TABLE nightly.finance_holds (
                nightly_group text PRIMARY KEY,
                reason        text NOT NULL,
                held_at       timestamptz NOT NULL DEFAULT now()
            );
            GRANT SELECT, DELETE ON nightly.finance_holds TO foodbank_nightly;
            """),
    ]
}
