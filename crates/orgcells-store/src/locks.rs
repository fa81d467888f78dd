//! Row locks for the rules that read before they write (the last Owner, visibility ceilings,
//! transfers). On PostgreSQL writers run at READ COMMITTED, so a rule locks the rows it reads
//! (`FOR UPDATE`, in id order so two writers never wait on each other in a circle) before
//! reading them; the next statement then sees every commit made before the lock was granted.
//! On SQLite a Cell has one writer connection, so writes are already one at a time and these
//! are no-ops.

use orgcells_core::access::{AccessLevel, OrganizationRole};
use orgcells_core::ids::{NamespaceId, OrganizationId, ProjectId, UserId};
use sqlx::AnyConnection;

use crate::Result;
use crate::backend::Backend;
use crate::sql::Sql;

/// How an Organization row is locked: shared by writes inside it, exclusive for a change of
/// the Organization itself (its visibility caps everything inside).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrgLock {
    Share,
    Exclusive,
}

/// Locks an Organization row. Taken before any namespace lock, always, so the order is the
/// same in every transaction.
pub async fn organization(
    conn: &mut AnyConnection,
    org: OrganizationId,
    mode: OrgLock,
) -> Result<()> {
    if Backend::of(conn) == Backend::Sqlite {
        return Ok(());
    }
    let clause = match mode {
        OrgLock::Share => "FOR SHARE",
        OrgLock::Exclusive => "FOR UPDATE",
    };
    sqlx::query(&format!(
        "SELECT id FROM organizations WHERE id = $1 {clause}"
    ))
    .bind(org)
    .fetch_all(conn)
    .await?;
    Ok(())
}

/// Locks namespace rows (Groups along a chain), in id order.
pub async fn namespaces(conn: &mut AnyConnection, ids: &[NamespaceId]) -> Result<()> {
    let backend = Backend::of(conn);
    if backend == Backend::Sqlite || ids.is_empty() {
        return Ok(());
    }
    let mut sql = Sql::new("SELECT id FROM namespaces WHERE id IN ");
    sql.id_set(backend, ids.iter().copied())
        .push(" ORDER BY id FOR UPDATE");
    sql.query_scalar::<i64>().fetch_all(conn).await?;
    Ok(())
}

/// Locks a Project row.
pub async fn project(conn: &mut AnyConnection, id: ProjectId) -> Result<()> {
    if Backend::of(conn) == Backend::Sqlite {
        return Ok(());
    }
    sqlx::query("SELECT id FROM projects WHERE id = $1 FOR UPDATE")
        .bind(id)
        .fetch_all(conn)
        .await?;
    Ok(())
}

/// Locks the direct Owners of a Group and counts them: of two writers removing or demoting
/// Owners at once, the second counts after the first has committed.
pub async fn group_owners(conn: &mut AnyConnection, group: NamespaceId) -> Result<i64> {
    let lock = match Backend::of(conn) {
        Backend::Sqlite => "",
        Backend::Postgres => " ORDER BY id FOR UPDATE",
    };
    let owners: Vec<i64> = sqlx::query_scalar(&format!(
        "SELECT id FROM members WHERE source_type = 'group' AND source_id = $1 AND access_level = {}{lock}",
        AccessLevel::Owner.value()
    ))
    .bind(group)
    .fetch_all(conn)
    .await?;
    Ok(owners.len() as i64)
}

/// Locks the active Owners of an Organization and counts them: of two writers demoting,
/// removing or banning Owners at once, the second counts after the first has committed.
pub async fn organization_owners(conn: &mut AnyConnection, org: OrganizationId) -> Result<i64> {
    let lock = match Backend::of(conn) {
        Backend::Sqlite => "",
        Backend::Postgres => " ORDER BY user_id FOR UPDATE",
    };
    let owners: Vec<i64> = sqlx::query_scalar(&format!(
        "SELECT user_id FROM organization_users \
         WHERE organization_id = $1 AND access_level = {} AND state = 'active'{lock}",
        OrganizationRole::Owner.value()
    ))
    .bind(org)
    .fetch_all(conn)
    .await?;
    Ok(owners.len() as i64)
}

/// Locks the active Owners of every Organization `user` is an active Owner of, and answers the
/// Organizations where `user` is the only one: of a User's deletion and another Owner's
/// demotion at once, the second sees the first committed.
pub async fn solely_owned_organizations(
    conn: &mut AnyConnection,
    user: UserId,
) -> Result<Vec<OrganizationId>> {
    let lock = match Backend::of(conn) {
        Backend::Sqlite => "",
        Backend::Postgres => " ORDER BY organization_id, user_id FOR UPDATE",
    };
    let owner = OrganizationRole::Owner.value();
    let owners: Vec<(OrganizationId, i64)> = sqlx::query_as(&format!(
        "SELECT organization_id, user_id FROM organization_users \
         WHERE access_level = {owner} AND state = 'active' AND organization_id IN \
         (SELECT organization_id FROM organization_users \
          WHERE user_id = $1 AND access_level = {owner} AND state = 'active'){lock}"
    ))
    .bind(user)
    .fetch_all(conn)
    .await?;
    let mut sole: Vec<OrganizationId> = owners.iter().map(|&(org, _)| org).collect();
    sole.sort_unstable();
    sole.dedup();
    sole.retain(|org| owners.iter().filter(|(o, _)| o == org).count() == 1);
    Ok(sole)
}

/// Locks the Owner rows of every Group `user` directly owns (in `org`, or anywhere): a User's
/// removal or deletion counts "the only Owner" after a concurrent removal of another Owner
/// of those Groups has committed.
pub async fn owners_of_groups_owned_by(
    conn: &mut AnyConnection,
    user: UserId,
    org: Option<OrganizationId>,
) -> Result<()> {
    if Backend::of(conn) == Backend::Sqlite {
        return Ok(());
    }
    let owner = AccessLevel::Owner.value();
    let within = if org.is_some() {
        " AND organization_id = $2"
    } else {
        ""
    };
    let sql = format!(
        "SELECT o.id FROM members o WHERE o.source_type = 'group' AND o.access_level = {owner} \
         AND o.source_id IN (SELECT source_id FROM members WHERE user_id = $1 \
         AND source_type = 'group' AND access_level = {owner}{within}) ORDER BY o.id FOR UPDATE"
    );
    let query = sqlx::query_scalar::<_, i64>(&sql).bind(user);
    let query = match org {
        Some(org) => query.bind(org),
        None => query,
    };
    query.fetch_all(conn).await?;
    Ok(())
}
