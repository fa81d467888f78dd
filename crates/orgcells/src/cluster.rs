//! `orgcells cluster`: a whole cluster on one machine, each part a child process of this one: a
//! topology service, `--cells` Cells (each on its own database) and a router on `--listen`.
//!
//! A part that dies is started again, with a backoff, and the log says which and why. Each part
//! holds the read end of a pipe as its stdin and stops when it closes ([`EXIT_WITH_PARENT`]): the
//! pipe closes however this process ends, SIGKILL included, so no part outlives its cluster.
//! `DIR/cluster.json` tells an operator (and the tests) each part's role, Cell id, pid, address,
//! database and log file; each part logs to `DIR/logs/<part>.log`.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use serde::Serialize;
use tokio::process::{Child, Command};
use tokio::sync::{Mutex, watch};

use crate::options::{Options, Span};
use crate::{Config, redact_url};

/// Set in a part's environment: stop when stdin closes.
pub const EXIT_WITH_PARENT: &str = "ORGCELLS_EXIT_WITH_PARENT";

/// Resolves when stdin reaches its end (or cannot be read): the parent is gone.
pub async fn parent_gone() {
    use tokio::io::AsyncReadExt;
    let mut stdin = tokio::io::stdin();
    let mut buffer = [0_u8; 64];
    while let Ok(read) = stdin.read(&mut buffer).await {
        if read == 0 {
            break;
        }
    }
}

/// One part of the cluster, as `cluster.json` shows it.
#[derive(Debug, Clone, Serialize)]
struct PartInfo {
    role: &'static str,
    cell_id: Option<u16>,
    pid: Option<u32>,
    address: String,
    database: Option<String>,
    log: PathBuf,
    restarts: u32,
}

/// How a part is started.
struct Part {
    name: String,
    info: PartInfo,
    args: Vec<String>,
    env: Vec<(&'static str, String)>,
}

/// The first wait before a restart, doubled after each quick death up to [`BACKOFF_MAX`].
const BACKOFF_MIN: Duration = Duration::from_millis(500);
const BACKOFF_MAX: Duration = Duration::from_secs(30);
/// A part that ran this long before dying is restarted after [`BACKOFF_MIN`] again.
const HEALTHY_AFTER: Duration = Duration::from_secs(30);
/// How long a part has to stop once its stdin closes, before it is killed.
const STOP_GRACE: Duration = Duration::from_secs(10);
/// How long the cluster waits for its parts to come up.
const READY_WITHIN: Duration = Duration::from_secs(120);

/// A loopback port free at this moment.
fn free_port() -> anyhow::Result<u16> {
    let listener = std::net::TcpListener::bind(("127.0.0.1", 0)).context("finding a free port")?;
    Ok(listener.local_addr()?.port())
}

/// Where each part keeps its data: SQLite files under the data directory, or databases of
/// their own on the PostgreSQL server `--database-url` names (`<name>_topology`,
/// `<name>_cell_<id>`), created when missing.
async fn databases(config: &Config, cells: u16) -> anyhow::Result<(String, Vec<String>)> {
    let Some(url) = config
        .database_url
        .as_deref()
        .filter(|url| url.starts_with("postgres"))
    else {
        let file = |dir: &str, name: &str| -> anyhow::Result<String> {
            let dir = config.data_dir.join(dir);
            std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
            Ok(format!("sqlite://{}?mode=rwc", dir.join(name).display()))
        };
        let cell_urls = (1..=cells)
            .map(|id| file(&format!("cell-{id}"), "orgcells.db"))
            .collect::<anyhow::Result<Vec<_>>>()?;
        return Ok((file("topology", "topology.db")?, cell_urls));
    };
    let (server, base, query) = split_database_url(url)
        .context("--database-url names a database: postgres://user@host:port/name")?;
    let query = if query.is_empty() {
        String::new()
    } else {
        format!("?{query}")
    };
    let name = |suffix: &str| format!("{base}_{suffix}");
    let mut names = vec![name("topology")];
    names.extend((1..=cells).map(|id| name(&format!("cell_{id}"))));
    create_postgres_databases(url, &names).await?;
    let mut urls = names.iter().map(|n| format!("{server}/{n}{query}"));
    let topology = urls.next().context("a topology database")?;
    Ok((topology, urls.collect()))
}

/// A database URL's server, database name and query: the query split off first, since its
/// values may hold a `/` (`sslrootcert=/etc/ca.pem`).
fn split_database_url(url: &str) -> Option<(&str, &str, &str)> {
    let (location, query) = url.split_once('?').unwrap_or((url, ""));
    let (server, name) = location.rsplit_once('/')?;
    (server.contains("://") && !server.ends_with('/') && !name.is_empty())
        .then_some((server, name, query))
}

async fn create_postgres_databases(url: &str, names: &[String]) -> anyhow::Result<()> {
    use sqlx::Connection;
    // The server's own `postgres` database is there to connect to when the named one is not.
    let (location, query) = url
        .split_once('?')
        .map_or((url, None), |(l, q)| (l, Some(q)));
    let maintenance = match location.rsplit_once('/') {
        Some((server, _)) => format!(
            "{server}/postgres{}",
            query.map(|q| format!("?{q}")).unwrap_or_default()
        ),
        None => url.to_owned(),
    };
    let mut conn = sqlx::PgConnection::connect(&maintenance)
        .await
        .with_context(|| format!("connecting to {}", redact_url(&maintenance)))?;
    for name in names {
        if name.len() > 63 || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            anyhow::bail!("{name:?}: a database name of at most 63 letters, digits and _");
        }
        let exists: Option<i32> =
            sqlx::query_scalar("SELECT 1 FROM pg_database WHERE datname = $1")
                .bind(name)
                .fetch_optional(&mut conn)
                .await?;
        if exists.is_none() {
            // Quoted, so that it is made with the very name looked up above.
            sqlx::query(&format!("CREATE DATABASE \"{name}\""))
                .execute(&mut conn)
                .await
                .with_context(|| format!("creating the database {name}"))?;
        }
    }
    Ok(())
}

