//! One module per resource; handlers are named `<verb>_<resource>`.

pub mod access_requests;
pub mod cells;
pub mod groups;
pub mod health;
pub mod internal;
pub mod invitations;
mod lists;
pub mod members;
pub mod meta;
pub mod metrics;
pub mod moves;
pub mod namespaces;
pub mod org_users;
pub mod organizations;
pub mod projects;
mod shares;
pub mod tokens;
pub mod user_states;
pub mod users;

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use orgcells_service::Ref;
use serde::Serialize;
use serde_json::json;

/// 201 with the created object.
pub(crate) fn created<T: Serialize>(body: T) -> Response {
    (StatusCode::CREATED, Json(body)).into_response()
}

/// 202 `{"message": "202 Accepted"}`, GitLab's answer to deleting a Group or Project.
pub(crate) fn accepted() -> Response {
    (
        StatusCode::ACCEPTED,
        Json(json!({"message": "202 Accepted"})),
    )
        .into_response()
}

/// 204 with no body.
pub(crate) fn no_content() -> Response {
    StatusCode::NO_CONTENT.into_response()
}

/// A path `:id`: a number, or a URL-encoded full path (already decoded by the router).
pub(crate) fn id_ref(raw: &str) -> Ref {
    Ref::parse(raw)
}
