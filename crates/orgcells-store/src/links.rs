//! Group links: a Group invited to another Group (`group_group_links`) or to a Project
//! (`project_group_links`), with a maximum access level.

use orgcells_core::ids::{LinkId, NamespaceId, OrganizationId};
use orgcells_core::states::OrganizationUserState;
use sqlx::AnyConnection;

use crate::Result;
use crate::rows::LinkRow;
use crate::sql::Sql;

/// Which kind of link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkKind {
    /// `source_id` is the shared Group.
    Group,
    /// `source_id` is the Project.
    Project,
}

impl LinkKind {
    fn select(self) -> &'static str {
        match self {
            LinkKind::Group => {
                "SELECT id, organization_id, shared_group_id AS source_id, shared_with_group_id AS group_id, group_access, \
                 expires_at, created_at FROM group_group_links"
            }
            LinkKind::Project => {
                "SELECT id, organization_id, project_id AS source_id, group_id, group_access, expires_at, created_at \
                 FROM project_group_links"
            }
        }
    }

    fn source_column(self) -> &'static str {
        match self {
            LinkKind::Group => "shared_group_id",
            LinkKind::Project => "project_id",
        }
    }

    fn group_column(self) -> &'static str {
        match self {
            LinkKind::Group => "shared_with_group_id",
            LinkKind::Project => "group_id",
        }
    }

    fn table(self) -> &'static str {
        match self {
            LinkKind::Group => "group_group_links",
            LinkKind::Project => "project_group_links",
        }
    }
}

pub async fn insert(conn: &mut AnyConnection, kind: LinkKind, link: &LinkRow) -> Result<()> {
    let sql = format!(
        "INSERT INTO {} (id, organization_id, {}, {}, group_access, expires_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        kind.table(),
        kind.source_column(),
        kind.group_column()
    );
    sqlx::query(&sql)
        .bind(link.id)
        .bind(link.organization_id)
        .bind(link.source_id)
        .bind(link.group_id)
        .bind(link.group_access.value())
        .bind(&link.expires_at)
        .bind(link.created_at)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn find(
    conn: &mut AnyConnection,
    kind: LinkKind,
    source: impl Into<i64>,
    group: NamespaceId,
) -> Result<Option<LinkRow>> {
    let sql = format!(
        "{} WHERE {} = $1 AND {} = $2",
        kind.select(),
        kind.source_column(),
        kind.group_column()
    );
    Ok(sqlx::query_as(&sql)
        .bind(source.into())
        .bind(group)
        .fetch_optional(conn)
        .await?)
}

pub async fn delete(conn: &mut AnyConnection, kind: LinkKind, id: LinkId) -> Result<()> {
    sqlx::query(&format!("DELETE FROM {} WHERE id = $1", kind.table()))
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Active links of these sources (shared Groups or Projects).
pub async fn of_sources(
    conn: &mut AnyConnection,
    kind: LinkKind,
    sources: &[impl Into<i64> + Copy],
    today: &str,
) -> Result<Vec<LinkRow>> {
    let backend = crate::backend::Backend::of(conn);
    let mut sql = Sql::new(&format!(
        "{} WHERE {} IN ",
        kind.select(),
        kind.source_column()
    ));
    sql.id_set(backend, sources.iter().copied());
    sql.push(" AND (expires_at IS NULL OR expires_at > ")
        .text(today)
        .push(") ORDER BY id");
    Ok(sql.query_as().fetch_all(conn).await?)
}

/// Active links that invite this Group.
pub async fn inviting(
    conn: &mut AnyConnection,
    kind: LinkKind,
    group: NamespaceId,
    today: &str,
) -> Result<Vec<LinkRow>> {
    let mut sql = Sql::new(&format!(
        "{} WHERE {} = ",
        kind.select(),
        kind.group_column()
    ));
    sql.int(group)
        .push(" AND (expires_at IS NULL OR expires_at > ")
        .text(today)
        .push(") ORDER BY id");
    Ok(sql.query_as().fetch_all(conn).await?)
}

/// Up to `limit` usernames, in order, of the Users banned from `org` who are direct Members of
/// one of `groups` (a link to them would let those Users in).
pub async fn banned_members(
    conn: &mut AnyConnection,
    org: OrganizationId,
    groups: &[NamespaceId],
    limit: i64,
) -> Result<Vec<String>> {
    if groups.is_empty() {
        return Ok(Vec::new());
    }
    let placeholders: Vec<String> = (3..groups.len() + 3).map(|n| format!("${n}")).collect();
    let sql = format!(
        "SELECT DISTINCT u.username FROM members m JOIN users u ON u.id = m.user_id \
         JOIN organization_users o ON o.organization_id = m.organization_id \
         AND o.user_id = m.user_id \
         WHERE m.organization_id = $1 AND o.state = $2 AND m.source_type = 'group' \
         AND m.source_id IN ({}) ORDER BY u.username LIMIT {limit}",
        placeholders.join(", ")
    );
    let mut query = sqlx::query_scalar(&sql)
        .bind(org)
        .bind(OrganizationUserState::Banned.as_str());
    for group in groups {
        query = query.bind(*group);
    }
    Ok(query.fetch_all(conn).await?)
}
