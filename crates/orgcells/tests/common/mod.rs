//! The test harness: each test gets its own server on port 0 and its own database (a fresh
//! SQLite file, or a fresh PostgreSQL database that is dropped afterwards).
//!
//! Every test body runs on both backends through [`both!`]. Where PostgreSQL cannot be reached
//! the PostgreSQL half FAILS, unless `ORGCELLS_TEST_SKIP_POSTGRES=1` opts out: then the half is
//! skipped, said loudly, and counted as one line in [`skipped_file`] (`scripts/test` prints the
//! count as its last line). Under `CI=true` there is no opting out.

#![allow(dead_code)]

pub mod cluster;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

use orgcells::{Config, Running};
use orgcells_core::ids::CellId;
use orgcells_service::bootstrap::AdminSetup;
use serde_json::{Value, json};

pub const ADMIN_TOKEN: &str = "glpat-test-admin-token-000001";
const POSTGRES_ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// The PostgreSQL server the tests use: `ORGCELLS_TEST_POSTGRES`, or the local default.
fn postgres_admin_url() -> String {
    std::env::var("ORGCELLS_TEST_POSTGRES").unwrap_or_else(|_| POSTGRES_ADMIN_URL.into())
}

/// Where each skipped PostgreSQL half appends a line: `ORGCELLS_TEST_SKIPPED_FILE`, or
/// `postgres-halves-skipped` in Cargo's target directory (the parent of its `target/tmp`).
pub fn skipped_file() -> PathBuf {
    if let Some(path) = std::env::var_os("ORGCELLS_TEST_SKIPPED_FILE") {
        return PathBuf::from(path);
    }
    let tmp = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"));
    tmp.parent().unwrap_or(tmp).join("postgres-halves-skipped")
}

/// PostgreSQL cannot be reached: fails the test, unless `ORGCELLS_TEST_SKIP_POSTGRES` opts out
/// (never under `CI=true`); a skip is counted in [`skipped_file`].
fn postgres_unreachable(admin_url: &str, error: &dyn std::fmt::Display) {
    let ci = std::env::var("CI").as_deref() == Ok("true");
    let opted_out = matches!(
        std::env::var("ORGCELLS_TEST_SKIP_POSTGRES").as_deref(),
        Ok("1" | "true" | "yes")
    );
    if ci {
        panic!(
            "PostgreSQL is required under CI=true and cannot be reached at {admin_url}: {error}"
        );
    }
    if !opted_out {
        panic!(
            "PostgreSQL cannot be reached at {admin_url} (ORGCELLS_TEST_POSTGRES): {error}. \
             Start it, or set ORGCELLS_TEST_SKIP_POSTGRES=1 to skip the PostgreSQL halves \
             (each skip is counted in {})",
            skipped_file().display()
        );
    }
    let test = std::thread::current()
        .name()
        .unwrap_or("unnamed test")
        .to_owned();
    let binary = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_default();
    let file = skipped_file();
    if let Some(dir) = file.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    use std::io::Write;
    let recorded = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&file)
        .and_then(|mut out| out.write_all(format!("{binary} {test}\n").as_bytes()));
    if let Err(write_error) = recorded {
        panic!(
            "the PostgreSQL half of {test} is skipped and cannot be counted in {}: {write_error}",
            file.display()
        );
    }
    eprintln!(
        "\n!!! POSTGRESQL NOT REACHABLE at {admin_url} ({error}): the PostgreSQL half of {test} did NOT run (ORGCELLS_TEST_SKIP_POSTGRES; counted in {}) !!!\n",
        file.display()
    );
}

/// A fresh PostgreSQL database: its URL and name. `None` when PostgreSQL cannot be reached and
/// `ORGCELLS_TEST_SKIP_POSTGRES` opts out (said loudly and counted); otherwise that fails.
pub async fn fresh_postgres_database() -> Option<(String, String)> {
    use sqlx::Connection;
    let admin_url = postgres_admin_url();
    let mut conn = match sqlx::PgConnection::connect(&admin_url).await {
        Ok(conn) => conn,
        Err(error) => {
            postgres_unreachable(&admin_url, &error);
            return None;
        }
    };
    let name = unique("orgcells_test").replace('-', "_");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .expect("create test database");
    let url = match admin_url.rsplit_once('/') {
        Some((server, _)) => format!("{server}/{name}"),
        None => panic!("bad ORGCELLS_TEST_POSTGRES"),
    };
    Some((url, name))
}

/// Drops a database [`fresh_postgres_database`] made.
pub async fn drop_postgres_database(name: &str) {
    use sqlx::Connection;
    if let Ok(mut conn) = sqlx::PgConnection::connect(&postgres_admin_url()).await {
        let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .execute(&mut conn)
            .await;
    }
}

