//! Rows as stored, decoded once here into the rules' types: levels and visibilities as
//! `orgcells_core` has them, a namespace's kind as [`NamespaceKind`], 0/1 flags as `bool`. A
//! stored value the rules do not know fails the read (a decoding error), never stands for
//! another. Times are milliseconds since the Unix epoch; dates (`expires_at`) are `YYYY-MM-DD`
//! text. Writes bind `.value()`, `.as_str()` and `i64::from(flag)`.

use orgcells_core::access::{AccessLevel, OrganizationRole};
use orgcells_core::creation::{ProjectCreationLevel, SubgroupCreationLevel};
use orgcells_core::ids::{
    LinkId, MemberId, NamespaceId, NamespaceKind, OrganizationId, ProjectId, TokenId, UserId,
};
use orgcells_core::members::{Source, SourceType};
use orgcells_core::org_users::Joined;
use orgcells_core::states::{OrganizationState, OrganizationUserState, UserState};
use orgcells_core::visibility::{OrganizationVisibility, Visibility};
use sqlx::any::{Any, AnyTypeInfo, AnyValueRef};
use sqlx::error::BoxDynError;
use sqlx::{Decode, FromRow, Type};

/// A 0/1 column (`BIGINT` on both backends), read into a `bool` field with
/// `#[sqlx(try_from = "Flag")]`; any other number fails the read.
#[derive(Debug, Clone, Copy)]
pub struct Flag(bool);

impl Type<Any> for Flag {
    fn type_info() -> AnyTypeInfo {
        <i64 as Type<Any>>::type_info()
    }

    fn compatible(ty: &AnyTypeInfo) -> bool {
        <i64 as Type<Any>>::compatible(ty)
    }
}

impl<'r> Decode<'r, Any> for Flag {
    fn decode(value: AnyValueRef<'r>) -> Result<Flag, BoxDynError> {
        match <i64 as Decode<'r, Any>>::decode(value)? {
            0 => Ok(Flag(false)),
            1 => Ok(Flag(true)),
            other => Err(format!("unknown flag {other}: not 0 or 1").into()),
        }
    }
}

impl From<Flag> for bool {
    fn from(flag: Flag) -> bool {
        flag.0
    }
}

#[derive(Debug, Clone, FromRow)]
pub struct OrganizationRow {
    pub id: OrganizationId,
    pub name: String,
    pub path: String,
    pub description: String,
    pub avatar_url: Option<String>,
    #[sqlx(try_from = "i64")]
    pub visibility_level: OrganizationVisibility,
    #[sqlx(try_from = "String")]
    pub state: OrganizationState,
    #[sqlx(try_from = "Flag")]
    pub group_creation_owners_only: bool,
    pub created_at: i64,
    pub updated_at: i64,
    /// When it was soft-deleted (its state `soft_deleted`); `None` otherwise.
    pub deleted_at: Option<i64>,
}

#[derive(Debug, Clone, FromRow)]
pub struct UserRow {
    pub id: UserId,
    pub username: String,
    pub email: String,
    pub name: String,
    #[sqlx(try_from = "String")]
    pub state: UserState,
    #[sqlx(try_from = "Flag")]
    pub bot: bool,
    #[sqlx(try_from = "Flag")]
    pub admin: bool,
    pub password_hash: Option<String>,
    pub home_organization_id: OrganizationId,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, FromRow)]
pub struct OrganizationUserRow {
    pub organization_id: OrganizationId,
    pub user_id: UserId,
    #[sqlx(try_from = "i64")]
    pub access_level: OrganizationRole,
    #[sqlx(try_from = "String")]
    pub state: OrganizationUserState,
    #[sqlx(try_from = "Flag")]
    pub enterprise: bool,
    #[sqlx(try_from = "String")]
    pub source: Joined,
    pub created_at: i64,
}

