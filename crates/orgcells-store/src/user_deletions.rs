//! Deletions of Users under way across a cluster's Cells (`user_deletions`, on the Cell that
//! keeps Users): recorded with the step that blocks the User, forgotten with the last, so that
//! one cut short is finished later.

use orgcells_core::ids::UserId;
use sqlx::AnyConnection;

use crate::Result;

/// Notes that `user`'s deletion has begun (again: `hard_delete` as last asked).
pub async fn record(
    conn: &mut AnyConnection,
    user: UserId,
    hard_delete: bool,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO user_deletions (user_id, hard_delete, started_at) VALUES ($1, $2, $3) \
         ON CONFLICT (user_id) DO UPDATE SET hard_delete = excluded.hard_delete",
    )
    .bind(user)
    .bind(i64::from(hard_delete))
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// Forgets `user`'s deletion: done, or given up.
pub async fn forget(conn: &mut AnyConnection, user: UserId) -> Result<()> {
    sqlx::query("DELETE FROM user_deletions WHERE user_id = $1")
        .bind(user)
        .execute(conn)
        .await?;
    Ok(())
}

/// Up to `limit` deletions under way, the oldest first: (User, hard_delete).
pub async fn under_way(conn: &mut AnyConnection, limit: i64) -> Result<Vec<(UserId, bool)>> {
    let rows: Vec<(UserId, i64)> = sqlx::query_as(
        "SELECT user_id, hard_delete FROM user_deletions ORDER BY started_at, user_id LIMIT $1",
    )
    .bind(limit)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(user, hard)| (user, hard != 0))
        .collect())
}
