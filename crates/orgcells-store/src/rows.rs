//! Rows as stored. Times are milliseconds since the Unix epoch; dates (`expires_at`) are
//! `YYYY-MM-DD` text; flags are 0 or 1.

use sqlx::FromRow;

#[derive(Debug, Clone, FromRow)]
pub struct OrganizationRow {
    pub id: i64,
    pub name: String,
    pub path: String,
    pub description: String,
    pub avatar_url: Option<String>,
    pub visibility_level: i64,
    pub state: String,
    pub group_creation_owners_only: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, FromRow)]
pub struct UserRow {
    pub id: i64,
    pub username: String,
    pub email: String,
    pub name: String,
    pub state: String,
    pub bot: i64,
    pub admin: i64,
    pub password_hash: Option<String>,
    pub home_organization_id: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, FromRow)]
pub struct OrganizationUserRow {
    pub organization_id: i64,
    pub user_id: i64,
    pub access_level: i64,
    pub state: String,
    pub enterprise: i64,
    pub created_at: i64,
}

#[derive(Debug, Clone, FromRow)]
pub struct TokenRow {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    pub digest: String,
    pub scopes: String,
    pub expires_at: Option<String>,
    pub revoked: i64,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

/// A Group (`kind = 'group'`) or a personal namespace (`kind = 'user'`).
#[derive(Debug, Clone, FromRow)]
pub struct NamespaceRow {
    pub id: i64,
    pub organization_id: i64,
    pub kind: String,
    pub name: String,
    pub path: String,
    pub full_path: String,
    pub traversal: String,
    pub parent_id: Option<i64>,
    pub owner_id: Option<i64>,
    pub visibility_level: i64,
    pub description: String,
    pub project_creation_level: i64,
    pub subgroup_creation_level: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, FromRow)]
pub struct ProjectRow {
    pub id: i64,
    pub organization_id: i64,
    pub namespace_id: i64,
    pub traversal: String,
    pub name: String,
    pub path: String,
    pub full_path: String,
    pub description: String,
    pub visibility_level: i64,
    pub creator_id: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
    pub last_activity_at: i64,
}

#[derive(Debug, Clone, FromRow)]
pub struct MemberRow {
    pub id: i64,
    pub organization_id: i64,
    pub source_type: String,
    pub source_id: i64,
    pub user_id: i64,
    pub access_level: i64,
    pub expires_at: Option<String>,
    pub created_by_id: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A group-group link (`shared_group` invites `shared_with_group`) or a project-group link
/// (`source_id` is the Project, `group_id` the invited Group).
#[derive(Debug, Clone, FromRow)]
pub struct LinkRow {
    pub id: i64,
    pub organization_id: i64,
    pub source_id: i64,
    pub group_id: i64,
    pub group_access: i64,
    pub expires_at: Option<String>,
    pub created_at: i64,
}

pub const NAMESPACE_COLUMNS: &str = "id, organization_id, kind, name, path, full_path, traversal, parent_id, owner_id, \
     visibility_level, description, project_creation_level, subgroup_creation_level, created_at, updated_at";
pub const PROJECT_COLUMNS: &str = "id, organization_id, namespace_id, traversal, name, path, full_path, description, \
     visibility_level, creator_id, created_at, updated_at, last_activity_at";
pub const USER_COLUMNS: &str = "id, username, email, name, state, bot, admin, password_hash, home_organization_id, created_at, updated_at";
pub const MEMBER_COLUMNS: &str = "id, organization_id, source_type, source_id, user_id, access_level, expires_at, \
     created_by_id, created_at, updated_at";
pub const ORGANIZATION_COLUMNS: &str = "id, name, path, description, avatar_url, visibility_level, state, \
     group_creation_owners_only, created_at, updated_at";

/// Parses a stored traversal (`"1000/1004/1009"`) into ids, root first.
pub fn parse_traversal(traversal: &str) -> Vec<orgcells_core::ids::NamespaceId> {
    traversal
        .split('/')
        .filter_map(|id| id.parse().ok())
        .map(orgcells_core::ids::NamespaceId)
        .collect()
}

/// The exclusive upper bound of a subtree's traversal range: `[traversal, traversal || '0')`
/// holds the namespace itself and everything below it, since `'/'` sorts just before `'0'`.
pub fn subtree_end(traversal: &str) -> String {
    format!("{traversal}0")
}
