//! What the Cells of a cluster ask each other, on `/-/cells/...`, with the cluster secret as a
//! bearer token: an Organization's rows imported by the target of its move (then what changed
//! since, applied in the move's short maintenance), its maintenance
//! lifted there after the switch, a rolled-back move's copy dropped; a User's rows checked and
//! removed as part of their deletion. To anyone else, and on a
//! Cell on its own, these paths do not exist (404). Not part of the API, nor of its document;
//! the router never passes them on.

use axum::Json;
use axum::body::Bytes;
use axum::extract::Request;
use axum::extract::{Path, Query, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use orgcells_core::ids::{OrganizationId, UserId};
use orgcells_service::ServiceError;
use orgcells_service::moving::{Delta, Exported};

use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::handlers::no_content;

/// The most an imported Organization may weigh.
pub const MAX_IMPORT: usize = 1024 * 1024 * 1024;

/// Lets through only the parts of the cluster (the cluster secret as a bearer token), before
/// anything of the request's body is read.
pub async fn only_peers(State(app): State<AppState>, request: Request, next: Next) -> Response {
    let presented = request
        .headers()
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "));
    match app.service.cluster_peer(presented) {
        Ok(()) => next.run(request).await,
        Err(refused) => ApiError(refused).into_response(),
    }
}

/// `PUT /-/cells/organizations/:id`: the rows, imported; each table's count and digest.
pub async fn import_organization(
    State(app): State<AppState>,
    Path(id): Path<i64>,
    body: Bytes,
) -> ApiResult<Response> {
    let exported: Exported = serde_json::from_slice(&body).map_err(|e| {
        ApiError(ServiceError::BadRequest(format!(
            "400 Bad Request - the rows: {e}"
        )))
    })?;
    if exported.organization_id != id {
        return Err(ApiError(ServiceError::BadRequest(
            "400 Bad Request - the rows are another Organization's".into(),
        )));
    }
    let summary = app.service.import_organization(&exported).await?;
    Ok(Json(summary).into_response())
}

/// `PATCH /-/cells/organizations/:id`: what changed since the import, applied; each table's
/// count and digest.
pub async fn update_organization_copy(
    State(app): State<AppState>,
    Path(id): Path<i64>,
    body: Bytes,
) -> ApiResult<Response> {
    let delta: Delta = serde_json::from_slice(&body).map_err(|e| {
        ApiError(ServiceError::BadRequest(format!(
            "400 Bad Request - the changes: {e}"
        )))
    })?;
    if delta.organization_id != id {
        return Err(ApiError(ServiceError::BadRequest(
            "400 Bad Request - the changes are another Organization's".into(),
        )));
    }
    let summary = app.service.update_organization_copy(&delta).await?;
    Ok(Json(summary).into_response())
}

/// `POST /-/cells/organizations/:id/activate`: the maintenance lifted, after the switch.
pub async fn activate_organization(
    State(app): State<AppState>,
    Path(id): Path<i64>,
) -> ApiResult<Response> {
    app.service
        .activate_organization(OrganizationId(id))
        .await?;
    Ok(no_content())
}

/// `DELETE /-/cells/organizations/:id`: a rolled-back move's copy, dropped.
pub async fn drop_organization_copy(
    State(app): State<AppState>,
    Path(id): Path<i64>,
) -> ApiResult<Response> {
    app.service
        .drop_organization_copy(OrganizationId(id))
        .await?;
    Ok(no_content())
}

/// What a User's removal from a Cell asks: only whether it may go, and whether the Groups they
/// alone own go with them.
#[derive(serde::Deserialize)]
pub struct Removal {
    #[serde(default)]
    check: bool,
    #[serde(default)]
    hard_delete: bool,
}

/// `POST /-/cells/users/:id/removal`: a User's rows on this Cell checked (`check=true`) or
/// removed, as part of their deletion on the Cell that keeps Users.
pub async fn remove_user_rows(
    State(app): State<AppState>,
    Path(id): Path<i64>,
    Query(removal): Query<Removal>,
) -> ApiResult<Response> {
    app.service
        .remove_user_rows(UserId(id), removal.hard_delete, removal.check)
        .await?;
    Ok(no_content())
}

/// `GET /-/cells/users/:id/activity`: the day a User last used this Cell's API, for the Cell
/// that keeps Users deciding whether they may be deactivated.
pub async fn user_activity(
    State(app): State<AppState>,
    Path(id): Path<i64>,
) -> ApiResult<Response> {
    let last = app.service.activity_here(UserId(id)).await?;
    Ok(axum::Json(serde_json::json!({ "last_activity_on": last })).into_response())
}

/// `DELETE /-/cells/organization_redirects/:path`: this Cell's redirect of an Organization
/// path that another Cell's Organization took.
pub async fn drop_redirect(
    State(app): State<AppState>,
    Path(path): Path<String>,
) -> ApiResult<Response> {
    app.service.drop_redirect(&path).await?;
    Ok(no_content())
}
