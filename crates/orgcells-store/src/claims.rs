//! Claims on globally unique values: usernames, emails, routes (full paths of Groups, Projects,
//! personal namespaces and their redirects) and Organization paths.
//!
//! This is the one door to global uniqueness. In one process the claims are rows beside the
//! Cell's and are taken inside the Cell's own write transaction, so a claim and the row that holds
//! the value commit or roll back together. The topology service takes the same calls with
//! lease-first semantics (lease, commit the Cell's transaction, then commit the lease).

use sqlx::AnyConnection;

use crate::{Result, StoreError};

/// The kinds of globally unique value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bucket {
    Username,
    Email,
    /// A full path: top-level Group, subgroup, Project, personal namespace, or a redirect.
    Route,
    OrganizationPath,
}

impl Bucket {
    fn name(self) -> &'static str {
        match self {
            Bucket::Username => "username",
            Bucket::Email => "email",
            Bucket::Route => "route",
            Bucket::OrganizationPath => "organization_path",
        }
    }
}

/// Who holds a claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Owner<'a> {
    pub kind: &'a str,
    pub id: i64,
}

/// Whether a value is already claimed (case-insensitively).
pub async fn is_taken(conn: &mut AnyConnection, bucket: Bucket, value: &str) -> Result<bool> {
    let found: Option<i64> =
        sqlx::query_scalar("SELECT owner_id FROM claims WHERE bucket = $1 AND value = $2")
            .bind(bucket.name())
            .bind(value.to_lowercase())
            .fetch_optional(conn)
            .await?;
    Ok(found.is_some())
}

/// The holder of a claimed value, if any.
pub async fn holder(
    conn: &mut AnyConnection,
    bucket: Bucket,
    value: &str,
) -> Result<Option<(String, i64)>> {
    let found: Option<(String, i64)> =
        sqlx::query_as("SELECT owner_type, owner_id FROM claims WHERE bucket = $1 AND value = $2")
            .bind(bucket.name())
            .bind(value.to_lowercase())
            .fetch_optional(conn)
            .await?;
    Ok(found)
}

/// Claims a value for `owner`. `Ok(false)` when someone else holds it; claiming a value one
/// already holds succeeds.
pub async fn claim(
    conn: &mut AnyConnection,
    bucket: Bucket,
    value: &str,
    owner: Owner<'_>,
    cell: i64,
    now: i64,
) -> Result<bool> {
    let inserted = sqlx::query(
        "INSERT INTO claims (bucket, value, owner_type, owner_id, cell_id, created_at) VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (bucket, value) DO NOTHING",
    )
    .bind(bucket.name())
    .bind(value.to_lowercase())
    .bind(owner.kind)
    .bind(owner.id)
    .bind(cell)
    .bind(now)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if inserted == 1 {
        return Ok(true);
    }
    let holder = holder(conn, bucket, value).await?;
    Ok(holder.is_some_and(|(kind, id)| kind == owner.kind && id == owner.id))
}

/// Releases a value held by `owner`.
pub async fn release(
    conn: &mut AnyConnection,
    bucket: Bucket,
    value: &str,
    owner: Owner<'_>,
) -> Result<()> {
    sqlx::query(
        "DELETE FROM claims WHERE bucket = $1 AND value = $2 AND owner_type = $3 AND owner_id = $4",
    )
    .bind(bucket.name())
    .bind(value.to_lowercase())
    .bind(owner.kind)
    .bind(owner.id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Releases every route claimed under a path prefix by Groups and Projects (a deleted subtree).
pub async fn release_routes_below(conn: &mut AnyConnection, full_path: &str) -> Result<()> {
    let prefix = full_path.to_lowercase();
    sqlx::query("DELETE FROM claims WHERE bucket = 'route' AND (value = $1 OR (value >= $2 AND value < $3))")
        .bind(&prefix)
        .bind(format!("{prefix}/"))
        .bind(format!("{prefix}0"))
        .execute(conn)
        .await?;
    Ok(())
}

/// Releases every claim held by an owner (a deleted User, Group or Project).
pub async fn release_all(conn: &mut AnyConnection, owner: Owner<'_>) -> Result<()> {
    sqlx::query("DELETE FROM claims WHERE owner_type = $1 AND owner_id = $2")
        .bind(owner.kind)
        .bind(owner.id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Turns a refused claim into the conflict the service reports on `field`.
pub fn taken(field: &str) -> StoreError {
    StoreError::Conflict(field.to_owned())
}
