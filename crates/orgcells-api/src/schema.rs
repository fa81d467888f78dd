//! What requests may carry, as the OpenAPI document describes it: path and query parameters
//! and request bodies. The handlers read the same names through [`crate::params::Params`]
//! (query string, JSON or form body, merged); these types exist to describe them, and the
//! schemathesis run in `tests/openapi` holds the two together.

use utoipa::{IntoParams, ToSchema};

/// A Group, Project, Namespace or Organization: its numeric id or its URL-encoded full path
/// (`acme%2Fplatform`).
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct IdPath {
    /// The numeric id or the URL-encoded full path.
    pub id: String,
}

/// An Organization by numeric id.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct OrganizationIdPath {
    /// The Organization's id.
    pub id: i64,
}

/// Where an Organization moves.
#[derive(ToSchema)]
pub struct MoveBody {
    /// The Cell it moves to.
    pub cell_id: i64,
}

/// A User by numeric id.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct UserIdPath {
    /// The User's id.
    pub id: i64,
}

/// A User and an action on their state.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct UserActionPath {
    /// The User's id.
    pub id: i64,
    #[param(inline)]
    pub action: UserActionName,
}

/// The actions on a User's state.
#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum UserActionName {
    Block,
    Unblock,
    Ban,
    Unban,
    Deactivate,
    Activate,
}

/// A personal access token by numeric id.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct TokenIdPath {
    /// The token's id.
    pub id: i64,
}

/// The filters of a token list.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TokenFilters {
    /// One User's tokens (admins; others may name only themselves).
    pub user_id: Option<i64>,
    /// `active` or `inactive` (revoked).
    #[param(inline)]
    pub state: Option<TokenState>,
    pub revoked: Option<bool>,
    /// Tokens whose name contains this.
    pub search: Option<String>,
}

#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum TokenState {
    Active,
    Inactive,
}

/// When a rotated token's successor expires.
#[derive(ToSchema)]
pub struct RotateBody {
    /// `YYYY-MM-DD`; a week from today when absent.
    #[schema(format = Date)]
    pub expires_at: Option<String>,
}

/// The Member's User id.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct MemberPath {
    /// The User id of the Member.
    pub user_id: i64,
}

/// Addresses to invite: one, or several separated by commas.
#[derive(ToSchema)]
pub struct InvitationBody {
    pub email: String,
    pub access_level: i64,
    /// When the membership expires (`YYYY-MM-DD`).
    pub expires_at: Option<String>,
}

/// An invited address.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct EmailPath {
    /// The invited address.
    pub email: String,
}

/// The level an approved access request gives.
#[derive(ToSchema)]
pub struct ApproveBody {
    /// Developer (30) unless given.
    pub access_level: Option<i64>,
}

/// The User who will own the Project.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct OwnerPath {
    /// The User's id.
    pub user_id: i64,
}

/// The Group a link was made with.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct SharedGroupPath {
    /// The id of the Group shared with.
    pub group_id: i64,
}

/// Offset pagination: `page` and `per_page`, answered with GitLab's `X-*` headers and `Link`.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// The page to show, from 1.
    #[param(minimum = 1, maximum = 10_000_000)]
    pub page: Option<i64>,
    /// Items per page: 20 unless given, at most 100.
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<i64>,
}

/// Keyset pagination, where a list offers it: `pagination=keyset` with the `Link` header's
/// `cursor`, or `id_after`.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct KeysetParams {
    /// `keyset` to page by a cursor instead of an offset.
    #[param(inline)]
    pub pagination: Option<Pagination>,
    /// The cursor from the previous page's `Link: rel="next"`.
    pub cursor: Option<String>,
    /// Keyset pagination: the items after this id.
    pub id_after: Option<i64>,
}

#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum Pagination {
    Keyset,
}

#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum Visibility {
    Private,
    Internal,
    Public,
}

#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum Sort {
    Asc,
    Desc,
}

#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum GroupOrder {
    Name,
    Path,
    Id,
    Similarity,
}

#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum ProjectOrder {
    Id,
    Name,
    Path,
    CreatedAt,
    UpdatedAt,
    LastActivityAt,
    Similarity,
    StarCount,
}

#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum CreationLevel {
    Noone,
    Owner,
    Maintainer,
    Developer,
}

