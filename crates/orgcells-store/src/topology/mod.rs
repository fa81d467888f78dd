//! The topology service's own store: the Cells of the cluster and the claims on every globally
//! unique value (SPEC section 10). SQLite for one process with no set-up, PostgreSQL for a
//! cluster; several topology processes may share one PostgreSQL database.
//!
//! Every write runs alone: on SQLite as `BEGIN IMMEDIATE` (the write lock taken before the first
//! read, so a read-then-write never deadlocks another process), on PostgreSQL `SERIALIZABLE`,
//! retried a bounded number of times when the database reports a serialization failure. No
//! advisory lock and no `SELECT ... FOR UPDATE`: the same statements map onto a distributed SQL
//! database (Cloud Spanner, CockroachDB) whose transactions are serializable by default.

mod cells;
mod changes;
mod claims;
mod moves;

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use sqlx::{Any, AnyConnection, AnyPool, Transaction};

pub use cells::CellRow;
pub use changes::{ChangeRow, MAX_PAYLOAD, RowChange};
pub use claims::{ClaimError, ClaimRow, LeaseRow, MAX_PAGE, NewClaim};
pub use moves::{Handover, MAX_SWITCHED, MoveRow};

use crate::backend::Backend;
use crate::{Result, StoreError};

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/topology/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator =
    sqlx::migrate!("migrations/topology/postgres");

/// How many times a write is tried when the database reports a serialization failure or is
/// busy, and the pause before the first retry (doubled each time).
const ATTEMPTS: u32 = 8;
const FIRST_PAUSE: Duration = Duration::from_millis(2);

/// The topology's database.
#[derive(Debug, Clone)]
pub struct TopologyDb {
    backend: Backend,
    reader: AnyPool,
    writer: AnyPool,
}

/// A write's work, run again on each attempt inside a fresh transaction.
type Work<'c, T> = Pin<Box<dyn Future<Output = std::result::Result<T, ClaimError>> + Send + 'c>>;

impl TopologyDb {
    /// Connects to `url` (`sqlite://...` or `postgres://...`).
    pub async fn connect(url: &str) -> Result<TopologyDb> {
        let backend = Backend::from_url(url).ok_or_else(|| {
            StoreError::Database(sqlx::Error::Configuration(
                "the topology database URL must start with sqlite: or postgres:".into(),
            ))
        })?;
        let (reader, writer) = backend.pools(url).await?;
        Ok(TopologyDb {
            backend,
            reader,
            writer,
        })
    }

    pub async fn migrate(&self) -> Result<()> {
        match self.backend {
            Backend::Sqlite => SQLITE_MIGRATIONS.run(&self.writer).await?,
            Backend::Postgres => POSTGRES_MIGRATIONS.run(&self.writer).await?,
        }
        Ok(())
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub async fn close(&self) {
        self.reader.close().await;
        self.writer.close().await;
    }

    /// Begins a write transaction, in a task of its own. Dropped part way (a gRPC call its
    /// client cancelled), sqlx's SQLite driver may leave a custom `BEGIN` run with no
    /// transaction to end it, and the pool would hand that connection to the next write; a task
    /// runs to the end, and a transaction nobody awaits any more is rolled back as it drops.
    async fn begin(&self) -> Result<Transaction<'static, Any>> {
        let statement = match self.backend {
            Backend::Sqlite => "BEGIN IMMEDIATE",
            Backend::Postgres => "BEGIN ISOLATION LEVEL SERIALIZABLE",
        };
        let writer = self.writer.clone();
        tokio::spawn(async move { writer.begin_with(statement).await })
            .await
            .map_err(|_| StoreError::from(sqlx::Error::WorkerCrashed))?
            .map_err(StoreError::from)
    }

    /// Runs `work` on `input` in a write transaction of its own, committed when it succeeds;
    /// tried again (up to [`ATTEMPTS`] times) when the database says the transaction lost a race.
    async fn write<I, T, F>(&self, input: &I, mut work: F) -> std::result::Result<T, ClaimError>
    where
        I: Sync + ?Sized,
        F: for<'c> FnMut(&'c mut AnyConnection, &'c I) -> Work<'c, T>,
    {
        let mut pause = FIRST_PAUSE;
        let mut attempt = 1;
        loop {
            let outcome = async {
                let mut tx = self.begin().await?;
                let value = work(&mut tx, input).await?;
                tx.commit().await.map_err(StoreError::from)?;
                Ok(value)
            }
            .await;
            match outcome {
                Err(ClaimError::Store(StoreError::Busy(message))) => {
                    if attempt == ATTEMPTS {
                        return Err(ClaimError::Busy(message));
                    }
                    tokio::time::sleep(pause).await;
                    pause *= 2;
                    attempt += 1;
                }
                other => return other,
            }
        }
    }
}
