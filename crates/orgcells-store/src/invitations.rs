//! Invitations by email to a Group or Project, pending until a User with that address exists
//! (`invitations`, one per address and source, the address kept lowercased).

use orgcells_core::access::AccessLevel;
use orgcells_core::ids::{OrganizationId, UserId};
use orgcells_core::members::Source;
use sqlx::AnyConnection;

use crate::Result;
use crate::rows::InvitationRow;

const COLUMNS: &str = "id, organization_id, source_type, source_id, email, access_level, \
     expires_at, invited_until, created_by_id, created_at";

/// A new pending invitation.
pub struct NewInvitation<'a> {
    pub id: i64,
    pub organization_id: OrganizationId,
    pub source: Source,
    pub email: &'a str,
    pub access_level: AccessLevel,
    /// When the membership it becomes expires (`YYYY-MM-DD`).
    pub expires_at: Option<&'a str>,
    /// Until when it may still become a membership (milliseconds).
    pub invited_until: i64,
    pub created_by: UserId,
    pub now: i64,
}

/// Records an invitation; `false` when that address is invited there already.
pub async fn insert(conn: &mut AnyConnection, new: &NewInvitation<'_>) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO invitations (id, organization_id, source_type, source_id, email, access_level, \
         expires_at, invited_until, created_by_id, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT DO NOTHING",
    )
    .bind(new.id)
    .bind(new.organization_id)
    .bind(new.source.kind().as_str())
    .bind(new.source.id())
    .bind(new.email.to_lowercase())
    .bind(new.access_level.value())
    .bind(new.expires_at)
    .bind(new.invited_until)
    .bind(new.created_by)
    .bind(new.now)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn find(
    conn: &mut AnyConnection,
    source: Source,
    email: &str,
) -> Result<Option<InvitationRow>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM invitations WHERE source_type = $1 AND source_id = $2 AND email = $3"
    );
    Ok(sqlx::query_as(&sql)
        .bind(source.kind().as_str())
        .bind(source.id())
        .bind(email.to_lowercase())
        .fetch_optional(conn)
        .await?)
}

/// A page of a source's pending invitations, optionally those whose address contains
/// `query`, oldest first, and their number.
pub async fn list(
    conn: &mut AnyConnection,
    source: Source,
    query: Option<&str>,
    limit: i64,
    offset: i64,
) -> Result<(Vec<InvitationRow>, i64)> {
    let pattern = crate::namespaces::like_pattern(query.unwrap_or(""));
    let filter = "FROM invitations WHERE source_type = $1 AND source_id = $2 \
                  AND email LIKE $3 ESCAPE '\\'";
    let rows = sqlx::query_as(&format!(
        "SELECT {COLUMNS} {filter} ORDER BY created_at, id LIMIT {limit} OFFSET {offset}"
    ))
    .bind(source.kind().as_str())
    .bind(source.id())
    .bind(&pattern)
    .fetch_all(&mut *conn)
    .await?;
    let total: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) {filter}"))
        .bind(source.kind().as_str())
        .bind(source.id())
        .bind(&pattern)
        .fetch_one(conn)
        .await?;
    Ok((rows, total))
}

/// Changes an invitation's level and the expiry of the membership it becomes.
pub async fn update(
    conn: &mut AnyConnection,
    id: i64,
    access_level: AccessLevel,
    expires_at: Option<&str>,
) -> Result<()> {
    sqlx::query("UPDATE invitations SET access_level = $2, expires_at = $3 WHERE id = $1")
        .bind(id)
        .bind(access_level.value())
        .bind(expires_at)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn delete(conn: &mut AnyConnection, id: i64) -> Result<()> {
    sqlx::query("DELETE FROM invitations WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// The pending invitations of an address on this Cell, still valid at `now`.
pub async fn for_email(
    conn: &mut AnyConnection,
    email: &str,
    now: i64,
) -> Result<Vec<InvitationRow>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM invitations WHERE email = $1 AND invited_until > $2 ORDER BY id"
    );
    Ok(sqlx::query_as(&sql)
        .bind(email.to_lowercase())
        .bind(now)
        .fetch_all(conn)
        .await?)
}

/// A new pending invitation to an Organization (as a User or an Owner: `role` is its access
/// level).
pub struct NewOrganizationInvitation<'a> {
    pub id: i64,
    pub organization_id: OrganizationId,
    pub email: &'a str,
    pub role: i64,
    pub invited_until: i64,
    pub created_by: UserId,
    pub now: i64,
}

/// Invites an address to an Organization; `false` when that address is invited there already.
pub async fn invite_to_organization(
    conn: &mut AnyConnection,
    new: &NewOrganizationInvitation<'_>,
) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO organization_invitations (id, organization_id, email, access_level, \
         invited_until, created_by_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
         ON CONFLICT DO NOTHING",
    )
    .bind(new.id)
    .bind(new.organization_id)
    .bind(new.email.to_lowercase())
    .bind(new.role)
    .bind(new.invited_until)
    .bind(new.created_by)
    .bind(new.now)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The pending Organization invitations of an address on this Cell, still valid at `now`, as
/// (id, Organization, role) with the role's access level; taken away as they are read.
pub async fn take_organization_invitations(
    conn: &mut AnyConnection,
    email: &str,
    now: i64,
) -> Result<Vec<(OrganizationId, i64)>> {
    let found: Vec<(OrganizationId, i64)> = sqlx::query_as(
        "SELECT organization_id, access_level FROM organization_invitations \
         WHERE email = $1 AND invited_until > $2 ORDER BY id",
    )
    .bind(email.to_lowercase())
    .bind(now)
    .fetch_all(&mut *conn)
    .await?;
    sqlx::query("DELETE FROM organization_invitations WHERE email = $1")
        .bind(email.to_lowercase())
        .execute(conn)
        .await?;
    Ok(found)
}
