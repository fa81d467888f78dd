//! The router of an orgcells cluster (SPEC section 10): one front door that sends every request
//! to the Cell that owns it and streams the answer back.
//!
//! A request is classified by `orgcells_core::routing` from its head (or, for the few creations
//! that name their owner only in their body, from that small body: see [`body`]). A class that
//! names a Cell is sent there at once; an Organization path or a top-level route is resolved by
//! the topology service, remembered by the [`classifier::Classifier`]. The Cells' addresses come
//! from the topology too, refreshed on a schedule; while the topology is away the router goes on
//! from what it remembers.
//!
//! The monitoring endpoints (`/-/health`, `/-/liveness`, `/-/readiness`, `/-/metrics`) are never
//! passed on: each Cell would see the router's loopback address and let anyone in. The router
//! answers them itself, for loopback clients only.

pub mod body;
pub mod cells;
pub mod classifier;
pub mod forward;
pub mod idle;
pub mod merge;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{ConnectInfo, Request, State};
use axum::response::{IntoResponse, Response};
use http::{HeaderValue, StatusCode, header};
use orgcells_core::ids::CellId;
use orgcells_core::routing::{self, IdKind, RequestHead, Route};
use orgcells_topology::{CellEntry, ClusterSecret, Directory, Unanswered};
use tokio::net::TcpListener;

use crate::cells::Cells;
use crate::classifier::{Classification, Classifier, Expiry, Kind};
use crate::forward::{Upstream, message};

/// What a router needs.
#[derive(Debug, Clone)]
pub struct RouterConfig {
    /// The topology service's gRPC address.
    pub topology_url: String,
    pub secret: ClusterSecret,
    /// How long a Cell has to answer a request's head (GitLab's default: 10 s).
    pub upstream_timeout: Duration,
    /// How long the topology has to answer a classification.
    pub topology_timeout: Duration,
    /// How often the list of Cells is fetched again.
    pub refresh_every: Duration,
    pub expiry: Expiry,
    /// The address clients reach the cluster at, for the links of merged lists (the request's
    /// `Host` when unset).
    pub external_url: Option<String>,
}

impl RouterConfig {
    pub fn new(topology_url: &str, secret: ClusterSecret) -> RouterConfig {
        RouterConfig {
            topology_url: topology_url.to_owned(),
            secret,
            upstream_timeout: Duration::from_secs(10),
            topology_timeout: Duration::from_secs(2),
            refresh_every: Duration::from_secs(5),
            expiry: Expiry::default(),
            external_url: None,
        }
    }
}

struct Router {
    external_url: Option<String>,
    directory: Directory,
    cells: Cells,
    classifier: Classifier,
    upstream: Upstream,
}

type Shared = Arc<Router>;

/// A router that is serving.
pub struct RunningRouter {
    pub addr: SocketAddr,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
    refresher: tokio::task::JoinHandle<()>,
    follower: tokio::task::JoinHandle<()>,
    shutdown: tokio::sync::oneshot::Sender<()>,
}

impl RunningRouter {
    /// Stops accepting and finishes the requests under way.
    pub async fn stop(self) -> std::io::Result<()> {
        self.refresher.abort();
        self.follower.abort();
        let _ = self.shutdown.send(());
        self.server.await.map_err(std::io::Error::other)?
    }

    /// Serves until `signal`, then stops.
    pub async fn wait(self, signal: impl std::future::Future<Output = ()>) -> std::io::Result<()> {
        signal.await;
        self.stop().await
    }
}

/// Why a router could not start.
#[derive(Debug, thiserror::Error)]
#[error("the topology URL {url}: {source}")]
pub struct BadTopologyUrl {
    url: String,
    source: Box<dyn std::error::Error + Send + Sync>,
}

/// Starts routing on `listener`: the Cells are listed from the topology at once and then every
/// `refresh_every`.
pub async fn start(
    listener: TcpListener,
    config: &RouterConfig,
) -> Result<RunningRouter, BadTopologyUrl> {
    let directory = Directory::new(
        &config.topology_url,
        config.secret.clone(),
        config.topology_timeout,
    )
    .map_err(|source| BadTopologyUrl {
        url: config.topology_url.clone(),
        source: Box::new(source),
    })?;
    let router = Arc::new(Router {
        external_url: config
            .external_url
            .as_ref()
            .map(|url| url.trim_end_matches('/').to_owned()),
        classifier: Classifier::new(directory.clone(), config.expiry),
        directory,
        cells: Cells::default(),
        upstream: Upstream::new(config.upstream_timeout),
    });
    refresh(&router).await;
    let refresher = tokio::spawn(keep_refreshing(router.clone(), config.refresh_every));
    let follower = tokio::spawn(follow_switches(router.clone()));
    let addr = listener
        .local_addr()
        .unwrap_or_else(|_| SocketAddr::from(([127, 0, 0, 1], 0)));
    let app = axum::Router::new()
        .fallback(route)
        .with_state(router)
        .into_make_service_with_connect_info::<SocketAddr>();
    let (shutdown, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let _ = stopped.await;
            })
            .await
    });
    Ok(RunningRouter {
        addr,
        server,
        refresher,
        follower,
        shutdown,
    })
}

