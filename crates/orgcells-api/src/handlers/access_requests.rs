//! `/groups/:id/access_requests` and `/projects/:id/access_requests`.

use axum::extract::{OriginalUri, State};
use axum::response::Response;
use orgcells_core::ids::UserId;

use super::members::{Groups, Kind, Projects};
use super::{created, id_ref, no_content};
use crate::AppState;
use crate::auth::Auth;
use crate::entities;
use crate::error::ApiResult;
use crate::pagination::{page_request, respond};
use crate::params::{PAGE, Params, Path, Type, optional};
use crate::schema;

async fn list<K: Kind>(
    State(app): State<AppState>,
    Auth(caller): Auth,
    Path(id): Path<String>,
    OriginalUri(uri): OriginalUri,
    params: Params,
) -> ApiResult<Response> {
    params.validate(&[PAGE], &[])?;
    let page = page_request(&params, false)?;
    let listed = app
        .service
        .access_requests(&caller, &K::source(id_ref(&id)), &page)
        .await?;
    let base = app.external_url.clone();
    Ok(respond(
        &base,
        &uri,
        &page,
        listed,
        |r| (String::new(), r.user.id.0),
        |r| entities::access_requester(&base, &r),
    ))
}

async fn request<K: Kind>(
    State(app): State<AppState>,
    Auth(caller): Auth,
    Path(id): Path<String>,
    _params: Params,
) -> ApiResult<Response> {
    let out = app
        .service
        .request_access(&caller, &K::source(id_ref(&id)))
        .await?;
    Ok(created(entities::access_requester(&app.external_url, &out)))
}

async fn approve<K: Kind>(
    State(app): State<AppState>,
    Auth(caller): Auth,
    Path((id, user)): Path<(String, UserId)>,
    params: Params,
) -> ApiResult<Response> {
    params.validate(&[&[optional("access_level", Type::Integer)]], &[])?;
    let member = app
        .service
        .approve_access_request(
            &caller,
            &K::source(id_ref(&id)),
            user,
            params.int("access_level")?,
        )
        .await?;
    Ok(created(entities::member(&app.external_url, &member)))
}

async fn deny<K: Kind>(
    State(app): State<AppState>,
    Auth(caller): Auth,
    Path((id, user)): Path<(String, UserId)>,
    _params: Params,
) -> ApiResult<Response> {
    app.service
        .delete_access_request(&caller, &K::source(id_ref(&id)), user)
        .await?;
    Ok(no_content())
}

/// The requests to join a Group (those who manage its Members).
#[utoipa::path(get, path = "/groups/{id}/access_requests", tag = "access_requests",
    operation_id = "list_group_access_requests", params(schema::IdPath, schema::PageParams),
    responses((status = 200, description = "OK", body = Vec<entities::AccessRequester>)))]
pub async fn list_group_access_requests(
    app: State<AppState>,
    caller: Auth,
    id: Path<String>,
    uri: OriginalUri,
    params: Params,
) -> ApiResult<Response> {
    list::<Groups>(app, caller, id, uri, params).await
}

/// Ask to join a Group (not a private one, nor one the caller belongs to).
#[utoipa::path(post, path = "/groups/{id}/access_requests", tag = "access_requests",
    operation_id = "create_group_access_request", params(schema::IdPath),
    responses((status = 201, description = "Created", body = entities::AccessRequester)))]
pub async fn create_group_access_request(
    app: State<AppState>,
    caller: Auth,
    id: Path<String>,
    params: Params,
) -> ApiResult<Response> {
    request::<Groups>(app, caller, id, params).await
}

/// Approve a request to join a Group: a Member at `access_level` (Developer unless given).
#[utoipa::path(put, path = "/groups/{id}/access_requests/{user_id}/approve", tag = "access_requests",
    operation_id = "approve_group_access_request", params(schema::IdPath, schema::MemberPath),
    request_body = schema::ApproveBody,
    responses((status = 201, description = "Created", body = entities::Member)))]
pub async fn approve_group_access_request(
    app: State<AppState>,
    caller: Auth,
    ids: Path<(String, UserId)>,
    params: Params,
) -> ApiResult<Response> {
    approve::<Groups>(app, caller, ids, params).await
}

/// Deny a request to join a Group, or withdraw one's own.
#[utoipa::path(delete, path = "/groups/{id}/access_requests/{user_id}", tag = "access_requests",
    operation_id = "delete_group_access_request", params(schema::IdPath, schema::MemberPath),
    responses((status = 204, description = "Done")))]
pub async fn delete_group_access_request(
    app: State<AppState>,
    caller: Auth,
    ids: Path<(String, UserId)>,
    params: Params,
) -> ApiResult<Response> {
    deny::<Groups>(app, caller, ids, params).await
}

/// The requests to join a Project (those who manage its Members).
#[utoipa::path(get, path = "/projects/{id}/access_requests", tag = "access_requests",
    operation_id = "list_project_access_requests", params(schema::IdPath, schema::PageParams),
    responses((status = 200, description = "OK", body = Vec<entities::AccessRequester>)))]
pub async fn list_project_access_requests(
    app: State<AppState>,
    caller: Auth,
    id: Path<String>,
    uri: OriginalUri,
    params: Params,
) -> ApiResult<Response> {
    list::<Projects>(app, caller, id, uri, params).await
}

/// Ask to join a Project (not a private one, nor one the caller belongs to).
#[utoipa::path(post, path = "/projects/{id}/access_requests", tag = "access_requests",
    operation_id = "create_project_access_request", params(schema::IdPath),
    responses((status = 201, description = "Created", body = entities::AccessRequester)))]
pub async fn create_project_access_request(
    app: State<AppState>,
    caller: Auth,
    id: Path<String>,
    params: Params,
) -> ApiResult<Response> {
    request::<Projects>(app, caller, id, params).await
}

/// Approve a request to join a Project: a Member at `access_level` (Developer unless given).
#[utoipa::path(put, path = "/projects/{id}/access_requests/{user_id}/approve", tag = "access_requests",
    operation_id = "approve_project_access_request", params(schema::IdPath, schema::MemberPath),
    request_body = schema::ApproveBody,
    responses((status = 201, description = "Created", body = entities::Member)))]
pub async fn approve_project_access_request(
    app: State<AppState>,
    caller: Auth,
    ids: Path<(String, UserId)>,
    params: Params,
) -> ApiResult<Response> {
    approve::<Projects>(app, caller, ids, params).await
}

/// Deny a request to join a Project, or withdraw one's own.
#[utoipa::path(delete, path = "/projects/{id}/access_requests/{user_id}", tag = "access_requests",
    operation_id = "delete_project_access_request", params(schema::IdPath, schema::MemberPath),
    responses((status = 204, description = "Done")))]
pub async fn delete_project_access_request(
    app: State<AppState>,
    caller: Auth,
    ids: Path<(String, UserId)>,
    params: Params,
) -> ApiResult<Response> {
    deny::<Projects>(app, caller, ids, params).await
}
