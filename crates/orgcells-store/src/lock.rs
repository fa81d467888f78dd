//! One serving process per Cell database: what the in-process caches ([`crate::cache`]) rely on.
//! On SQLite an exclusive lock on a file beside the database; on PostgreSQL a session advisory
//! lock keyed by the Cell. A second `serve` on the same database is refused with a clear error.

use std::fs::File;

use sqlx::{AnyConnection, Connection};

use crate::backend::Backend;
use crate::{Db, Result, StoreError};

/// Held while a process serves the Cell; [`CellLock::release`] gives it up.
#[derive(Debug)]
pub struct CellLock {
    held: Held,
}

#[derive(Debug)]
enum Held {
    /// An in-memory database: no other process can reach it.
    Nothing,
    File(File),
    Advisory(AnyConnection, i64),
}

/// The advisory lock's key: a constant of this product and the Cell.
fn advisory_key(cell: u16) -> i64 {
    0x6f72_6763_0000_0000 | i64::from(cell)
}

impl Db {
    /// Takes the Cell's lock, or says which process holds it.
    pub async fn lock_cell(&self, url: &str) -> Result<CellLock> {
        let held = match self.backend() {
            Backend::Sqlite => match sqlite_path(url) {
                None => Held::Nothing,
                Some(path) => {
                    let lock_path = format!("{path}.lock");
                    let file = File::options()
                        .create(true)
                        .truncate(false)
                        .write(true)
                        .open(&lock_path)
                        .map_err(|e| locked(format!("opening {lock_path}: {e}")))?;
                    file.try_lock().map_err(|_| {
                        locked(format!(
                            "another orgcells process is serving {path} (it holds {lock_path})"
                        ))
                    })?;
                    Held::File(file)
                }
            },
            Backend::Postgres => {
                let mut conn = self.read().await?.detach();
                let key = advisory_key(self.cell().0);
                let taken: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
                    .bind(key)
                    .fetch_one(&mut conn)
                    .await?;
                if !taken {
                    return Err(locked(format!(
                        "another orgcells process is serving Cell {} of this database",
                        self.cell().0
                    )));
                }
                Held::Advisory(conn, key)
            }
        };
        Ok(CellLock { held })
    }
}

impl CellLock {
    /// Gives the lock up (also done, less promptly, when the process ends).
    pub async fn release(self) {
        match self.held {
            Held::Nothing => {}
            Held::File(file) => {
                let _ = file.unlock();
            }
            Held::Advisory(mut conn, key) => {
                let _ = sqlx::query("SELECT pg_advisory_unlock($1)")
                    .bind(key)
                    .execute(&mut conn)
                    .await;
                let _ = conn.close().await;
            }
        }
    }
}

fn locked(message: String) -> StoreError {
    StoreError::CellLocked(message)
}

/// The file of a `sqlite://PATH?...` URL; `None` for an in-memory database.
pub(crate) fn sqlite_path(url: &str) -> Option<&str> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or(rest);
    (!path.is_empty() && !path.starts_with(":memory:") && !url.contains("mode=memory"))
        .then_some(path)
}

#[cfg(test)]
mod tests {
    use super::sqlite_path;

    #[test]
    fn the_lock_file_sits_beside_the_database() {
        for (url, path) in [
            (
                "sqlite:///tmp/a/orgcells.db?mode=rwc",
                Some("/tmp/a/orgcells.db"),
            ),
            ("sqlite://data/orgcells.db", Some("data/orgcells.db")),
            ("sqlite::memory:", None),
            ("sqlite://file?mode=memory", None),
        ] {
            assert_eq!(sqlite_path(url), path, "{url}");
        }
    }
}
