//! The test harness: each test gets its own server on port 0 and its own database (a fresh
//! SQLite file, or a fresh PostgreSQL database that is dropped afterwards).
//!
//! Every test body runs on both backends through [`both!`]. Where PostgreSQL cannot be reached
//! the PostgreSQL half says so loudly and passes; under `CI=true` it fails instead.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

use orgcells::{Config, Running};
use orgcells_core::ids::CellId;
use orgcells_service::bootstrap::AdminSetup;
use serde_json::{Value, json};

pub const ADMIN_TOKEN: &str = "glpat-test-admin-token-000001";
const POSTGRES_ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A unique suffix for names in this process.
pub fn unique(prefix: &str) -> String {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("{prefix}-{}-{n}", std::process::id())
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

    /// A server on a fresh PostgreSQL database, or `None` (loudly) when none can be reached
    /// outside CI.
    pub async fn postgres() -> Option<TestApp> {
        use sqlx::Connection;
        let admin_url =
            std::env::var("ORGCELLS_TEST_POSTGRES").unwrap_or_else(|_| POSTGRES_ADMIN_URL.into());
        let mut conn = match sqlx::PgConnection::connect(&admin_url).await {
            Ok(conn) => conn,
            Err(error) => {
                if std::env::var("CI").as_deref() == Ok("true") {
                    panic!(
                        "PostgreSQL is required under CI=true and cannot be reached at {admin_url}: {error}"
                    );
                }
                eprintln!(
                    "\n!!! POSTGRESQL NOT REACHABLE at {admin_url} ({error}): the PostgreSQL half of this test did NOT run !!!\n"
                );
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
        let dir = std::env::temp_dir().join(unique("orgcells-test-pg"));
        Some(TestApp::launch(config(dir, Some(url)), Some(name)).await)
    }

    /// Stops the server and removes its database. (A test that panics before this is cleaned
    /// up by `Drop`.)
    pub async fn finish(mut self) {
        if let Some(running) = self.running.take() {
            running.stop().await.expect("stop");
        }
        let _ = std::fs::remove_dir_all(&self.data_dir);
        if let Some(name) = self.postgres_db.take() {
            use sqlx::Connection;
            let admin_url = std::env::var("ORGCELLS_TEST_POSTGRES")
                .unwrap_or_else(|_| POSTGRES_ADMIN_URL.into());
            if let Ok(mut conn) = sqlx::PgConnection::connect(&admin_url).await {
                let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&mut conn)
                    .await;
            }
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
    pub async fn user(&self, prefix: &str) -> (i64, String) {
        let username = unique(prefix);
        let user = self
            .post(self.admin(), "/users", json!({"username": username, "email": format!("{username}@example.com"), "name": username}))
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

    pub async fn add_member(&self, kind: &str, source: i64, user: i64, level: i64) {
        self.post(
            self.admin(),
            &format!("/{kind}/{source}/members"),
            json!({"user_id": user, "access_level": level}),
        )
        .await
        .expect(201);
    }
}

impl Drop for TestApp {
    /// Cleans up after a test that did not reach [`TestApp::finish`] (it panicked): the data
    /// directory, and the PostgreSQL database, dropped from a thread of its own.
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.data_dir);
        if let Some(name) = self.postgres_db.take() {
            let admin_url = std::env::var("ORGCELLS_TEST_POSTGRES")
                .unwrap_or_else(|_| POSTGRES_ADMIN_URL.into());
            let dropper = std::thread::spawn(move || {
                use sqlx::Connection;
                let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                else {
                    return;
                };
                runtime.block_on(async {
                    if let Ok(mut conn) = sqlx::PgConnection::connect(&admin_url).await {
                        let _ =
                            sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                                .execute(&mut conn)
                                .await;
                    }
                });
            });
            let _ = dropper.join();
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
