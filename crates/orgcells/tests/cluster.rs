//! `orgcells cluster` as processes: a topology service, three Cells (each on its own SQLite file,
//! or its own PostgreSQL database) and a router, driven only through the router. Every request
//! lands on the Cell that owns it, paths stay unique across Cells under concurrent creation, and
//! parts that hang or die take only their own Organizations down, for a bounded time.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use orgcells_core::ids::CellId;
use serde_json::{Value, json};

const ADMIN_TOKEN: &str = "glpat-cluster-admin-token-0001";
const READY_WITHIN: Duration = Duration::from_secs(60);
/// The parts' `--upstream-timeout`: how long the router waits for a Cell, and a Cell for the
/// topology.
const UPSTREAM_TIMEOUT: Duration = Duration::from_secs(2);

struct Cluster {
    child: Option<Child>,
    dir: PathBuf,
    router: String,
    http: reqwest::Client,
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
    async fn start(postgres: Option<(String, String)>) -> Cluster {
        let dir = std::env::temp_dir().join(common::unique("orgcells-cluster"));
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
        cluster
    }

    /// The parts as `cluster.json` describes them.
    fn parts(&self) -> Vec<Value> {
        let text = std::fs::read_to_string(self.dir.join("cluster.json")).expect("cluster.json");
        let document: Value = serde_json::from_str(&text).expect("cluster.json is JSON");
        document["parts"].as_array().expect("parts").clone()
    }

    fn part(&self, role: &str, cell: Option<u16>) -> Value {
        self.parts()
            .into_iter()
            .find(|p| p["role"] == role && p["cell_id"].as_u64() == cell.map(u64::from))
            .unwrap_or_else(|| panic!("no {role} {cell:?} in cluster.json"))
    }

