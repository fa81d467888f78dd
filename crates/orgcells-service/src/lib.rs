//! The service layer: every read and write of orgcells, for the API and (later) the web pages.
//!
//! Each operation takes the [`Caller`], asks `orgcells_core::policy` whether it may proceed, and
//! does its writes in one transaction of the Cell's database, so a 2xx is only ever sent for a
//! committed change, and an audit event can later be recorded in the same transaction.

mod access;
pub mod access_requests;
mod activity;
pub mod bootstrap;
mod caller;
pub mod cells;
mod clock;
pub mod committing;
mod error;
pub mod groups;
pub mod invitations;
mod joining;
mod locking;
mod lookup;
pub mod mail;
pub mod members;
mod membership;
mod memo;
pub mod moving;
pub mod namespaces;
pub mod org_deletion;
mod org_redirects;
pub mod org_users;
pub mod organizations;
mod owners;
mod peers;
pub mod present;
pub mod projects;
mod refs;
mod replicating;
mod routes;
mod secret;
pub mod shares;
mod standing;
pub mod tokens;
mod turns;
pub mod user_deletion;
pub mod user_states;
pub mod users;

pub use caller::Caller;
pub use error::{Result, ServiceError};
pub use orgcells_store::PoolStats;
/// The records the service hands out, decoded into the rules' types.
pub use orgcells_store::rows;
pub use refs::Ref;

use orgcells_store::Db;

/// Instance-wide settings the service needs.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Whether Users other than admins may create Organizations (on for SaaS, off by default).
    pub allow_organization_creation: bool,
    /// How long a soft-deleted Organization may be restored before it is deleted for good.
    pub organization_retention: std::time::Duration,
}

/// The service: the Cell's database and the instance settings.
#[derive(Debug, Clone)]
pub struct Service {
    pub db: Db,
    pub settings: Settings,
    memo: std::sync::Arc<memo::Memo>,
    /// The callers tokens stand for, by token digest and date (a token expires with the day),
    /// remembered under the same generation as the memo.
    callers: std::sync::Arc<caller::Callers>,
    /// The cluster's topology service, where this Cell's claims are held; none for a Cell on
    /// its own.
    topology: Option<orgcells_topology::TopologyClient>,
    /// The topology's read side: the Cells of the cluster.
    directory: Option<orgcells_topology::Directory>,
    /// Held by a write of cluster-wide rows from its lease's beginning to its commit, with the
    /// lease of such a write committed here but not yet in the topology (see `committing`).
    users_order: std::sync::Arc<tokio::sync::Mutex<Option<String>>>,
    /// Held by a run copying the change log (one at a time), with the moment the last run
    /// started (see `replicating`).
    copying: std::sync::Arc<tokio::sync::Mutex<Option<std::time::Instant>>>,
    /// The cluster's secret, which Cells present to each other (see `moving`).
    cluster_secret: Option<orgcells_topology::ClusterSecret>,
    /// Where mail goes (invitations).
    mailer: std::sync::Arc<dyn mail::Mailer>,
    /// The Organizations whose moves this process acts on (begins, drives, resumes, rolls
    /// back): one at a time each.
    driving: turns::Turns,
    /// The Users whose deletion this process runs (asked, or resumed): one run at a time each.
    deleting: turns::Turns,
    /// The Users whose activity this process has noted today (see `activity`).
    active_today: std::sync::Arc<activity::ActiveToday>,
}

impl Service {
    pub fn new(db: Db, settings: Settings) -> Service {
        let memo = memo::Memo::new(db.generation().clone());
        let callers = std::sync::Arc::new(caller::Callers::new(memo::REMEMBERED));
        Service {
            db,
            settings,
            memo,
            callers,
            topology: None,
            directory: None,
            users_order: std::sync::Arc::default(),
            copying: std::sync::Arc::default(),
            cluster_secret: None,
            mailer: std::sync::Arc::new(mail::LogMailer),
            driving: turns::Turns::default(),
            deleting: turns::Turns::default(),
            active_today: std::sync::Arc::default(),
        }
    }

    /// The service sending its mail through `mailer`.
    pub fn with_mailer(mut self, mailer: std::sync::Arc<dyn mail::Mailer>) -> Service {
        self.mailer = mailer;
        self
    }

    /// Whether the database answers within `limit` (readiness).
    pub async fn ping(&self, limit: std::time::Duration) -> orgcells_store::Result<()> {
        self.db.ping(limit).await
    }

    /// The connection pools' figures (metrics).
    pub fn pool_stats(&self) -> Vec<PoolStats> {
        self.db.pool_stats()
    }

    /// This Cell as part of a cluster: its claims are taken in the topology service (see
    /// `committing`).
    pub fn with_topology(
        mut self,
        topology: orgcells_topology::TopologyClient,
        directory: orgcells_topology::Directory,
        secret: orgcells_topology::ClusterSecret,
    ) -> Service {
        self.topology = Some(topology);
        self.directory = Some(directory);
        self.cluster_secret = Some(secret);
        self
    }

    /// The Cell this service serves.
    pub fn cell(&self) -> orgcells_core::ids::CellId {
        self.db.cell()
    }

    /// Where a list's total comes from, when the page asks for one.
    fn totals(&self, page: &PageRequest) -> Option<orgcells_store::Totals<'_>> {
        page.counts().then(|| self.db.totals())
    }
}

/// A page of results and the total (absent above 10,000, as GitLab drops it there).
#[derive(Debug, Clone)]
pub struct Listed<T> {
    pub items: Vec<T>,
    pub total: Option<i64>,
}

/// Which page of a list: offset (`page`, `per_page`) or keyset (rows after a cursor).
#[derive(Debug, Clone, Default)]
pub struct PageRequest {
    pub page: i64,
    pub per_page: i64,
    /// Keyset: the sort key and id of the last row of the previous page.
    pub after: Option<(String, i64)>,
    pub keyset: bool,
    /// Descending order (`sort=desc`).
    pub descending: bool,
}

impl PageRequest {
    pub fn offset(&self) -> i64 {
        if self.keyset {
            0
        } else {
            (self.page.max(1) - 1).saturating_mul(self.per_page)
        }
    }

    /// One more than the page, to learn whether a next page exists without counting.
    pub fn limit(&self) -> i64 {
        self.per_page + i64::from(self.keyset)
    }

    pub fn counts(&self) -> bool {
        !self.keyset
    }
}