/// [`drop_postgres_database`] from a `Drop`: on a thread and runtime of its own, since the
/// test's runtime may be the one unwinding.
pub fn drop_postgres_database_blocking(name: String) {
    let dropper = std::thread::spawn(move || {
        if let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        {
            runtime.block_on(drop_postgres_database(&name));
        }
    });
    let _ = dropper.join();
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A unique suffix for names in this process.
pub fn unique(prefix: &str) -> String {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("{prefix}-{}-{n}", std::process::id())
}

/// The ids of a list answer's items.
pub fn ids(body: &Value) -> Vec<i64> {
    body.as_array()
        .map(|rows| rows.iter().filter_map(|r| r["id"].as_i64()).collect())
        .unwrap_or_default()
}

pub struct TestApp {
    pub base: String,
    pub http: reqwest::Client,
    running: Option<Running>,
    config: Config,
    data_dir: PathBuf,
    postgres_db: Option<String>,
}

/// A response: status and JSON body (Null when empty).
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub body: Value,
    pub headers: reqwest::header::HeaderMap,
}

impl Reply {
    pub fn id(&self) -> i64 {
        self.body["id"]
            .as_i64()
            .unwrap_or_else(|| panic!("no id in {} {}", self.status, self.body))
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    }

    #[track_caller]
    pub fn expect(self, status: u16) -> Reply {
        assert_eq!(
            self.status, status,
            "unexpected status; body: {}",
            self.body
        );
        self
    }
}

fn config(data_dir: PathBuf, database_url: Option<String>) -> Config {
    Config {
        listen: SocketAddr::from(([127, 0, 0, 1], 0)),
        data_dir,
        database_url,
        external_url: None,
        cell: CellId(1),
        admin: AdminSetup {
            token: Some(ADMIN_TOKEN.into()),
            password: None,
        },
        allow_organization_creation: false,
        monitoring_allowlist: orgcells_api::Allowlist::loopback(),
        topology_url: None,
        cluster_secret: None,
        lease_stale_after: std::time::Duration::from_secs(600),
        upstream_timeout: std::time::Duration::from_secs(10),
        organization_retention: std::time::Duration::from_secs(7 * 86_400),
        smtp_url: None,
        mail_from: None,
    }
}

impl TestApp {
    async fn launch(config: Config, postgres_db: Option<String>) -> TestApp {
        let data_dir = config.data_dir.clone();
        std::fs::create_dir_all(&data_dir).expect("data dir");
        let running = orgcells::start(&config).await.expect("start orgcells");
        let base = format!("http://{}/api/v4", running.addr);
        TestApp {
            base,
            http: reqwest::Client::new(),
            running: Some(running),
            config,
            data_dir,
            postgres_db,
        }
    }

    pub async fn sqlite() -> TestApp {
        TestApp::sqlite_with(|_| {}).await
    }

    /// A server on SQLite whose configuration `adjust` changes first.
    pub async fn sqlite_with(adjust: impl FnOnce(&mut Config)) -> TestApp {
        let dir = std::env::temp_dir().join(unique("orgcells-test"));
        let mut config = config(dir, None);
        adjust(&mut config);
        TestApp::launch(config, None).await
    }

    /// The configuration the server was started with.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The server's address without `/api/v4`, for the operator endpoints (`/-/health`).
    pub fn root(&self) -> &str {
        self.base.trim_end_matches("/api/v4")
    }

    /// A server on a fresh PostgreSQL database. Where none can be reached this fails, or with
    /// `ORGCELLS_TEST_SKIP_POSTGRES=1` (outside CI) gives `None`, loudly and counted.
    pub async fn postgres() -> Option<TestApp> {
        TestApp::postgres_with(|_| {}).await
    }

    /// A server on a fresh PostgreSQL database whose configuration `adjust` changes first.
    pub async fn postgres_with(adjust: impl FnOnce(&mut Config)) -> Option<TestApp> {
        let (url, name) = fresh_postgres_database().await?;
        let dir = std::env::temp_dir().join(unique("orgcells-test-pg"));
        let mut config = config(dir, Some(url));
        adjust(&mut config);
        Some(TestApp::launch(config, Some(name)).await)
    }

    /// Another server on the same backend as this one (a fresh database of its own), whose
    /// configuration `adjust` changes first: a second Cell, another instance setting.
    pub async fn another(&self, adjust: impl FnOnce(&mut Config)) -> TestApp {
        if self.postgres_db.is_some() {
            TestApp::postgres_with(adjust)
                .await
                .expect("PostgreSQL answered for this test a moment ago")
        } else {
            TestApp::sqlite_with(adjust).await
        }
    }

    /// Whether this server runs on PostgreSQL.
    pub fn is_postgres(&self) -> bool {
        self.postgres_db.is_some()
    }

    /// Stops the server and removes its database. (A test that panics before this is cleaned
    /// up by `Drop`.)
    pub async fn finish(mut self) {
        if let Some(running) = self.running.take() {
            running.stop().await.expect("stop");
        }
        let _ = std::fs::remove_dir_all(&self.data_dir);
        if let Some(name) = self.postgres_db.take() {
            drop_postgres_database(&name).await;
        }
    }

