//! The cluster-wide rows a Cell changed (Users and their tokens), handed over with a lease and
//! appended, in commit order, to the change log every other Cell copies from.

use sqlx::AnyConnection;

use super::{ClaimError, MAX_PAGE, TopologyDb};
use crate::StoreError;

/// The largest row a change may carry.
pub const MAX_PAYLOAD: usize = 64 * 1024;

/// A row a Cell changed: its table, its id, and the row as JSON (`None`: deleted).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowChange {
    pub table: String,
    pub row_id: i64,
    pub payload: Option<String>,
}

/// A change in the log.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ChangeRow {
    pub seq: i64,
    pub cell_id: i64,
    pub table_name: String,
    pub row_id: i64,
    pub payload: Option<String>,
    pub created_at: i64,
}

/// Refuses what no Cell sends: a nameless table, an oversized row.
pub(super) fn check(rows: &[RowChange]) -> Result<(), ClaimError> {
    for row in rows {
        let named = !row.table.is_empty()
            && row.table.len() <= 64
            && row
                .table
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b == b'_');
        if !named {
            return Err(ClaimError::Invalid(format!(
                "{:?} is not a table name",
                row.table
            )));
        }
        if row.payload.as_ref().is_some_and(|p| p.len() > MAX_PAYLOAD) {
            return Err(ClaimError::Invalid(format!(
                "a row is at most {MAX_PAYLOAD} bytes"
            )));
        }
    }
    Ok(())
}

/// Keeps `rows` with `lease` until it ends.
pub(super) async fn hold(
    conn: &mut AnyConnection,
    lease: &str,
    rows: &[RowChange],
) -> Result<(), ClaimError> {
    for (ordinal, row) in rows.iter().enumerate() {
        sqlx::query(
            "INSERT INTO lease_rows (lease_uuid, ordinal, table_name, row_id, payload) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(lease)
        .bind(i64::try_from(ordinal).unwrap_or(i64::MAX))
        .bind(&row.table)
        .bind(row.row_id)
        .bind(&row.payload)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Ends what `lease` held: appended to the log when it commits, dropped either way.
pub(super) async fn end(
    conn: &mut AnyConnection,
    cell: i64,
    lease: &str,
    commit: bool,
    now: i64,
) -> Result<(), ClaimError> {
    // Most leases hold no rows (claims alone): they leave the log unread, so that on
    // PostgreSQL their commits do not all conflict over its last row.
    let held: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM lease_rows WHERE lease_uuid = $1")
        .bind(lease)
        .fetch_one(&mut *conn)
        .await?;
    if held == 0 {
        return Ok(());
    }
    if commit {
        let last: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(seq), 0) FROM cluster_changes")
            .fetch_one(&mut *conn)
            .await?;
        let appended = sqlx::query(
            "INSERT INTO cluster_changes (seq, cell_id, table_name, row_id, payload, created_at) \
             SELECT $1 + ordinal + 1, $2, table_name, row_id, payload, $3 FROM lease_rows \
             WHERE lease_uuid = $4",
        )
        .bind(last)
        .bind(cell)
        .bind(now)
        .bind(lease)
        .execute(&mut *conn)
        .await;
        match appended {
            Ok(_) => {}
            // Another append took the same seq: this one runs again after it.
            Err(error) => {
                return Err(match StoreError::from(error) {
                    StoreError::Conflict(what) => {
                        StoreError::Busy(format!("the change log moved on ({what})")).into()
                    }
                    other => other.into(),
                });
            }
        }
    }
    sqlx::query("DELETE FROM lease_rows WHERE lease_uuid = $1")
        .bind(lease)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

impl TopologyDb {
    /// The log after `after`, in order: at most `limit` changes.
    pub async fn changes(&self, after: i64, limit: i64) -> Result<Vec<ChangeRow>, ClaimError> {
        Ok(sqlx::query_as(
            "SELECT seq, cell_id, table_name, row_id, payload, created_at FROM cluster_changes \
             WHERE seq > $1 ORDER BY seq LIMIT $2",
        )
        .bind(after)
        .bind(limit.clamp(1, MAX_PAGE))
        .fetch_all(&self.reader)
        .await?)
    }
}