/// The parts of a cluster of `cells` Cells, in the order they start.
async fn plan(config: &Config, options: &Options, cells: u16) -> anyhow::Result<Vec<Part>> {
    let secret = config
        .cluster_secret
        .clone()
        .unwrap_or_else(|| format!("cluster-{}", uuid::Uuid::new_v4().simple()));
    let (topology_db, cell_dbs) = databases(config, cells).await?;
    let logs = config.data_dir.join("logs");
    std::fs::create_dir_all(&logs).with_context(|| format!("creating {}", logs.display()))?;
    let topology_addr = format!("127.0.0.1:{}", free_port()?);
    let topology_url = format!("http://{topology_addr}");
    let cell_addrs: Vec<String> = (0..cells)
        .map(|_| free_port().map(|port| format!("127.0.0.1:{port}")))
        .collect::<anyhow::Result<_>>()?;
    let router_url = format!("http://{}", config.listen);
    let external_url = config.external_url.clone().unwrap_or(router_url.clone());
    let mut shared: Vec<String> = vec![
        "--log-format".into(),
        options.log_format().name().into(),
        "--upstream-timeout".into(),
        Span(config.upstream_timeout).to_string(),
    ];
    // Secrets go by the environment, never on a command line (`ps` shows those to everyone);
    // the admin's only to the Cells, which make root.
    // The router faces the internet: it gets a credential that lists Cells and classifies,
    // not the secret that claims and reads the Users' change log.
    let router_secret = orgcells_topology::ClusterSecret::new(&secret)
        .context("the cluster secret has at least 16 characters")?
        .for_router();
    let env: Vec<(&'static str, String)> = vec![
        ("ORGCELLS_CLUSTER_SECRET", secret),
        (EXIT_WITH_PARENT, "1".into()),
    ];
    let router_env: Vec<(&'static str, String)> = vec![
        ("ORGCELLS_CLUSTER_SECRET", router_secret.reveal().to_owned()),
        (EXIT_WITH_PARENT, "1".into()),
    ];
    let mut cell_env = env.clone();
    if let Some(token) = &config.admin.token {
        cell_env.push(("ORGCELLS_ADMIN_TOKEN", token.clone()));
    }
    if let Some(password) = &config.admin.password {
        cell_env.push(("ORGCELLS_ADMIN_PASSWORD", password.clone()));
    }
    // Every Cell mails through the same relay, as the same sender.
    if let Some(url) = &config.smtp_url {
        cell_env.push(("ORGCELLS_SMTP_URL", url.clone()));
    }
    cell_env.push(("ORGCELLS_MAIL_FROM", config.mail_from()));
    let mut parts = Vec::new();
    let mut topology_args: Vec<String> =
        vec!["topology".into(), "--listen".into(), topology_addr.clone()];
    let mut topology_env = env.clone();
    topology_env.push(("ORGCELLS_TOPOLOGY_DATABASE_URL", topology_db.clone()));
    for (index, addr) in cell_addrs.iter().enumerate() {
        let id = index + 1;
        topology_args.push("--cell".into());
        topology_args.push(format!("{id},cell-{id},http://{addr},cell{id}"));
    }
    topology_args.extend(shared.iter().cloned());
    parts.push(Part {
        name: "topology".into(),
        info: PartInfo {
            role: "topology",
            cell_id: None,
            pid: None,
            address: topology_url.clone(),
            database: Some(redact_url(&topology_db)),
            log: logs.join("topology.log"),
            restarts: 0,
        },
        args: topology_args,
        env: topology_env,
    });
    shared.extend([
        "--topology-url".into(),
        topology_url.clone(),
        "--lease-stale-after".into(),
        Span(config.lease_stale_after).to_string(),
        "--organization-retention".into(),
        Span(config.organization_retention).to_string(),
    ]);
    for (index, (addr, database)) in cell_addrs.iter().zip(&cell_dbs).enumerate() {
        let id = u16::try_from(index + 1)?;
        let mut args: Vec<String> = vec![
            "cell".into(),
            "--id".into(),
            id.to_string(),
            "--listen".into(),
            addr.clone(),
            "--external-url".into(),
            external_url.clone(),
            "--allow-organization-creation".into(),
            config.allow_organization_creation.to_string(),
            "--monitoring-allowlist".into(),
            config.monitoring_allowlist.to_string(),
            // Its own directory: its mail (the file sink) is written there, not in the
            // directory the cluster was started from.
            "--data-dir".into(),
            config
                .data_dir
                .join(format!("cell-{id}"))
                .display()
                .to_string(),
        ];
        args.extend(shared.iter().cloned());
        let mut part_env = cell_env.clone();
        part_env.push(("DATABASE_URL", database.clone()));
        parts.push(Part {
            name: format!("cell-{id}"),
            info: PartInfo {
                role: "cell",
                cell_id: Some(id),
                pid: None,
                address: format!("http://{addr}"),
                database: Some(redact_url(database)),
                log: logs.join(format!("cell-{id}.log")),
                restarts: 0,
            },
            args,
            env: part_env,
        });
    }
    let mut router_args: Vec<String> = vec![
        "router".into(),
        "--listen".into(),
        config.listen.to_string(),
        "--external-url".into(),
        external_url,
    ];
    router_args.extend(shared);
    parts.push(Part {
        name: "router".into(),
        info: PartInfo {
            role: "router",
            cell_id: None,
            pid: None,
            address: router_url,
            database: None,
            log: logs.join("router.log"),
            restarts: 0,
        },
        args: router_args,
        env: router_env,
    });
    Ok(parts)
}

