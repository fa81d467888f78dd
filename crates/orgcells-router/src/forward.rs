//! Sending a request on to its Cell and its answer back, streamed both ways: neither body is
//! buffered, and neither may stall for longer than the upstream timeout (a stalled upload gets
//! a 408; a stalled answer is cut off). The Cell must answer the head within the upstream
//! timeout of the request being sent; a Cell that cannot be reached (or closes the connection
//! before answering) gets a 503 with `Retry-After`, one that does not answer in time a 504.

use std::net::SocketAddr;
use std::time::Duration;

use axum::body::Body;
use axum::extract::Request;
use axum::response::{IntoResponse, Response};
use http::header::{self, HeaderMap, HeaderName, HeaderValue};
use http::{StatusCode, Uri};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use orgcells_topology::CellEntry;

use crate::idle::{Idle, Progress, went_idle};

/// A JSON answer in GitLab's `{"message": ...}` shape.
pub fn message(status: StatusCode, text: impl Into<String>) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        serde_json::json!({ "message": text.into() }).to_string(),
    )
        .into_response()
}

/// How long a client waits before asking again when a Cell is away.
const RETRY_AFTER_SECONDS: &str = "5";

/// Headers that belong to one connection, not to the request: never passed on (RFC 9110 7.6.1).
const HOP_BY_HOP: &[&str] = &[
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
];

fn strip_hop_by_hop(headers: &mut HeaderMap) {
    let named: Vec<HeaderName> = headers
        .get_all(header::CONNECTION)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .filter_map(|name| HeaderName::try_from(name.trim()).ok())
        .collect();
    for name in &named {
        headers.remove(name);
    }
    for name in HOP_BY_HOP {
        headers.remove(*name);
    }
}

/// The connections to the Cells, pooled.
#[derive(Clone)]
pub struct Upstream {
    client: Client<HttpConnector, Body>,
    timeout: Duration,
}

impl Upstream {
    pub fn new(timeout: Duration) -> Upstream {
        let mut connector = HttpConnector::new();
        connector.set_nodelay(true);
        connector.set_connect_timeout(Some(timeout));
        let client = Client::builder(TokioExecutor::new())
            .pool_idle_timeout(Duration::from_secs(90))
            .build(connector);
        Upstream { client, timeout }
    }

    /// Sends `request` (from `peer`) to `cell` and streams back its answer.
    pub async fn send(&self, cell: &CellEntry, mut request: Request, peer: SocketAddr) -> Response {
        let target = match request.uri().path_and_query() {
            Some(path) => format!("{}{}", cell.address, path.as_str()),
            None => format!("{}/", cell.address),
        };
        let Ok(uri) = target.parse::<Uri>() else {
            return message(StatusCode::BAD_REQUEST, "the request's path is not valid");
        };
        *request.uri_mut() = uri;
        *request.version_mut() = http::Version::HTTP_11;
        let headers = request.headers_mut();
        strip_hop_by_hop(headers);
        forwarded_for(headers, peer);
        // Each body may go quiet for at most the timeout; the Cell has the timeout to answer
        // the head from the moment the request is all sent (an upload takes what it takes).
        let (ended, sent) = tokio::sync::oneshot::channel();
        let progress = Progress::default();
        let request = request.map(|body| {
            Body::new(Idle::new(
                body,
                self.timeout,
                Some(ended),
                Some(progress.clone()),
            ))
        });
        let answer = self.client.request(request);
        tokio::pin!(answer);
        let head_deadline = async {
            let _ = sent.await;
            tokio::time::sleep(self.timeout).await;
        };
        // A Cell that stops reading the upload: nobody polls its body any more, so neither
        // its idle timer nor the head deadline can fire; its silence, twice the timeout, does.
        let upload_stuck = async {
            loop {
                tokio::time::sleep(self.timeout / 2).await;
                if progress.quiet_for() > self.timeout * 2 {
                    return;
                }
            }
        };
        let answer = tokio::select! {
            answer = &mut answer => Some(answer),
            () = head_deadline => None,
            () = upload_stuck => None,
        };
        match answer {
            Some(Ok(answer)) => {
                let (mut parts, body) = answer.into_parts();
                strip_hop_by_hop(&mut parts.headers);
                Response::from_parts(parts, Body::new(Idle::new(body, self.timeout, None, None)))
            }
            Some(Err(error)) if went_idle(&error) => message(
                StatusCode::REQUEST_TIMEOUT,
                format!(
                    "408 Request Timeout: the request's body stalled for {} s",
                    self.timeout.as_secs_f64()
                ),
            ),
            Some(Err(error)) => self.away(cell, &error),
            None => self.late(cell),
        }
    }

