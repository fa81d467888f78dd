use thiserror::Error;

/// What can go wrong below the service layer.
#[derive(Debug, Error)]
pub enum StoreError {
    /// A unique constraint refused the write (two writers raced for one value).
    #[error("unique constraint violated: {0}")]
    Conflict(String),
    /// The database is busy or the pool is exhausted; the caller may retry.
    #[error("database busy: {0}")]
    Busy(String),
    /// Another process serves this Cell's database.
    #[error("{0}")]
    CellLocked(String),
    #[error(transparent)]
    Database(sqlx::Error),
    #[error(transparent)]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> StoreError {
        match &error {
            sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed => {
                StoreError::Busy(error.to_string())
            }
            sqlx::Error::Database(db) => {
                if db.is_unique_violation() {
                    return StoreError::Conflict(db.constraint().unwrap_or_default().to_owned());
                }
                // SQLite: SQLITE_BUSY (5), SQLITE_LOCKED (6) and their extended codes.
                // PostgreSQL: serialization failure, deadlock, too many connections.
                let code = db.code().unwrap_or_default();
                let busy = matches!(
                    code.as_ref(),
                    "5" | "6" | "261" | "262" | "517" | "40001" | "40P01" | "53300"
                );
                if busy {
                    StoreError::Busy(db.message().to_owned())
                } else {
                    StoreError::Database(error)
                }
            }
            _ => StoreError::Database(error),
        }
    }
}
