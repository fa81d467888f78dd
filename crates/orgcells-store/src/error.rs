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
    /// The database cannot be reached (connection lost or refused, shut down, gone); the caller
    /// may retry once it is back.
    #[error("database unreachable: {0}")]
    Unreachable(String),
    /// Another process serves this Cell's database.
    #[error("{0}")]
    CellLocked(String),
    /// The write changes an Organization in maintenance (moving between Cells): the database
    /// refused it (see the `maintenance_guard` migrations).
    #[error("the organization is in maintenance")]
    InMaintenance,
    #[error(transparent)]
    Database(sqlx::Error),
    #[error(transparent)]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

/// What the maintenance guard's triggers say.
const MAINTENANCE: &str = "orgcells: the organization is in maintenance";

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> StoreError {
        match &error {
            sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed => {
                StoreError::Busy(error.to_string())
            }
            sqlx::Error::Io(_) | sqlx::Error::Protocol(_) | sqlx::Error::WorkerCrashed => {
                StoreError::Unreachable(error.to_string())
            }
            sqlx::Error::Database(db) => {
                if db.is_unique_violation() {
                    return StoreError::Conflict(db.constraint().unwrap_or_default().to_owned());
                }
                // SQLite: SQLITE_BUSY (5), SQLITE_LOCKED (6) and their extended codes.
                // PostgreSQL: serialization failure, deadlock, too many connections.
                let code = db.code().unwrap_or_default();
                if code == "OC001" || db.message().contains(MAINTENANCE) {
                    return StoreError::InMaintenance;
                }
                let busy = matches!(
                    code.as_ref(),
                    "5" | "6" | "261" | "262" | "517" | "40001" | "40P01" | "53300"
                );
                // PostgreSQL: connection exceptions (class 08), shutdowns (57P01-57P03), and the
                // database itself missing (3D000).
                let unreachable = code.starts_with("08")
                    || matches!(code.as_ref(), "57P01" | "57P02" | "57P03" | "3D000");
                if busy {
                    StoreError::Busy(db.message().to_owned())
                } else if unreachable {
                    StoreError::Unreachable(db.message().to_owned())
                } else {
                    StoreError::Database(error)
                }
            }
            _ => StoreError::Database(error),
        }
    }
}