async fn refresh(router: &Router) {
    match router.directory.cells().await {
        Ok(cells) => router.cells.replace(cells),
        Err(error) => {
            tracing::warn!(%error, "listing the cells; routing goes on from the last list")
        }
    }
}

async fn keep_refreshing(router: Shared, every: Duration) {
    loop {
        tokio::time::sleep(every).await;
        refresh(&router).await;
    }
}

/// How often the router asks whether an Organization has moved. A source Cell keeps a moved
/// Organization's rows for longer than this after the switch.
const SWITCHES_EVERY: Duration = Duration::from_millis(200);

/// Follows the switches of moved Organizations: each new one empties the classifier, so paths
/// and ids are asked again and reach the Organization's new Cell.
async fn follow_switches(router: Shared) {
    let mut last = 0;
    loop {
        // Bounded: 100 pages of 1,000 a round.
        for _ in 0..100 {
            let after = last;
            let switches = match router.directory.switches(after, 1000).await {
                Ok(switches) => switches,
                Err(error) => {
                    tracing::debug!(%error, "following moved Organizations");
                    break;
                }
            };
            let Some(newest) = switches.iter().map(|(seq, _)| *seq).max() else {
                break;
            };
            // Every switch seen empties the classifier, the first ones too: the router may
            // have remembered answers while the topology was away.
            tracing::info!(organizations = ?switches.iter().map(|(_, org)| *org).collect::<Vec<_>>(), "organizations moved: forgetting where things were");
            router.classifier.forget_all();
            last = newest;
            if switches.len() < 1000 {
                break;
            }
        }
        tokio::time::sleep(SWITCHES_EVERY).await;
    }
}

const MONITORING: &[&str] = &["/-/health", "/-/liveness", "/-/readiness", "/-/metrics"];

/// Every request: the router's own monitoring, else classified and sent on.
async fn route(
    State(router): State<Shared>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    request: Request,
) -> Response {
    let path = request.uri().path();
    if MONITORING.contains(&path) {
        return monitoring(&router, path, peer);
    }
    // What the Cells ask each other is never asked from outside.
    if path.starts_with("/-/cells/") {
        return message(StatusCode::NOT_FOUND, "404 Not Found");
    }
    if let Some(rule) = routing::body_rule(request.method().as_str(), path) {
        let (params, request) = match body::params(request).await {
            Ok(read) => read,
            Err(refused) => return refused,
        };
        let target = Target::from(routing::classify_body(rule, |name| {
            body::param(&params, name)
        }));
        return match router.resolve(target).await {
            Ok((cell, _)) => {
                let answer = router.upstream.send(&cell, request, peer).await;
                if rule == routing::BodyRule::NewOrganization
                    && answer.status() == StatusCode::CREATED
                {
                    router.cells.placed(cell.id);
                }
                answer
            }
            Err(refused) => refused,
        };
    }
    let (target, spanning) = {
        let header = |name: header::HeaderName| {
            request
                .headers()
                .get(name)
                .and_then(|value| value.to_str().ok())
        };
        let head = RequestHead {
            path,
            query: request.uri().query(),
            cookie: header(header::COOKIE),
            private_token: header(header::HeaderName::from_static("private-token")),
            authorization: header(header::AUTHORIZATION),
        };
        let spanning = routing::spanning(request.method().as_str(), &head);
        (Target::from(routing::classify(&head)), spanning)
    };
    if let Some(list) = spanning
        && let Some(answer) = router
            .merged(list, request.uri().clone(), request.headers().clone(), peer)
            .await
    {
        return answer;
    }
    let resolved = router.resolve(target).await;
    match resolved {
        Ok((cell, remembered)) => {
            let answer = router.upstream.send(&cell, request, peer).await;
            // A remembered answer the Cell answers 404 to is doubted (the path may have moved
            // or gone): the next request asks the topology again.
            if answer.status() == StatusCode::NOT_FOUND
                && let Some(key) = remembered
            {
                router.classifier.doubt(&key);
            }
            answer
        }
        Err(refused) => refused,
    }
}

/// A classified request, owned: it outlives the borrow of the request it came from (a
/// request's body may not be shared across threads, so the head cannot be held while waiting).
enum Target {
    Cell(CellId),
    Id(IdKind, i64),
    Organization(String),
    TopLevel(String),
    Placement,
    FirstCell,
}

