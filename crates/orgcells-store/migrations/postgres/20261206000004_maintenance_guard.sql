-- An Organization in maintenance (moving between Cells) takes no writes, whatever path a write
-- takes: every table of its rows refuses to change them, and its own row may only change its
-- state. The move itself writes under the state 'moving' (set and put back inside the move's
-- own transactions), which these leave alone.
-- The check locks the Organization's row shared, so the write that sets the maintenance waits
-- for the writes under way, and those after it see it.
CREATE FUNCTION orgcells_held_rows() RETURNS trigger AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM 1 FROM organizations WHERE id = OLD.organization_id FOR SHARE;
        IF EXISTS (SELECT 1 FROM organizations WHERE id = OLD.organization_id AND state = 'maintenance') THEN
            RAISE EXCEPTION 'orgcells: the organization is in maintenance' USING ERRCODE = 'OC001';
        END IF;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        PERFORM 1 FROM organizations WHERE id = NEW.organization_id FOR SHARE;
        IF EXISTS (SELECT 1 FROM organizations WHERE id = NEW.organization_id AND state = 'maintenance') THEN
            RAISE EXCEPTION 'orgcells: the organization is in maintenance' USING ERRCODE = 'OC001';
        END IF;
        RETURN NEW;
    END IF;
    RETURN OLD;
END
$$ LANGUAGE plpgsql;

CREATE FUNCTION orgcells_held_organization() RETURNS trigger AS $$
BEGIN
    IF OLD.state = 'maintenance' AND (TG_OP = 'DELETE' OR NEW.state = 'maintenance') THEN
        RAISE EXCEPTION 'orgcells: the organization is in maintenance' USING ERRCODE = 'OC001';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER organization_users_held BEFORE INSERT OR UPDATE OR DELETE ON organization_users
    FOR EACH ROW EXECUTE FUNCTION orgcells_held_rows();
CREATE TRIGGER namespaces_held BEFORE INSERT OR UPDATE OR DELETE ON namespaces
    FOR EACH ROW EXECUTE FUNCTION orgcells_held_rows();
CREATE TRIGGER projects_held BEFORE INSERT OR UPDATE OR DELETE ON projects
    FOR EACH ROW EXECUTE FUNCTION orgcells_held_rows();
CREATE TRIGGER members_held BEFORE INSERT OR UPDATE OR DELETE ON members
    FOR EACH ROW EXECUTE FUNCTION orgcells_held_rows();
CREATE TRIGGER group_group_links_held BEFORE INSERT OR UPDATE OR DELETE ON group_group_links
    FOR EACH ROW EXECUTE FUNCTION orgcells_held_rows();
CREATE TRIGGER project_group_links_held BEFORE INSERT OR UPDATE OR DELETE ON project_group_links
    FOR EACH ROW EXECUTE FUNCTION orgcells_held_rows();
CREATE TRIGGER redirect_routes_held BEFORE INSERT OR UPDATE OR DELETE ON redirect_routes
    FOR EACH ROW EXECUTE FUNCTION orgcells_held_rows();
CREATE TRIGGER organizations_held BEFORE UPDATE OR DELETE ON organizations
    FOR EACH ROW EXECUTE FUNCTION orgcells_held_organization();
