//! The HTTP face of orgcells: GitLab's REST API v4 under `/api/v4`, on axum.
//!
//! Handlers are thin: they read parameters ([`params`]), authenticate ([`auth`]), call one
//! service operation and shape its result as GitLab does ([`entities`]). Only this crate knows
//! about HTTP.

pub mod allowlist;
pub mod auth;
pub mod entities;
pub mod error;
mod handlers;
pub mod metrics;
pub mod observe;
pub mod openapi;
pub mod pagination;
pub mod params;
mod router;
pub mod schema;

use std::sync::Arc;

use orgcells_service::Service;

pub use allowlist::Allowlist;
pub use metrics::Metrics;
pub use router::{api_v4, router};

/// What every handler can reach.
#[derive(Debug)]
pub struct App {
    pub service: Service,
    /// The base of every `web_url` and `Link`, without a trailing slash.
    pub external_url: String,
    /// Request counts and latencies, served at `/-/metrics`.
    pub metrics: Metrics,
    /// Who may reach `/-/health`, `/-/liveness`, `/-/readiness` and `/-/metrics`.
    pub monitoring_allowlist: Allowlist,
}

/// The state handlers receive.
#[derive(Debug, Clone)]
pub struct AppState(pub Arc<App>);

impl std::ops::Deref for AppState {
    type Target = App;

    fn deref(&self) -> &App {
        &self.0
    }
}
