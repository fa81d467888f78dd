-- The Cell's id allocator: one row, the next primary key to hand out from this Cell's range.
CREATE TABLE cell_ids (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    next_id INTEGER NOT NULL
);

-- Cluster-wide: claims on globally unique values (usernames, emails, routes, Organization paths).
-- In one process these live beside the Cell's rows and are written in the Cell's transaction.
CREATE TABLE claims (
    bucket TEXT NOT NULL,
    value TEXT NOT NULL,
    owner_type TEXT NOT NULL,
    owner_id INTEGER NOT NULL,
    cell_id INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (bucket, value)
);
CREATE INDEX claims_owner ON claims (owner_type, owner_id);

-- Cluster-wide: Users and their tokens.
CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL,
    email TEXT NOT NULL,
    name TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'active',
    bot INTEGER NOT NULL DEFAULT 0,
    admin INTEGER NOT NULL DEFAULT 0,
    password_hash TEXT,
    home_organization_id INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX users_username ON users (lower(username));
CREATE UNIQUE INDEX users_email ON users (lower(email));

CREATE TABLE personal_access_tokens (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    digest TEXT NOT NULL,
    scopes TEXT NOT NULL,
    expires_at TEXT,
    revoked INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    last_used_at INTEGER
);
CREATE UNIQUE INDEX personal_access_tokens_digest ON personal_access_tokens (digest);
CREATE INDEX personal_access_tokens_user ON personal_access_tokens (user_id);

-- Cell-local: every row carries organization_id, its sharding key.
CREATE TABLE organizations (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    path TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    avatar_url TEXT,
    visibility_level INTEGER NOT NULL,
    state TEXT NOT NULL DEFAULT 'active',
    group_creation_owners_only INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX organizations_path ON organizations (lower(path));

-- The Default Organization cannot be deleted: the service refuses, and so does the database.
CREATE TRIGGER organizations_keep_default BEFORE DELETE ON organizations
WHEN OLD.id = 1
BEGIN
    SELECT RAISE(ABORT, 'the default organization cannot be deleted');
END;

CREATE TABLE organization_users (
    organization_id INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    access_level INTEGER NOT NULL,
    state TEXT NOT NULL DEFAULT 'active',
    enterprise INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (organization_id, user_id)
);
CREATE INDEX organization_users_user ON organization_users (user_id);

-- Groups and personal namespaces. traversal is the root-first chain of ids, '/'-separated, so a
-- subtree is the range [traversal, traversal || '0').
CREATE TABLE namespaces (
    id INTEGER PRIMARY KEY,
    organization_id INTEGER NOT NULL REFERENCES organizations (id),
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    path TEXT NOT NULL,
    full_path TEXT NOT NULL,
    traversal TEXT NOT NULL,
    parent_id INTEGER REFERENCES namespaces (id),
    owner_id INTEGER,
    visibility_level INTEGER NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    project_creation_level INTEGER NOT NULL DEFAULT 30,
    subgroup_creation_level INTEGER NOT NULL DEFAULT 40,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX namespaces_group_path ON namespaces (lower(full_path)) WHERE kind = 'group';
CREATE INDEX namespaces_full_path ON namespaces (lower(full_path));
CREATE INDEX namespaces_traversal ON namespaces (traversal);
CREATE INDEX namespaces_parent ON namespaces (parent_id);
CREATE INDEX namespaces_org_name ON namespaces (organization_id, kind, name, id);
CREATE INDEX namespaces_kind_name ON namespaces (kind, name, id);
CREATE INDEX namespaces_owner ON namespaces (owner_id, organization_id);

CREATE TABLE projects (
    id INTEGER PRIMARY KEY,
    organization_id INTEGER NOT NULL REFERENCES organizations (id),
    namespace_id INTEGER NOT NULL REFERENCES namespaces (id),
    traversal TEXT NOT NULL,
    name TEXT NOT NULL,
    path TEXT NOT NULL,
    full_path TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    visibility_level INTEGER NOT NULL,
    creator_id INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    last_activity_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX projects_full_path ON projects (lower(full_path));
CREATE INDEX projects_namespace ON projects (namespace_id);
CREATE INDEX projects_traversal ON projects (traversal);
CREATE INDEX projects_org ON projects (organization_id, id);
CREATE INDEX projects_visibility ON projects (visibility_level, id);

-- Group and Project memberships. source_type is 'group' or 'project'.
CREATE TABLE members (
    id INTEGER PRIMARY KEY,
    organization_id INTEGER NOT NULL REFERENCES organizations (id),
    source_type TEXT NOT NULL,
    source_id INTEGER NOT NULL,
    user_id INTEGER NOT NULL REFERENCES users (id),
    access_level INTEGER NOT NULL,
    expires_at TEXT,
    created_by_id INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX members_source_user ON members (source_type, source_id, user_id);
CREATE INDEX members_user ON members (user_id, source_type);

CREATE TABLE group_group_links (
    id INTEGER PRIMARY KEY,
    organization_id INTEGER NOT NULL REFERENCES organizations (id),
    shared_group_id INTEGER NOT NULL REFERENCES namespaces (id),
    shared_with_group_id INTEGER NOT NULL REFERENCES namespaces (id),
    group_access INTEGER NOT NULL,
    expires_at TEXT,
    created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX group_group_links_pair ON group_group_links (shared_group_id, shared_with_group_id);
CREATE INDEX group_group_links_with ON group_group_links (shared_with_group_id);

CREATE TABLE project_group_links (
    id INTEGER PRIMARY KEY,
    organization_id INTEGER NOT NULL REFERENCES organizations (id),
    project_id INTEGER NOT NULL REFERENCES projects (id),
    group_id INTEGER NOT NULL REFERENCES namespaces (id),
    group_access INTEGER NOT NULL,
    expires_at TEXT,
    created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX project_group_links_pair ON project_group_links (project_id, group_id);
CREATE INDEX project_group_links_group ON project_group_links (group_id);

-- Old paths of renamed or moved Groups and Projects.
CREATE TABLE redirect_routes (
    id INTEGER PRIMARY KEY,
    organization_id INTEGER NOT NULL REFERENCES organizations (id),
    source_type TEXT NOT NULL,
    source_id INTEGER NOT NULL,
    path TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX redirect_routes_path ON redirect_routes (lower(path));
CREATE INDEX redirect_routes_source ON redirect_routes (source_type, source_id);