/// The parts as they run now, written to `cluster.json` on every change.
struct Ledger {
    path: PathBuf,
    listen: SocketAddr,
    parts: Mutex<Vec<PartInfo>>,
}

impl Ledger {
    async fn update(&self, index: usize, change: impl FnOnce(&mut PartInfo)) {
        let mut parts = self.parts.lock().await;
        if let Some(part) = parts.get_mut(index) {
            change(part);
        }
        let document = serde_json::json!({
            "router": format!("http://{}", self.listen),
            "parts": &*parts,
        });
        if let Err(error) = write_atomically(&self.path, &document.to_string()) {
            tracing::warn!(%error, path = %self.path.display(), "writing cluster.json");
        }
    }
}

fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    let partial = path.with_extension("json.partial");
    std::fs::write(&partial, text)?;
    std::fs::rename(partial, path)
}

fn spawn(part: &Part) -> anyhow::Result<Child> {
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&part.info.log)
        .with_context(|| format!("opening {}", part.info.log.display()))?;
    let program = std::env::current_exe().context("finding the orgcells binary")?;
    let mut command = Command::new(program);
    command
        .args(&part.args)
        .stdin(Stdio::piped())
        .stdout(log.try_clone()?)
        .stderr(log)
        .kill_on_drop(true);
    for (name, value) in &part.env {
        command.env(name, value);
    }
    command
        .spawn()
        .with_context(|| format!("starting {}", part.name))
}

/// Runs one part until the cluster stops: started again after each death, with a backoff.
async fn supervise(
    index: usize,
    part: Part,
    ledger: Arc<Ledger>,
    mut stopping: watch::Receiver<bool>,
) {
    let mut backoff = BACKOFF_MIN;
    loop {
        let started = Instant::now();
        let mut child = match spawn(&part) {
            Ok(child) => child,
            Err(error) => {
                tracing::error!(part = %part.name, error = %format!("{error:#}"), "could not start; trying again in {backoff:?}");
                tokio::select! {
                    () = tokio::time::sleep(backoff) => {},
                    _ = stopping.changed() => return,
                }
                backoff = (backoff * 2).min(BACKOFF_MAX);
                continue;
            }
        };
        // Held here, not in `child`: waiting on a child closes its stdin, which tells it to stop.
        let stdin = child.stdin.take();
        let pid = child.id();
        ledger.update(index, |info| info.pid = pid).await;
        tracing::info!(part = %part.name, pid, "started");
        let status = tokio::select! {
            status = child.wait() => status,
            _ = stopping.changed() => {
                stop(&part.name, child, stdin).await;
                return;
            }
        };
        drop(stdin);
        if *stopping.borrow() {
            return;
        }
        if started.elapsed() >= HEALTHY_AFTER {
            backoff = BACKOFF_MIN;
        }
        let why = match status {
            Ok(status) => status.to_string(),
            Err(error) => error.to_string(),
        };
        tracing::warn!(part = %part.name, pid, status = %why, log = %part.info.log.display(), "died; restarting in {backoff:?}");
        ledger
            .update(index, |info| {
                info.pid = None;
                info.restarts += 1;
            })
            .await;
        tokio::select! {
            () = tokio::time::sleep(backoff) => {},
            _ = stopping.changed() => return,
        }
        backoff = (backoff * 2).min(BACKOFF_MAX);
    }
}

