-- An Organization in maintenance (moving between Cells) takes no writes, whatever path a write
-- takes: every table of its rows refuses to change them, and its own row may only change its
-- state. The move itself writes under the state 'moving' (set and put back inside the move's
-- own transactions), which these leave alone.

CREATE TRIGGER organization_users_held_insert BEFORE INSERT ON organization_users
WHEN (SELECT state FROM organizations WHERE id = NEW.organization_id) = 'maintenance'
BEGIN SELECT RAISE(ABORT, 'orgcells: the organization is in maintenance'); END;
CREATE TRIGGER organization_users_held_update BEFORE UPDATE ON organization_users
WHEN (SELECT state FROM organizations WHERE id = OLD.organization_id) = 'maintenance'
  OR (SELECT state FROM organizations WHERE id = NEW.organization_id) = 'maintenance'
BEGIN SELECT RAISE(ABORT, 'orgcells: the organization is in maintenance'); END;
CREATE TRIGGER organization_users_held_delete BEFORE DELETE ON organization_users
WHEN (SELECT state FROM organizations WHERE id = OLD.organization_id) = 'maintenance'
BEGIN SELECT RAISE(ABORT, 'orgcells: the organization is in maintenance'); END;

CREATE TRIGGER namespaces_held_insert BEFORE INSERT ON namespaces
WHEN (SELECT state FROM organizations WHERE id = NEW.organization_id) = 'maintenance'
BEGIN SELECT RAISE(ABORT, 'orgcells: the organization is in maintenance'); END;
CREATE TRIGGER namespaces_held_update BEFORE UPDATE ON namespaces
WHEN (SELECT state FROM organizations WHERE id = OLD.organization_id) = 'maintenance'
  OR (SELECT state FROM organizations WHERE id = NEW.organization_id) = 'maintenance'
BEGIN SELECT RAISE(ABORT, 'orgcells: the organization is in maintenance'); END;
CREATE TRIGGER namespaces_held_delete BEFORE DELETE ON namespaces
WHEN (SELECT state FROM organizations WHERE id = OLD.organization_id) = 'maintenance'
BEGIN SELECT RAISE(ABORT, 'orgcells: the organization is in maintenance'); END;

CREATE TRIGGER projects_held_insert BEFORE INSERT ON projects
WHEN (SELECT state FROM organizations WHERE id = NEW.organization_id) = 'maintenance'
BEGIN SELECT RAISE(ABORT, 'orgcells: the organization is in maintenance'); END;
CREATE TRIGGER projects_held_update BEFORE UPDATE ON projects
WHEN (SELECT state FROM organizations WHERE id = OLD.organization_id) = 'maintenance'
  OR (SELECT state FROM organizations WHERE id = NEW.organization_id) = 'maintenance'
BEGIN SELECT RAISE(ABORT, 'orgcells: the organization is in maintenance'); END;
CREATE TRIGGER projects_held_delete BEFORE DELETE ON projects
WHEN (SELECT state FROM organizations WHERE id = OLD.organization_id) = 'maintenance'
BEGIN SELECT RAISE(ABORT, 'orgcells: the organization is in maintenance'); END;

CREATE TRIGGER members_held_insert BEFORE INSERT ON members
WHEN (SELECT state FROM organizations WHERE id = NEW.organization_id) = 'maintenance'
BEGIN SELECT RAISE(ABORT, 'orgcells: the organization is in maintenance'); END;
CREATE TRIGGER members_held_update BEFORE UPDATE ON members
WHEN (SELECT state FROM organizations WHERE id = OLD.organization_id) = 'maintenance'
  OR (SELECT state FROM organizations WHERE id = NEW.organization_id) = 'maintenance'
BEGIN SELECT RAISE(ABORT, 'orgcells: the organization is in maintenance'); END;
CREATE TRIGGER members_held_delete BEFORE DELETE ON members
WHEN (SELECT state FROM organizations WHERE id = OLD.organization_id) = 'maintenance'
BEGIN SELECT RAISE(ABORT, 'orgcells: the organization is in maintenance'); END;

CREATE TRIGGER group_group_links_held_insert BEFORE INSERT ON group_group_links
WHEN (SELECT state FROM organizations WHERE id = NEW.organization_id) = 'maintenance'
BEGIN SELECT RAISE(ABORT, 'orgcells: the organization is in maintenance'); END;
CREATE TRIGGER group_group_links_held_update BEFORE UPDATE ON group_group_links
WHEN (SELECT state FROM organizations WHERE id = OLD.organization_id) = 'maintenance'
  OR (SELECT state FROM organizations WHERE id = NEW.organization_id) = 'maintenance'
BEGIN SELECT RAISE(ABORT, 'orgcells: the organization is in maintenance'); END;
CREATE TRIGGER group_group_links_held_delete BEFORE DELETE ON group_group_links
WHEN (SELECT state FROM organizations WHERE id = OLD.organization_id) = 'maintenance'
BEGIN SELECT RAISE(ABORT, 'orgcells: the organization is in maintenance'); END;

CREATE TRIGGER project_group_links_held_insert BEFORE INSERT ON project_group_links
WHEN (SELECT state FROM organizations WHERE id = NEW.organization_id) = 'maintenance'
BEGIN SELECT RAISE(ABORT, 'orgcells: the organization is in maintenance'); END;
CREATE TRIGGER project_group_links_held_update BEFORE UPDATE ON project_group_links
WHEN (SELECT state FROM organizations WHERE id = OLD.organization_id) = 'maintenance'
  OR (SELECT state FROM organizations WHERE id = NEW.organization_id) = 'maintenance'
BEGIN SELECT RAISE(ABORT, 'orgcells: the organization is in maintenance'); END;
CREATE TRIGGER project_group_links_held_delete BEFORE DELETE ON project_group_links
WHEN (SELECT state FROM organizations WHERE id = OLD.organization_id) = 'maintenance'
BEGIN SELECT RAISE(ABORT, 'orgcells: the organization is in maintenance'); END;

CREATE TRIGGER redirect_routes_held_insert BEFORE INSERT ON redirect_routes
WHEN (SELECT state FROM organizations WHERE id = NEW.organization_id) = 'maintenance'
BEGIN SELECT RAISE(ABORT, 'orgcells: the organization is in maintenance'); END;
CREATE TRIGGER redirect_routes_held_update BEFORE UPDATE ON redirect_routes
WHEN (SELECT state FROM organizations WHERE id = OLD.organization_id) = 'maintenance'
  OR (SELECT state FROM organizations WHERE id = NEW.organization_id) = 'maintenance'
BEGIN SELECT RAISE(ABORT, 'orgcells: the organization is in maintenance'); END;
CREATE TRIGGER redirect_routes_held_delete BEFORE DELETE ON redirect_routes
WHEN (SELECT state FROM organizations WHERE id = OLD.organization_id) = 'maintenance'
BEGIN SELECT RAISE(ABORT, 'orgcells: the organization is in maintenance'); END;

CREATE TRIGGER organizations_held_update BEFORE UPDATE ON organizations
WHEN OLD.state = 'maintenance' AND NEW.state = 'maintenance'
BEGIN SELECT RAISE(ABORT, 'orgcells: the organization is in maintenance'); END;
CREATE TRIGGER organizations_held_delete BEFORE DELETE ON organizations
WHEN OLD.state = 'maintenance'
BEGIN SELECT RAISE(ABORT, 'orgcells: the organization is in maintenance'); END;
