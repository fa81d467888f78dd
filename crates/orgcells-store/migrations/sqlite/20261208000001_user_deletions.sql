-- Deletions of Users under way across the Cells of a cluster, on the Cell that keeps Users: a
-- row from the step that blocks the User to the last one, so that a deletion cut short (a Cell
-- unreachable) is finished later by the Cell itself (`Service::resume_user_deletions`).
CREATE TABLE user_deletions (
    user_id INTEGER PRIMARY KEY,
    hard_delete INTEGER NOT NULL,
    started_at INTEGER NOT NULL
);
