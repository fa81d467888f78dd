-- Lists are read along an index in their default order instead of sorting every matching row.
-- Projects come newest first unless asked otherwise (GitLab's default order_by=created_at).
CREATE INDEX projects_created ON projects (created_at, id);
CREATE INDEX projects_org_created ON projects (organization_id, created_at, id);
-- A Group's subgroups come by name; the same index finds a Group's children.
DROP INDEX namespaces_parent;
CREATE INDEX namespaces_parent_name ON namespaces (parent_id, name, id);
