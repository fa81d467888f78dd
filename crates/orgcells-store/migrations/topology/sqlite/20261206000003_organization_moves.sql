-- Organizations moving between Cells: one row per Organization that ever moved, its latest move.
-- `state` is running, finished, failed or rolled_back; `step` says where a running move is
-- (copying, switched, cleaning). `seq` orders the switches (0 before the first; a new move keeps the last): the routers read the
-- switches after the last they saw, and forget what they remembered of those Organizations.
CREATE TABLE organization_moves (
    organization_id BIGINT PRIMARY KEY,
    from_cell BIGINT NOT NULL REFERENCES cells (id),
    to_cell BIGINT NOT NULL REFERENCES cells (id),
    state TEXT NOT NULL,
    step TEXT NOT NULL,
    error TEXT,
    seq BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE INDEX organization_moves_seq ON organization_moves (seq);
