//! `/groups/:id/members` and `/projects/:id/members`, direct and `all`.

use axum::Json;
use axum::extract::{OriginalUri, State};
use axum::response::{IntoResponse, Response};
use orgcells_core::ids::UserId;
use orgcells_service::Ref;
use orgcells_service::members::{MemberInput, MemberSource};

use super::{created, id_ref, no_content};
use crate::AppState;
use crate::auth::Auth;
use crate::entities;
use crate::error::ApiResult;
use crate::pagination::{page_request, respond};
use crate::params::{Declared, PAGE, Params, Path, Rule, Type, optional, requires};
use crate::schema;

/// Which resource's members a route serves.
pub trait Kind {
    fn source(id: Ref) -> MemberSource;
}

pub struct Groups;
pub struct Projects;

impl Kind for Groups {
    fn source(id: Ref) -> MemberSource {
        MemberSource::Group(id)
    }
}

impl Kind for Projects {
    fn source(id: Ref) -> MemberSource {
        MemberSource::Project(id)
    }
}

/// `POST .../members`: GitLab's `requires :access_level`, then the User: `user_id` (which may
/// also be a username here) or `username`, one of them.
const MEMBER_CREATE: &[Declared] = &[
    requires("access_level", Type::Integer),
    optional("user_id", Type::String),
    optional("username", Type::String),
    optional("expires_at", Type::String),
];
const MEMBER_CREATE_RULES: &[Rule] = &[
    Rule::MutuallyExclusive(&["user_id", "username"]),
    Rule::AtLeastOneOf(&["user_id", "username"]),
];

/// `PUT .../members/:user_id`: GitLab's `requires :access_level`.
const MEMBER_UPDATE: &[Declared] = &[
    requires("access_level", Type::Integer),
    optional("expires_at", Type::String),
];

const MEMBER_FILTERS: &[Declared] = &[
    optional("query", Type::String),
    optional("user_ids", Type::Integers),
];

fn member_input(params: &Params) -> ApiResult<MemberInput> {
    // `user_id` may also be a username, as GitLab accepts.
    let (user_id, username) = match params.text("user_id")? {
        Some(raw) => match raw.parse::<i64>() {
            Ok(id) => (Some(UserId(id)), None),
            Err(_) => (None, Some(raw)),
        },
        None => (None, params.text("username")?),
    };
    Ok(MemberInput {
        user_id,
        username,
        access_level: params.int("access_level")?,
        expires_at: params.text("expires_at")?,
    })
}

async fn list<K: Kind>(
    app: AppState,
    caller: Auth,
    id: String,
    uri: axum::http::Uri,
    params: Params,
    all: bool,
) -> ApiResult<Response> {
    params.validate(&[MEMBER_FILTERS, PAGE], &[])?;
    let page = page_request(&params, false)?;
    let user_ids: Vec<UserId> = params.id_list("user_ids")?;
    let user_ids = (!user_ids.is_empty()).then_some(user_ids);
    let query = params.text("query")?;
    let listed = app
        .service
        .list_members(
            &caller.0,
            &K::source(id_ref(&id)),
            all,
            query.as_deref(),
            user_ids.as_deref(),
            &page,
        )
        .await?;
    let base = app.external_url.clone();
    Ok(respond(
        &base,
        &uri,
        &page,
        listed,
        |m| (String::new(), m.user.id.0),
        |m| entities::member(&base, &m),
    ))
}

async fn list_members<K: Kind>(
    State(app): State<AppState>,
    caller: Auth,
    Path(id): Path<String>,
    OriginalUri(uri): OriginalUri,
    params: Params,
) -> ApiResult<Response> {
    list::<K>(app, caller, id, uri, params, false).await
}

async fn list_all_members<K: Kind>(
    State(app): State<AppState>,
    caller: Auth,
    Path(id): Path<String>,
    OriginalUri(uri): OriginalUri,
    params: Params,
) -> ApiResult<Response> {
    list::<K>(app, caller, id, uri, params, true).await
}

async fn get_member<K: Kind>(
    State(app): State<AppState>,
    Auth(caller): Auth,
    Path((id, user_id)): Path<(String, UserId)>,
) -> ApiResult<Response> {
    let out = app
        .service
        .get_member(&caller, &K::source(id_ref(&id)), user_id, false)
        .await?;
    Ok(Json(entities::member(&app.external_url, &out)).into_response())
}

async fn get_any_member<K: Kind>(
    State(app): State<AppState>,
    Auth(caller): Auth,
    Path((id, user_id)): Path<(String, UserId)>,
) -> ApiResult<Response> {
    let out = app
        .service
        .get_member(&caller, &K::source(id_ref(&id)), user_id, true)
        .await?;
    Ok(Json(entities::member(&app.external_url, &out)).into_response())
}

