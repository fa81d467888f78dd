-- Addresses invited to an Organization (`POST /organizations/:id/users` with `email`), pending
-- until a User with that address exists, then an Organization User.
CREATE TABLE organization_invitations (
    id INTEGER PRIMARY KEY,
    organization_id INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    email TEXT NOT NULL,
    access_level INTEGER NOT NULL,
    invited_until INTEGER NOT NULL,
    created_by_id INTEGER,
    created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX organization_invitations_email ON organization_invitations (organization_id, email);
CREATE INDEX organization_invitations_by_email ON organization_invitations (email);

CREATE TRIGGER organization_invitations_held_insert BEFORE INSERT ON organization_invitations
WHEN (SELECT state FROM organizations WHERE id = NEW.organization_id) = 'maintenance'
BEGIN SELECT RAISE(ABORT, 'orgcells: the organization is in maintenance'); END;
CREATE TRIGGER organization_invitations_held_update BEFORE UPDATE ON organization_invitations
WHEN (SELECT state FROM organizations WHERE id = OLD.organization_id) = 'maintenance'
  OR (SELECT state FROM organizations WHERE id = NEW.organization_id) = 'maintenance'
BEGIN SELECT RAISE(ABORT, 'orgcells: the organization is in maintenance'); END;
CREATE TRIGGER organization_invitations_held_delete BEFORE DELETE ON organization_invitations
WHEN (SELECT state FROM organizations WHERE id = OLD.organization_id) = 'maintenance'
BEGIN SELECT RAISE(ABORT, 'orgcells: the organization is in maintenance'); END;
