-- The topology service's leases this Cell committed a transaction with (GitLab's
-- cells_outstanding_leases): written in the same transaction as the rows the lease's claims stand
-- for, and removed once the lease is committed in the topology. A lease left here by a crash is
-- one the reconciler commits; a lease the topology still holds that is not here was never
-- committed by the Cell, and is rolled back once stale. Cell bookkeeping, like `claims`: no
-- Organization owns it.
CREATE TABLE outstanding_leases (
    uuid TEXT PRIMARY KEY,
    created_at BIGINT NOT NULL
);
