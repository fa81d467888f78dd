//! Every request observed once: its request id (`X-Request-Id`, taken from the client when sane,
//! made fresh otherwise, and returned), its count and latency in [`crate::metrics`], and one
//! structured log line (target `orgcells::request`) with method, route template, status,
//! duration, the caller's User id and the request id. Headers, query strings and bodies are
//! never logged, so tokens, passwords and cookies cannot reach a log line.
//!
//! Two pieces: [`observe`] wraps the whole router (so 404s and 405s are seen too), and
//! [`record_route`] runs inside routing, where axum knows the matched route template.

use orgcells_core::ids::UserId;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument;

use crate::AppState;
use crate::error::Failure;

pub const X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The route label of a request that matched no route.
pub const UNMATCHED: &str = "unmatched";

/// The longest request id taken from a client.
const REQUEST_ID_LIMIT: usize = 128;

/// What the layers inside learn about a request, for its log line: the route template and
/// the caller. Put in the request's extensions by [`observe`].
#[derive(Debug, Clone, Default)]
pub struct RequestContext(Arc<Learned>);

#[derive(Debug, Default)]
struct Learned {
    route: OnceLock<MatchedPath>,
    caller: Mutex<Who>,
}

#[derive(Debug, Default, Clone, Copy)]
struct Who {
    user_id: Option<i64>,
    sudo_by: Option<i64>,
}

impl RequestContext {
    /// The User the request acts as (after sudo).
    pub fn record_user(&self, user_id: Option<UserId>) {
        if let Ok(mut who) = self.0.caller.lock() {
            who.user_id = user_id.map(i64::from);
        }
    }

    /// The admin who sudoed as the User recorded by [`RequestContext::record_user`].
    pub fn record_sudo_by(&self, admin_id: Option<UserId>) {
        if let Ok(mut who) = self.0.caller.lock() {
            who.sudo_by = admin_id.map(i64::from);
        }
    }

    fn route(&self) -> &str {
        self.0.route.get().map_or(UNMATCHED, MatchedPath::as_str)
    }

    fn who(&self) -> Who {
        self.0.caller.lock().map(|who| *who).unwrap_or_default()
    }
}

/// The client's `X-Request-Id` if sane (1 to 128 visible ASCII characters), else a fresh one.
fn request_id_of(headers: &HeaderMap) -> String {
    headers
        .get(&X_REQUEST_ID)
        .and_then(|value| value.to_str().ok())
        .filter(|id| {
            !id.is_empty()
                && id.len() <= REQUEST_ID_LIMIT
                && id.bytes().all(|b| b.is_ascii_graphic())
        })
        .map_or_else(fresh_request_id, str::to_owned)
}

/// 26 random hex digits (104 bits).
fn fresh_request_id() -> String {
    format!("{:026x}", rand::random::<u128>() >> 24)
}

/// The operator endpoints (`/-/health`, `/-/metrics`, ...) are polled constantly: their lines
/// are logged at debug, every other request's at info.
/// The method as labels and logs show it: one of HTTP's, or `INVALID` for any other string a
/// client sends (as GitLab labels them), so no client can make new series.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "INVALID",
    }
}

fn is_monitoring(route: &str) -> bool {
    route.starts_with("/-/")
}

/// What the one log line of a request says.
struct RequestLine<'a> {
    method: &'static str,
    route: &'a str,
    status: u16,
    duration_ms: f64,
    who: Who,
    request_id: &'a str,
}

impl RequestLine<'_> {
    /// Logs the line at `level` (error, debug or info: tracing takes a level known at compile
    /// time, so each has its own event).
    fn log(&self, level: tracing::Level) {
        macro_rules! line {
            ($level:expr) => {
                tracing::event!(
                    target: "orgcells::request",
                    $level,
                    method = %self.method,
                    route = self.route,
                    status = self.status,
                    duration_ms = self.duration_ms,
                    user_id = self.who.user_id,
                    sudo_by = self.who.sudo_by,
                    request_id = %self.request_id,
                    "{} {} {}",
                    self.method,
                    self.route,
                    self.status,
                )
            };
        }
        match level {
            tracing::Level::ERROR => line!(tracing::Level::ERROR),
            tracing::Level::DEBUG => line!(tracing::Level::DEBUG),
            _ => line!(tracing::Level::INFO),
        }
    }
}

/// Middleware around the whole router: request id, metrics, the log line.
pub async fn observe(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let started = Instant::now();
    let request_id = request_id_of(request.headers());
    let context = RequestContext::default();
    request.extensions_mut().insert(context.clone());
    let method = method_label(request.method());
    let span = tracing::info_span!("request", request_id = %request_id);
    let mut response = next.run(request).instrument(span).await;

    let elapsed = started.elapsed();
    let route = context.route();
    let status = response.status().as_u16();
    if is_monitoring(route) {
        state.metrics.observe_health(method, route, status);
    } else {
        state.metrics.observe(method, route, status, elapsed);
    }
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert(X_REQUEST_ID, value);
    }
    let line = RequestLine {
        method,
        route,
        status,
        duration_ms: elapsed.as_micros() as f64 / 1000.0,
        who: context.who(),
        request_id: &request_id,
    };
    if let Some(Failure(cause)) = response.extensions_mut().remove::<Failure>() {
        // A server error: its cause with the request's id, and its line, kept by any filter.
        tracing::error!(target: "orgcells::request", error = %cause, %request_id, route, "request failed");
        line.log(tracing::Level::ERROR);
    } else if is_monitoring(route) {
        line.log(tracing::Level::DEBUG);
    } else {
        line.log(tracing::Level::INFO);
    }
    response
}

/// Route-layer middleware: records the matched route template for [`observe`].
pub async fn record_route(request: Request, next: Next) -> Response {
    if let (Some(path), Some(context)) = (
        request.extensions().get::<MatchedPath>(),
        request.extensions().get::<RequestContext>(),
    ) {
        let _ = context.0.route.set(path.clone());
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id_for(value: &str) -> String {
        let mut headers = HeaderMap::new();
        headers.insert(X_REQUEST_ID, HeaderValue::from_str(value).expect("header"));
        request_id_of(&headers)
    }

    #[test]
    fn a_sane_request_id_is_kept_and_others_replaced() {
        assert_eq!(id_for("abc-123_XYZ"), "abc-123_XYZ");
        assert_eq!(id_for(&"a".repeat(128)), "a".repeat(128));
        for bad in ["", "has space", &"a".repeat(129)] {
            let id = id_for(bad);
            assert_ne!(id, bad);
            assert_eq!(id.len(), 26, "{id}");
            assert!(id.bytes().all(|b| b.is_ascii_hexdigit()), "{id}");
        }
        assert_eq!(request_id_of(&HeaderMap::new()).len(), 26);
    }
}
