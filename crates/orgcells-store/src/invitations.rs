//! Invitations by email to a Group or Project, pending until a User with that address exists
//! (`invitations`, one per address and source, the address kept lowercased).

use orgcells_core::access::AccessLevel;
use orgcells_core::ids::{OrganizationId, UserId};
use orgcells_core::members::Source;
use orgcells_core::states::{OrganizationState, OrganizationUserState};
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

/// Removes an invitation; `false` when it was gone already (withdrawn or taken up meanwhile).
pub async fn delete(conn: &mut AnyConnection, id: i64) -> Result<bool> {
    let done = sqlx::query("DELETE FROM invitations WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
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
/// (id, Organization, access level).
pub async fn organization_invitations_for(
    conn: &mut AnyConnection,
    email: &str,
    now: i64,
) -> Result<Vec<(i64, OrganizationId, i64)>> {
    Ok(sqlx::query_as(
        "SELECT id, organization_id, access_level FROM organization_invitations \
         WHERE email = $1 AND invited_until > $2 ORDER BY id",
    )
    .bind(email.to_lowercase())
    .bind(now)
    .fetch_all(conn)
    .await?)
}

/// Removes one Organization invitation; `false` when it was gone already.
pub async fn delete_organization_invitation(conn: &mut AnyConnection, id: i64) -> Result<bool> {
    let done = sqlx::query("DELETE FROM organization_invitations WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Up to `limit` active Users of this Cell (lowest ids first) whose address has a pending invitation,
/// still valid at `now`, to a Group, a Project or an Organization that takes members (active,
/// and one of `only` when it is given), leaving out an Organization that banned them: the
/// invitations left waiting when the User arrived (their Organization was moving or deleted,
/// or the invitation was written as the User was).
pub async fn invited_users(
    conn: &mut AnyConnection,
    only: Option<OrganizationId>,
    now: i64,
    limit: i64,
) -> Result<Vec<UserId>> {
    let only_one = if only.is_some() { "AND o.id = $5" } else { "" };
    let sql = format!(
        "SELECT DISTINCT u.id FROM users u \
         JOIN (SELECT email, organization_id FROM invitations WHERE invited_until > $1 \
               UNION ALL \
               SELECT email, organization_id FROM organization_invitations \
               WHERE invited_until > $1) i ON i.email = lower(u.email) \
         JOIN organizations o ON o.id = i.organization_id AND o.state = $2 {only_one} \
         WHERE u.state = 'active' AND u.id <> {ghost} \
         AND NOT EXISTS (SELECT 1 FROM organization_users b \
               WHERE b.organization_id = i.organization_id AND b.user_id = u.id \
               AND b.state = $3) \
         ORDER BY u.id LIMIT $4",
        ghost = UserId::GHOST.0
    );
    let mut query = sqlx::query_scalar(&sql)
        .bind(now)
        .bind(OrganizationState::Active.as_str())
        .bind(OrganizationUserState::Banned.as_str())
        .bind(limit);
    if let Some(org) = only {
        query = query.bind(org);
    }
    Ok(query.fetch_all(conn).await?)
}
