use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use orgcells_core::ids::CellId;
use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyConnection, AnyPool, Transaction};

use crate::backend::Backend;
use crate::cache::{Generation, GenerationCache};
use crate::claims::ClaimOp;
use crate::sql::Sql;
use crate::{Result, StoreError};

/// How many lists' totals are remembered at most.
const COUNTS_REMEMBERED: usize = 4096;

/// A Cell's database: a pool for reads and one for writes (the same on PostgreSQL).
#[derive(Debug, Clone)]
pub struct Db {
    backend: Backend,
    cell: CellId,
    reader: AnyPool,
    writer: AnyPool,
    /// Tasks waiting for a connection: [0] reads, [1] writes.
    waiting: Arc<[AtomicI64; 2]>,
    generation: Generation,
    counts: Arc<GenerationCache<String, i64>>,
    /// The SQLite file, checked by [`Db::ping`].
    file: Option<std::path::PathBuf>,
}

/// One pool's connections, for metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolStats {
    /// `read` or `write`; on PostgreSQL the one pool serves both and is `read`.
    pub pool: &'static str,
    pub in_use: i64,
    pub idle: i64,
    pub waiting: i64,
}

/// Counts a task as waiting for a connection until dropped (also when the wait is cancelled).
struct Waiting<'a>(&'a AtomicI64);

impl<'a> Waiting<'a> {
    fn start(counter: &'a AtomicI64) -> Waiting<'a> {
        counter.fetch_add(1, Ordering::Relaxed);
        Waiting(counter)
    }
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Where a list's total comes from: [`Db::totals`].
#[derive(Debug, Clone, Copy)]
pub struct Totals<'a>(&'a Db);

impl Totals<'_> {
    /// The total `sql` counts (a remembered one when no write came since).
    pub(crate) async fn of(self, conn: &mut AnyConnection, sql: &Sql) -> Result<i64> {
        let Some(generation) = self.0.generation.for_read(conn) else {
            return Ok(sql.query_scalar().fetch_one(conn).await?);
        };
        let key = sql.key();
        if let Some(total) = self.0.counts.get(generation, &key) {
            return Ok(total);
        }
        let total: i64 = sql.query_scalar().fetch_one(conn).await?;
        self.0.counts.insert(generation, key, total);
        Ok(total)
    }
}

/// A write transaction. Dropped without [`Tx::commit`], it rolls back.
pub struct Tx {
    backend: Backend,
    generation: Generation,
    inner: Transaction<'static, Any>,
    /// The claims this transaction took and released, in order: what a Cell of a cluster asks
    /// the topology service for before it commits (see [`crate::claims`]).
    claim_ops: Vec<ClaimOp>,
    /// The cluster-wide rows this transaction changed (see [`crate::replica`]).
    rows: Vec<crate::topology::RowChange>,
}

impl Db {
    /// Connects to `url` (`sqlite://...` or `postgres://...`) as the given Cell.
    pub async fn connect(url: &str, cell: CellId) -> Result<Db> {
        let backend = Backend::from_url(url).ok_or_else(|| {
            StoreError::Database(sqlx::Error::Configuration(
                "DATABASE_URL must start with sqlite: or postgres:".into(),
            ))
        })?;
        let (reader, writer) = backend.pools(url).await?;
        Ok(Db {
            backend,
            cell,
            reader,
            writer,
            waiting: Arc::default(),
            generation: Generation::default(),
            counts: Arc::new(GenerationCache::new(COUNTS_REMEMBERED)),
            file: crate::lock::sqlite_path(url).map(Into::into),
        })
    }

    /// Applies the backend's migrations and points the id allocator at the Cell's range.
    pub async fn migrate(&self) -> Result<()> {
        self.backend.migrate(&self.writer).await?;
        self.backend.configure_ids(&self.writer, self.cell).await
    }

    /// Refreshes the planner's statistics where they are missing or stale (SQLite plans by
    /// heuristics without them and can pick a poor index); cheap, run at start-up.
    pub async fn optimize(&self) -> Result<()> {
        if self.backend == Backend::Sqlite {
            let mut conn = self.writer.acquire().await?;
            sqlx::Executor::execute(
                &mut *conn,
                "PRAGMA analysis_limit = 1000; PRAGMA optimize = 0x10002;",
            )
            .await?;
        }
        Ok(())
    }

