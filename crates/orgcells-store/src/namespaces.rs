//! Namespaces: Groups (any depth) and personal namespaces. A subtree is a range of `traversal`.

use orgcells_core::ids::{NamespaceId, OrganizationId, UserId};
use orgcells_core::members::{Source, SourceType};
use orgcells_core::visibility::Visibility;
use sqlx::AnyConnection;

use crate::Result;
use crate::Totals;
use crate::rows::{NAMESPACE_COLUMNS, NamespaceRow, subtree_end};
use crate::scope::Scope;
use crate::sql::Sql;

pub async fn insert(conn: &mut AnyConnection, ns: &NamespaceRow) -> Result<()> {
    sqlx::query(&format!(
        "INSERT INTO namespaces ({NAMESPACE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)"
    ))
    .bind(ns.id)
    .bind(ns.organization_id)
    .bind(ns.kind.as_str())
    .bind(&ns.name)
    .bind(&ns.path)
    .bind(&ns.full_path)
    .bind(&ns.traversal)
    .bind(ns.parent_id)
    .bind(ns.owner_id)
    .bind(ns.visibility_level.value())
    .bind(&ns.description)
    .bind(ns.project_creation_level.value())
    .bind(ns.subgroup_creation_level.value())
    .bind(ns.created_at)
    .bind(ns.updated_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// Updates the fields a Group's owner edits (not its place in the tree: see [`move_subtree`]).
pub async fn update(conn: &mut AnyConnection, ns: &NamespaceRow) -> Result<()> {
    sqlx::query(
        "UPDATE namespaces SET name = $2, visibility_level = $3, description = $4, project_creation_level = $5, \
         subgroup_creation_level = $6, updated_at = $7 WHERE id = $1",
    )
    .bind(ns.id)
    .bind(&ns.name)
    .bind(ns.visibility_level.value())
    .bind(&ns.description)
    .bind(ns.project_creation_level.value())
    .bind(ns.subgroup_creation_level.value())
    .bind(ns.updated_at)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn find(conn: &mut AnyConnection, id: NamespaceId) -> Result<Option<NamespaceRow>> {
    let sql = format!("SELECT {NAMESPACE_COLUMNS} FROM namespaces WHERE id = $1");
    Ok(sqlx::query_as(&sql).bind(id).fetch_optional(conn).await?)
}

/// A Group by its full path (case-insensitive).
pub async fn find_group_by_path(
    conn: &mut AnyConnection,
    full_path: &str,
) -> Result<Option<NamespaceRow>> {
    let sql = format!(
        "SELECT {NAMESPACE_COLUMNS} FROM namespaces WHERE lower(full_path) = $1 AND kind = 'group'"
    );
    Ok(sqlx::query_as(&sql)
        .bind(full_path.to_lowercase())
        .fetch_optional(conn)
        .await?)
}

/// Namespaces (Groups and personal namespaces) by full path.
pub async fn find_by_path(conn: &mut AnyConnection, full_path: &str) -> Result<Vec<NamespaceRow>> {
    let sql = format!(
        "SELECT {NAMESPACE_COLUMNS} FROM namespaces WHERE lower(full_path) = $1 ORDER BY id"
    );
    Ok(sqlx::query_as(&sql)
        .bind(full_path.to_lowercase())
        .fetch_all(conn)
        .await?)
}

/// A User's personal namespace in an Organization.
pub async fn find_personal(
    conn: &mut AnyConnection,
    org: OrganizationId,
    user: UserId,
) -> Result<Option<NamespaceRow>> {
    let sql = format!(
        "SELECT {NAMESPACE_COLUMNS} FROM namespaces WHERE owner_id = $1 AND organization_id = $2 AND kind = 'user'"
    );
    Ok(sqlx::query_as(&sql)
        .bind(user)
        .bind(org)
        .fetch_optional(conn)
        .await?)
}

pub async fn find_many(conn: &mut AnyConnection, ids: &[NamespaceId]) -> Result<Vec<NamespaceRow>> {
    let backend = crate::backend::Backend::of(conn);
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = Sql::new(&format!(
        "SELECT {NAMESPACE_COLUMNS} FROM namespaces WHERE id IN "
    ));
    sql.id_set(backend, ids.iter().copied());
    Ok(sql.query_as().fetch_all(conn).await?)
}

/// Where in the tree a Group list looks.
#[derive(Debug, Clone)]
pub enum Place {
    Anywhere,
    TopLevel,
    ChildrenOf(NamespaceId),
    /// Strictly below the namespace with this traversal.
    Below(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupOrder {
    Name,
    Path,
    Id,
}

/// The personal namespaces a Group list holds too.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Personal {
    /// Groups only.
    None,
    /// Every personal namespace (an admin's `GET /namespaces`).
    All,
    /// This User's own, in every Organization they belong to.
    OwnedBy(UserId),
}

/// A Group list: which Groups, in what order, which page.
#[derive(Debug, Clone)]
pub struct GroupQuery {
    /// Which personal namespaces come with the Groups (`GET /namespaces`).
    pub personal: Personal,
    pub organization: Option<OrganizationId>,
    pub place: Place,
    pub search: Option<String>,
    pub skip: Vec<NamespaceId>,
    /// Only Groups of this visibility level.
    pub visibility_level: Option<i64>,
    pub order: GroupOrder,
    pub descending: bool,
    pub limit: i64,
    pub offset: i64,
    /// Keyset: rows after this (sort key, id).
    pub after: Option<(String, i64)>,
}

/// A LIKE pattern matching `text` anywhere, case-insensitively, with `%`, `_`, `\` escaped.
pub fn like_pattern(text: &str) -> String {
    let escaped = text
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

/// Groups the scope allows, with the total when `count` (capped at 10,001).
pub async fn list_groups(
    conn: &mut AnyConnection,
    query: &GroupQuery,
    scope: &Scope,
    totals: Option<Totals<'_>>,
) -> Result<(Vec<NamespaceRow>, Option<i64>)> {
    let backend = crate::backend::Backend::of(conn);
    // A User's own personal namespaces are theirs whatever the scope shows: the scope's
    // conditions bind the Groups alone, in one bracket, and theirs join it by OR.
    let kinds = match query.personal {
        Personal::All => "n.kind IN ('group', 'user')",
        Personal::None => "n.kind = 'group'",
        Personal::OwnedBy(_) => "((n.kind = 'group'",
    };
    let mut rows = Sql::new(&format!(
        "SELECT {NAMESPACE_COLUMNS} FROM namespaces n WHERE {kinds}"
    ));
    let mut total = Sql::new(&format!(
        "SELECT COUNT(*) FROM (SELECT 1 FROM namespaces n WHERE {kinds}"
    ));
    for q in [&mut rows, &mut total] {
        if let Personal::OwnedBy(user) = query.personal {
            scope.push_groups(q, backend, "n");
            q.push(") OR (n.kind = 'user' AND n.owner_id = ")
                .int(user.0)
                .push("))");
        }
        if let Some(org) = query.organization {
            q.push(" AND n.organization_id = ").int(org);
        }
        match &query.place {
            Place::Anywhere => {}
            Place::TopLevel => {
                q.push(" AND n.parent_id IS NULL");
            }
            Place::ChildrenOf(parent) => {
                q.push(" AND n.parent_id = ").int(*parent);
            }
            Place::Below(traversal) => {
                q.push(" AND n.traversal > ")
                    .text(format!("{traversal}/"))
                    .push(" AND n.traversal < ")
                    .text(subtree_end(traversal));
            }
        }
        if let Some(search) = &query.search {
            let pattern = like_pattern(search);
            q.push(" AND (lower(n.name) LIKE ")
                .text(pattern.clone())
                .push(" ESCAPE '\\' OR lower(n.path) LIKE ")
                .text(pattern)
                .push(" ESCAPE '\\')");
        }
        if !query.skip.is_empty() {
            q.push(" AND n.id NOT IN ")
                .id_set(backend, query.skip.iter().copied());
        }
        if let Some(level) = query.visibility_level {
            q.push(" AND n.visibility_level = ").int(level);
        }
        if !matches!(query.personal, Personal::OwnedBy(_)) {
            scope.push_groups(q, backend, "n");
        }
    }
    total.push(crate::sql::COUNT_CAP);
    let key = match query.order {
        GroupOrder::Name => "n.name",
        GroupOrder::Path => "n.path",
        GroupOrder::Id => "n.id",
    };
    let (cmp, dir) = if query.descending {
        ("<", "DESC")
    } else {
        (">", "ASC")
    };
    if let Some((value, id)) = &query.after {
        if query.order == GroupOrder::Id {
            rows.push(&format!(" AND n.id {cmp} ")).int(*id);
        } else {
            rows.push(&format!(" AND ({key} {cmp} "))
                .text(value.clone())
                .push(&format!(" OR ({key} = "))
                .text(value.clone())
                .push(&format!(" AND n.id {cmp} "))
                .int(*id)
                .push("))");
        }
    }
    if query.order == GroupOrder::Id {
        rows.push(&format!(" ORDER BY n.id {dir}"));
    } else {
        rows.push(&format!(" ORDER BY {key} {dir}, n.id {dir}"));
    }
    rows.push(" LIMIT ")
        .int(query.limit)
        .push(" OFFSET ")
        .int(query.offset);
    let found = rows.query_as().fetch_all(&mut *conn).await?;
    let total = match totals {
        Some(totals) => Some(totals.of(conn, &total).await?),
        None => None,
    };
    Ok((found, total))
}

/// The most visible direct child (subgroup or Project) of a namespace.
pub async fn most_visible_child(
    conn: &mut AnyConnection,
    id: NamespaceId,
) -> Result<Option<Visibility>> {
    let groups: Option<i64> =
        sqlx::query_scalar("SELECT MAX(visibility_level) FROM namespaces WHERE parent_id = $1")
            .bind(id)
            .fetch_one(&mut *conn)
            .await?;
    let projects: Option<i64> =
        sqlx::query_scalar("SELECT MAX(visibility_level) FROM projects WHERE namespace_id = $1")
            .bind(id)
            .fetch_one(conn)
            .await?;
    let most = groups.max(projects).map(Visibility::try_from).transpose();
    Ok(most.map_err(|e| sqlx::Error::Decode(Box::new(e)))?)
}

/// Whether anything (a subgroup or Project) lives below a namespace.
pub async fn has_children(conn: &mut AnyConnection, id: NamespaceId) -> Result<bool> {
    Ok(most_visible_child(conn, id).await?.is_some())
}

/// Moves a subtree: every namespace and Project whose traversal starts with `old_traversal`
/// gets the new prefixes of traversal and full path. The root's own row gets `parent_id`,
/// `path` and `name` too.
pub struct Move<'a> {
    pub root: NamespaceId,
    pub old_traversal: &'a str,
    pub new_traversal: &'a str,
    pub old_full_path: &'a str,
    pub new_full_path: &'a str,
    pub parent_id: Option<NamespaceId>,
    pub path: &'a str,
    pub name: &'a str,
    pub now: i64,
}

pub async fn move_subtree(conn: &mut AnyConnection, m: &Move<'_>) -> Result<()> {
    let end = subtree_end(m.old_traversal);
    let t_len = m.old_traversal.len() as i64;
    let p_len = m.old_full_path.len() as i64;
    sqlx::query(
        "UPDATE namespaces SET parent_id = $2, path = $3, name = $4, updated_at = $5 WHERE id = $1",
    )
    .bind(m.root)
    .bind(m.parent_id)
    .bind(m.path)
    .bind(m.name)
    .bind(m.now)
    .execute(&mut *conn)
    .await?;
    for table in ["namespaces", "projects"] {
        let sql = format!(
            "UPDATE {table} SET traversal = $3 || substr(traversal, CAST($4 AS INTEGER)), full_path = $5 || substr(full_path, CAST($6 AS INTEGER)) \
             WHERE traversal >= $1 AND traversal < $2"
        );
        sqlx::query(&sql)
            .bind(m.old_traversal)
            .bind(&end)
            .bind(m.new_traversal)
            .bind(t_len + 1)
            .bind(m.new_full_path)
            .bind(p_len + 1)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Every namespace of a subtree, root first.
pub async fn subtree(conn: &mut AnyConnection, traversal: &str) -> Result<Vec<NamespaceRow>> {
    let sql = format!(
        "SELECT {NAMESPACE_COLUMNS} FROM namespaces WHERE traversal >= $1 AND traversal < $2 ORDER BY traversal"
    );
    Ok(sqlx::query_as(&sql)
        .bind(traversal)
        .bind(subtree_end(traversal))
        .fetch_all(conn)
        .await?)
}

/// Deletes a subtree of Groups with everything in it: Projects, memberships, links, redirects.
pub async fn delete_subtree(conn: &mut AnyConnection, traversal: &str) -> Result<()> {
    let end = subtree_end(traversal);
    let statements = [
        "DELETE FROM members WHERE source_type = 'project' AND source_id IN (SELECT id FROM projects WHERE traversal >= $1 AND traversal < $2)",
        "DELETE FROM access_requests WHERE source_type = 'project' AND source_id IN (SELECT id FROM projects WHERE traversal >= $1 AND traversal < $2)",
        "DELETE FROM invitations WHERE source_type = 'project' AND source_id IN (SELECT id FROM projects WHERE traversal >= $1 AND traversal < $2)",
        "DELETE FROM invitations WHERE source_type = 'group' AND source_id IN (SELECT id FROM namespaces WHERE traversal >= $1 AND traversal < $2)",
        "DELETE FROM access_requests WHERE source_type = 'group' AND source_id IN (SELECT id FROM namespaces WHERE traversal >= $1 AND traversal < $2)",
        "DELETE FROM project_group_links WHERE project_id IN (SELECT id FROM projects WHERE traversal >= $1 AND traversal < $2)",
        "DELETE FROM project_group_links WHERE group_id IN (SELECT id FROM namespaces WHERE traversal >= $1 AND traversal < $2)",
        "DELETE FROM redirect_routes WHERE source_type = 'project' AND source_id IN (SELECT id FROM projects WHERE traversal >= $1 AND traversal < $2)",
        "DELETE FROM projects WHERE traversal >= $1 AND traversal < $2",
        "DELETE FROM members WHERE source_type = 'group' AND source_id IN (SELECT id FROM namespaces WHERE traversal >= $1 AND traversal < $2)",
        "DELETE FROM group_group_links WHERE shared_group_id IN (SELECT id FROM namespaces WHERE traversal >= $1 AND traversal < $2)",
        "DELETE FROM group_group_links WHERE shared_with_group_id IN (SELECT id FROM namespaces WHERE traversal >= $1 AND traversal < $2)",
        "DELETE FROM redirect_routes WHERE source_type = 'group' AND source_id IN (SELECT id FROM namespaces WHERE traversal >= $1 AND traversal < $2)",
    ];
    for statement in statements {
        sqlx::query(statement)
            .bind(traversal)
            .bind(&end)
            .execute(&mut *conn)
            .await?;
    }
    // One statement: both databases check the parent_id reference at its end, not per row.
    sqlx::query("DELETE FROM namespaces WHERE traversal >= $1 AND traversal < $2")
        .bind(traversal)
        .bind(&end)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Redirect routes: old full paths of moved or renamed Groups and Projects.
pub async fn add_redirect(
    conn: &mut AnyConnection,
    id: i64,
    org: OrganizationId,
    source: Source,
    path: &str,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO redirect_routes (id, organization_id, source_type, source_id, path, created_at) VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT DO NOTHING",
    )
    .bind(id)
    .bind(org)
    .bind(source.kind().as_str())
    .bind(source.id())
    .bind(path)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// Drops the redirects a new Group or Project takes over: the one at its path and those below it
/// (GitLab's `delete_conflicting_redirects`: `matching_path_and_descendants`), which would
/// otherwise answer for paths inside the newcomer.
pub async fn remove_redirect(conn: &mut AnyConnection, path: &str) -> Result<()> {
    let path = path.to_lowercase();
    sqlx::query("DELETE FROM redirect_routes WHERE lower(path) = $1")
        .bind(&path)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "DELETE FROM redirect_routes WHERE substr(lower(path), 1, CAST($2 AS INTEGER)) = $1",
    )
    .bind(format!("{path}/"))
    .bind(i64::try_from(path.chars().count() + 1).unwrap_or(i64::MAX))
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct RedirectRow {
    #[sqlx(try_from = "String")]
    source_type: SourceType,
    source_id: i64,
}

/// The Group or Project an old path redirects to.
pub async fn find_redirect(conn: &mut AnyConnection, path: &str) -> Result<Option<Source>> {
    let row: Option<RedirectRow> =
        sqlx::query_as("SELECT source_type, source_id FROM redirect_routes WHERE lower(path) = $1")
            .bind(path.to_lowercase())
            .fetch_optional(conn)
            .await?;
    Ok(row.map(|row| Source::new(row.source_type, row.source_id)))
}

/// The top-level namespaces (Groups and personal namespaces) of an Organization.
pub async fn roots_of_organization(
    conn: &mut AnyConnection,
    org: OrganizationId,
) -> Result<Vec<NamespaceRow>> {
    let sql = format!(
        "SELECT {NAMESPACE_COLUMNS} FROM namespaces WHERE organization_id = $1 AND parent_id IS NULL ORDER BY id"
    );
    Ok(sqlx::query_as(&sql).bind(org).fetch_all(conn).await?)
}

/// The personal namespaces of Users in their home Organizations: (user id, namespace id).
pub async fn personal_ids(
    conn: &mut AnyConnection,
    users: &[UserId],
) -> Result<Vec<(UserId, NamespaceId)>> {
    let backend = crate::backend::Backend::of(conn);
    if users.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = Sql::new(
        "SELECT n.owner_id, n.id FROM namespaces n JOIN users u ON u.id = n.owner_id \
         WHERE n.kind = 'user' AND n.organization_id = u.home_organization_id AND n.owner_id IN ",
    );
    sql.id_set(backend, users.iter().copied());
    Ok(sql.query_as().fetch_all(conn).await?)
}