/// The filters of a Group list.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct GroupFilters {
    /// Groups whose name or path contains this.
    pub search: Option<String>,
    /// Only Groups the caller owns.
    pub owned: Option<bool>,
    /// Only Groups where the caller has at least this access level.
    #[param(minimum = 5, maximum = 50)]
    pub min_access_level: Option<i64>,
    /// Only top-level Groups.
    pub top_level_only: Option<bool>,
    /// Groups to leave out, by id.
    #[param(rename = "skip_groups[]")]
    pub skip_groups: Option<Vec<i64>>,
    /// For admins: every Group, not only theirs (GitLab's default for others).
    pub all_available: Option<bool>,
    /// Only Groups of this visibility.
    #[param(inline)]
    pub visibility: Option<Visibility>,
    #[param(inline)]
    pub order_by: Option<GroupOrder>,
    #[param(inline)]
    pub sort: Option<Sort>,
    /// Only Groups of this Organization.
    pub organization_id: Option<i64>,
}

/// The filters of a Project list.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProjectFilters {
    /// Only Projects the caller is a member of.
    pub membership: Option<bool>,
    /// Only Projects the caller owns.
    pub owned: Option<bool>,
    /// Projects whose name or path contains this.
    pub search: Option<String>,
    #[param(inline)]
    pub visibility: Option<Visibility>,
    /// Only Projects where the caller has at least this access level.
    #[param(minimum = 5, maximum = 50)]
    pub min_access_level: Option<i64>,
    /// Keyset pagination needs `order_by=id`.
    #[param(inline)]
    pub order_by: Option<ProjectOrder>,
    #[param(inline)]
    pub sort: Option<Sort>,
    /// Only Projects of this Organization.
    pub organization_id: Option<i64>,
}

/// `include_subgroups` of a Group's Projects.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SubgroupParams {
    /// Also the Projects of every subgroup.
    pub include_subgroups: Option<bool>,
}

/// The filters of a member list.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MemberFilters {
    /// Members whose name, username or email contains this.
    pub query: Option<String>,
    /// Only these Users.
    #[param(rename = "user_ids[]")]
    pub user_ids: Option<Vec<i64>>,
}

/// The filters of a User list.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserFilters {
    /// Users whose name, username or email contains this.
    pub search: Option<String>,
    /// The User with exactly this username.
    pub username: Option<String>,
    /// Only active Users.
    pub active: Option<bool>,
    /// Only blocked Users.
    pub blocked: Option<bool>,
    /// Only admins (admins only).
    pub admins: Option<bool>,
    /// `id` unless given (admins only: others get `id`, newest first); keyset pagination needs
    /// `order_by=id`.
    #[param(inline)]
    pub order_by: Option<UserOrder>,
    /// `desc` unless given (admins only).
    #[param(inline)]
    pub sort: Option<Sort>,
}

#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum UserOrder {
    Id,
    Name,
    Username,
    CreatedAt,
    UpdatedAt,
}

/// `search` alone.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// Items whose name or path contains this.
    pub search: Option<String>,
}

/// The filters of a Project's Groups.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProjectGroupFilters {
    /// Groups whose name or path contains this.
    pub search: Option<String>,
    /// Also the Groups the Project is shared with.
    pub with_shared: Option<bool>,
    /// Groups to leave out, by id.
    #[param(rename = "skip_groups[]")]
    pub skip_groups: Option<Vec<i64>>,
}

/// A User's memberships, of one kind.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MembershipFilters {
    #[param(rename = "type")]
    #[param(inline)]
    pub kind: Option<MembershipType>,
}

#[derive(ToSchema)]
pub enum MembershipType {
    Project,
    Namespace,
}

/// Where to look for a free path.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExistsParams {
    /// The parent Group: the path is checked among its children.
    pub parent_id: Option<i64>,
}

/// How to delete a User.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeleteUserParams {
    /// Also remove what the User contributed instead of moving it to the Ghost User.
    pub hard_delete: Option<bool>,
}

/// A new Group (`name` and `path` required) or the fields of one to change.
#[derive(ToSchema)]
pub struct GroupBody {
    pub name: Option<String>,
    pub path: Option<String>,
    /// The parent Group: a subgroup is created.
    pub parent_id: Option<i64>,
    pub visibility: Option<Visibility>,
    pub description: Option<String>,
    /// The Organization of a new top-level Group (the Default Organization unless given).
    pub organization_id: Option<i64>,
    pub project_creation_level: Option<CreationLevel>,
    pub subgroup_creation_level: Option<SubgroupCreationLevel>,
}

#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum SubgroupCreationLevel {
    Owner,
    Maintainer,
}

/// A new Project (`name` or `path` required) or the fields of one to change (at least one of
/// `description`, `name`, `path`, `visibility`).
#[derive(ToSchema)]
pub struct ProjectBody {
    pub name: Option<String>,
    pub path: Option<String>,
    /// The Group or personal namespace (the caller's own unless given).
    pub namespace_id: Option<i64>,
    pub visibility: Option<Visibility>,
    pub description: Option<String>,
}

/// Where to move a Project.
#[derive(ToSchema)]
pub struct ProjectTransferBody {
    /// The target namespace's id or full path.
    pub namespace: String,
}

