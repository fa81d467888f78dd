-- The cluster-wide rows (Users and their tokens) a Cell changed: handed over with a lease, kept
-- with it until it ends, and appended to the change log when it commits. Every other Cell reads
-- the log in order into its own copy.
CREATE TABLE lease_rows (
    lease_uuid TEXT NOT NULL REFERENCES claim_leases (uuid),
    ordinal INTEGER NOT NULL,
    table_name TEXT NOT NULL,
    row_id BIGINT NOT NULL,
    -- The row as JSON; NULL when the change deletes it.
    payload TEXT,
    PRIMARY KEY (lease_uuid, ordinal)
);

-- The change log. `seq` is taken as one more than the largest, inside a transaction that runs
-- alone (BEGIN IMMEDIATE; SERIALIZABLE, where two appends racing for one seq conflict and one
-- is retried), so the log's order is the order in which appends committed: a reader that has
-- seen seq N has seen everything before it.
CREATE TABLE cluster_changes (
    seq BIGINT PRIMARY KEY,
    cell_id BIGINT NOT NULL REFERENCES cells (id),
    table_name TEXT NOT NULL,
    row_id BIGINT NOT NULL,
    payload TEXT,
    created_at BIGINT NOT NULL
);
