-- How far this Cell has copied the cluster's change log of Users and their tokens (a Cell of a
-- cluster other than the first: see `replica`). One row.
CREATE TABLE replication_cursor (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq BIGINT NOT NULL
);
