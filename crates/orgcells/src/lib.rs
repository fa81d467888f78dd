//! Starting orgcells: configuration, the database, the service and the HTTP server. `main.rs`
//! parses the command line into [`options::Options`]; tests build a [`Config`] and call
//! [`start`] directly.

pub mod cluster;
pub mod generate;
pub mod options;
pub mod org_move;
mod smtp;
pub mod topology;

use orgcells_topology::{ClusterSecret, Directory, TopologyClient};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use orgcells_api::{Allowlist, App, AppState, Metrics};
use orgcells_core::ids::CellId;
use orgcells_service::bootstrap::AdminSetup;
use orgcells_service::mail::{FileMailer, Mailer};
use orgcells_service::{Service, Settings};
use orgcells_store::{CellLock, Db};
use smtp::SmtpMailer;
use tokio::net::TcpListener;

/// Everything `serve` needs.
#[derive(Clone)]
pub struct Config {
    pub listen: SocketAddr,
    /// Where the SQLite file lives when no database URL is given.
    pub data_dir: PathBuf,
    /// `sqlite://...` or `postgres://...`; a SQLite file in `data_dir` when absent.
    pub database_url: Option<String>,
    /// The base of every `web_url` and `Link`; `http://<listen>` when absent.
    pub external_url: Option<String>,
    pub cell: CellId,
    pub admin: AdminSetup,
    pub allow_organization_creation: bool,
    /// Who may reach `/-/health`, `/-/liveness`, `/-/readiness` and `/-/metrics`.
    pub monitoring_allowlist: Allowlist,
    /// The cluster's topology service, where this Cell's claims are taken; none for a Cell on
    /// its own.
    pub topology_url: Option<String>,
    /// What the parts of a cluster present to each other.
    pub cluster_secret: Option<String>,
    /// How old a lease of this Cell is before the reconciler rolls it back, when no committed
    /// transaction noted it (GitLab: 10 minutes).
    pub lease_stale_after: std::time::Duration,
    /// How long this part waits for another part of the cluster (GitLab: 10 s).
    pub upstream_timeout: std::time::Duration,
    /// How long a soft-deleted Organization may be restored before it is deleted for good.
    pub organization_retention: std::time::Duration,
    /// The SMTP relay mail goes through; none: mail is written to `<data dir>/mail`.
    pub smtp_url: Option<String>,
    /// The sender of that mail (`Name <address>` or an address); see [`Config::mail_from`].
    pub mail_from: Option<String>,
}

impl Config {
    /// The sender of the service's mail: as set, or `orgcells@` the external URL's host
    /// (GitLab's `gitlab_email_from` is `gitlab@` its host).
    pub fn mail_from(&self) -> String {
        if let Some(from) = &self.mail_from {
            return from.clone();
        }
        let host = self
            .external_url
            .as_deref()
            .and_then(|url| reqwest::Url::parse(url).ok())
            .and_then(|url| url.host_str().map(str::to_owned))
            .unwrap_or_else(|| "localhost".to_owned());
        format!("orgcells@{host}")
    }
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("listen", &self.listen)
            .field("data_dir", &self.data_dir)
            .field(
                "database_url",
                &self.database_url.as_deref().map(redact_url),
            )
            .field("external_url", &self.external_url)
            .field("cell", &self.cell)
            .field(
                "admin_token",
                &self.admin.token.as_ref().map(|_| "[redacted]"),
            )
            .field(
                "admin_password",
                &self.admin.password.as_ref().map(|_| "[redacted]"),
            )
            .field(
                "allow_organization_creation",
                &self.allow_organization_creation,
            )
            .field("monitoring_allowlist", &self.monitoring_allowlist)
            .field("topology_url", &self.topology_url)
            .field("lease_stale_after", &self.lease_stale_after)
            .field("upstream_timeout", &self.upstream_timeout)
            .field("organization_retention", &self.organization_retention)
            .field("smtp_url", &self.smtp_url.as_deref().map(redact_url))
            .field("mail_from", &self.mail_from)
            .field(
                "cluster_secret",
                &self.cluster_secret.as_ref().map(|_| "[redacted]"),
            )
            .finish()
    }
}

