//! `/personal_access_tokens`: list, read, revoke and rotate, as GitLab's
//! `personal_access_tokens.rb` and its `self` endpoints have them.

use axum::Json;
use axum::extract::{OriginalUri, State};
use axum::response::{IntoResponse, Response};
use orgcells_core::ids::TokenId;
use orgcells_service::tokens::TokenFilter;
use orgcells_service::tokens::TokenRef;

use super::no_content;
use crate::AppState;
use crate::auth::Auth;
use crate::entities;
use crate::error::ApiResult;
use crate::pagination::{page_request, respond};
use crate::params::{Declared, PAGE, Params, Path, Type, optional};
use crate::schema;

/// `GET /personal_access_tokens`, as GitLab declares it.
const TOKEN_FILTERS: &[Declared] = &[
    optional("user_id", Type::Integer),
    optional("state", Type::String).values(&["active", "inactive"]),
    optional("revoked", Type::Boolean),
    optional("search", Type::String),
];

/// `POST .../rotate`.
const ROTATE: &[Declared] = &[optional("expires_at", Type::String)];

/// Personal access tokens: the caller's own; an admin's are everyone's unless `user_id` names
/// one.
#[utoipa::path(
    get,
    path = "/personal_access_tokens",
    tag = "personal_access_tokens",
    operation_id = "list_personal_access_tokens",
    params(schema::TokenFilters, schema::PageParams),
    responses((status = 200, description = "OK", body = Vec<entities::Token>)),
)]
pub async fn list_personal_access_tokens(
    State(app): State<AppState>,
    Auth(caller): Auth,
    OriginalUri(uri): OriginalUri,
    params: Params,
) -> ApiResult<Response> {
    params.validate(&[TOKEN_FILTERS, PAGE], &[])?;
    let filter = TokenFilter {
        user: params.id("user_id")?,
        revoked: match params.text("state")?.as_deref() {
            Some("active") => Some(false),
            Some("inactive") => Some(true),
            _ => params.bool("revoked")?,
        },
        search: params.text("search")?,
    };
    let page = page_request(&params, false)?;
    let listed = app.service.list_tokens(&caller, &filter, &page).await?;
    Ok(respond(
        &app.external_url,
        &uri,
        &page,
        listed,
        |t| (String::new(), t.id.0),
        |t| entities::token(&t, None),
    ))
}

/// One personal access token: the caller's own, or any for an admin.
#[utoipa::path(
    get,
    path = "/personal_access_tokens/{id}",
    tag = "personal_access_tokens",
    operation_id = "get_personal_access_token",
    params(schema::TokenIdPath),
    responses((status = 200, description = "OK", body = entities::Token)),
)]
pub async fn get_personal_access_token(
    State(app): State<AppState>,
    Auth(caller): Auth,
    Path(id): Path<i64>,
) -> ApiResult<Response> {
    let token = app.service.get_token(&caller, TokenId(id)).await?;
    Ok(Json(entities::token(&token, None)).into_response())
}

/// Revokes a personal access token: refused at the very next request.
#[utoipa::path(
    delete,
    path = "/personal_access_tokens/{id}",
    tag = "personal_access_tokens",
    operation_id = "revoke_personal_access_token",
    params(schema::TokenIdPath),
    responses((status = 204, description = "Revoked")),
)]
pub async fn revoke_personal_access_token(
    State(app): State<AppState>,
    Auth(caller): Auth,
    Path(id): Path<i64>,
) -> ApiResult<Response> {
    app.service
        .revoke_token(&caller, TokenRef::Id(TokenId(id)))
        .await?;
    Ok(no_content())
}

/// Rotates a personal access token: revoked, and a new one with its name and scopes returned.
#[utoipa::path(
    post,
    path = "/personal_access_tokens/{id}/rotate",
    tag = "personal_access_tokens",
    operation_id = "rotate_personal_access_token",
    params(schema::TokenIdPath),
    request_body = schema::RotateBody,
    responses((status = 200, description = "The new token, shown once", body = entities::Token)),
)]
pub async fn rotate_personal_access_token(
    State(app): State<AppState>,
    Auth(caller): Auth,
    Path(id): Path<i64>,
    params: Params,
) -> ApiResult<Response> {
    params.validate(&[ROTATE], &[])?;
    let created = app
        .service
        .rotate_token(
            &caller,
            TokenRef::Id(TokenId(id)),
            params.text("expires_at")?,
        )
        .await?;
    Ok(Json(entities::created_token(&created)).into_response())
}

/// The token the request is made with (any scope may read it).
#[utoipa::path(
    get,
    path = "/personal_access_tokens/self",
    tag = "personal_access_tokens",
    operation_id = "get_own_personal_access_token",
    responses((status = 200, description = "OK", body = entities::Token)),
)]
pub async fn get_own_personal_access_token(
    State(app): State<AppState>,
    Auth(caller): Auth,
) -> ApiResult<Response> {
    let token = app.service.own_token(&caller).await?;
    Ok(Json(entities::token(&token, None)).into_response())
}

/// Revokes the token the request is made with (any scope may).
#[utoipa::path(
    delete,
    path = "/personal_access_tokens/self",
    tag = "personal_access_tokens",
    operation_id = "revoke_own_personal_access_token",
    responses((status = 204, description = "Revoked")),
)]
pub async fn revoke_own_personal_access_token(
    State(app): State<AppState>,
    Auth(caller): Auth,
) -> ApiResult<Response> {
    app.service.revoke_token(&caller, TokenRef::Itself).await?;
    Ok(no_content())
}

/// Rotates the token the request is made with (`api` or `self_rotate`).
#[utoipa::path(
    post,
    path = "/personal_access_tokens/self/rotate",
    tag = "personal_access_tokens",
    operation_id = "rotate_own_personal_access_token",
    request_body = schema::RotateBody,
    responses((status = 200, description = "The new token, shown once", body = entities::Token)),
)]
pub async fn rotate_own_personal_access_token(
    State(app): State<AppState>,
    Auth(caller): Auth,
    params: Params,
) -> ApiResult<Response> {
    params.validate(&[ROTATE], &[])?;
    let created = app
        .service
        .rotate_token(&caller, TokenRef::Itself, params.text("expires_at")?)
        .await?;
    Ok(Json(entities::created_token(&created)).into_response())
}