    /// The pid of a part, waiting (bounded) for it to be running.
    async fn pid(&self, role: &str, cell: Option<u16>) -> u32 {
        let deadline = Instant::now() + READY_WITHIN;
        loop {
            if let Some(pid) = self.part(role, cell)["pid"].as_u64() {
                return u32::try_from(pid).expect("pid");
            }
            assert!(Instant::now() < deadline, "{role} {cell:?} is not running");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn request_to(
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
    async fn request(
        &self,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> reqwest::Result<(u16, Value)> {
        self.request_to(&self.router, method, path, body).await
    }

    async fn expect(&self, method: &str, path: &str, body: Option<Value>, status: u16) -> Value {
        let (got, answer) = self
            .request(method, path, body)
            .await
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        assert_eq!(got, status, "{method} {path}: {answer}");
        answer
    }

    /// Stops the cluster as an operator's SIGKILL would, and checks that every part went with it.
    async fn kill_and_check_no_orphan(mut self) {
        let pids: Vec<u32> = self
            .parts()
            .iter()
            .filter_map(|p| p["pid"].as_u64())
            .filter_map(|pid| u32::try_from(pid).ok())
            .collect();
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

    async fn clean(&mut self) {
        for name in std::mem::take(&mut self.postgres) {
            common::drop_postgres_database(&name).await;
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
            common::drop_postgres_database_blocking(name);
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

fn signal(pid: u32, name: &str) {
    let status = Command::new("kill")
        .args([&format!("-{name}"), &pid.to_string()])
        .status()
        .expect("kill");
    assert!(status.success(), "kill -{name} {pid}");
}

fn cell_of(id: &Value) -> u16 {
    CellId::of_id(id.as_i64().expect("an id")).0
}

/// An Organization on `cell` with a Group and a Project in it: (Group id, Group path).
async fn organization_on(cluster: &Cluster, cell: u16, path: &str) -> (i64, String) {
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

async fn every_request_lands_on_its_cell(cluster: &Cluster) {
    let mut groups = Vec::new();
    for cell in 1..=3_u16 {
        groups.push((
            cell,
            organization_on(cluster, cell, &format!("org-{cell}")).await,
        ));
    }
    for (cell, (id, path)) in &groups {
        // Through the router, by id and by path: one line per way a request names its owner.
        for request in [
            format!("/api/v4/groups/{id}"),
            format!("/api/v4/groups/{path}"),
            format!("/api/v4/projects/{path}%2Fapi"),
            format!("/api/v4/namespaces/{path}"),
            format!("/api/v4/organizations/org-{cell}"),
        ] {
            cluster.expect("GET", &request, None, 200).await;
        }
        // Each Cell holds its own and only its own.
        for other in 1..=3_u16 {
            let address = cluster.part("cell", Some(other))["address"]
                .as_str()
                .expect("address")
                .to_owned();
            let (status, _) = cluster
                .request_to(&address, "GET", &format!("/api/v4/groups/{id}"), None)
                .await
                .expect("asking a Cell directly");
            assert_eq!(
                status,
                if other == *cell { 200 } else { 404 },
                "group {id} on cell {other}"
            );
        }
    }
    // A new Organization without a Cell goes to the least loaded: each Cell holds one of the
    // above, and Cell 1 the Default Organization too.
    let placed = cluster
        .expect(
            "POST",
            "/api/v4/organizations",
            Some(json!({"name": "placed", "path": "placed"})),
            201,
        )
        .await;
    assert_eq!(placed["cell_id"], 2, "{placed}");
    let cells = cluster
        .expect("GET", "/api/v4/admin/cells", None, 200)
        .await;
    let counts: Vec<(u64, bool, u64)> = cells
        .as_array()
        .expect("cells")
        .iter()
        .map(|c| {
            (
                c["id"].as_u64().expect("id"),
                c["healthy"].as_bool().expect("healthy"),
                c["organizations_count"].as_u64().expect("count"),
            )
        })
        .collect();
    assert_eq!(
        counts,
        [(1, true, 2), (2, true, 2), (3, true, 1)],
        "{cells}"
    );
}

async fn paths_stay_unique_across_cells(cluster: &Cluster) {
    let mut orgs = Vec::new();
    for cell in 1..=3_u16 {
        let path = format!("race-{cell}");
        let org = cluster
            .expect(
                "POST",
                "/api/v4/organizations",
                Some(json!({"name": path, "path": path, "cell_id": cell})),
                201,
            )
            .await;
        orgs.push(org["id"].clone());
    }
    for round in 0..10 {
        let path = format!("contested-{round}");
        let attempts: Vec<_> = orgs
            .iter()
            .map(|org| {
                let http = cluster.http.clone();
                let url = format!("{}/api/v4/groups", cluster.router);
                let body = json!({"name": path, "path": path, "organization_id": org});
                tokio::spawn(async move { post(&http, &url, &body).await })
            })
            .collect();
        let mut answers = Vec::new();
        for attempt in attempts {
            answers.push(attempt.await.expect("the attempt ran"));
        }
        let won: Vec<&(u16, Value)> = answers.iter().filter(|(s, _)| *s == 201).collect();
        assert_eq!(won.len(), 1, "round {round}: {answers:?}");
        for (status, body) in answers.iter().filter(|(s, _)| *s != 201) {
            assert_eq!(*status, 400, "round {round}: {body}");
            assert_eq!(
                body["message"]["path"][0], "has already been taken",
                "{body}"
            );
        }
        // The router finds the one that won, on its Cell.
        let found = cluster
            .expect("GET", &format!("/api/v4/groups/{path}"), None, 200)
            .await;
        assert_eq!(found["id"], won[0].1["id"]);
    }
}

/// `POST url` with `body` as the admin: the status and the answer.
async fn post(http: &reqwest::Client, url: &str, body: &Value) -> (u16, Value) {
    let answer = http
        .post(url)
        .header("PRIVATE-TOKEN", ADMIN_TOKEN)
        .json(body)
        .send()
        .await
        .expect("an answer");
    let status = answer.status().as_u16();
    (status, answer.json().await.unwrap_or(Value::Null))
}

/// How long a request may take when its Cell is away: the upstream timeout and a margin.
fn bounded() -> Duration {
    UPSTREAM_TIMEOUT + Duration::from_secs(3)
}

async fn timed(cluster: &Cluster, path: &str) -> (u16, Duration) {
    let started = Instant::now();
    let (status, _) = cluster.request("GET", path, None).await.expect("an answer");
    (status, started.elapsed())
}

/// Waits (bounded) until `path` answers `status` through the router.
async fn until(cluster: &Cluster, path: &str, status: u16) {
    let deadline = Instant::now() + READY_WITHIN;
    loop {
        if let Ok((got, _)) = cluster.request("GET", path, None).await
            && got == status
        {
            return;
        }
        assert!(Instant::now() < deadline, "{path} never answered {status}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn parts_that_hang_or_die(cluster: &Cluster) {
    let mut groups = Vec::new();
    for cell in 1..=3_u16 {
        groups.push(
            organization_on(cluster, cell, &format!("fault-{cell}"))
                .await
                .1,
        );
    }
    let path = |cell: usize| format!("/api/v4/groups/{}", groups[cell - 1]);

    // A hung Cell (SIGSTOP): its Organizations answer 504 within the timeout; the others 200.
    let pid = cluster.pid("cell", Some(2)).await;
    signal(pid, "STOP");
    let (status, took) = timed(cluster, &path(2)).await;
    assert_eq!(status, 504);
    assert!(took < bounded(), "took {took:?}");
    for other in [1, 3] {
        assert_eq!(timed(cluster, &path(other)).await.0, 200);
    }
    signal(pid, "CONT");
    until(cluster, &path(2), 200).await;

    // A killed Cell: 503 at once while it is away; the cluster starts it again, with
    // everything it acknowledged.
    let pid = cluster.pid("cell", Some(3)).await;
    signal(pid, "KILL");
    let (status, took) = timed(cluster, &path(3)).await;
    assert!(matches!(status, 503 | 200), "{status}");
    assert!(took < bounded(), "took {took:?}");
    assert_eq!(timed(cluster, &path(1)).await.0, 200);
    until(cluster, &path(3), 200).await;
    assert!(cluster.part("cell", Some(3))["restarts"].as_u64() >= Some(1));
    cluster
        .expect(
            "GET",
            &format!("{}%2Fapi", path(3).replace("groups", "projects")),
            None,
            200,
        )
        .await;

    // A hung topology service: routing goes on from what the router remembers; a write that
    // needs a claim is refused with a 503 and leaves nothing behind.
    let org = cluster
        .expect("GET", "/api/v4/organizations/fault-1", None, 200)
        .await;
    let pid = cluster.pid("topology", None).await;
    signal(pid, "STOP");
    for cell in 1..=3 {
        let (status, took) = timed(cluster, &path(cell)).await;
        assert_eq!(status, 200, "cell {cell}");
        assert!(took < bounded(), "took {took:?}");
    }
    let started = Instant::now();
    let (status, body) = cluster
        .request(
            "POST",
            "/api/v4/groups",
            Some(json!({"name": "orphan", "path": "orphan", "organization_id": org["id"]})),
        )
        .await
        .expect("an answer");
    assert_eq!(status, 503, "{body}");
    assert!(started.elapsed() < bounded() + UPSTREAM_TIMEOUT);
    signal(pid, "CONT");
    cluster
        .expect("GET", "/api/v4/groups/orphan", None, 404)
        .await;
    // The lease the refused write began, if the topology took it at all, is rolled back by the
    // Cell's reconciler once stale (2 s here): then the path is free.
    let deadline = Instant::now() + READY_WITHIN;
    loop {
        let (status, body) = cluster
            .request(
                "POST",
                "/api/v4/groups",
                Some(json!({"name": "orphan", "path": "orphan", "organization_id": org["id"]})),
            )
            .await
            .expect("an answer");
        if status == 201 {
            break;
        }
        assert_eq!(status, 400, "{body}");
        assert!(
            Instant::now() < deadline,
            "the refused write's lease was never rolled back"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// A request through the router with `token`.
async fn as_user(cluster: &Cluster, token: &str, method: &str, path: &str) -> u16 {
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

/// Waits (bounded by `within`) until `token` gets `status` for `GET path`: how long it took.
async fn until_status(
    cluster: &Cluster,
    token: &str,
    path: &str,
    status: u16,
    within: Duration,
) -> Duration {
    let started = Instant::now();
    loop {
        if as_user(cluster, token, "GET", path).await == status {
            return started.elapsed();
        }
        assert!(
            started.elapsed() < within,
            "{path} did not answer {status} within {within:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn users_are_shared_across_cells(cluster: &Cluster) {
    // Sasha is made on the first Cell (a request that names no Organization goes there).
    let sasha = cluster
        .expect(
            "POST",
            "/api/v4/users",
            Some(json!({"username": "sasha", "email": "sasha@example.com", "name": "Sasha", "password": "sasha-password-1"})),
            201,
        )
        .await;
    assert_eq!(cell_of(&sasha["id"]), 1, "{sasha}");
    let token = cluster
        .expect(
            "POST",
            &format!("/api/v4/users/{}/personal_access_tokens", sasha["id"]),
            Some(json!({"name": "laptop", "scopes": ["api"]})),
            201,
        )
        .await;
    let secret = token["token"].as_str().expect("token").to_owned();
    // An Organization on Cell 2: Sasha is known there within a second, and joins.
    let (group, _) = organization_on(cluster, 2, "shared").await;
    let started = Instant::now();
    loop {
        let (status, body) = cluster
            .request(
                "POST",
                &format!("/api/v4/groups/{group}/members"),
                Some(json!({"user_id": sasha["id"], "access_level": 30})),
            )
            .await
            .expect("an answer");
        if status == 201 {
            break;
        }
        assert_eq!(status, 404, "{body}");
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "Sasha never reached Cell 2"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // Sasha's token works on Cell 2, which has its own copy of it (within a second of its
    // making, which the log carries after Sasha herself).
    let path = format!("/api/v4/groups/{group}");
    until_status(cluster, &secret, &path, 200, Duration::from_secs(1)).await;
    // Users are written on the first Cell only: a write reaching another is refused.
    let cell_2 = cluster.part("cell", Some(2))["address"]
        .as_str()
        .expect("address")
        .to_owned();
    let (status, body) = cluster
        .request_to(
            &cell_2,
            "POST",
            "/api/v4/users",
            Some(json!({"username": "stray", "email": "stray@example.com", "name": "Stray", "password": "stray-password-1"})),
        )
        .await
        .expect("an answer");
    assert_eq!(status, 409, "{body}");
    // With the topology hung, Cell 2 still authenticates Sasha from its copy.
    let topology = cluster.pid("topology", None).await;
    signal(topology, "STOP");
    assert_eq!(as_user(cluster, &secret, "GET", &path).await, 200);
    signal(topology, "CONT");
    // Revoked on the first Cell: refused on Cell 2 within a second.
    cluster
        .expect(
            "DELETE",
            &format!("/api/v4/personal_access_tokens/{}", token["id"]),
            None,
            204,
        )
        .await;
    let took = until_status(cluster, &secret, &path, 401, Duration::from_secs(5)).await;
    assert!(
        took < Duration::from_secs(1),
        "the revocation took {took:?} to reach Cell 2"
    );
}

macro_rules! cluster_test {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let cluster = super::Cluster::start(None).await;
                super::$name(&cluster).await;
                cluster.kill_and_check_no_orphan().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let Some(database) = super::common::fresh_postgres_database().await else {
                    return;
                };
                let cluster = super::Cluster::start(Some(database)).await;
                super::$name(&cluster).await;
                cluster.kill_and_check_no_orphan().await;
            }
        }
    )*};
}

cluster_test!(
    every_request_lands_on_its_cell,
    users_are_shared_across_cells,
    paths_stay_unique_across_cells,
    parts_that_hang_or_die,
);
