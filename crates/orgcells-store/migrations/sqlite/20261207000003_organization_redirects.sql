-- Old paths of renamed Organizations: a read by the old path still finds the Organization
-- until another claims the path.
CREATE TABLE organization_redirects (
    id INTEGER PRIMARY KEY,
    organization_id INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    path TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX organization_redirects_path ON organization_redirects (lower(path));
CREATE INDEX organization_redirects_organization ON organization_redirects (organization_id);

CREATE TRIGGER organization_redirects_held_insert BEFORE INSERT ON organization_redirects
WHEN (SELECT state FROM organizations WHERE id = NEW.organization_id) = 'maintenance'
BEGIN SELECT RAISE(ABORT, 'orgcells: the organization is in maintenance'); END;
CREATE TRIGGER organization_redirects_held_update BEFORE UPDATE ON organization_redirects
WHEN (SELECT state FROM organizations WHERE id = OLD.organization_id) = 'maintenance'
  OR (SELECT state FROM organizations WHERE id = NEW.organization_id) = 'maintenance'
BEGIN SELECT RAISE(ABORT, 'orgcells: the organization is in maintenance'); END;
CREATE TRIGGER organization_redirects_held_delete BEFORE DELETE ON organization_redirects
WHEN (SELECT state FROM organizations WHERE id = OLD.organization_id) = 'maintenance'
BEGIN SELECT RAISE(ABORT, 'orgcells: the organization is in maintenance'); END;
