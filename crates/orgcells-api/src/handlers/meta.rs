//! `GET /version` and `GET /metadata`: what clients ask first.

use axum::Json;
use serde_json::{Value, json};

use crate::schema;

/// The GitLab API version orgcells speaks, as `major.minor.patch`.
pub const GITLAB_VERSION: &str = "18.6.0";

/// GitLab's API version this server speaks.
#[utoipa::path(
    get,
    path = "/version",
    tag = "meta",
    operation_id = "get_version",
    responses((status = 200, description = "OK", body = schema::Version)),
)]
pub async fn get_version() -> Json<Value> {
    Json(json!({"version": GITLAB_VERSION, "revision": env!("CARGO_PKG_VERSION")}))
}

/// The version and features.
#[utoipa::path(
    get,
    path = "/metadata",
    tag = "meta",
    operation_id = "get_metadata",
    responses((status = 200, description = "OK", body = schema::Metadata)),
)]
pub async fn get_metadata() -> Json<Value> {
    Json(json!({
        "version": GITLAB_VERSION,
        "revision": env!("CARGO_PKG_VERSION"),
        "kas": {"enabled": false, "externalUrl": null, "version": null},
        "enterprise": false,
    }))
}
