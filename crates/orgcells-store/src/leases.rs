//! The topology leases this Cell committed with and has not yet seen committed in the topology
//! (see the migration `outstanding_leases`).

use sqlx::AnyConnection;

use crate::Result;

/// Notes `lease` inside the transaction that commits the rows it stands for.
pub async fn insert(conn: &mut AnyConnection, lease: &str, now: i64) -> Result<()> {
    sqlx::query("INSERT INTO outstanding_leases (uuid, created_at) VALUES ($1, $2)")
        .bind(lease)
        .bind(now)
        .execute(conn)
        .await?;
    Ok(())
}

/// Forgets `lease` once the topology has committed it.
pub async fn delete(conn: &mut AnyConnection, lease: &str) -> Result<()> {
    sqlx::query("DELETE FROM outstanding_leases WHERE uuid = $1")
        .bind(lease)
        .execute(conn)
        .await?;
    Ok(())
}

/// Which of `leases` this Cell committed: one read per 1,000 leases.
pub async fn noted_among(
    conn: &mut AnyConnection,
    leases: &[String],
) -> Result<std::collections::HashSet<String>> {
    let mut noted = std::collections::HashSet::new();
    for chunk in leases.chunks(1000) {
        let placeholders: Vec<String> = (1..=chunk.len()).map(|n| format!("${n}")).collect();
        let sql = format!(
            "SELECT uuid FROM outstanding_leases WHERE uuid IN ({})",
            placeholders.join(", ")
        );
        let mut query = sqlx::query_scalar::<_, String>(&sql);
        for lease in chunk {
            query = query.bind(lease);
        }
        noted.extend(query.fetch_all(&mut *conn).await?);
    }
    Ok(noted)
}

/// The leases noted before `before` (ms since the epoch), by id after `after`: a page of at
/// most `limit`.
pub async fn noted_before(
    conn: &mut AnyConnection,
    before: i64,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<String>> {
    Ok(sqlx::query_scalar(
        "SELECT uuid FROM outstanding_leases WHERE created_at < $1 AND uuid > $2 ORDER BY uuid LIMIT $3",
    )
    .bind(before)
    .bind(after.unwrap_or(""))
    .bind(limit)
    .fetch_all(conn)
    .await?)
}

/// The leases noted here, oldest first (at most `limit`): (id, noted at).
pub async fn all(conn: &mut AnyConnection, limit: i64) -> Result<Vec<(String, i64)>> {
    Ok(sqlx::query_as(
        "SELECT uuid, created_at FROM outstanding_leases ORDER BY created_at, uuid LIMIT $1",
    )
    .bind(limit)
    .fetch_all(conn)
    .await?)
}