    /// Asks `cell` for `path_and_query` with the client's `headers` (a `GET`), and reads the
    /// whole answer, of at most [`MAX_FETCHED`] bytes, within the upstream timeout: for answers
    /// the router merges. The error is the answer to give the client.
    pub async fn fetch(
        &self,
        cell: &CellEntry,
        path_and_query: &str,
        headers: &HeaderMap,
        peer: SocketAddr,
    ) -> Result<Fetched, Response> {
        let uri = format!("{}{path_and_query}", cell.address)
            .parse::<Uri>()
            .map_err(|_| message(StatusCode::BAD_REQUEST, "the request's path is not valid"))?;
        let mut request = Request::new(Body::empty());
        *request.uri_mut() = uri;
        *request.headers_mut() = headers.clone();
        let sent = request.headers_mut();
        strip_hop_by_hop(sent);
        sent.remove(header::CONTENT_LENGTH);
        forwarded_for(sent, peer);
        let read = async {
            let answer = self.client.request(request).await?;
            let (parts, body) = answer.into_parts();
            let body = axum::body::to_bytes(Body::new(body), MAX_FETCHED).await;
            Ok::<_, hyper_util::client::legacy::Error>((parts, body))
        };
        match tokio::time::timeout(self.timeout, read).await {
            Ok(Ok((parts, Ok(body)))) => Ok(Fetched {
                status: parts.status,
                headers: parts.headers,
                body,
            }),
            Ok(Ok((_, Err(error)))) => {
                tracing::warn!(cell = cell.id, %error, "reading a cell's answer");
                Err(message(
                    StatusCode::BAD_GATEWAY,
                    format!(
                        "Cell {} ({}) gave an answer too large to merge",
                        cell.id, cell.name
                    ),
                ))
            }
            Ok(Err(error)) => Err(self.away(cell, &error)),
            Err(_) => Err(self.late(cell)),
        }
    }

    /// Refused, or the connection closed before an answer: the Cell is away.
    fn away(&self, cell: &CellEntry, error: &dyn std::fmt::Display) -> Response {
        tracing::warn!(cell = cell.id, %error, "the cell cannot be reached");
        let mut answer = message(
            StatusCode::SERVICE_UNAVAILABLE,
            format!("Cell {} ({}) is unavailable", cell.id, cell.name),
        );
        answer.headers_mut().insert(
            header::RETRY_AFTER,
            HeaderValue::from_static(RETRY_AFTER_SECONDS),
        );
        answer
    }

    fn late(&self, cell: &CellEntry) -> Response {
        tracing::warn!(cell = cell.id, timeout = ?self.timeout, "the cell did not answer in time");
        message(
            StatusCode::GATEWAY_TIMEOUT,
            format!(
                "Cell {} ({}) did not answer within {} s",
                cell.id,
                cell.name,
                self.timeout.as_secs_f64()
            ),
        )
    }
}

/// The most the router reads of one Cell's answer to merge: a page of 100 rows is far less.
pub const MAX_FETCHED: usize = 16 * 1024 * 1024;

/// A Cell's whole answer.
#[derive(Debug)]
pub struct Fetched {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: axum::body::Bytes,
}

/// Appends the client's address to `X-Forwarded-For`.
fn forwarded_for(headers: &mut HeaderMap, peer: SocketAddr) {
    let name = HeaderName::from_static("x-forwarded-for");
    let value = match headers.get(&name).and_then(|v| v.to_str().ok()) {
        Some(earlier) => format!("{earlier}, {}", peer.ip()),
        None => peer.ip().to_string(),
    };
    if let Ok(value) = HeaderValue::try_from(value) {
        headers.insert(name, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connection_headers_are_not_passed_on() {
        let mut headers = HeaderMap::new();
        for (name, value) in [
            ("connection", "keep-alive, x-private"),
            ("keep-alive", "timeout=5"),
            ("x-private", "1"),
            ("transfer-encoding", "chunked"),
            ("upgrade", "websocket"),
            ("private-token", "glpat-x"),
            ("content-type", "application/json"),
        ] {
            headers.insert(
                HeaderName::from_static(name),
                HeaderValue::from_static(value),
            );
        }
        strip_hop_by_hop(&mut headers);
        let mut left: Vec<&str> = headers.keys().map(HeaderName::as_str).collect();
        left.sort_unstable();
        assert_eq!(left, ["content-type", "private-token"]);
    }

    #[test]
    fn the_client_address_is_appended() {
        let peer: SocketAddr = "10.0.0.9:4000".parse().expect("addr");
        let mut headers = HeaderMap::new();
        forwarded_for(&mut headers, peer);
        assert_eq!(headers["x-forwarded-for"], "10.0.0.9");
        forwarded_for(&mut headers, peer);
        assert_eq!(headers["x-forwarded-for"], "10.0.0.9, 10.0.0.9");
    }
}
