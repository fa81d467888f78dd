-- The Cell's id allocator; its bounds are set to the Cell's range at start-up.
CREATE SEQUENCE cell_ids AS BIGINT;

-- Cluster-wide: claims on globally unique values (usernames, emails, routes, Organization paths).
-- In one process these live beside the Cell's rows and are written in the Cell's transaction.
CREATE TABLE claims (
    bucket TEXT NOT NULL,
    value TEXT COLLATE "C" NOT NULL,
    owner_type TEXT NOT NULL,
    owner_id BIGINT NOT NULL,
    cell_id BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (bucket, value)
);
CREATE INDEX claims_owner ON claims (owner_type, owner_id);

-- Cluster-wide: Users and their tokens.
CREATE TABLE users (
    id BIGINT PRIMARY KEY,
    username TEXT NOT NULL,
    email TEXT NOT NULL,
    name TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'active',
    bot BIGINT NOT NULL DEFAULT 0,
    admin BIGINT NOT NULL DEFAULT 0,
    password_hash TEXT,
    home_organization_id BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX users_username ON users (lower(username));
CREATE UNIQUE INDEX users_email ON users (lower(email));

CREATE TABLE personal_access_tokens (
    id BIGINT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    digest TEXT NOT NULL,
    scopes TEXT NOT NULL,
    expires_at TEXT,
    revoked BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT
);
CREATE UNIQUE INDEX personal_access_tokens_digest ON personal_access_tokens (digest);
CREATE INDEX personal_access_tokens_user ON personal_access_tokens (user_id);

-- Cell-local: every row carries organization_id, its sharding key.
CREATE TABLE organizations (
    id BIGINT PRIMARY KEY,
    name TEXT NOT NULL,
    path TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    avatar_url TEXT,
    visibility_level BIGINT NOT NULL,
    state TEXT NOT NULL DEFAULT 'active',
    group_creation_owners_only BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX organizations_path ON organizations (lower(path));

-- The Default Organization cannot be deleted: the service refuses, and so does the database.
CREATE FUNCTION organizations_keep_default() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the default organization cannot be deleted';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER organizations_keep_default BEFORE DELETE ON organizations
FOR EACH ROW WHEN (OLD.id = 1) EXECUTE FUNCTION organizations_keep_default();

CREATE TABLE organization_users (
    organization_id BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    access_level BIGINT NOT NULL,
    state TEXT NOT NULL DEFAULT 'active',
    enterprise BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (organization_id, user_id)
);
CREATE INDEX organization_users_user ON organization_users (user_id);

-- Groups and personal namespaces. traversal is the root-first chain of ids, '/'-separated, so a
-- subtree is the range [traversal, traversal || '0').
CREATE TABLE namespaces (
    id BIGINT PRIMARY KEY,
    organization_id BIGINT NOT NULL REFERENCES organizations (id),
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    path TEXT NOT NULL,
    full_path TEXT NOT NULL,
    traversal TEXT COLLATE "C" NOT NULL,
    parent_id BIGINT REFERENCES namespaces (id),
    owner_id BIGINT,
    visibility_level BIGINT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    project_creation_level BIGINT NOT NULL DEFAULT 30,
    subgroup_creation_level BIGINT NOT NULL DEFAULT 40,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX namespaces_group_path ON namespaces (lower(full_path)) WHERE kind = 'group';
CREATE INDEX namespaces_full_path ON namespaces (lower(full_path));
CREATE INDEX namespaces_traversal ON namespaces (traversal);
CREATE INDEX namespaces_parent ON namespaces (parent_id);
CREATE INDEX namespaces_org_name ON namespaces (organization_id, kind, name, id);
CREATE INDEX namespaces_kind_name ON namespaces (kind, name, id);
CREATE INDEX namespaces_owner ON namespaces (owner_id, organization_id);

CREATE TABLE projects (
    id BIGINT PRIMARY KEY,
    organization_id BIGINT NOT NULL REFERENCES organizations (id),
    namespace_id BIGINT NOT NULL REFERENCES namespaces (id),
    traversal TEXT COLLATE "C" NOT NULL,
    name TEXT NOT NULL,
    path TEXT NOT NULL,
    full_path TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    visibility_level BIGINT NOT NULL,
    creator_id BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    last_activity_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX projects_full_path ON projects (lower(full_path));
CREATE INDEX projects_namespace ON projects (namespace_id);
CREATE INDEX projects_traversal ON projects (traversal);
CREATE INDEX projects_org ON projects (organization_id, id);
CREATE INDEX projects_visibility ON projects (visibility_level, id);

-- Group and Project memberships. source_type is 'group' or 'project'.
CREATE TABLE members (
    id BIGINT PRIMARY KEY,
    organization_id BIGINT NOT NULL REFERENCES organizations (id),
    source_type TEXT NOT NULL,
    source_id BIGINT NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users (id),
    access_level BIGINT NOT NULL,
    expires_at TEXT,
    created_by_id BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX members_source_user ON members (source_type, source_id, user_id);
CREATE INDEX members_user ON members (user_id, source_type);

CREATE TABLE group_group_links (
    id BIGINT PRIMARY KEY,
    organization_id BIGINT NOT NULL REFERENCES organizations (id),
    shared_group_id BIGINT NOT NULL REFERENCES namespaces (id),
    shared_with_group_id BIGINT NOT NULL REFERENCES namespaces (id),
    group_access BIGINT NOT NULL,
    expires_at TEXT,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX group_group_links_pair ON group_group_links (shared_group_id, shared_with_group_id);
CREATE INDEX group_group_links_with ON group_group_links (shared_with_group_id);

CREATE TABLE project_group_links (
    id BIGINT PRIMARY KEY,
    organization_id BIGINT NOT NULL REFERENCES organizations (id),
    project_id BIGINT NOT NULL REFERENCES projects (id),
    group_id BIGINT NOT NULL REFERENCES namespaces (id),
    group_access BIGINT NOT NULL,
    expires_at TEXT,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX project_group_links_pair ON project_group_links (project_id, group_id);
CREATE INDEX project_group_links_group ON project_group_links (group_id);

-- Old paths of renamed or moved Groups and Projects.
CREATE TABLE redirect_routes (
    id BIGINT PRIMARY KEY,
    organization_id BIGINT NOT NULL REFERENCES organizations (id),
    source_type TEXT NOT NULL,
    source_id BIGINT NOT NULL,
    path TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX redirect_routes_path ON redirect_routes (lower(path));
CREATE INDEX redirect_routes_source ON redirect_routes (source_type, source_id);