async fn create_member<K: Kind>(
    State(app): State<AppState>,
    Auth(caller): Auth,
    Path(id): Path<String>,
    params: Params,
) -> ApiResult<Response> {
    params.validate(&[MEMBER_CREATE], MEMBER_CREATE_RULES)?;
    let out = app
        .service
        .add_member(&caller, &K::source(id_ref(&id)), &member_input(&params)?)
        .await?;
    Ok(created(entities::member(&app.external_url, &out)))
}

async fn update_member<K: Kind>(
    State(app): State<AppState>,
    Auth(caller): Auth,
    Path((id, user_id)): Path<(String, UserId)>,
    params: Params,
) -> ApiResult<Response> {
    params.validate(&[MEMBER_UPDATE], &[])?;
    let out = app
        .service
        .update_member(
            &caller,
            &K::source(id_ref(&id)),
            user_id,
            &member_input(&params)?,
        )
        .await?;
    Ok(Json(entities::member(&app.external_url, &out)).into_response())
}

async fn delete_member<K: Kind>(
    State(app): State<AppState>,
    Auth(caller): Auth,
    Path((id, user_id)): Path<(String, UserId)>,
) -> ApiResult<Response> {
    app.service
        .remove_member(&caller, &K::source(id_ref(&id)), user_id)
        .await?;
    Ok(no_content())
}

// The routes, one handler per kind so that each has its own operation in the document.

/// The direct Members of a Group.
#[utoipa::path(
    get,
    path = "/groups/{id}/members",
    tag = "members",
    operation_id = "list_group_members",
    params(schema::IdPath, schema::MemberFilters, schema::PageParams),
    responses((status = 200, description = "OK", body = Vec<entities::Member>)),
)]
pub async fn list_group_members(
    app: State<AppState>,
    caller: Auth,
    id: Path<String>,
    uri: OriginalUri,
    params: Params,
) -> ApiResult<Response> {
    list_members::<Groups>(app, caller, id, uri, params).await
}

/// The Members of a Group with inherited and shared ones, at their effective level.
#[utoipa::path(
    get,
    path = "/groups/{id}/members/all",
    tag = "members",
    operation_id = "list_all_group_members",
    params(schema::IdPath, schema::MemberFilters, schema::PageParams),
    responses((status = 200, description = "OK", body = Vec<entities::Member>)),
)]
pub async fn list_all_group_members(
    app: State<AppState>,
    caller: Auth,
    id: Path<String>,
    uri: OriginalUri,
    params: Params,
) -> ApiResult<Response> {
    list_all_members::<Groups>(app, caller, id, uri, params).await
}

/// A Member of a Group, direct, inherited or shared.
#[utoipa::path(
    get,
    path = "/groups/{id}/members/all/{user_id}",
    tag = "members",
    operation_id = "get_any_group_member",
    params(schema::IdPath, schema::MemberPath),
    responses((status = 200, description = "OK", body = entities::Member)),
)]
pub async fn get_any_group_member(
    app: State<AppState>,
    caller: Auth,
    ids: Path<(String, UserId)>,
) -> ApiResult<Response> {
    get_any_member::<Groups>(app, caller, ids).await
}

/// A direct Member of a Group.
#[utoipa::path(
    get,
    path = "/groups/{id}/members/{user_id}",
    tag = "members",
    operation_id = "get_group_member",
    params(schema::IdPath, schema::MemberPath),
    responses((status = 200, description = "OK", body = entities::Member)),
)]
pub async fn get_group_member(
    app: State<AppState>,
    caller: Auth,
    ids: Path<(String, UserId)>,
) -> ApiResult<Response> {
    get_member::<Groups>(app, caller, ids).await
}

/// Add a Member to a Group.
#[utoipa::path(
    post,
    path = "/groups/{id}/members",
    tag = "members",
    operation_id = "create_group_member",
    params(schema::IdPath),
    request_body = schema::MemberBody,
    responses((status = 201, description = "Created", body = entities::Member)),
)]
pub async fn create_group_member(
    app: State<AppState>,
    caller: Auth,
    id: Path<String>,
    params: Params,
) -> ApiResult<Response> {
    create_member::<Groups>(app, caller, id, params).await
}

/// Change the access level or expiry of a Member of a Group.
#[utoipa::path(
    put,
    path = "/groups/{id}/members/{user_id}",
    tag = "members",
    operation_id = "update_group_member",
    params(schema::IdPath, schema::MemberPath),
    request_body = schema::MemberBody,
    responses((status = 200, description = "OK", body = entities::Member)),
)]
pub async fn update_group_member(
    app: State<AppState>,
    caller: Auth,
    ids: Path<(String, UserId)>,
    params: Params,
) -> ApiResult<Response> {
    update_member::<Groups>(app, caller, ids, params).await
}

