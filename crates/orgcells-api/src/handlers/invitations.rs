//! `/groups/:id/invitations` and `/projects/:id/invitations`.

use axum::Json;
use axum::extract::{OriginalUri, State};
use axum::response::{IntoResponse, Response};
use orgcells_service::invitations::InviteInput;
use serde_json::{Map, Value, json};

use super::members::{Groups, Kind, Projects};
use super::{created, id_ref, no_content};
use crate::AppState;
use crate::auth::Auth;
use crate::entities;
use crate::error::ApiResult;
use crate::pagination::{page_request, respond};
use crate::params::{Declared, PAGE, Params, Path, Type, optional, requires};
use crate::schema;

/// `POST .../invitations`: GitLab's `requires :email` (one address, or several separated by
/// commas) and `requires :access_level`.
const INVITE: &[Declared] = &[
    requires("email", Type::String),
    requires("access_level", Type::Integer),
    optional("expires_at", Type::String),
    optional("invite_source", Type::String),
];
const UPDATE: &[Declared] = &[
    optional("access_level", Type::Integer),
    optional("expires_at", Type::String),
];

async fn invite<K: Kind>(
    State(app): State<AppState>,
    Auth(caller): Auth,
    Path(id): Path<String>,
    params: Params,
) -> ApiResult<Response> {
    params.validate(&[INVITE], &[])?;
    let emails = params
        .text("email")?
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .map(str::to_owned)
        .collect();
    let input = InviteInput {
        emails,
        access_level: params.int("access_level")?,
        expires_at: params.text("expires_at")?,
    };
    let failed = app
        .service
        .invite(&caller, &K::source(id_ref(&id)), &input)
        .await?;
    // GitLab's answer: success, or each address that failed with why.
    let body = if failed.is_empty() {
        json!({"status": "success"})
    } else {
        let message: Map<String, Value> = failed
            .into_iter()
            .map(|(email, why)| (email, Value::String(why)))
            .collect();
        json!({"status": "error", "message": message})
    };
    Ok(created(body))
}

async fn list<K: Kind>(
    State(app): State<AppState>,
    Auth(caller): Auth,
    Path(id): Path<String>,
    OriginalUri(uri): OriginalUri,
    params: Params,
) -> ApiResult<Response> {
    params.validate(&[&[optional("query", Type::String)], PAGE], &[])?;
    let page = page_request(&params, false)?;
    let query = params.text("query")?;
    let listed = app
        .service
        .invitations(&caller, &K::source(id_ref(&id)), query.as_deref(), &page)
        .await?;
    let base = app.external_url.clone();
    Ok(respond(
        &base,
        &uri,
        &page,
        listed,
        |i| (String::new(), i.invitation.id),
        |i| entities::invitation(&i),
    ))
}

async fn update<K: Kind>(
    State(app): State<AppState>,
    Auth(caller): Auth,
    Path((id, email)): Path<(String, String)>,
    params: Params,
) -> ApiResult<Response> {
    params.validate(&[UPDATE], &[])?;
    if !params.has("access_level") && !params.has("expires_at") {
        return Err(crate::error::ApiError(
            orgcells_service::ServiceError::BadRequest("400 Bad request".into()),
        ));
    }
    let out = app
        .service
        .update_invitation(
            &caller,
            &K::source(id_ref(&id)),
            &email,
            params.int("access_level")?,
            params.text("expires_at")?.as_deref(),
        )
        .await?;
    Ok(Json(entities::invitation(&out)).into_response())
}

async fn delete<K: Kind>(
    State(app): State<AppState>,
    Auth(caller): Auth,
    Path((id, email)): Path<(String, String)>,
    _params: Params,
) -> ApiResult<Response> {
    app.service
        .delete_invitation(&caller, &K::source(id_ref(&id)), &email)
        .await?;
    Ok(no_content())
}

/// Invite addresses to a Group: a User's address makes them a Member at once; any other is a
/// pending invitation, mailed.
#[utoipa::path(post, path = "/groups/{id}/invitations", tag = "invitations",
    operation_id = "create_group_invitation", params(schema::IdPath),
    request_body = schema::InvitationBody,
    responses((status = 201, description = "`{\"status\": \"success\"}`, or each failed address with why")))]
