//! Access requests: Users asking to become Members of a Group or Project
//! (`access_requests`, one per User and source).

use orgcells_core::ids::{OrganizationId, UserId};
use orgcells_core::members::Source;
use sqlx::AnyConnection;

use crate::Result;
use crate::rows::AccessRequestRow;

const COLUMNS: &str = "id, organization_id, source_type, source_id, user_id, requested_at";

/// Records a request; `false` when the User has one there already.
pub async fn insert(
    conn: &mut AnyConnection,
    id: i64,
    org: OrganizationId,
    source: Source,
    user: UserId,
    now: i64,
) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO access_requests (id, organization_id, source_type, source_id, user_id, requested_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
    )
    .bind(id)
    .bind(org)
    .bind(source.kind().as_str())
    .bind(source.id())
    .bind(user)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn find(
    conn: &mut AnyConnection,
    source: Source,
    user: UserId,
) -> Result<Option<AccessRequestRow>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM access_requests WHERE source_type = $1 AND source_id = $2 AND user_id = $3"
    );
    Ok(sqlx::query_as(&sql)
        .bind(source.kind().as_str())
        .bind(source.id())
        .bind(user)
        .fetch_optional(conn)
        .await?)
}

/// A page of a source's requests, oldest first, and their number.
pub async fn list(
    conn: &mut AnyConnection,
    source: Source,
    limit: i64,
    offset: i64,
) -> Result<(Vec<AccessRequestRow>, i64)> {
    let sql = format!(
        "SELECT {COLUMNS} FROM access_requests WHERE source_type = $1 AND source_id = $2 \
         ORDER BY requested_at, id LIMIT {limit} OFFSET {offset}"
    );
    let rows = sqlx::query_as(&sql)
        .bind(source.kind().as_str())
        .bind(source.id())
        .fetch_all(&mut *conn)
        .await?;
    let total: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM access_requests WHERE source_type = $1 AND source_id = $2",
    )
    .bind(source.kind().as_str())
    .bind(source.id())
    .fetch_one(conn)
    .await?;
    Ok((rows, total))
}

/// Drops a User's request there; whether there was one.
pub async fn delete(conn: &mut AnyConnection, source: Source, user: UserId) -> Result<bool> {
    let done = sqlx::query(
        "DELETE FROM access_requests WHERE source_type = $1 AND source_id = $2 AND user_id = $3",
    )
    .bind(source.kind().as_str())
    .bind(source.id())
    .bind(user)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}