/// Stops a part: its stdin closed (it finishes what it is doing), killed if it is still there
/// after [`STOP_GRACE`].
async fn stop(name: &str, mut child: Child, stdin: Option<tokio::process::ChildStdin>) {
    drop(stdin);
    match tokio::time::timeout(STOP_GRACE, child.wait()).await {
        Ok(_) => tracing::info!(part = name, "stopped"),
        Err(_) => {
            tracing::warn!(part = name, "did not stop in time; killing it");
            let _ = child.kill().await;
        }
    }
}

/// Waits (a bounded time) until something accepts connections at `address`.
async fn wait_listening(address: &str) {
    let deadline = Instant::now() + READY_WITHIN;
    while Instant::now() < deadline {
        if tokio::net::TcpStream::connect(address).await.is_ok() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Waits until the router answers through a Cell.
async fn wait_ready(listen: SocketAddr) -> bool {
    let deadline = Instant::now() + READY_WITHIN;
    let url = format!("http://{listen}/api/v4/version");
    let client = reqwest::Client::new();
    while Instant::now() < deadline {
        if let Ok(answer) = client.get(&url).send().await
            && answer.status() != reqwest::StatusCode::SERVICE_UNAVAILABLE
            && answer.status() != reqwest::StatusCode::BAD_GATEWAY
        {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

/// Starts the cluster and runs it until `signal`.
pub async fn run(
    config: &Config,
    options: &Options,
    cells: u16,
    signal: impl std::future::Future<Output = ()>,
) -> anyhow::Result<()> {
    std::fs::create_dir_all(&config.data_dir)
        .with_context(|| format!("creating {}", config.data_dir.display()))?;
    let mut config = config.clone();
    if config.admin.token.is_none() {
        let token = format!("glpat-{}", uuid::Uuid::new_v4().simple());
        println!("The admin token of this cluster run (shown once): {token}");
        config.admin.token = Some(token);
    }
    let parts = plan(&config, options, cells).await?;
    let ledger = Arc::new(Ledger {
        path: config.data_dir.join("cluster.json"),
        listen: config.listen,
        parts: Mutex::new(parts.iter().map(|part| part.info.clone()).collect()),
    });
    let (stop_all, stopping) = watch::channel(false);
    let mut supervisors = Vec::new();
    // In order, each once it listens: the Cells claim in the topology as they bootstrap, and
    // the router lists the Cells from it.
    for (index, part) in parts.into_iter().enumerate() {
        let address = part.info.address.trim_start_matches("http://").to_owned();
        supervisors.push(tokio::spawn(supervise(
            index,
            part,
            ledger.clone(),
            stopping.clone(),
        )));
        wait_listening(&address).await;
    }
    let ready = tokio::select! {
        ready = wait_ready(config.listen) => ready,
        () = tokio::time::sleep(READY_WITHIN) => false,
    };
    if ready {
        tracing::info!(router = %config.listen, cells, "the cluster is serving on http://{}", config.listen);
    } else {
        tracing::error!(
            "the cluster did not come up within {READY_WITHIN:?}; see the logs in the data directory"
        );
    }
    signal.await;
    tracing::info!("stopping the cluster");
    let _ = stop_all.send(true);
    for supervisor in supervisors {
        let _ = supervisor.await;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_database_url_is_split_before_its_query() {
        // (URL, server, name, query); one line per shape an operator writes.
        type Split = Option<(&'static str, &'static str, &'static str)>;
        let cases: &[(&str, Split)] = &[
            (
                "postgres://u@h:5432/org",
                Some(("postgres://u@h:5432", "org", "")),
            ),
            (
                "postgres://u@h/org?sslmode=verify-full&sslrootcert=/etc/ca.pem",
                Some((
                    "postgres://u@h",
                    "org",
                    "sslmode=verify-full&sslrootcert=/etc/ca.pem",
                )),
            ),
            ("postgres://u@h/", None),
            ("postgres://u@h", None),
            ("postgres:/org", None),
        ];
        for (url, expected) in cases {
            assert_eq!(split_database_url(url), *expected, "{url}");
        }
    }
}
