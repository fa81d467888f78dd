//! Group and Project memberships.

use orgcells_core::access::AccessLevel;
use orgcells_core::ids::{MemberId, NamespaceId, OrganizationId, UserId};
use orgcells_core::members::SourceType;
use sqlx::AnyConnection;

use crate::Result;
use crate::rows::{MEMBER_COLUMNS, MemberRow};
use crate::sql::Sql;

pub use orgcells_core::members::Source;

pub async fn insert(conn: &mut AnyConnection, m: &MemberRow) -> Result<()> {
    sqlx::query(&format!(
        "INSERT INTO members ({MEMBER_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
    ))
    .bind(m.id)
    .bind(m.organization_id)
    .bind(m.source_type.as_str())
    .bind(m.source_id)
    .bind(m.user_id)
    .bind(m.access_level.value())
    .bind(&m.expires_at)
    .bind(m.created_by_id)
    .bind(m.created_at)
    .bind(m.updated_at)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn update(conn: &mut AnyConnection, m: &MemberRow) -> Result<()> {
    sqlx::query(
        "UPDATE members SET access_level = $2, expires_at = $3, updated_at = $4 WHERE id = $1",
    )
    .bind(m.id)
    .bind(m.access_level.value())
    .bind(&m.expires_at)
    .bind(m.updated_at)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn delete(conn: &mut AnyConnection, id: MemberId) -> Result<()> {
    sqlx::query("DELETE FROM members WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn find(
    conn: &mut AnyConnection,
    source: Source,
    user: UserId,
) -> Result<Option<MemberRow>> {
    let sql = format!(
        "SELECT {MEMBER_COLUMNS} FROM members WHERE source_type = $1 AND source_id = $2 AND user_id = $3"
    );
    Ok(sqlx::query_as(&sql)
        .bind(source.kind().as_str())
        .bind(source.id())
        .bind(user)
        .fetch_optional(conn)
        .await?)
}

/// Direct memberships of one or more sources of one kind, optionally only of some Users.
pub async fn of_sources(
    conn: &mut AnyConnection,
    kind: SourceType,
    sources: &[impl Into<i64> + Copy],
    users: Option<&[UserId]>,
    today: &str,
) -> Result<Vec<MemberRow>> {
    let backend = crate::backend::Backend::of(conn);
    let mut sql = Sql::new(&format!(
        "SELECT {MEMBER_COLUMNS} FROM members WHERE source_type = "
    ));
    sql.text(kind.as_str())
        .push(" AND source_id IN ")
        .id_set(backend, sources.iter().copied());
    sql.push(" AND (expires_at IS NULL OR expires_at > ")
        .text(today)
        .push(")");
    if let Some(users) = users {
        sql.push(" AND user_id IN ")
            .id_set(backend, users.iter().copied());
    }
    sql.push(" ORDER BY id");
    Ok(sql.query_as().fetch_all(conn).await?)
}

/// Every membership of a User, optionally of one kind.
pub async fn of_user(
    conn: &mut AnyConnection,
    user: UserId,
    kind: Option<&str>,
) -> Result<Vec<MemberRow>> {
    let mut sql = Sql::new(&format!(
        "SELECT {MEMBER_COLUMNS} FROM members WHERE user_id = "
    ));
    sql.int(user);
    if let Some(kind) = kind {
        sql.push(" AND source_type = ").text(kind);
    }
    sql.push(" ORDER BY id");
    Ok(sql.query_as().fetch_all(conn).await?)
}

/// Groups the User is a direct Owner of and no one else owns, directly or through an ancestor
/// Group (GitLab's `last_owner?` counts inherited Owners): an ancestor-or-self `a` of `g` is one
/// whose subtree range `[a.traversal, a.traversal || '0')` holds `g.traversal`.
pub async fn solely_owned_groups(
    conn: &mut AnyConnection,
    user: UserId,
) -> Result<Vec<NamespaceId>> {
    let owner = AccessLevel::Owner.value();
    Ok(sqlx::query_scalar(&format!(
        "SELECT m.source_id FROM members m JOIN namespaces g ON g.id = m.source_id \
         WHERE m.user_id = $1 AND m.source_type = 'group' AND m.access_level = {owner} \
         AND NOT EXISTS (SELECT 1 FROM members o JOIN namespaces a ON a.id = o.source_id \
         WHERE o.source_type = 'group' AND o.access_level = {owner} AND o.user_id <> $1 \
         AND a.organization_id = g.organization_id \
         AND g.traversal >= a.traversal AND g.traversal < (a.traversal || '0'))",
    ))
    .bind(user)
    .fetch_all(conn)
    .await?)
}

pub async fn delete_of_user(conn: &mut AnyConnection, user: UserId) -> Result<()> {
    sqlx::query("DELETE FROM members WHERE user_id = $1")
        .bind(user)
        .execute(conn)
        .await?;
    Ok(())
}

/// Hands the memberships a User granted to another User (the Ghost User).
pub async fn reassign_creator(conn: &mut AnyConnection, from: UserId, to: UserId) -> Result<()> {
    // Who granted a membership, and who invited an address.
    for table in ["members", "invitations", "organization_invitations"] {
        sqlx::query(&format!(
            "UPDATE {table} SET created_by_id = $2 WHERE created_by_id = $1"
        ))
        .bind(from)
        .bind(to)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// ` AND (...)`: the User in `user_column` is a Member of one of the Organization's Groups or
/// Projects that `scope` allows. Asked per User, through their own memberships: neither the
/// statement's size nor the work for one User grows with how much the scope holds.
///
/// PostgreSQL is kept to that order by a subquery it may not pull up (`OFFSET 0`): left to
/// itself it scanned every namespace of the Cell against the scope once per User listed (14 ms
/// for four Users of a Cell of 5,000 Groups, against 3 ms this way). SQLite takes this order
/// of itself, and would copy the memberships out first if fenced.
pub(crate) fn push_members_in_scope(
    sql: &mut Sql,
    backend: crate::backend::Backend,
    org: OrganizationId,
    scope: &crate::scope::Scope,
    user_column: &str,
) {
    let memberships = |sql: &mut Sql, source_type: &str| {
        sql.push(&format!(
            "FROM (SELECT m.source_id FROM members m WHERE m.user_id = {user_column} \
             AND m.source_type = '{source_type}' AND m.organization_id = "
        ))
        .int(org);
        if backend == crate::backend::Backend::Postgres {
            sql.push(" OFFSET 0");
        }
        sql.push(") m");
    };
    sql.push(" AND (EXISTS (SELECT 1 ");
    memberships(sql, "group");
    sql.push(" JOIN namespaces n ON n.id = m.source_id WHERE n.kind = 'group'");
    scope.push_groups(sql, backend, "n");
    sql.push(") OR EXISTS (SELECT 1 ");
    memberships(sql, "project");
    sql.push(" JOIN projects p ON p.id = m.source_id WHERE 1 = 1");
    scope.push_projects(sql, backend, "p");
    sql.push("))");
}