/// A database URL with its passwords hidden: the one after the user name and those given as
/// `password` or `sslpassword` in the query string.
pub fn redact_url(url: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let mut redacted = match (base.find("://"), base.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => match base[scheme + 3..at].split_once(':') {
            Some((user, _)) => format!("{}{user}:[redacted]{}", &base[..scheme + 3], &base[at..]),
            None => base.to_owned(),
        },
        _ => base.to_owned(),
    };
    if let Some(query) = query {
        let pairs: Vec<String> = query
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((key, _)) if matches!(key, "password" | "sslpassword") => {
                    format!("{key}=[redacted]")
                }
                _ => pair.to_owned(),
            })
            .collect();
        redacted.push('?');
        redacted.push_str(&pairs.join("&"));
    }
    redacted
}

impl Config {
    /// The database URL to use: the configured one, or a SQLite file in the data directory.
    pub fn database_url(&self) -> anyhow::Result<String> {
        if let Some(url) = &self.database_url {
            return Ok(url.clone());
        }
        std::fs::create_dir_all(&self.data_dir)
            .with_context(|| format!("creating the data directory {}", self.data_dir.display()))?;
        Ok(format!(
            "sqlite://{}?mode=rwc",
            self.data_dir.join("orgcells.db").display()
        ))
    }
}

/// Connects and migrates the Cell's database.
pub async fn open_database(config: &Config) -> anyhow::Result<Db> {
    let url = config.database_url()?;
    let db = Db::connect(&url, config.cell)
        .await
        .with_context(|| format!("connecting to {}", redact_url(&url)))?;
    db.migrate().await.context("migrating the database")?;
    db.optimize()
        .await
        .context("refreshing planner statistics")?;
    Ok(db)
}

/// Takes the Cell's lock: one process serves (or bulk-loads) a Cell's database at a time, which
/// the in-process caches rely on.
pub async fn lock_cell(config: &Config, db: &Db) -> anyhow::Result<CellLock> {
    db.lock_cell(&config.database_url()?)
        .await
        .context("taking the Cell's lock")
}

/// A started server.
pub struct Running {
    pub addr: SocketAddr,
    /// root's token, when it was created on this start without one given.
    pub new_admin_token: Option<String>,
    pub db: Db,
    /// This process's claim on the Cell's database, given up on stop.
    lock: CellLock,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
    /// The lease reconciler of a Cell in a cluster.
    reconciler: Option<tokio::task::JoinHandle<()>>,
    /// The jobs every Cell runs on a schedule: deleting for good the soft-deleted
    /// Organizations whose retention has passed, and accepting the invitations that waited.
    chores: [tokio::task::JoinHandle<()>; 2],
    /// The copier of the cluster's Users, on a Cell of a cluster other than the first.
    replicator: Option<tokio::task::JoinHandle<()>>,
    shutdown: tokio::sync::oneshot::Sender<()>,
}

impl Running {
    /// Stops accepting, finishes the requests under way, closes the database.
    pub async fn stop(self) -> anyhow::Result<()> {
        for task in &self.chores {
            task.abort();
        }
        for task in [self.reconciler, self.replicator].into_iter().flatten() {
            task.abort();
        }
        let _ = self.shutdown.send(());
        self.server.await.context("server task")??;
        self.lock.release().await;
        self.db.close().await;
        Ok(())
    }

    /// Waits until the server ends (after [`Running::stop`] from elsewhere, or a signal).
    pub async fn wait(self, signal: impl std::future::Future<Output = ()>) -> anyhow::Result<()> {
        signal.await;
        self.stop().await
    }
}

/// The clients this Cell takes its claims through and reads the cluster's Cells with, and the
/// cluster secret it presents to other Cells.
fn topology_clients(
    config: &Config,
    url: &str,
) -> anyhow::Result<(TopologyClient, Directory, ClusterSecret)> {
    let secret = config
        .cluster_secret
        .as_deref()
        .and_then(ClusterSecret::new)
        .context("a Cell of a cluster needs the cluster secret (16 characters or more)")?;
    // Half the upstream timeout: a write waiting on the topology answers its own 503 within
    // the router's wait for it.
    let timeout = config.upstream_timeout / 2;
    let claims = TopologyClient::new(url, secret.clone(), config.cell, timeout)
        .with_context(|| format!("the topology URL {url}"))?;
    let directory = Directory::new(url, secret.clone(), timeout)
        .with_context(|| format!("the topology URL {url}"))?;
    Ok((claims, directory, secret))
}

