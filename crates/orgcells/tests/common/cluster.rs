//! `orgcells cluster` as processes, for the tests that drive a cluster through its router: a
//! topology service, three Cells (each on its own SQLite file, or its own PostgreSQL database)
//! and a router, started for one test and stopped (with a check that no part outlives it) after.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use orgcells_core::ids::CellId;
use serde_json::{Value, json};

pub const ADMIN_TOKEN: &str = "glpat-cluster-admin-token-0001";
pub const READY_WITHIN: Duration = Duration::from_secs(60);
/// The parts' `--upstream-timeout`: how long the router waits for a Cell, and a Cell for the
/// topology.
pub const UPSTREAM_TIMEOUT: Duration = Duration::from_secs(2);

pub struct Cluster {
    child: Option<Child>,
    pub dir: PathBuf,
    pub router: String,
    pub http: reqwest::Client,
    /// The PostgreSQL databases the cluster made, dropped at the end.
    postgres: Vec<String>,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

impl Cluster {
    /// Starts `orgcells cluster --cells 3`, on SQLite files or (given a PostgreSQL database's
    /// URL and name) on databases of their own next to it, and waits until it serves.
    pub async fn start(postgres: Option<(String, String)>) -> Cluster {
        let dir = std::env::temp_dir().join(super::unique("orgcells-cluster"));
        let port = free_port();
        let mut command = Command::new(env!("CARGO_BIN_EXE_orgcells"));
        command
            .args(["--log-format", "json", "cluster", "--cells", "3"])
            .args(["--listen", &format!("127.0.0.1:{port}")])
            .arg("--data-dir")
            .arg(&dir)
            .args(["--upstream-timeout", "2s", "--lease-stale-after", "2s"])
            .env("ORGCELLS_ADMIN_TOKEN", ADMIN_TOKEN)
            .env_remove("DATABASE_URL")
            .env_remove("ORGCELLS_CLUSTER_SECRET")
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let mut databases = Vec::new();
        if let Some((url, name)) = &postgres {
            command.args(["--database-url", url]);
            databases.push(name.clone());
            databases.push(format!("{name}_topology"));
            databases.extend((1..=3).map(|id| format!("{name}_cell_{id}")));
        }
        let child = command.spawn().expect("spawn orgcells cluster");
        let cluster = Cluster {
            child: Some(child),
            dir,
            router: format!("http://127.0.0.1:{port}"),
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(20))
                .build()
                .expect("client"),
            postgres: databases,
        };
        let deadline = Instant::now() + READY_WITHIN;
        loop {
            if let Ok(answer) = cluster.request("GET", "/api/v4/user", None).await
                && answer.0 == 200
            {
                break;
            }
            assert!(Instant::now() < deadline, "the cluster did not come up");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        // And every Cell ready on its own (the router answers as soon as the first is).
        for part in cluster.parts().iter().filter(|p| p["role"] == "cell") {
            let address = part["address"].as_str().expect("address").to_owned();
            loop {
                let ready = cluster
                    .http
                    .get(format!("{address}/-/readiness"))
                    .send()
                    .await
                    .is_ok_and(|answer| answer.status().is_success());
                if ready {
                    break;
                }
                assert!(Instant::now() < deadline, "{address} never became ready");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
        cluster
    }

    /// The parts as `cluster.json` describes them.
    pub fn parts(&self) -> Vec<Value> {
        let text = std::fs::read_to_string(self.dir.join("cluster.json")).expect("cluster.json");
        let document: Value = serde_json::from_str(&text).expect("cluster.json is JSON");
        document["parts"].as_array().expect("parts").clone()
    }

    pub fn part(&self, role: &str, cell: Option<u16>) -> Value {
        self.parts()
            .into_iter()
            .find(|p| p["role"] == role && p["cell_id"].as_u64() == cell.map(u64::from))
            .unwrap_or_else(|| panic!("no {role} {cell:?} in cluster.json"))
    }

    /// The pid of a part, waiting (bounded) for it to be running.
    pub async fn pid(&self, role: &str, cell: Option<u16>) -> u32 {
        let deadline = Instant::now() + READY_WITHIN;
        loop {
            if let Some(pid) = self.part(role, cell)["pid"].as_u64() {
                return u32::try_from(pid).expect("pid");
            }
            assert!(Instant::now() < deadline, "{role} {cell:?} is not running");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub async fn request_to(
        &self,
        base: &str,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> reqwest::Result<(u16, Value)> {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let mut request = self
            .http
            .request(method, format!("{base}{path}"))
            .header("PRIVATE-TOKEN", ADMIN_TOKEN);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let answer = request.send().await?;
        let status = answer.status().as_u16();
        let text = answer.text().await?;
        Ok((
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        ))
    }

    /// A request through the router.
    pub async fn request(
        &self,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> reqwest::Result<(u16, Value)> {
        self.request_to(&self.router, method, path, body).await
    }

    pub async fn expect(
        &self,
        method: &str,
        path: &str,
        body: Option<Value>,
        status: u16,
    ) -> Value {
        let (got, answer) = self
            .request(method, path, body)
            .await
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        assert_eq!(got, status, "{method} {path}: {answer}");
        answer
    }

    /// Stops the cluster as an operator's SIGKILL would, and checks that every part went with it.
    pub async fn kill_and_check_no_orphan(mut self) {
        // Every part running (one restarted a moment ago has no pid until it is back).
        let mut pids = Vec::new();
        for part in self.parts() {
            let role = part["role"].as_str().expect("role").to_owned();
            let cell = part["cell_id"]
                .as_u64()
                .and_then(|id| u16::try_from(id).ok());
            pids.push(self.pid(&role, cell).await);
        }
        assert_eq!(pids.len(), 5, "{:?}", self.parts());
        if let Some(mut child) = self.child.take() {
            child.kill().expect("SIGKILL the cluster");
            child.wait().expect("reap the cluster");
        }
        let deadline = Instant::now() + Duration::from_secs(20);
        let mut alive = pids.clone();
        while !alive.is_empty() {
            assert!(
                Instant::now() < deadline,
                "parts outlived their cluster: {alive:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
            alive.retain(|pid| Path::new(&format!("/proc/{pid}")).exists() && !zombie(*pid));
        }
        self.clean().await;
    }

    pub async fn clean(&mut self) {
        for name in std::mem::take(&mut self.postgres) {
            super::drop_postgres_database(&name).await;
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Whether `pid` has ended and waits only to be reaped.
fn zombie(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map(|stat| {
            stat.split(") ")
                .nth(1)
                .is_some_and(|rest| rest.starts_with('Z'))
        })
        .unwrap_or(true)
}

impl Drop for Cluster {
    /// A test that panicked: the cluster killed (its parts follow), its data removed.
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        if std::thread::panicking() {
            show_logs(&self.dir.join("logs"));
        }
        let _ = std::fs::remove_dir_all(&self.dir);
        for name in std::mem::take(&mut self.postgres) {
            super::drop_postgres_database_blocking(name);
        }
    }
}

/// The last lines of each part's log, for a test that failed: what CI shows of the cause.
fn show_logs(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        let tail = &lines[lines.len().saturating_sub(40)..];
        eprintln!(
            "---- {} (last {} lines) ----\n{}",
            entry.path().display(),
            tail.len(),
            tail.join("\n")
        );
    }
}

pub fn signal(pid: u32, name: &str) {
    let status = Command::new("kill")
        .args([&format!("-{name}"), &pid.to_string()])
        .status()
        .expect("kill");
    assert!(status.success(), "kill -{name} {pid}");
}

pub fn cell_of(id: &Value) -> u16 {
    CellId::of_id(id.as_i64().expect("an id")).0
}

/// An Organization on `cell` with a Group and a Project in it: (Group id, Group path).
pub async fn organization_on(cluster: &Cluster, cell: u16, path: &str) -> (i64, String) {
    let org = cluster
        .expect(
            "POST",
            "/api/v4/organizations",
            Some(json!({"name": path, "path": path, "cell_id": cell})),
            201,
        )
        .await;
    assert_eq!(org["cell_id"], cell, "{org}");
    assert_eq!(
        cell_of(&org["id"]),
        cell,
        "its id is from its Cell's range: {org}"
    );
    let group_path = format!("{path}-group");
    let group = cluster
        .expect(
            "POST",
            "/api/v4/groups",
            Some(json!({"name": group_path, "path": group_path, "organization_id": org["id"]})),
            201,
        )
        .await;
    assert_eq!(cell_of(&group["id"]), cell, "{group}");
    let project = cluster
        .expect(
            "POST",
            "/api/v4/projects",
            Some(json!({"name": "api", "path": "api", "namespace_id": group["id"]})),
            201,
        )
        .await;
    assert_eq!(cell_of(&project["id"]), cell, "{project}");
    (group["id"].as_i64().expect("id"), group_path)
}

/// A request through the router with `token`.
pub async fn as_user(cluster: &Cluster, token: &str, method: &str, path: &str) -> u16 {
    let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
    cluster
        .http
        .request(method, format!("{}{path}", cluster.router))
        .header("PRIVATE-TOKEN", token)
        .send()
        .await
        .expect("an answer")
        .status()
        .as_u16()
}

/// A cluster test on both databases: `$name(&Cluster)` against three Cells on SQLite files,
/// then on PostgreSQL databases.
#[macro_export]
macro_rules! cluster_test {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let cluster = $crate::common::cluster::Cluster::start(None).await;
                super::$name(&cluster).await;
                cluster.kill_and_check_no_orphan().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let Some(database) = $crate::common::fresh_postgres_database().await else {
                    return;
                };
                let cluster = $crate::common::cluster::Cluster::start(Some(database)).await;
                super::$name(&cluster).await;
                cluster.kill_and_check_no_orphan().await;
            }
        }
    )*};
}
