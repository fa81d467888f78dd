//! What differs between the two databases: how to connect, the migrations, how primary keys are
//! taken from the Cell's range. Everything else is shared SQL.

use std::str::FromStr;
use std::time::Duration;

use orgcells_core::ids::CellId;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::migrate::Migrator;
use sqlx::{AnyConnection, AnyPool, Connection, Executor};

use crate::Result;

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("migrations/postgres");

/// The database behind a Cell, chosen from the URL scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// One file, one writer at a time (a pool of one connection), any number of readers (WAL).
    Sqlite,
    /// One pool for reads and writes; a rule that reads before it writes locks its rows
    /// (`locks`).
    Postgres,
}

impl Backend {
    pub fn from_url(url: &str) -> Option<Backend> {
        if url.starts_with("sqlite:") {
            Some(Backend::Sqlite)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Some(Backend::Postgres)
        } else {
            None
        }
    }

    /// The backend a connection speaks.
    pub fn of(conn: &AnyConnection) -> Backend {
        if conn.backend_name().eq_ignore_ascii_case("postgresql") {
            Backend::Postgres
        } else {
            Backend::Sqlite
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }

    /// The reader and writer pools (the same pool on PostgreSQL).
    pub(crate) async fn pools(self, url: &str) -> Result<(AnyPool, AnyPool)> {
        sqlx::any::install_default_drivers();
        let options = AnyConnectOptions::from_str(url)?;
        match self {
            Backend::Sqlite => {
                let pool = |size: u32| {
                    AnyPoolOptions::new()
                        .max_connections(size)
                        .min_connections(1)
                        .test_before_acquire(false)
                        .acquire_timeout(Duration::from_secs(30))
                        .after_connect(|conn, _| {
                            Box::pin(async move { sqlite_pragmas(conn).await })
                        })
                };
                // The writer first: it creates the file and switches it to WAL.
                let writer = pool(1).connect_with(options.clone()).await?;
                let reader = pool(8).connect_with(options).await?;
                Ok((reader, writer))
            }
            Backend::Postgres => {
                // Every statement is planned for its own values: a generic plan, chosen once
                // per connection after five runs, is costed with whatever statistics the
                // tables had then (a Cell that has just started, with a handful of rows) and
                // kept as they grow, so a grants read that takes 5 ms can take seconds.
                let pool = AnyPoolOptions::new()
                    .max_connections(16)
                    .test_before_acquire(false)
                    .acquire_timeout(Duration::from_secs(30))
                    .after_connect(|conn, _| {
                        Box::pin(async move {
                            sqlx::Executor::execute(
                                &mut *conn,
                                "SET plan_cache_mode = force_custom_plan",
                            )
                            .await
                            .map(|_| ())
                        })
                    })
                    .connect_with(options)
                    .await?;
                Ok((pool.clone(), pool))
            }
        }
    }

    pub(crate) async fn migrate(self, pool: &AnyPool) -> Result<()> {
        match self {
            Backend::Sqlite => SQLITE_MIGRATIONS.run(pool).await?,
            Backend::Postgres => POSTGRES_MIGRATIONS.run(pool).await?,
        }
        Ok(())
    }

    /// Points the id allocator at the Cell's range (only ever forward).
    pub(crate) async fn configure_ids(self, pool: &AnyPool, cell: CellId) -> Result<()> {
        let (min, max) = cell.id_range();
        let mut conn = pool.acquire().await?;
        match self {
            Backend::Sqlite => {
                sqlx::query("INSERT INTO cell_ids (id, next_id) VALUES (1, $1) ON CONFLICT (id) DO UPDATE SET next_id = MAX(next_id, $1)")
                    .bind(min)
                    .execute(&mut *conn)
                    .await?;
            }
            Backend::Postgres => {
                let last: i64 = sqlx::query_scalar("SELECT last_value FROM cell_ids")
                    .fetch_one(&mut *conn)
                    .await?;
                let restart = if last < min {
                    format!(" RESTART {min}")
                } else {
                    String::new()
                };
                let alter = format!(
                    "ALTER SEQUENCE cell_ids MINVALUE {min} MAXVALUE {max} START {min}{restart}"
                );
                conn.execute(alter.as_str()).await?;
            }
        }
        Ok(())
    }

    /// The next primary key of the Cell's range, inside the caller's transaction.
    pub(crate) async fn next_id(self, conn: &mut AnyConnection) -> Result<i64> {
        let id =
            match self {
                Backend::Sqlite => sqlx::query_scalar(
                    "UPDATE cell_ids SET next_id = next_id + 1 WHERE id = 1 RETURNING next_id - 1",
                )
                .fetch_one(conn)
                .await?,
                Backend::Postgres => {
                    sqlx::query_scalar("SELECT nextval('cell_ids')")
                        .fetch_one(conn)
                        .await?
                }
            };
        Ok(id)
    }
}

impl Backend {
    /// `n` primary keys of the Cell's range at once, inside the caller's transaction.
    pub(crate) async fn reserve_ids(self, conn: &mut AnyConnection, n: usize) -> Result<Vec<i64>> {
        let n = i64::try_from(n).unwrap_or(i64::MAX);
        match self {
            Backend::Sqlite => {
                let first: i64 = sqlx::query_scalar("UPDATE cell_ids SET next_id = next_id + $1 WHERE id = 1 RETURNING next_id - $1")
                    .bind(n)
                    .fetch_one(conn)
                    .await?;
                Ok((first..first + n).collect())
            }
            Backend::Postgres => Ok(sqlx::query_scalar(
                "SELECT nextval('cell_ids') FROM generate_series(1, $1)",
            )
            .bind(n)
            .fetch_all(conn)
            .await?),
        }
    }
}

async fn sqlite_pragmas(conn: &mut AnyConnection) -> std::result::Result<(), sqlx::Error> {
    // WAL lets readers run beside the one writer; NORMAL sync in WAL mode keeps every committed
    // transaction across a killed process (only a power loss may lose the last commits).
    conn.execute(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 10000; \
         PRAGMA foreign_keys = ON; PRAGMA cache_size = -65536; PRAGMA mmap_size = 1073741824;",
    )
    .await?;
    conn.ping().await
}
