-- Users asking to become Members of a Group or Project (GitLab's access requests): one per User
-- and source, answered by those who manage its Members.
CREATE TABLE access_requests (
    id INTEGER PRIMARY KEY,
    organization_id INTEGER NOT NULL REFERENCES organizations (id),
    source_type TEXT NOT NULL,
    source_id INTEGER NOT NULL,
    user_id INTEGER NOT NULL REFERENCES users (id),
    requested_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX access_requests_source_user ON access_requests (source_type, source_id, user_id);
CREATE INDEX access_requests_user ON access_requests (user_id);

CREATE TRIGGER access_requests_held_insert BEFORE INSERT ON access_requests
WHEN (SELECT state FROM organizations WHERE id = NEW.organization_id) = 'maintenance'
BEGIN SELECT RAISE(ABORT, 'orgcells: the organization is in maintenance'); END;
CREATE TRIGGER access_requests_held_update BEFORE UPDATE ON access_requests
WHEN (SELECT state FROM organizations WHERE id = OLD.organization_id) = 'maintenance'
  OR (SELECT state FROM organizations WHERE id = NEW.organization_id) = 'maintenance'
BEGIN SELECT RAISE(ABORT, 'orgcells: the organization is in maintenance'); END;
CREATE TRIGGER access_requests_held_delete BEFORE DELETE ON access_requests
WHEN (SELECT state FROM organizations WHERE id = OLD.organization_id) = 'maintenance'
BEGIN SELECT RAISE(ABORT, 'orgcells: the organization is in maintenance'); END;
