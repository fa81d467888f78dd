//! `/-/metrics`: exact request counts by method, route template and status after a concurrent
//! burst; latency histograms; pool gauges; build info; the monitoring allowlist.

mod common;

use std::collections::{BTreeMap, HashMap};

use common::TestApp;
use reqwest::Method;

type Labels = BTreeMap<String, String>;

/// The samples of an OpenMetrics text: (name, labels) -> value.
fn parse(text: &str) -> HashMap<(String, Labels), f64> {
    let mut samples = HashMap::new();
    for line in text.lines().filter(|line| !line.starts_with('#')) {
        let (series, value) = line.rsplit_once(' ').expect("sample line");
        let (name, labels) = match series.split_once('{') {
            Some((name, labels)) => (name, labels.trim_end_matches('}')),
            None => (series, ""),
        };
        let labels = labels
            .split(',')
            .filter(|pair| !pair.is_empty())
            .map(|pair| {
                let (key, value) = pair.split_once('=').expect("label");
                (key.to_owned(), value.trim_matches('"').to_owned())
            })
            .collect();
        samples.insert((name.to_owned(), labels), value.parse().expect("value"));
    }
    samples
}

fn labels(pairs: &[(&str, &str)]) -> Labels {
    pairs
        .iter()
        .map(|(key, value)| ((*key).to_owned(), (*value).to_owned()))
        .collect()
}

struct Scrape(HashMap<(String, Labels), f64>);

impl Scrape {
    async fn take(app: &TestApp) -> Scrape {
        let response = app
            .http
            .get(format!("{}/-/metrics", app.root()))
            .send()
            .await
            .expect("scrape");
        assert_eq!(response.status(), 200);
        let content_type = response.headers()["content-type"]
            .to_str()
            .expect("content type")
            .to_owned();
        assert!(
            content_type.starts_with("application/openmetrics-text"),
            "{content_type}"
        );
        Scrape(parse(&response.text().await.expect("body")))
    }

    fn value(&self, name: &str, pairs: &[(&str, &str)]) -> f64 {
        self.0
            .get(&(name.to_owned(), labels(pairs)))
            .copied()
            .unwrap_or(0.0)
    }

    fn requests(&self, method: &str, route: &str, status: &str) -> f64 {
        self.value(
            "http_requests_total",
            &[("method", method), ("route", route), ("status", status)],
        )
    }
}