#[derive(Debug, Clone, FromRow)]
pub struct TokenRow {
    pub id: TokenId,
    pub user_id: UserId,
    pub name: String,
    pub digest: String,
    pub scopes: String,
    pub expires_at: Option<String>,
    #[sqlx(try_from = "Flag")]
    pub revoked: bool,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

/// A Group (`kind = 'group'`) or a personal namespace (`kind = 'user'`).
#[derive(Debug, Clone, FromRow)]
pub struct NamespaceRow {
    pub id: NamespaceId,
    pub organization_id: OrganizationId,
    #[sqlx(try_from = "String")]
    pub kind: NamespaceKind,
    pub name: String,
    pub path: String,
    pub full_path: String,
    pub traversal: String,
    pub parent_id: Option<NamespaceId>,
    pub owner_id: Option<UserId>,
    #[sqlx(try_from = "i64")]
    pub visibility_level: Visibility,
    pub description: String,
    #[sqlx(try_from = "i64")]
    pub project_creation_level: ProjectCreationLevel,
    #[sqlx(try_from = "i64")]
    pub subgroup_creation_level: SubgroupCreationLevel,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, FromRow)]
pub struct ProjectRow {
    pub id: ProjectId,
    pub organization_id: OrganizationId,
    pub namespace_id: NamespaceId,
    pub traversal: String,
    pub name: String,
    pub path: String,
    pub full_path: String,
    pub description: String,
    #[sqlx(try_from = "i64")]
    pub visibility_level: Visibility,
    pub creator_id: Option<UserId>,
    pub created_at: i64,
    pub updated_at: i64,
    pub last_activity_at: i64,
}

#[derive(Debug, Clone, FromRow)]
pub struct MemberRow {
    pub id: MemberId,
    pub organization_id: OrganizationId,
    #[sqlx(try_from = "String")]
    pub source_type: SourceType,
    pub source_id: i64,
    pub user_id: UserId,
    #[sqlx(try_from = "i64")]
    pub access_level: AccessLevel,
    pub expires_at: Option<String>,
    pub created_by_id: Option<UserId>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl MemberRow {
    /// The Group or Project this membership belongs to.
    pub fn source(&self) -> Source {
        Source::new(self.source_type, self.source_id)
    }
}

/// A pending invitation by email to a Group or Project.
#[derive(Debug, Clone, FromRow)]
pub struct InvitationRow {
    pub id: i64,
    pub organization_id: OrganizationId,
    #[sqlx(try_from = "String")]
    pub source_type: SourceType,
    pub source_id: i64,
    /// Lowercased.
    pub email: String,
    #[sqlx(try_from = "i64")]
    pub access_level: AccessLevel,
    /// When the membership it becomes expires.
    pub expires_at: Option<String>,
    /// Until when it may still become a membership.
    pub invited_until: i64,
    pub created_by_id: Option<UserId>,
    pub created_at: i64,
}

impl InvitationRow {
    pub fn source(&self) -> Source {
        Source::new(self.source_type, self.source_id)
    }
}

/// A User's request to become a Member of a Group or Project.
#[derive(Debug, Clone, FromRow)]
pub struct AccessRequestRow {
    pub id: i64,
    pub organization_id: OrganizationId,
    #[sqlx(try_from = "String")]
    pub source_type: SourceType,
    pub source_id: i64,
    pub user_id: UserId,
    pub requested_at: i64,
}

/// A group-group link (`shared_group` invites `shared_with_group`) or a project-group link
/// (`source_id` is the Project, `group_id` the invited Group).
#[derive(Debug, Clone, FromRow)]
pub struct LinkRow {
    pub id: LinkId,
    pub organization_id: OrganizationId,
    pub source_id: i64,
    pub group_id: NamespaceId,
    #[sqlx(try_from = "i64")]
    pub group_access: AccessLevel,
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
     group_creation_owners_only, created_at, updated_at, deleted_at";

/// Parses a stored traversal (`"1000/1004/1009"`) into ids, root first.
pub fn parse_traversal(traversal: &str) -> Vec<NamespaceId> {
    traversal
        .split('/')
        .filter_map(|id| id.parse().ok())
        .map(NamespaceId)
        .collect()
}

/// The exclusive upper bound of a subtree's traversal range: `[traversal, traversal || '0')`
/// holds the namespace itself and everything below it, since `'/'` sorts just before `'0'`.
pub fn subtree_end(traversal: &str) -> String {
    format!("{traversal}0")
}