pub async fn create_group_invitation(
    app: State<AppState>,
    caller: Auth,
    id: Path<String>,
    params: Params,
) -> ApiResult<Response> {
    invite::<Groups>(app, caller, id, params).await
}

/// The pending invitations of a Group (those who manage its Members).
#[utoipa::path(get, path = "/groups/{id}/invitations", tag = "invitations",
    operation_id = "list_group_invitations", params(schema::IdPath, schema::PageParams),
    responses((status = 200, description = "OK", body = Vec<entities::Invitation>)))]
pub async fn list_group_invitations(
    app: State<AppState>,
    caller: Auth,
    id: Path<String>,
    uri: OriginalUri,
    params: Params,
) -> ApiResult<Response> {
    list::<Groups>(app, caller, id, uri, params).await
}

/// Change a pending invitation to a Group.
#[utoipa::path(put, path = "/groups/{id}/invitations/{email}", tag = "invitations",
    operation_id = "update_group_invitation", params(schema::IdPath, schema::EmailPath),
    request_body = schema::ApproveBody,
    responses((status = 200, description = "OK", body = entities::Invitation)))]
pub async fn update_group_invitation(
    app: State<AppState>,
    caller: Auth,
    ids: Path<(String, String)>,
    params: Params,
) -> ApiResult<Response> {
    update::<Groups>(app, caller, ids, params).await
}

/// Withdraw a pending invitation to a Group.
#[utoipa::path(delete, path = "/groups/{id}/invitations/{email}", tag = "invitations",
    operation_id = "delete_group_invitation", params(schema::IdPath, schema::EmailPath),
    responses((status = 204, description = "Done")))]
pub async fn delete_group_invitation(
    app: State<AppState>,
    caller: Auth,
    ids: Path<(String, String)>,
    params: Params,
) -> ApiResult<Response> {
    delete::<Groups>(app, caller, ids, params).await
}

/// Invite addresses to a Project: a User's address makes them a Member at once; any other is a
/// pending invitation, mailed.
#[utoipa::path(post, path = "/projects/{id}/invitations", tag = "invitations",
    operation_id = "create_project_invitation", params(schema::IdPath),
    request_body = schema::InvitationBody,
    responses((status = 201, description = "`{\"status\": \"success\"}`, or each failed address with why")))]
pub async fn create_project_invitation(
    app: State<AppState>,
    caller: Auth,
    id: Path<String>,
    params: Params,
) -> ApiResult<Response> {
    invite::<Projects>(app, caller, id, params).await
}

/// The pending invitations of a Project (those who manage its Members).
#[utoipa::path(get, path = "/projects/{id}/invitations", tag = "invitations",
    operation_id = "list_project_invitations", params(schema::IdPath, schema::PageParams),
    responses((status = 200, description = "OK", body = Vec<entities::Invitation>)))]
pub async fn list_project_invitations(
    app: State<AppState>,
    caller: Auth,
    id: Path<String>,
    uri: OriginalUri,
    params: Params,
) -> ApiResult<Response> {
    list::<Projects>(app, caller, id, uri, params).await
}

/// Change a pending invitation to a Project.
#[utoipa::path(put, path = "/projects/{id}/invitations/{email}", tag = "invitations",
    operation_id = "update_project_invitation", params(schema::IdPath, schema::EmailPath),
    request_body = schema::ApproveBody,
    responses((status = 200, description = "OK", body = entities::Invitation)))]
pub async fn update_project_invitation(
    app: State<AppState>,
    caller: Auth,
    ids: Path<(String, String)>,
    params: Params,
) -> ApiResult<Response> {
    update::<Projects>(app, caller, ids, params).await
}

/// Withdraw a pending invitation to a Project.
#[utoipa::path(delete, path = "/projects/{id}/invitations/{email}", tag = "invitations",
    operation_id = "delete_project_invitation", params(schema::IdPath, schema::EmailPath),
    responses((status = 204, description = "Done")))]
pub async fn delete_project_invitation(
    app: State<AppState>,
    caller: Auth,
    ids: Path<(String, String)>,
    params: Params,
) -> ApiResult<Response> {
    delete::<Projects>(app, caller, ids, params).await
}
