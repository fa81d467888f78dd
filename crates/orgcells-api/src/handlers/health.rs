//! Health checks at GitLab's addresses, without authentication: `/-/health` says the process
//! answers (no database touched), `/-/liveness` that it is alive, `/-/readiness` that it can
//! serve, with the database checked.

use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::AppState;

/// How long the readiness check waits for the database.
const DATABASE_LIMIT: Duration = Duration::from_secs(2);

pub async fn get_health() -> &'static str {
    "GitLab OK"
}

/// GitLab's liveness: the process runs and answers. It deliberately leaves the database out, so
/// an orchestrator does not restart a healthy process for a database outage.
pub async fn get_liveness() -> Json<serde_json::Value> {
    Json(json!({"status": "ok"}))
}

/// GitLab's readiness: `{"status": "ok", "master_check": [...], "db_check": [...]}`, or 503
/// with `"status": "failed"` and the failing check's message.
pub async fn get_readiness(State(state): State<AppState>) -> Response {
    let db = match state.service.ping(DATABASE_LIMIT).await {
        Ok(()) => json!({"status": "ok"}),
        Err(error) => {
            tracing::warn!(%error, "readiness: the database does not answer");
            json!({"status": "failed", "message": format!("the database does not answer: {error}")})
        }
    };
    let ok = db["status"] == "ok";
    let body = json!({
        "status": if ok { "ok" } else { "failed" },
        "master_check": [{"status": "ok"}],
        "db_check": [db],
    });
    let status = if ok {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(body)).into_response()
}
