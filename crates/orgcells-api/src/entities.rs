//! The JSON shapes of GitLab's API entities (`lib/api/entities`), built from the service's
//! results. Fields GitLab has but orgcells does not model yet carry GitLab's defaults.

use orgcells_core::ids::{NamespaceId, NamespaceKind};
use orgcells_core::members::SourceType;
use orgcells_service::access_requests::AccessRequestOut;
use orgcells_service::invitations::InvitationOut;
use orgcells_service::members::MemberOut;
use orgcells_service::organizations::OrganizationUser;
use orgcells_service::present::{GroupDetail, GroupOut, ProjectOut};
use orgcells_service::rows::{LinkRow, NamespaceRow, OrganizationRow, TokenRow, UserRow};
use orgcells_service::tokens::CreatedToken;
use orgcells_service::users::Membership;
use std::fmt;

use serde::Serialize;
use time::OffsetDateTime;
use utoipa::openapi::schema::{AllOfBuilder, Schema};
use utoipa::openapi::{Ref, RefOr};
use utoipa::{PartialSchema, ToSchema};

/// A time as GitLab writes it, `2024-05-23T08:00:58.000Z`, from milliseconds since the epoch.
/// Written straight into the response (no string of its own).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timestamp(pub i64);

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = OffsetDateTime::from_unix_timestamp_nanos(i128::from(self.0) * 1_000_000)
            .unwrap_or(OffsetDateTime::UNIX_EPOCH);
        write!(
            f,
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
            at.year(),
            u8::from(at.month()),
            at.day(),
            at.hour(),
            at.minute(),
            at.second(),
            at.millisecond()
        )
    }
}

impl Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UserBasic {
    pub id: i64,
    pub username: String,
    pub name: String,
    pub state: &'static str,
    pub locked: bool,
    pub avatar_url: Option<String>,
    pub web_url: String,
}

