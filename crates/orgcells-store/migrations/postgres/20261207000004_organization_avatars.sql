-- An Organization's uploaded avatar, kept in the Cell's database (base64) so that it moves with
-- the Organization.
CREATE TABLE organization_avatars (
    organization_id BIGINT PRIMARY KEY REFERENCES organizations (id) ON DELETE CASCADE,
    content_type TEXT NOT NULL,
    data TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TRIGGER organization_avatars_held BEFORE INSERT OR UPDATE OR DELETE ON organization_avatars
    FOR EACH ROW EXECUTE FUNCTION orgcells_held_rows();