/// A route label is a template: literal segments and `{name}`s, or `unmatched`.
fn is_template(route: &str) -> bool {
    route == "unmatched"
        || route.split('/').skip(1).all(|segment| {
            (segment.starts_with('{') && segment.ends_with('}'))
                || segment == "-"
                || segment == "v4"
                || (!segment.is_empty()
                    && segment.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
        })
}

async fn counts_match_the_requests_sent(app: &TestApp) {
    let (group, group_path) = app.group(None, "public", None).await;
    let (user, _) = app.user("metrics").await;
    let encoded_path = group_path.replace('/', "%2F");
    let before = Scrape::take(app).await;

    // (method, path, token, expected status), each sent `times` times, all at once.
    let burst: Vec<(Method, String, bool, u16, usize)> = vec![
        (Method::GET, format!("/groups/{group}"), false, 200, 5),
        (
            Method::GET,
            format!("/groups/{encoded_path}"),
            false,
            200,
            2,
        ),
        (Method::GET, "/groups/999999999".into(), false, 404, 3),
        (Method::GET, format!("/users/{user}"), true, 200, 4),
        (Method::GET, "/projects".into(), false, 200, 6),
        (Method::PATCH, format!("/groups/{group}"), true, 405, 2),
        (
            Method::from_bytes(b"FOOBAR").expect("method"),
            format!("/groups/{group}"),
            false,
            405,
            2,
        ),
        (
            Method::GET,
            format!("/no/such/route/{group}"),
            false,
            404,
            3,
        ),
    ];
    let mut requests = tokio::task::JoinSet::new();
    for (method, path, admin, status, times) in &burst {
        for _ in 0..*times {
            let mut request = app
                .http
                .request(method.clone(), format!("{}{path}", app.base));
            if *admin {
                request = request.header("PRIVATE-TOKEN", common::ADMIN_TOKEN);
            }
            let (status, path) = (*status, path.clone());
            requests.spawn(async move {
                let response = request.send().await.expect("request");
                assert_eq!(response.status().as_u16(), status, "{path}");
            });
        }
    }
    while let Some(done) = requests.join_next().await {
        done.expect("request task");
    }

    let after = Scrape::take(app).await;
    let delta = |method: &str, route: &str, status: &str| {
        after.requests(method, route, status) - before.requests(method, route, status)
    };
    assert_eq!(delta("GET", "/api/v4/groups/{id}", "200"), 7.0);
    assert_eq!(delta("GET", "/api/v4/groups/{id}", "404"), 3.0);
    assert_eq!(delta("GET", "/api/v4/users/{id}", "200"), 4.0);
    assert_eq!(delta("GET", "/api/v4/projects", "200"), 6.0);
    assert_eq!(delta("PATCH", "/api/v4/groups/{id}", "405"), 2.0);
    assert_eq!(delta("GET", "unmatched", "404"), 3.0);
    // A method that is not HTTP's is labelled as one: no client makes new series.
    assert_eq!(delta("INVALID", "/api/v4/groups/{id}", "405"), 2.0);
    // A scrape is counted apart, once it is answered: the first shows in the second.
    assert_eq!(delta("GET", "/-/metrics", "200"), 0.0);
    let health = [
        ("method", "GET"),
        ("route", "/-/metrics"),
        ("status", "200"),
    ];
    assert_eq!(
        after.value("http_health_requests_total", &health)
            - before.value("http_health_requests_total", &health),
        1.0
    );

    // Nothing else moved: every counter's change is accounted for above.
    let moved: f64 = after
        .0
        .iter()
        .filter(|((name, _), _)| name == "http_requests_total")
        .map(|(key, value)| value - before.0.get(key).copied().unwrap_or(0.0))
        .sum();
    assert_eq!(moved, 7.0 + 3.0 + 4.0 + 6.0 + 2.0 + 2.0 + 3.0);

    // The histogram counts the same requests, per method and route.
    let route = [("method", "GET"), ("route", "/api/v4/groups/{id}")];
    let count = after.value("http_request_duration_seconds_count", &route)
        - before.value("http_request_duration_seconds_count", &route);
    assert_eq!(count, 10.0);
    let mut inf = route.to_vec();
    inf.push(("le", "+Inf"));
    assert_eq!(
        after.value("http_request_duration_seconds_bucket", &inf),
        after.value("http_request_duration_seconds_count", &route)
    );

    // Labels hold templates, never ids, paths or names.
    for (name, labels) in after.0.keys() {
        if let Some(route) = labels.get("route") {
            assert!(is_template(route), "{name} has route {route:?}");
            for raw in [group.to_string(), group_path.clone(), "999999999".into()] {
                assert!(!route.contains(&raw), "{name} has route {route:?}");
            }
        }
    }

    // The database pools and the build.
    let pools: Vec<&Labels> = after
        .0
        .keys()
        .filter(|(name, _)| name == "db_pool_connections")
        .map(|(_, labels)| labels)
        .collect();
    for state in ["in_use", "idle"] {
        assert!(
            pools
                .iter()
                .any(|l| l["pool"] == "read" && l["state"] == state),
            "{pools:?}"
        );
    }
    assert!(
        after
            .0
            .contains_key(&("db_pool_waiting".to_owned(), labels(&[("pool", "read")])))
    );
    assert_eq!(
        after.value(
            "orgcells_build_info",
            &[("version", env!("CARGO_PKG_VERSION"))]
        ),
        1.0
    );
}

both!(counts_match_the_requests_sent);

/// The allowlist is about addresses, not the database: SQLite only.
#[tokio::test]
async fn monitoring_endpoints_are_404_outside_the_allowlist() {
    let app = TestApp::sqlite_with(|config| {
        config.monitoring_allowlist = "10.0.0.0/8".parse().expect("allowlist");
    })
    .await;
    for path in ["/-/metrics", "/-/health", "/-/liveness", "/-/readiness"] {
        let response = app
            .http
            .get(format!("{}{path}", app.root()))
            .send()
            .await
            .expect("request");
        assert_eq!(response.status(), 404, "{path}");
        let body: serde_json::Value = response.json().await.expect("json");
        assert_eq!(
            body,
            serde_json::json!({"error": "404 Not Found"}),
            "{path}"
        );
    }
    // The API itself is not restricted.
    app.get(None, "/projects").await.expect(200);
    app.finish().await;
}
