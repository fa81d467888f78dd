//! `GET /version` and `GET /metadata`: what clients ask first.

use axum::Json;
use serde_json::{Value, json};

/// The GitLab API version orgcells speaks, as `major.minor.patch`.
pub const GITLAB_VERSION: &str = "18.6.0";

pub async fn get_version() -> Json<Value> {
    Json(json!({"version": GITLAB_VERSION, "revision": env!("CARGO_PKG_VERSION")}))
}

pub async fn get_metadata() -> Json<Value> {
    Json(json!({
        "version": GITLAB_VERSION,
        "revision": env!("CARGO_PKG_VERSION"),
        "kas": {"enabled": false, "externalUrl": null, "version": null},
        "enterprise": false,
    }))
}
