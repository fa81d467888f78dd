//! Prometheus metrics, served at `/-/metrics` in the OpenMetrics text format, with GitLab's
//! names where it has them (`http_requests_total`, `http_request_duration_seconds`).
//!
//! Requests are labelled by route template (`/api/v4/groups/{id}`), never by raw path, so no id
//! or name reaches a label; requests that matched no route are `unmatched`.

use std::time::Duration;

use orgcells_service::PoolStats;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::{Registry, Unit};

/// The content type of [`Metrics::encode`]'s text.
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// Latency buckets in seconds, for an API that mostly answers in milliseconds.
const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    route: String,
    status: u16,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    method: String,
    route: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PoolLabels {
    pool: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PoolStateLabels {
    pool: &'static str,
    state: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct BuildLabels {
    version: &'static str,
}

fn latency_histogram() -> Histogram {
    Histogram::new(BUCKETS)
}

/// The process's metrics: a registry and handles on its families.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    health_requests: Family<RequestLabels, Counter>,
    durations: Family<RouteLabels, Histogram, fn() -> Histogram>,
    pool_connections: Family<PoolStateLabels, Gauge>,
    pool_waiting: Family<PoolLabels, Gauge>,
}

impl Default for Metrics {
    fn default() -> Metrics {
        Metrics::new()
    }
}

impl Metrics {
    pub fn new() -> Metrics {
        let mut registry = Registry::default();
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "http_requests",
            "Requests answered, by method, route template and status",
            requests.clone(),
        );
        let health_requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "http_health_requests",
            "Health checks and scrapes answered (`/-/...`), by method, route and status",
            health_requests.clone(),
        );
        let durations = Family::<RouteLabels, Histogram, fn() -> Histogram>::new_with_constructor(
            latency_histogram,
        );
        registry.register_with_unit(
            "http_request_duration",
            "Time to answer a request, by method and route template",
            Unit::Seconds,
            durations.clone(),
        );
        let pool_connections = Family::<PoolStateLabels, Gauge>::default();
        registry.register(
            "db_pool_connections",
            "Database connections by pool (SQLite: read, write; PostgreSQL: read, its one pool serving both) and state (in_use, idle)",
            pool_connections.clone(),
        );
        let pool_waiting = Family::<PoolLabels, Gauge>::default();
        registry.register(
            "db_pool_waiting",
            "Tasks waiting for a database connection, by pool",
            pool_waiting.clone(),
        );
        let build = Family::<BuildLabels, Gauge>::default();
        build
            .get_or_create(&BuildLabels {
                version: env!("CARGO_PKG_VERSION"),
            })
            .set(1);
        registry.register(
            "orgcells_build_info",
            "The running build: always 1, its version in a label",
            build,
        );
        Metrics {
            registry,
            requests,
            health_requests,
            durations,
            pool_connections,
            pool_waiting,
        }
    }

    /// Counts one answered request. `route` is a route template or `unmatched`.
    pub fn observe(&self, method: &str, route: &str, status: u16, elapsed: Duration) {
        let labels = RouteLabels {
            method: method.to_owned(),
            route: route.to_owned(),
        };
        self.durations
            .get_or_create(&labels)
            .observe(elapsed.as_secs_f64());
        self.requests
            .get_or_create(&RequestLabels {
                method: labels.method,
                route: labels.route,
                status,
            })
            .inc();
    }

    /// Counts one answered health check or scrape, apart from the API's requests (as GitLab's
    /// `http_health_requests_total`), so a scrape does not move the counters it reads.
    pub fn observe_health(&self, method: &str, route: &str, status: u16) {
        self.health_requests
            .get_or_create(&RequestLabels {
                method: method.to_owned(),
                route: route.to_owned(),
                status,
            })
            .inc();
    }

    /// The OpenMetrics text of every metric, the pool gauges read now from `pools`.
    pub fn encode(&self, pools: &[PoolStats]) -> String {
        for stats in pools {
            let pool = stats.pool;
            for (state, value) in [("in_use", stats.in_use), ("idle", stats.idle)] {
                self.pool_connections
                    .get_or_create(&PoolStateLabels { pool, state })
                    .set(value);
            }
            self.pool_waiting
                .get_or_create(&PoolLabels { pool })
                .set(stats.waiting);
        }
        let mut text = String::new();
        // Writing to a String cannot fail.
        let _ = encode(&mut text, &self.registry);
        text
    }
}