pub fn user_basic(base: &str, user: &UserRow) -> UserBasic {
    UserBasic {
        id: user.id.0,
        username: user.username.clone(),
        name: user.name.clone(),
        state: user.state.as_str(),
        locked: false,
        avatar_url: None,
        web_url: format!("{base}/{}", user.username),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UserDetails {
    #[schema(value_type = String)]
    pub created_at: Timestamp,
    pub bio: String,
    pub location: Option<String>,
    pub public_email: Option<String>,
    pub linkedin: String,
    pub twitter: String,
    pub discord: String,
    pub website_url: String,
    pub organization: Option<String>,
    pub job_title: String,
    pub pronouns: Option<String>,
    pub bot: bool,
    pub work_information: Option<String>,
    pub local_time: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UserPrivate {
    pub last_sign_in_at: Option<String>,
    #[schema(value_type = String)]
    pub confirmed_at: Timestamp,
    pub last_activity_on: Option<String>,
    pub email: String,
    pub theme_id: i64,
    pub color_scheme_id: i64,
    pub projects_limit: i64,
    pub current_sign_in_at: Option<String>,
    pub identities: Vec<serde_json::Value>,
    pub can_create_group: bool,
    pub can_create_project: bool,
    pub two_factor_enabled: bool,
    pub external: bool,
    pub private_profile: bool,
    pub commit_email: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UserAdmin {
    pub is_admin: bool,
    pub note: Option<String>,
    pub namespace_id: Option<i64>,
    pub home_organization_id: i64,
}

/// A User: basic for everyone, details for signed-in callers, private fields for the User
/// themself and admins, admin fields for admins.
#[derive(Debug, Serialize)]
pub struct UserEntity {
    #[serde(flatten)]
    pub basic: UserBasic,
    #[serde(flatten)]
    pub details: Option<UserDetails>,
    #[serde(flatten)]
    pub private: Option<UserPrivate>,
    #[serde(flatten)]
    pub admin: Option<UserAdmin>,
}

/// The schema of [`UserEntity`]: the basic fields always, the others each present or absent as
/// a group (so none of theirs is required).
impl utoipa::PartialSchema for UserEntity {
    fn schema() -> RefOr<Schema> {
        fn optional(schema: RefOr<Schema>) -> RefOr<Schema> {
            match schema {
                RefOr::T(Schema::Object(mut object)) => {
                    object.required.clear();
                    RefOr::T(Schema::Object(object))
                }
                other => other,
            }
        }
        AllOfBuilder::new()
            .item(Ref::from_schema_name("UserBasic"))
            .item(optional(UserDetails::schema()))
            .item(optional(UserPrivate::schema()))
            .item(optional(UserAdmin::schema()))
            .description(Some(
                "A User: the basic fields for everyone, details for signed-in callers, \
                 private fields for the User themself and admins, admin fields for admins",
            ))
            .into()
    }
}

impl ToSchema for UserEntity {
    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        schemas.push(("UserBasic".to_owned(), UserBasic::schema()));
    }
}

pub use orgcells_core::policy::UserView;

pub fn user(
    base: &str,
    user: &UserRow,
    view: UserView,
    namespace_id: Option<NamespaceId>,
) -> UserEntity {
    let details = (view >= UserView::Public).then(|| UserDetails {
        created_at: Timestamp(user.created_at),
        bio: String::new(),
        location: None,
        public_email: None,
        linkedin: String::new(),
        twitter: String::new(),
        discord: String::new(),
        website_url: String::new(),
        organization: None,
        job_title: String::new(),
        pronouns: None,
        bot: user.bot,
        work_information: None,
        local_time: None,
    });
    let private = (view >= UserView::Own).then(|| UserPrivate {
        last_sign_in_at: None,
        confirmed_at: Timestamp(user.created_at),
        last_activity_on: None,
        email: user.email.clone(),
        theme_id: 1,
        color_scheme_id: 1,
        projects_limit: 100_000,
        current_sign_in_at: None,
        identities: Vec::new(),
        can_create_group: true,
        can_create_project: true,
        two_factor_enabled: false,
        external: false,
        private_profile: false,
        commit_email: user.email.clone(),
    });
    let admin = (view == UserView::Admin).then_some(UserAdmin {
        is_admin: user.admin,
        note: None,
        namespace_id: namespace_id.map(i64::from),
        home_organization_id: user.home_organization_id.0,
    });
    UserEntity {
        basic: user_basic(base, user),
        details,
        private,
        admin,
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Group {
    pub id: i64,
    pub web_url: String,
    pub name: String,
    pub path: String,
    pub description: String,
    #[schema(value_type = crate::schema::Visibility)]
    pub visibility: &'static str,
    pub share_with_group_lock: bool,
    pub require_two_factor_authentication: bool,
    pub two_factor_grace_period: i64,
    pub project_creation_level: &'static str,
    pub auto_devops_enabled: Option<bool>,
    pub subgroup_creation_level: &'static str,
    pub emails_disabled: bool,
    pub emails_enabled: bool,
    pub mentions_disabled: Option<bool>,
    pub lfs_enabled: bool,
    pub archived: bool,
    pub default_branch: Option<String>,
    pub default_branch_protection: i64,
    pub avatar_url: Option<String>,
    pub request_access_enabled: bool,
    pub full_name: String,
    pub full_path: String,
    #[schema(value_type = String)]
    pub created_at: Timestamp,
    pub parent_id: Option<i64>,
    pub organization_id: i64,
    pub shared_runners_setting: &'static str,
    pub max_artifacts_size: Option<i64>,
    pub marked_for_deletion_on: Option<String>,
}

/// Takes the Group by value: its strings move into the entity.
pub fn group(base: &str, out: GroupOut) -> Group {
    let GroupOut { row, full_name } = out;
    Group {
        id: row.id.0,
        web_url: format!("{base}/groups/{}", row.full_path),
        name: row.name,
        path: row.path,
        description: row.description,
        visibility: row.visibility_level.name(),
        share_with_group_lock: false,
        require_two_factor_authentication: false,
        two_factor_grace_period: 48,
        project_creation_level: row.project_creation_level.name(),
        auto_devops_enabled: None,
        subgroup_creation_level: row.subgroup_creation_level.name(),
        emails_disabled: false,
        emails_enabled: true,
        mentions_disabled: None,
        lfs_enabled: true,
        archived: false,
        default_branch: None,
        default_branch_protection: 2,
        avatar_url: None,
        request_access_enabled: true,
        full_name,
        full_path: row.full_path,
        created_at: Timestamp(row.created_at),
        parent_id: row.parent_id.map(i64::from),
        organization_id: row.organization_id.0,
        shared_runners_setting: "enabled",
        max_artifacts_size: None,
        marked_for_deletion_on: None,
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SharedWithGroup {
    pub group_id: i64,
    pub group_name: String,
    pub group_full_path: String,
    pub group_access_level: i64,
    pub expires_at: Option<String>,
}

fn shared_with(links: &[(LinkRow, NamespaceRow)]) -> Vec<SharedWithGroup> {
    links
        .iter()
        .map(|(link, group)| SharedWithGroup {
            group_id: group.id.0,
            group_name: group.name.clone(),
            group_full_path: group.full_path.clone(),
            group_access_level: link.group_access.value(),
            expires_at: link.expires_at.clone(),
        })
        .collect()
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GroupDetailEntity {
    #[serde(flatten)]
    pub group: Group,
    pub shared_with_groups: Vec<SharedWithGroup>,
}

pub fn group_detail(base: &str, detail: GroupDetail) -> GroupDetailEntity {
    GroupDetailEntity {
        group: group(base, detail.group),
        shared_with_groups: shared_with(&detail.shared_with),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NamespaceBasic {
    pub id: i64,
    pub name: String,
    pub path: String,
    pub kind: &'static str,
    pub full_path: String,
    pub parent_id: Option<i64>,
    pub avatar_url: Option<String>,
    pub web_url: String,
}

/// Takes the namespace by value: its strings move into the entity.
pub fn namespace(base: &str, row: NamespaceRow) -> NamespaceBasic {
    let group = row.kind == NamespaceKind::Group;
    let web_url = if group {
        format!("{base}/groups/{}", row.full_path)
    } else {
        format!("{base}/{}", row.full_path)
    };
    NamespaceBasic {
        id: row.id.0,
        name: if group { row.name } else { row.path.clone() },
        path: row.path,
        kind: row.kind.as_str(),
        full_path: row.full_path,
        parent_id: row.parent_id.map(i64::from),
        avatar_url: None,
        web_url,
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProjectLinks {
    #[serde(rename = "self")]
    pub self_: String,
    pub issues: String,
    pub merge_requests: String,
    pub repo_branches: String,
    pub labels: String,
    pub events: String,
    pub members: String,
    pub cluster_agents: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AccessEntry {
    pub access_level: i64,
    pub notification_level: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Permissions {
    pub project_access: Option<AccessEntry>,
    pub group_access: Option<AccessEntry>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Project {
    pub id: i64,
    pub description: String,
    pub name: String,
    pub name_with_namespace: String,
    pub path: String,
    pub path_with_namespace: String,
    #[schema(value_type = String)]
    pub created_at: Timestamp,
    pub default_branch: &'static str,
    pub tag_list: Vec<String>,
    pub topics: Vec<String>,
    pub ssh_url_to_repo: String,
    pub http_url_to_repo: String,
    pub web_url: String,
    pub readme_url: Option<String>,
    pub forks_count: i64,
    pub avatar_url: Option<String>,
    pub star_count: i64,
    #[schema(value_type = String)]
    pub last_activity_at: Timestamp,
    pub namespace: NamespaceBasic,
    pub _links: ProjectLinks,
    pub packages_enabled: bool,
    pub empty_repo: bool,
    pub archived: bool,
    #[schema(value_type = crate::schema::Visibility)]
    pub visibility: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<UserBasic>,
    pub issues_enabled: bool,
    pub merge_requests_enabled: bool,
    pub wiki_enabled: bool,
    pub jobs_enabled: bool,
    pub snippets_enabled: bool,
    pub container_registry_enabled: bool,
    pub creator_id: Option<i64>,
    pub import_status: &'static str,
    pub open_issues_count: i64,
    #[schema(value_type = String)]
    pub updated_at: Timestamp,
    pub shared_with_groups: Vec<SharedWithGroup>,
    pub request_access_enabled: bool,
    pub organization_id: i64,
    pub marked_for_deletion_on: Option<String>,
    pub permissions: Permissions,
}

/// Takes the Project by value: its strings move into the entity.
pub fn project(base: &str, out: ProjectOut) -> Project {
    let ProjectOut {
        row,
        namespace: space,
        namespace_full_name,
        owner,
        shared_with: links,
        project_access,
        group_access,
    } = out;
    let host = base
        .split("://")
        .nth(1)
        .unwrap_or(base)
        .split('/')
        .next()
        .unwrap_or_default()
        .to_owned();
    let api = format!("{base}/api/v4/projects/{}", row.id);
    let access = |level: Option<i64>| {
        level.map(|access_level| AccessEntry {
            access_level,
            notification_level: 3,
        })
    };
    Project {
        id: row.id.0,
        name_with_namespace: format!("{namespace_full_name} / {}", row.name),
        description: row.description,
        name: row.name,
        path: row.path,
        created_at: Timestamp(row.created_at),
        default_branch: "main",
        tag_list: Vec::new(),
        topics: Vec::new(),
        ssh_url_to_repo: format!(
            "git@{}:{}.git",
            host.split(':').next().unwrap_or_default(),
            row.full_path
        ),
        http_url_to_repo: format!("{base}/{}.git", row.full_path),
        web_url: format!("{base}/{}", row.full_path),
        path_with_namespace: row.full_path,
        readme_url: None,
        forks_count: 0,
        avatar_url: None,
        star_count: 0,
        last_activity_at: Timestamp(row.last_activity_at),
        namespace: namespace(base, space),
        _links: ProjectLinks {
            issues: format!("{api}/issues"),
            merge_requests: format!("{api}/merge_requests"),
            repo_branches: format!("{api}/repository/branches"),
            labels: format!("{api}/labels"),
            events: format!("{api}/events"),
            members: format!("{api}/members"),
            cluster_agents: format!("{api}/cluster_agents"),
            self_: api,
        },
        packages_enabled: true,
        empty_repo: true,
        archived: false,
        visibility: row.visibility_level.name(),
        owner: owner.as_ref().map(|u| user_basic(base, u)),
        issues_enabled: true,
        merge_requests_enabled: true,
        wiki_enabled: true,
        jobs_enabled: true,
        snippets_enabled: true,
        container_registry_enabled: true,
        creator_id: row.creator_id.map(i64::from),
        import_status: "none",
        open_issues_count: 0,
        updated_at: Timestamp(row.updated_at),
        shared_with_groups: shared_with(&links),
        request_access_enabled: true,
        organization_id: row.organization_id.0,
        marked_for_deletion_on: None,
        permissions: Permissions {
            project_access: access(project_access),
            group_access: access(group_access),
        },
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Member {
    #[serde(flatten)]
    pub user: UserBasic,
    pub access_level: i64,
    #[schema(value_type = String)]
    pub created_at: Timestamp,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_by: Option<UserBasic>,
    pub expires_at: Option<String>,
    pub membership_state: &'static str,
}

/// A pending invitation (GitLab's `Invitation`; never its token).
#[derive(Debug, Serialize, ToSchema)]
pub struct Invitation {
    pub id: i64,
    pub invite_email: String,
    pub access_level: i64,
    #[schema(value_type = String)]
    pub created_at: Timestamp,
    pub expires_at: Option<String>,
    pub created_by_name: Option<String>,
    pub user_name: Option<String>,
}

pub fn invitation(out: &InvitationOut) -> Invitation {
    Invitation {
        id: out.invitation.id,
        invite_email: out.invitation.email.clone(),
        access_level: out.invitation.access_level.value(),
        created_at: Timestamp(out.invitation.created_at),
        expires_at: out.invitation.expires_at.clone(),
        created_by_name: out.created_by.as_ref().map(|u| u.name.clone()),
        user_name: None,
    }
}

/// A User asking to become a Member (GitLab's `AccessRequester`).
#[derive(Debug, Serialize, ToSchema)]
pub struct AccessRequester {
    #[serde(flatten)]
    pub user: UserBasic,
    #[schema(value_type = String)]
    pub requested_at: Timestamp,
}

pub fn access_requester(base: &str, out: &AccessRequestOut) -> AccessRequester {
    AccessRequester {
        user: user_basic(base, &out.user),
        requested_at: Timestamp(out.request.requested_at),
    }
}

pub fn member(base: &str, out: &MemberOut) -> Member {
    Member {
        user: user_basic(base, &out.user),
        access_level: out.member.access_level.value(),
        created_at: Timestamp(out.member.created_at),
        created_by: out.created_by.as_ref().map(|u| user_basic(base, u)),
        expires_at: out.member.expires_at.clone(),
        membership_state: "active",
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MembershipEntity {
    pub source_id: i64,
    pub source_name: String,
    pub source_type: &'static str,
    pub access_level: i64,
}

pub fn membership(m: &Membership) -> MembershipEntity {
    MembershipEntity {
        source_id: m.member.source_id,
        source_name: m.source_name.clone(),
        source_type: match m.member.source_type {
            SourceType::Group => "Namespace",
            SourceType::Project => "Project",
        },
        access_level: m.member.access_level.value(),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Organization {
    pub id: i64,
    pub name: String,
    pub path: String,
    pub description: String,
    #[schema(value_type = crate::schema::OrganizationVisibility)]
    pub visibility: &'static str,
    pub state: &'static str,
    #[schema(value_type = String)]
    pub created_at: Timestamp,
    #[schema(value_type = String)]
    pub updated_at: Timestamp,
    pub web_url: String,
    pub avatar_url: Option<String>,
    /// The Cell that holds it: shown to admins only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cell_id: Option<u16>,
}

/// An Organization's move between Cells.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrganizationMove {
    pub organization_id: i64,
    pub from_cell_id: i64,
    pub to_cell_id: i64,
    /// `running`, `finished`, `failed` or `rolled_back`.
    pub state: String,
    /// `copying`, `switched` or `cleaning`.
    pub step: String,
    /// Why a failed move stopped.
    pub error: Option<String>,
    #[schema(value_type = String)]
    pub created_at: Timestamp,
    #[schema(value_type = String)]
    pub updated_at: Timestamp,
}

/// A Cell of the cluster, as `GET /admin/cells` shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct Cell {
    pub id: u16,
    pub name: String,
    pub address: String,
    pub healthy: bool,
    pub organizations_count: i64,
}

pub fn organization(base: &str, row: &OrganizationRow) -> Organization {
    Organization {
        id: row.id.0,
        name: row.name.clone(),
        path: row.path.clone(),
        description: row.description.clone(),
        visibility: row.visibility_level.name(),
        state: row.state.as_str(),
        created_at: Timestamp(row.created_at),
        updated_at: Timestamp(row.updated_at),
        web_url: format!("{base}/-/organizations/{}", row.path),
        // An uploaded avatar is served by the API: its path, under the instance's address.
        avatar_url: row
            .avatar_url
            .as_ref()
            .map(|url| match url.starts_with('/') {
                true => format!("{base}{url}"),
                false => url.clone(),
            }),
        cell_id: None,
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OrganizationUserEntity {
    pub id: i64,
    pub username: String,
    pub name: String,
    pub avatar_url: Option<String>,
    pub web_url: String,
    /// `owner` or `default`.
    pub access_level: &'static str,
    /// In the Organization: `active` or `banned`.
    pub state: &'static str,
    pub is_enterprise_user: bool,
    /// How they joined: `membership` (of a Group or Project), `added`, `creator` or `home`.
    pub source: &'static str,
    /// When they joined.
    #[schema(value_type = String)]
    pub created_at: Timestamp,
}

pub fn organization_user(base: &str, out: &OrganizationUser) -> OrganizationUserEntity {
    let user = user_basic(base, &out.user);
    OrganizationUserEntity {
        id: user.id,
        username: user.username,
        name: user.name,
        avatar_url: user.avatar_url,
        web_url: user.web_url,
        access_level: out.membership.access_level.name(),
        state: out.membership.state.as_str(),
        is_enterprise_user: out.membership.enterprise,
        source: out.membership.source.as_str(),
        created_at: Timestamp(out.membership.created_at),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Token {
    pub id: i64,
    pub name: String,
    pub revoked: bool,
    #[schema(value_type = String)]
    pub created_at: Timestamp,
    pub description: Option<String>,
    pub scopes: Vec<String>,
    pub user_id: i64,
    #[schema(value_type = Option<String>)]
    pub last_used_at: Option<Timestamp>,
    pub active: bool,
    pub expires_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
}

pub fn token(row: &TokenRow, secret: Option<&str>) -> Token {
    Token {
        id: row.id.0,
        name: row.name.clone(),
        revoked: row.revoked,
        created_at: Timestamp(row.created_at),
        description: None,
        scopes: row
            .scopes
            .split(',')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
        user_id: row.user_id.0,
        last_used_at: row.last_used_at.map(Timestamp),
        active: !row.revoked,
        expires_at: row.expires_at.clone(),
        token: secret.map(str::to_owned),
    }
}

pub fn created_token(created: &CreatedToken) -> Token {
    token(&created.row, Some(&created.token))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProjectGroupLink {
    pub id: i64,
    pub project_id: i64,
    pub group_id: i64,
    pub group_access: i64,
    pub expires_at: Option<String>,
}

pub fn project_group_link(link: &LinkRow) -> ProjectGroupLink {
    ProjectGroupLink {
        id: link.id.0,
        project_id: link.source_id,
        group_id: link.group_id.0,
        group_access: link.group_access.value(),
        expires_at: link.expires_at.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_have_milliseconds() {
        assert_eq!(Timestamp(0).to_string(), "1970-01-01T00:00:00.000Z");
        assert_eq!(
            Timestamp(1_700_000_000_123).to_string(),
            "2023-11-14T22:13:20.123Z"
        );
        assert_eq!(
            serde_json::to_string(&Timestamp(-1)).ok().as_deref(),
            Some("\"1969-12-31T23:59:59.999Z\"")
        );
    }
}