/// Remove a direct Member of a Group.
#[utoipa::path(
    delete,
    path = "/groups/{id}/members/{user_id}",
    tag = "members",
    operation_id = "delete_group_member",
    params(schema::IdPath, schema::MemberPath),
    responses((status = 204, description = "Done")),
)]
pub async fn delete_group_member(
    app: State<AppState>,
    caller: Auth,
    ids: Path<(String, UserId)>,
    // Read though unused: a body of a type not read is 415 here too, as Grape's.
    _params: Params,
) -> ApiResult<Response> {
    delete_member::<Groups>(app, caller, ids).await
}

/// The direct Members of a Project.
#[utoipa::path(
    get,
    path = "/projects/{id}/members",
    tag = "members",
    operation_id = "list_project_members",
    params(schema::IdPath, schema::MemberFilters, schema::PageParams),
    responses((status = 200, description = "OK", body = Vec<entities::Member>)),
)]
pub async fn list_project_members(
    app: State<AppState>,
    caller: Auth,
    id: Path<String>,
    uri: OriginalUri,
    params: Params,
) -> ApiResult<Response> {
    list_members::<Projects>(app, caller, id, uri, params).await
}

/// The Members of a Project with inherited and shared ones, at their effective level.
#[utoipa::path(
    get,
    path = "/projects/{id}/members/all",
    tag = "members",
    operation_id = "list_all_project_members",
    params(schema::IdPath, schema::MemberFilters, schema::PageParams),
    responses((status = 200, description = "OK", body = Vec<entities::Member>)),
)]
pub async fn list_all_project_members(
    app: State<AppState>,
    caller: Auth,
    id: Path<String>,
    uri: OriginalUri,
    params: Params,
) -> ApiResult<Response> {
    list_all_members::<Projects>(app, caller, id, uri, params).await
}

/// A Member of a Project, direct, inherited or shared.
#[utoipa::path(
    get,
    path = "/projects/{id}/members/all/{user_id}",
    tag = "members",
    operation_id = "get_any_project_member",
    params(schema::IdPath, schema::MemberPath),
    responses((status = 200, description = "OK", body = entities::Member)),
)]
pub async fn get_any_project_member(
    app: State<AppState>,
    caller: Auth,
    ids: Path<(String, UserId)>,
) -> ApiResult<Response> {
    get_any_member::<Projects>(app, caller, ids).await
}

/// A direct Member of a Project.
#[utoipa::path(
    get,
    path = "/projects/{id}/members/{user_id}",
    tag = "members",
    operation_id = "get_project_member",
    params(schema::IdPath, schema::MemberPath),
    responses((status = 200, description = "OK", body = entities::Member)),
)]
pub async fn get_project_member(
    app: State<AppState>,
    caller: Auth,
    ids: Path<(String, UserId)>,
) -> ApiResult<Response> {
    get_member::<Projects>(app, caller, ids).await
}

/// Add a Member to a Project.
#[utoipa::path(
    post,
    path = "/projects/{id}/members",
    tag = "members",
    operation_id = "create_project_member",
    params(schema::IdPath),
    request_body = schema::MemberBody,
    responses((status = 201, description = "Created", body = entities::Member)),
)]
pub async fn create_project_member(
    app: State<AppState>,
    caller: Auth,
    id: Path<String>,
    params: Params,
) -> ApiResult<Response> {
    create_member::<Projects>(app, caller, id, params).await
}

/// Change the access level or expiry of a Member of a Project.
#[utoipa::path(
    put,
    path = "/projects/{id}/members/{user_id}",
    tag = "members",
    operation_id = "update_project_member",
    params(schema::IdPath, schema::MemberPath),
    request_body = schema::MemberBody,
    responses((status = 200, description = "OK", body = entities::Member)),
)]
pub async fn update_project_member(
    app: State<AppState>,
    caller: Auth,
    ids: Path<(String, UserId)>,
    params: Params,
) -> ApiResult<Response> {
    update_member::<Projects>(app, caller, ids, params).await
}

/// Remove a direct Member of a Project.
#[utoipa::path(
    delete,
    path = "/projects/{id}/members/{user_id}",
    tag = "members",
    operation_id = "delete_project_member",
    params(schema::IdPath, schema::MemberPath),
    responses((status = 204, description = "Done")),
)]
pub async fn delete_project_member(
    app: State<AppState>,
    caller: Auth,
    ids: Path<(String, UserId)>,
    // Read though unused: a body of a type not read is 415 here too, as Grape's.
    _params: Params,
) -> ApiResult<Response> {
    delete_member::<Projects>(app, caller, ids).await
}