/// How often a Cell of a cluster reconciles its leases (GitLab's reconciler: every minute), or
/// more often when leases go stale sooner.
const RECONCILE_EVERY: std::time::Duration = std::time::Duration::from_secs(60);

/// Ends the leases a crash left and finishes the User deletions an outage cut short, at start
/// and then on a schedule (see `Service::reconcile_leases` and
/// `Service::resume_user_deletions`).
async fn reconcile(service: Service, stale_after: std::time::Duration) {
    let every = RECONCILE_EVERY.min(stale_after.max(std::time::Duration::from_millis(100)));
    loop {
        match service.reconcile_leases(stale_after).await {
            Ok(done) if done.committed + done.rolled_back > 0 => {
                tracing::info!(
                    committed = done.committed,
                    rolled_back = done.rolled_back,
                    in_flight = done.in_flight,
                    "reconciled the topology leases"
                );
            }
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, "reconciling the topology leases"),
        }
        match service.resume_user_deletions().await {
            Ok(0) => {}
            Ok(finished) => tracing::info!(finished, "finished User deletions cut short"),
            Err(error) => tracing::warn!(%error, "finishing User deletions cut short"),
        }
        tokio::time::sleep(every).await;
    }
}

/// Deletes for good, every tenth of the retention period (at least every second, at most
/// every minute), the soft-deleted Organizations whose retention has passed.
async fn purge(service: Service, retention: std::time::Duration) {
    let every = (retention / 10).clamp(
        std::time::Duration::from_secs(1),
        std::time::Duration::from_secs(60),
    );
    loop {
        match service.purge_deleted_organizations().await {
            Ok(0) => {}
            Ok(purged) => tracing::info!(purged, "deleted soft-deleted organizations for good"),
            Err(error) => tracing::warn!(%error, "deleting soft-deleted organizations"),
        }
        tokio::time::sleep(every).await;
    }
}

/// How often a Cell accepts the invitations that waited (see
/// `Service::accept_waiting_invitations`).
const INVITATIONS_EVERY: std::time::Duration = std::time::Duration::from_secs(30);

async fn accept_waiting_invitations(service: Service) {
    loop {
        match service.accept_waiting_invitations().await {
            Ok(0) => {}
            Ok(users) => tracing::info!(users, "accepted invitations that waited"),
            Err(error) => tracing::warn!(%error, "accepting invitations that waited"),
        }
        tokio::time::sleep(INVITATIONS_EVERY).await;
    }
}

/// How often a Cell copies the cluster's change log: a block, a ban or a revoked token holds on
/// every Cell within this and a round trip (the goal: 1 s).
const REPLICATE_EVERY: std::time::Duration = std::time::Duration::from_millis(200);
/// How long a starting Cell waits to copy the log before it serves from what it has.
const CATCH_UP_WITHIN: std::time::Duration = std::time::Duration::from_secs(30);

/// Copies the change log before serving, so that a new Cell knows root and the admin token; a
/// topology that does not answer within [`CATCH_UP_WITHIN`] leaves the Cell serving its own
/// copy (which survives restarts).
async fn catch_up(service: &Service) {
    let deadline = std::time::Instant::now() + CATCH_UP_WITHIN;
    loop {
        match service.replicate().await {
            Ok(applied) => {
                tracing::info!(applied, "copied the cluster's users");
                return;
            }
            Err(error) if std::time::Instant::now() < deadline => {
                tracing::debug!(%error, "copying the cluster's users; trying again");
                tokio::time::sleep(REPLICATE_EVERY).await;
            }
            Err(error) => {
                tracing::warn!(%error, "the cluster's users could not be copied; serving this Cell's copy");
                return;
            }
        }
    }
}

/// Copies the change log on a schedule; says so once when it starts failing and once when it
/// is copying again.
async fn replicate(service: Service) {
    let mut failing = false;
    loop {
        tokio::time::sleep(REPLICATE_EVERY).await;
        match service.replicate().await {
            Ok(_) if failing => {
                failing = false;
                tracing::info!("copying the cluster's users again");
            }
            Ok(_) => {}
            Err(error) if !failing => {
                failing = true;
                tracing::warn!(%error, "copying the cluster's users failed; this Cell serves its copy meanwhile");
            }
            Err(_) => {}
        }
    }
}

