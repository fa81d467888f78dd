-- Invitations by email to a Group or Project, pending until a User with that address exists
-- (then a membership), or until they lapse.
CREATE TABLE invitations (
    id INTEGER PRIMARY KEY,
    organization_id INTEGER NOT NULL REFERENCES organizations (id),
    source_type TEXT NOT NULL,
    source_id INTEGER NOT NULL,
    email TEXT NOT NULL,
    access_level INTEGER NOT NULL,
    expires_at TEXT,
    invited_until INTEGER NOT NULL,
    created_by_id INTEGER,
    created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX invitations_source_email ON invitations (source_type, source_id, email);
CREATE INDEX invitations_email ON invitations (email);

CREATE TRIGGER invitations_held_insert BEFORE INSERT ON invitations
WHEN (SELECT state FROM organizations WHERE id = NEW.organization_id) = 'maintenance'
BEGIN SELECT RAISE(ABORT, 'orgcells: the organization is in maintenance'); END;
CREATE TRIGGER invitations_held_update BEFORE UPDATE ON invitations
WHEN (SELECT state FROM organizations WHERE id = OLD.organization_id) = 'maintenance'
  OR (SELECT state FROM organizations WHERE id = NEW.organization_id) = 'maintenance'
BEGIN SELECT RAISE(ABORT, 'orgcells: the organization is in maintenance'); END;
CREATE TRIGGER invitations_held_delete BEFORE DELETE ON invitations
WHEN (SELECT state FROM organizations WHERE id = OLD.organization_id) = 'maintenance'
BEGIN SELECT RAISE(ABORT, 'orgcells: the organization is in maintenance'); END;
