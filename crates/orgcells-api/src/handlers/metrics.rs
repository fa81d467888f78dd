//! `/-/metrics`: Prometheus metrics for the operator (see [`crate::metrics`]).

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;

use crate::AppState;
use crate::metrics::CONTENT_TYPE;

pub async fn get_metrics(State(state): State<AppState>) -> impl IntoResponse {
    let text = state.metrics.encode(&state.service.pool_stats());
    ([(header::CONTENT_TYPE, CONTENT_TYPE)], text)
}