/// The service over `db` with `config`'s settings, and the cluster's topology service when
/// `config` names one: what `serve` and the commands that write without serving use.
pub fn service(db: &Db, config: &Config) -> anyhow::Result<Service> {
    // Mail goes through the SMTP relay when one is set, else to a file sink in the data
    // directory (one JSON line per message).
    let mailer: Arc<dyn Mailer> = match &config.smtp_url {
        Some(url) => Arc::new(SmtpMailer::start(url, &config.mail_from())?),
        None => Arc::new(FileMailer::new(config.data_dir.join("mail"))),
    };
    let service = Service::new(
        db.clone(),
        Settings {
            allow_organization_creation: config.allow_organization_creation,
            organization_retention: config.organization_retention,
        },
    )
    .with_mailer(mailer);
    Ok(match &config.topology_url {
        Some(url) => {
            let (claims, directory, secret) = topology_clients(config, url)?;
            service.with_topology(claims, directory, secret)
        }
        None => service,
    })
}

/// Migrates, bootstraps (Default Organization, root) and starts serving.
pub async fn start(config: &Config) -> anyhow::Result<Running> {
    let db = open_database(config).await?;
    let lock = lock_cell(config, &db).await?;
    let service = service(&db, config)?;
    if service.copies_users() {
        catch_up(&service).await;
    }
    let new_admin_token = service
        .bootstrap(&config.admin)
        .await
        .map_err(|e| anyhow::anyhow!("bootstrap: {e}"))?;
    if config.topology_url.is_some() {
        // Once before serving: a write of Users left uncommitted in the topology by a crash
        // reaches the log before any new one does.
        if let Err(error) = service.reconcile_leases(config.lease_stale_after).await {
            tracing::warn!(%error, "reconciling the topology leases before serving");
        }
        // The moves this Cell was driving when it stopped go on.
        if let Err(error) = service.resume_moves().await {
            tracing::warn!(%error, "going on with the moves this Cell was driving");
        }
    }
    let reconciler = config
        .topology_url
        .is_some()
        .then(|| tokio::spawn(reconcile(service.clone(), config.lease_stale_after)));
    let replicator = service
        .copies_users()
        .then(|| tokio::spawn(replicate(service.clone())));
    let chores = [
        tokio::spawn(purge(service.clone(), config.organization_retention)),
        tokio::spawn(accept_waiting_invitations(service.clone())),
    ];
    let listener = TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("binding {}", config.listen))?;
    let addr = listener.local_addr()?;
    let external_url = config
        .external_url
        .clone()
        .unwrap_or_else(|| format!("http://{addr}"));
    let state = AppState(Arc::new(App {
        service,
        external_url: external_url.trim_end_matches('/').to_owned(),
        metrics: Metrics::new(),
        monitoring_allowlist: config.monitoring_allowlist.clone(),
    }));
    // The peer address is the monitoring allowlist's input.
    let app = orgcells_api::router(state).into_make_service_with_connect_info::<SocketAddr>();
    let (shutdown, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let _ = stopped.await;
            })
            .await
    });
    Ok(Running {
        addr,
        new_admin_token,
        db,
        lock,
        server,
        reconciler,
        chores,
        replicator,
        shutdown,
    })
}

#[cfg(test)]
mod tests {
    use super::redact_url;

    #[test]
    fn every_password_in_a_database_url_is_hidden() {
        // (URL, as shown), one line per place a password can be.
        let cases = [
            (
                "sqlite://data/orgcells.db?mode=rwc",
                "sqlite://data/orgcells.db?mode=rwc",
            ),
            ("postgres://app@db/orgcells", "postgres://app@db/orgcells"),
            (
                "postgres://app:s3cret@db/orgcells",
                "postgres://app:[redacted]@db/orgcells",
            ),
            (
                "postgres://app@db/orgcells?password=s3cret",
                "postgres://app@db/orgcells?password=[redacted]",
            ),
            (
                "postgres://db/x?sslmode=require&sslpassword=k3y&application_name=a",
                "postgres://db/x?sslmode=require&sslpassword=[redacted]&application_name=a",
            ),
            (
                "postgres://app:p@ss@db/x?password=q",
                "postgres://app:[redacted]@db/x?password=[redacted]",
            ),
        ];
        for (url, shown) in cases {
            assert_eq!(redact_url(url), shown, "{url}");
        }
    }
}