impl From<Route<'_>> for Target {
    fn from(route: Route<'_>) -> Target {
        match route {
            Route::Cell(id) => Target::Cell(id),
            Route::Id(kind, id) => Target::Id(kind, id),
            Route::Organization(path) => Target::Organization(path.to_owned()),
            Route::TopLevel(path) => Target::TopLevel(path.to_owned()),
            Route::Placement => Target::Placement,
            Route::FirstCell => Target::FirstCell,
        }
    }
}

impl Router {
    /// The Cell a request goes to, and the remembered classification it came from, if any. An
    /// id from a range no Cell has goes to the first Cell, which answers 404.
    async fn resolve(
        &self,
        target: Target,
    ) -> Result<(CellEntry, Option<classifier::Key>), Response> {
        let classified = match target {
            Target::Cell(id) => {
                let cell = self.cell(id).or_else(|| self.cells.first());
                return Ok((cell.ok_or_else(unknown_cells)?, None));
            }
            Target::FirstCell => return Ok((self.cells.first().ok_or_else(unknown_cells)?, None)),
            Target::Placement => {
                return Ok((self.cells.placement().ok_or_else(unknown_cells)?, None));
            }
            Target::Organization(path) => {
                self.classifier.cell_of(Kind::OrganizationPath, &path).await
            }
            Target::TopLevel(path) => self.classifier.cell_of(Kind::TopLevel, &path).await,
            Target::Id(kind, id) => {
                let kind = match kind {
                    IdKind::Namespace => Kind::NamespaceId,
                    IdKind::Project => Kind::ProjectId,
                    IdKind::Organization => Kind::OrganizationId,
                };
                // With the topology away and nothing remembered, the id's range decides.
                self.classifier
                    .cell_of(kind, &id.to_string())
                    .await
                    .or_else(|_| {
                        Ok(Classification {
                            cell: CellId::of_id(id).0,
                            remembered: None,
                        })
                    })
            }
        };
        let Classification { cell, remembered } = classified.map_err(topology_away)?;
        let cell = self.cell(CellId(cell)).ok_or_else(unknown_cells)?;
        Ok((cell, remembered))
    }

    /// A list every Cell holds a share of, merged (see [`merge`]); `None` when its paging is
    /// not readable, for one Cell to refuse.
    async fn merged(
        &self,
        list: routing::Spanning,
        uri: http::Uri,
        headers: http::HeaderMap,
        peer: SocketAddr,
    ) -> Option<Response> {
        let cells = self.cells.table();
        if cells.is_empty() {
            return Some(unknown_cells());
        }
        let base = match &self.external_url {
            Some(url) => url.clone(),
            None => {
                let host = headers
                    .get(header::HOST)
                    .and_then(|value| value.to_str().ok())
                    .unwrap_or("localhost");
                format!("http://{host}")
            }
        };
        let asked = merge::Request {
            list,
            uri: &uri,
            headers: &headers,
            peer,
            base: &base,
        };
        merge::answer(&self.upstream, &cells, asked).await
    }

    fn cell(&self, id: CellId) -> Option<CellEntry> {
        self.cells.get(id)
    }
}

fn unavailable(text: String) -> Response {
    let mut answer = message(StatusCode::SERVICE_UNAVAILABLE, text);
    answer
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
    answer
}

fn topology_away(error: Unanswered) -> Response {
    tracing::warn!(%error, "classifying a request");
    unavailable(
        "The topology service is unavailable and this request's Cell is not known yet".to_owned(),
    )
}

fn unknown_cells() -> Response {
    unavailable("The router does not know the cluster's Cells yet".to_owned())
}

/// The router's own health, for loopback clients; a 404 for anyone else, as GitLab's
/// monitoring allowlist answers.
fn monitoring(router: &Router, path: &str, peer: SocketAddr) -> Response {
    if !peer.ip().to_canonical().is_loopback() {
        return message(StatusCode::NOT_FOUND, "404 Not Found");
    }
    let ready = router.cells.known();
    match path {
        "/-/health" => (StatusCode::OK, "GitLab OK").into_response(),
        "/-/liveness" => axum::Json(serde_json::json!({ "status": "ok" })).into_response(),
        "/-/readiness" => {
            let status = if ready { "ok" } else { "failed" };
            let code = if ready {
                StatusCode::OK
            } else {
                StatusCode::SERVICE_UNAVAILABLE
            };
            (
                code,
                axum::Json(serde_json::json!({ "status": status, "cells_known": ready })),
            )
                .into_response()
        }
        _ => message(StatusCode::NOT_FOUND, "404 Not Found"),
    }
}