/// Where to move a Group: under `group_id`, or to the top level without it.
#[derive(ToSchema)]
pub struct GroupTransferBody {
    pub group_id: Option<i64>,
}

/// The top-level Group to move into an Organization.
#[derive(ToSchema)]
pub struct OrganizationGroupTransferBody {
    pub group_id: i64,
}

/// A share with a Group.
#[derive(ToSchema)]
pub struct ShareBody {
    /// The Group to share with.
    pub group_id: i64,
    /// The access level its members get.
    #[schema(minimum = 5, maximum = 50)]
    pub group_access: i64,
    /// `YYYY-MM-DD`.
    #[schema(format = Date)]
    pub expires_at: Option<String>,
}

/// A User to add to an Organization: `user_id` or `username`, and the access level.
#[derive(ToSchema)]
pub struct OrganizationUserBody {
    /// The User's id; or `username`, or `email`.
    pub user_id: Option<i64>,
    pub username: Option<String>,
    /// An address: its User is added, or it is invited (answered the same either way).
    pub email: Option<String>,
    /// `default` (the default) or `owner`.
    pub access_level: Option<String>,
}

/// An Organization User's new access level.
#[derive(ToSchema)]
pub struct OrganizationUserUpdateBody {
    /// `default` or `owner`.
    pub access_level: String,
}

/// A new Member (`user_id` or `username`, and `access_level`), or a change to one
/// (`access_level` is required there too, as GitLab's).
#[derive(ToSchema)]
pub struct MemberBody {
    /// The User's id (or username).
    pub user_id: Option<i64>,
    pub username: Option<String>,
    #[schema(minimum = 5, maximum = 50)]
    pub access_level: i64,
    /// `YYYY-MM-DD`.
    #[schema(format = Date)]
    pub expires_at: Option<String>,
}

/// A new User (`username`, `email`, `name` required) or the fields of one to change.
#[derive(ToSchema)]
pub struct UserBody {
    pub username: Option<String>,
    pub email: Option<String>,
    pub name: Option<String>,
    pub password: Option<String>,
    /// Make the User an instance admin.
    pub admin: Option<bool>,
    /// Taken from GitLab's clients on create: Users here need no confirmation.
    pub skip_confirmation: Option<bool>,
    /// Taken from GitLab's clients on update: emails here need no confirmation.
    pub skip_reconfirmation: Option<bool>,
}

/// A new personal access token.
#[derive(ToSchema)]
pub struct TokenBody {
    pub name: String,
    /// `api`, `read_api`, `read_user`...
    pub scopes: Vec<String>,
    /// `YYYY-MM-DD`.
    #[schema(format = Date)]
    pub expires_at: Option<String>,
    pub description: Option<String>,
}

/// A new Organization (`name` and `path` required) or the fields of one to change (at least
/// one of them).
#[derive(ToSchema)]
pub struct OrganizationBody {
    pub name: Option<String>,
    pub path: Option<String>,
    pub description: Option<String>,
    /// `private` is taken for `internal`, as GitLab does.
    pub visibility: Option<Visibility>,
    pub avatar_url: Option<String>,
    /// A new avatar (a change only, sent as a multipart file): PNG, JPEG or GIF, at most
    /// 200 KiB, served at `avatar_url`.
    #[schema(value_type = Option<String>, format = Binary)]
    pub avatar: Option<Vec<u8>>,
    /// The Cell a new Organization is placed on (admins; else the placement policy).
    pub cell_id: Option<i64>,
}

/// How visible an Organization is: `internal` (GitLab's code also says `private`) or `public`.
#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum OrganizationVisibility {
    Internal,
    Public,
}

/// `GET /version`.
#[derive(ToSchema)]
pub struct Version {
    pub version: String,
    pub revision: String,
}

/// `GET /metadata`.
#[derive(ToSchema)]
pub struct Metadata {
    pub version: String,
    pub revision: String,
    pub kas: serde_json::Value,
    pub enterprise: bool,
}

/// Whether a namespace path is taken, and free ones near it.
#[derive(ToSchema)]
pub struct Exists {
    pub exists: bool,
    pub suggests: Vec<String>,
}

/// `{"message": "202 Accepted"}`: a deletion is under way.
#[derive(ToSchema)]
pub struct Accepted {
    pub message: String,
}

/// GitLab's error envelopes: `{"message": "404 Group Not Found"}`, `{"message": {"field":
/// ["error"]}}` for fields the model refuses, or `{"error": "..."}` for parameters refused
/// before anything happens (`"visibility does not have a valid value"`), a body of a type not
/// read (415), unknown routes and 405s.
#[derive(ToSchema)]
pub struct Error {
    /// A sentence, or an object of field names to their errors.
    pub message: Option<serde_json::Value>,
    pub error: Option<String>,
}
