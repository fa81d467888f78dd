-- Old paths of renamed Organizations: a read by the old path still finds the Organization
-- until another claims the path.
CREATE TABLE organization_redirects (
    id BIGINT PRIMARY KEY,
    organization_id BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    path TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX organization_redirects_path ON organization_redirects (lower(path));
CREATE INDEX organization_redirects_organization ON organization_redirects (organization_id);

CREATE TRIGGER organization_redirects_held BEFORE INSERT OR UPDATE OR DELETE ON organization_redirects
    FOR EACH ROW EXECUTE FUNCTION orgcells_held_rows();
