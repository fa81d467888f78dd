-- Addresses invited to an Organization (`POST /organizations/:id/users` with `email`), pending
-- until a User with that address exists, then an Organization User.
CREATE TABLE organization_invitations (
    id BIGINT PRIMARY KEY,
    organization_id BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    email TEXT NOT NULL,
    access_level BIGINT NOT NULL,
    invited_until BIGINT NOT NULL,
    created_by_id BIGINT,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX organization_invitations_email ON organization_invitations (organization_id, email);
CREATE INDEX organization_invitations_by_email ON organization_invitations (email);

CREATE TRIGGER organization_invitations_held BEFORE INSERT OR UPDATE OR DELETE ON organization_invitations
    FOR EACH ROW EXECUTE FUNCTION orgcells_held_rows();
