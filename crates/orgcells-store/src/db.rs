use orgcells_core::ids::CellId;
use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyConnection, AnyPool, Transaction};

use crate::backend::Backend;
use crate::{Result, StoreError};

/// A Cell's database: a pool for reads and one for writes (the same on PostgreSQL).
#[derive(Debug, Clone)]
pub struct Db {
    backend: Backend,
    cell: CellId,
    reader: AnyPool,
    writer: AnyPool,
}

/// A write transaction. Dropped without [`Tx::commit`], it rolls back.
pub struct Tx {
    backend: Backend,
    inner: Transaction<'static, Any>,
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

    /// A connection for reads.
    pub async fn read(&self) -> Result<PoolConnection<Any>> {
        Ok(self.reader.acquire().await?)
    }

    /// Starts a write transaction.
    pub async fn write(&self) -> Result<Tx> {
        Ok(Tx {
            backend: self.backend,
            inner: self.writer.begin().await?,
        })
    }

    /// Whether the database answers.
    pub async fn ping(&self) -> Result<()> {
        let mut conn = self.read().await?;
        sqlx::query("SELECT 1").execute(&mut *conn).await?;
        Ok(())
    }

    /// Connections in use and idle, for metrics.
    pub fn pool_sizes(&self) -> (u32, usize) {
        (self.reader.size(), self.reader.num_idle())
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

    /// The next primary key from the Cell's range.
    pub async fn next_id(&mut self) -> Result<i64> {
        self.backend.next_id(&mut self.inner).await
    }

    pub(crate) async fn backend_reserve(&mut self, n: usize) -> Result<Vec<i64>> {
        self.backend.reserve_ids(&mut self.inner, n).await
    }

    pub async fn commit(self) -> Result<()> {
        Ok(self.inner.commit().await?)
    }
}
