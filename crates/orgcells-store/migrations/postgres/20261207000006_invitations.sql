-- Invitations by email to a Group or Project, pending until a User with that address exists
-- (then a membership), or until they lapse.
CREATE TABLE invitations (
    id BIGINT PRIMARY KEY,
    organization_id BIGINT NOT NULL REFERENCES organizations (id),
    source_type TEXT NOT NULL,
    source_id BIGINT NOT NULL,
    email TEXT NOT NULL,
    access_level BIGINT NOT NULL,
    expires_at TEXT,
    invited_until BIGINT NOT NULL,
    created_by_id BIGINT,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX invitations_source_email ON invitations (source_type, source_id, email);
CREATE INDEX invitations_email ON invitations (email);

CREATE TRIGGER invitations_held BEFORE INSERT OR UPDATE OR DELETE ON invitations
    FOR EACH ROW EXECUTE FUNCTION orgcells_held_rows();
