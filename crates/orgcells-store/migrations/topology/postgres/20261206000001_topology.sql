-- The topology service's own store: the Cells of the cluster and the claims on every globally
-- unique value. Small and rarely written; every write runs alone (SQLite: BEGIN IMMEDIATE) or
-- SERIALIZABLE with a bounded retry (PostgreSQL), so several topology processes may share it.

-- Cells: ids never reused, each with its range of primary keys.
CREATE TABLE cells (
    id BIGINT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    address TEXT NOT NULL,
    session_prefix TEXT NOT NULL UNIQUE,
    id_min BIGINT NOT NULL,
    id_max BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- Updates begun and not yet committed or rolled back, by the Cell that began them.
CREATE TABLE claim_leases (
    uuid TEXT PRIMARY KEY,
    cell_id BIGINT NOT NULL REFERENCES cells (id),
    created_at BIGINT NOT NULL
);

CREATE INDEX claim_leases_cell ON claim_leases (cell_id, created_at, uuid);

-- One row per claimed value; status 1 active, 2 leased for creation, 3 leased for destruction.
CREATE TABLE claims (
    uuid TEXT PRIMARY KEY,
    bucket_type INTEGER NOT NULL,
    bucket_value TEXT NOT NULL,
    subject_type INTEGER NOT NULL,
    subject_id BIGINT NOT NULL,
    source_type INTEGER NOT NULL,
    source_id BIGINT NOT NULL,
    cell_id BIGINT NOT NULL REFERENCES cells (id),
    lease_uuid TEXT REFERENCES claim_leases (uuid),
    status INTEGER NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (bucket_type, bucket_value)
);

CREATE INDEX claims_lease ON claims (lease_uuid);
CREATE INDEX claims_cell_source ON claims (cell_id, source_type, uuid);
