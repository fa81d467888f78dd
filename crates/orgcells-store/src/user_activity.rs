//! The day each User last used this Cell's API (`user_activity`, GitLab's `last_activity_on`).

use orgcells_core::ids::UserId;
use sqlx::AnyConnection;

use crate::Result;

/// Notes that `user` used the API on `day` (`YYYY-MM-DD`); a later day already noted stays.
pub async fn record(conn: &mut AnyConnection, user: UserId, day: &str) -> Result<()> {
    sqlx::query(
        "INSERT INTO user_activity (user_id, last_activity_on) VALUES ($1, $2) \
         ON CONFLICT (user_id) DO UPDATE SET last_activity_on = excluded.last_activity_on \
         WHERE user_activity.last_activity_on < excluded.last_activity_on",
    )
    .bind(user)
    .bind(day)
    .execute(conn)
    .await?;
    Ok(())
}

/// The day `user` last used this Cell's API, if ever.
pub async fn last(conn: &mut AnyConnection, user: UserId) -> Result<Option<String>> {
    Ok(
        sqlx::query_scalar("SELECT last_activity_on FROM user_activity WHERE user_id = $1")
            .bind(user)
            .fetch_optional(conn)
            .await?,
    )
}

/// Forgets `user`'s activity (their deletion).
pub async fn forget(conn: &mut AnyConnection, user: UserId) -> Result<()> {
    sqlx::query("DELETE FROM user_activity WHERE user_id = $1")
        .bind(user)
        .execute(conn)
        .await?;
    Ok(())
}
