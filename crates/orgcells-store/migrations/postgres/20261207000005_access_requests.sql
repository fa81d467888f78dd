-- Users asking to become Members of a Group or Project (GitLab's access requests): one per User
-- and source, answered by those who manage its Members.
CREATE TABLE access_requests (
    id BIGINT PRIMARY KEY,
    organization_id BIGINT NOT NULL REFERENCES organizations (id),
    source_type TEXT NOT NULL,
    source_id BIGINT NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users (id),
    requested_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX access_requests_source_user ON access_requests (source_type, source_id, user_id);
CREATE INDEX access_requests_user ON access_requests (user_id);

CREATE TRIGGER access_requests_held BEFORE INSERT OR UPDATE OR DELETE ON access_requests
    FOR EACH ROW EXECUTE FUNCTION orgcells_held_rows();