    pub async fn request(
        &self,
        token: Option<&str>,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> Reply {
        let mut request = self.http.request(method, format!("{}{path}", self.base));
        if let Some(token) = token {
            request = request.header("PRIVATE-TOKEN", token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("request");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await.expect("body");
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        Reply {
            status,
            body,
            headers,
        }
    }

    pub async fn get(&self, token: Option<&str>, path: &str) -> Reply {
        self.request(token, reqwest::Method::GET, path, None).await
    }

    pub async fn post(&self, token: Option<&str>, path: &str, body: Value) -> Reply {
        self.request(token, reqwest::Method::POST, path, Some(body))
            .await
    }

    pub async fn put(&self, token: Option<&str>, path: &str, body: Value) -> Reply {
        self.request(token, reqwest::Method::PUT, path, Some(body))
            .await
    }

    pub async fn delete(&self, token: Option<&str>, path: &str) -> Reply {
        self.request(token, reqwest::Method::DELETE, path, None)
            .await
    }

    /// The server's database, for loading generated data.
    pub fn db(&self) -> &orgcells_store::Db {
        &self.running.as_ref().expect("running").db
    }

    pub fn admin(&self) -> Option<&'static str> {
        Some(ADMIN_TOKEN)
    }

    /// Creates a User and an `api` token for them: (id, token).
    /// A personal access token of `user` with these scopes, made by the admin.
    pub async fn token(&self, user: i64, scopes: &[&str]) -> String {
        self.post(
            self.admin(),
            &format!("/users/{user}/personal_access_tokens"),
            json!({"name": unique("t"), "scopes": scopes}),
        )
        .await
        .expect(201)
        .body["token"]
            .as_str()
            .expect("token")
            .to_owned()
    }

    pub async fn user(&self, prefix: &str) -> (i64, String) {
        let username = unique(prefix);
        let user = self
            .post(self.admin(), "/users", json!({"username": username, "email": format!("{username}@example.com"), "name": username, "force_random_password": true}))
            .await
            .expect(201);
        let token = self
            .post(
                self.admin(),
                &format!("/users/{}/personal_access_tokens", user.id()),
                json!({"name": "t", "scopes": ["api"]}),
            )
            .await
            .expect(201);
        (
            user.id(),
            token.body["token"].as_str().expect("token").to_owned(),
        )
    }

    /// Creates a Group as admin: (id, full path).
    pub async fn group(
        &self,
        parent: Option<i64>,
        visibility: &str,
        org: Option<i64>,
    ) -> (i64, String) {
        let path = unique("g");
        let mut body = json!({"name": path, "path": path, "visibility": visibility});
        if let Some(parent) = parent {
            body["parent_id"] = json!(parent);
        }
        if let Some(org) = org {
            body["organization_id"] = json!(org);
        }
        let group = self.post(self.admin(), "/groups", body).await.expect(201);
        (
            group.id(),
            group.body["full_path"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
        )
    }

    /// Creates a Project as admin in a namespace: (id, full path).
    pub async fn project(&self, namespace: i64, visibility: &str) -> (i64, String) {
        let path = unique("p");
        let project = self
            .post(
                self.admin(),
                "/projects",
                json!({"name": path, "namespace_id": namespace, "visibility": visibility}),
            )
            .await
            .expect(201);
        (
            project.id(),
            project.body["path_with_namespace"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
        )
    }

    /// Creates an Organization as admin: its id.
    pub async fn organization(&self, visibility: &str) -> i64 {
        let path = unique("org");
        self.post(
            self.admin(),
            "/organizations",
            json!({"name": path, "path": path, "visibility": visibility}),
        )
        .await
        .expect(201)
        .id()
    }

    /// Adds a direct Member as admin, and reads the membership back.
    pub async fn add_member(&self, kind: &str, source: i64, user: i64, level: i64) {
        self.post(
            self.admin(),
            &format!("/{kind}/{source}/members"),
            json!({"user_id": user, "access_level": level}),
        )
        .await
        .expect(201);
        let stored = self
            .get(self.admin(), &format!("/{kind}/{source}/members/{user}"))
            .await
            .expect(200);
        assert_eq!(
            stored.body["access_level"],
            json!(level),
            "the membership of {user} in {kind}/{source} reads back: {}",
            stored.body
        );
    }
}

impl Drop for TestApp {
    /// Cleans up after a test that did not reach [`TestApp::finish`] (it panicked): the data
    /// directory, and the PostgreSQL database, dropped from a thread of its own.
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.data_dir);
        if let Some(name) = self.postgres_db.take() {
            drop_postgres_database_blocking(name);
        }
    }
}

/// Runs a test body `async fn(&TestApp)` on SQLite and on PostgreSQL.
#[macro_export]
macro_rules! both {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let app = $crate::common::TestApp::sqlite().await;
                super::$name(&app).await;
                app.finish().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(app) = $crate::common::TestApp::postgres().await {
                    super::$name(&app).await;
                    app.finish().await;
                }
            }
        }
    )*};
}