    /// Gathers the planner's statistics of every table after a bulk load (on PostgreSQL also
    /// the visibility map, without which index-only scans read the heap).
    pub async fn analyze(&self) -> Result<()> {
        let statement = match self.backend {
            Backend::Sqlite => "ANALYZE",
            Backend::Postgres => "VACUUM ANALYZE",
        };
        let mut conn = self.writer.acquire().await?;
        sqlx::Executor::execute(&mut *conn, statement).await?;
        Ok(())
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn cell(&self) -> CellId {
        self.cell
    }

    /// The write generation that caches of this Cell's reads are keyed by.
    pub fn generation(&self) -> &Generation {
        &self.generation
    }

    /// Lists' totals, remembered until the next write (see [`crate::cache`]): what a list
    /// function is given when the caller wants the total.
    pub fn totals(&self) -> Totals<'_> {
        Totals(self)
    }

    /// A connection for reads.
    pub async fn read(&self) -> Result<PoolConnection<Any>> {
        let _waiting = Waiting::start(&self.waiting[0]);
        Ok(self.reader.acquire().await?)
    }

    /// Starts a write transaction.
    pub async fn write(&self) -> Result<Tx> {
        let _waiting = Waiting::start(&self.waiting[1]);
        Ok(Tx {
            backend: self.backend,
            generation: self.generation.clone(),
            inner: self.writer.begin().await?,
            claim_ops: Vec::new(),
            rows: Vec::new(),
        })
    }

    /// Whether the database answers within `limit`.
    pub async fn ping(&self, limit: Duration) -> Result<()> {
        let check = async {
            // An open SQLite connection goes on reading and writing a file removed under it:
            // the file must still be where the URL says.
            if let Some(file) = &self.file
                && std::fs::metadata(file).is_err()
            {
                return Err(StoreError::Unreachable(format!(
                    "the database file {} is gone",
                    file.display()
                )));
            }
            // A table every Cell has (not `SELECT 1`): a database without its tables is not
            // ready. (Rows are not asked for: a Cell other than the first holds no
            // Organization until one is placed on it.)
            let mut conn = self.reader.acquire().await?;
            sqlx::query("SELECT id FROM organizations LIMIT 1")
                .fetch_optional(&mut *conn)
                .await?;
            Ok::<(), StoreError>(())
        };
        tokio::time::timeout(limit, check)
            .await
            .map_err(|_| StoreError::Database(sqlx::Error::PoolTimedOut))?
    }

    /// The pools' connections in use, idle and waited for.
    pub fn pool_stats(&self) -> Vec<PoolStats> {
        let stats = |pool: &'static str, conns: &AnyPool, waiting: i64| {
            let idle = conns.num_idle() as i64;
            PoolStats {
                pool,
                in_use: i64::from(conns.size()) - idle,
                idle,
                waiting,
            }
        };
        let reads = self.waiting[0].load(Ordering::Relaxed);
        let writes = self.waiting[1].load(Ordering::Relaxed);
        match self.backend {
            Backend::Sqlite => vec![
                stats("read", &self.reader, reads),
                stats("write", &self.writer, writes),
            ],
            Backend::Postgres => vec![stats("read", &self.reader, reads + writes)],
        }
    }

    pub async fn close(&self) {
        self.reader.close().await;
        self.writer.close().await;
    }
}

impl Tx {
    pub fn conn(&mut self) -> &mut AnyConnection {
        &mut self.inner
    }

    /// Notes a claim taken or released (by [`crate::claims`]).
    pub(crate) fn record_claim(&mut self, op: ClaimOp) {
        self.claim_ops.push(op);
    }

    /// Notes a cluster-wide row changed (by [`crate::replica`]).
    pub(crate) fn record_row(&mut self, row: crate::topology::RowChange) {
        self.rows.push(row);
    }

    /// The cluster-wide rows changed so far, which the transaction no longer keeps.
    pub fn take_rows(&mut self) -> Vec<crate::topology::RowChange> {
        std::mem::take(&mut self.rows)
    }

    /// The claims taken and released so far, which the transaction no longer keeps.
    pub fn take_claim_ops(&mut self) -> Vec<ClaimOp> {
        std::mem::take(&mut self.claim_ops)
    }

    /// The next primary key from the Cell's range, as the id type the row wants.
    pub async fn next_id<T: From<i64>>(&mut self) -> Result<T> {
        Ok(T::from(self.backend.next_id(&mut self.inner).await?))
    }

    pub(crate) async fn backend_reserve(&mut self, n: usize) -> Result<Vec<i64>> {
        self.backend.reserve_ids(&mut self.inner, n).await
    }

    /// Commits. Caches are not used while it is under way and forget what they hold after it
    /// (see [`crate::cache`]).
    pub async fn commit(self) -> Result<()> {
        self.generation.commit_starts();
        let committed = self.inner.commit().await;
        self.generation.commit_ends();
        Ok(committed?)
    }
}
