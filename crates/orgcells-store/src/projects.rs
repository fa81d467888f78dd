//! Projects. A Project's `traversal` is its namespace's, so a Group's Projects are a range.

use orgcells_core::ids::{NamespaceId, OrganizationId, ProjectId, UserId};
use sqlx::AnyConnection;

use crate::Result;
use crate::Totals;
use crate::rows::{PROJECT_COLUMNS, ProjectRow, subtree_end};
use crate::scope::Scope;
use crate::sql::Sql;

pub async fn insert(conn: &mut AnyConnection, p: &ProjectRow) -> Result<()> {
    sqlx::query(&format!(
        "INSERT INTO projects ({PROJECT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
    ))
    .bind(p.id)
    .bind(p.organization_id)
    .bind(p.namespace_id)
    .bind(&p.traversal)
    .bind(&p.name)
    .bind(&p.path)
    .bind(&p.full_path)
    .bind(&p.description)
    .bind(p.visibility_level.value())
    .bind(p.creator_id)
    .bind(p.created_at)
    .bind(p.updated_at)
    .bind(p.last_activity_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// Writes every field, including the Project's place (namespace, traversal, full path).
pub async fn update(conn: &mut AnyConnection, p: &ProjectRow) -> Result<()> {
    sqlx::query(
        "UPDATE projects SET namespace_id = $2, traversal = $3, name = $4, path = $5, full_path = $6, description = $7, \
         visibility_level = $8, updated_at = $9, last_activity_at = $10 WHERE id = $1",
    )
    .bind(p.id)
    .bind(p.namespace_id)
    .bind(&p.traversal)
    .bind(&p.name)
    .bind(&p.path)
    .bind(&p.full_path)
    .bind(&p.description)
    .bind(p.visibility_level.value())
    .bind(p.updated_at)
    .bind(p.last_activity_at)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn find(conn: &mut AnyConnection, id: ProjectId) -> Result<Option<ProjectRow>> {
    let sql = format!("SELECT {PROJECT_COLUMNS} FROM projects WHERE id = $1");
    Ok(sqlx::query_as(&sql).bind(id).fetch_optional(conn).await?)
}

pub async fn find_by_path(conn: &mut AnyConnection, full_path: &str) -> Result<Option<ProjectRow>> {
    let sql = format!("SELECT {PROJECT_COLUMNS} FROM projects WHERE lower(full_path) = $1");
    Ok(sqlx::query_as(&sql)
        .bind(full_path.to_lowercase())
        .fetch_optional(conn)
        .await?)
}

pub async fn find_many(conn: &mut AnyConnection, ids: &[ProjectId]) -> Result<Vec<ProjectRow>> {
    let backend = crate::backend::Backend::of(conn);
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = Sql::new(&format!(
        "SELECT {PROJECT_COLUMNS} FROM projects WHERE id IN "
    ));
    sql.id_set(backend, ids.iter().copied());
    Ok(sql.query_as().fetch_all(conn).await?)
}

/// Deletes a Project with its memberships, links and redirects.
pub async fn delete(conn: &mut AnyConnection, id: ProjectId) -> Result<()> {
    let statements = [
        "DELETE FROM members WHERE source_type = 'project' AND source_id = $1",
        "DELETE FROM access_requests WHERE source_type = 'project' AND source_id = $1",
        "DELETE FROM invitations WHERE source_type = 'project' AND source_id = $1",
        "DELETE FROM project_group_links WHERE project_id = $1",
        "DELETE FROM redirect_routes WHERE source_type = 'project' AND source_id = $1",
        "DELETE FROM projects WHERE id = $1",
    ];
    for statement in statements {
        sqlx::query(statement).bind(id).execute(&mut *conn).await?;
    }
    Ok(())
}

/// Which namespaces a Project list covers.
#[derive(Debug, Clone)]
pub enum Within {
    Anywhere,
    Namespace(NamespaceId),
    /// The namespace with this traversal and everything below it.
    Subtree(String),
    /// Projects with these ids (shared with a Group).
    Ids(Vec<ProjectId>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProjectOrder {
    Id,
    Name,
    Path,
    CreatedAt,
    UpdatedAt,
    LastActivityAt,
}

#[derive(Debug, Clone)]
pub struct ProjectQuery {
    pub organization: Option<OrganizationId>,
    pub within: Within,
    pub search: Option<String>,
    pub visibility: Option<i64>,
    pub order: ProjectOrder,
    pub descending: bool,
    pub limit: i64,
    pub offset: i64,
    /// Keyset on id: rows past this id.
    pub after_id: Option<i64>,
}

pub async fn list(
    conn: &mut AnyConnection,
    query: &ProjectQuery,
    scope: &Scope,
    totals: Option<Totals<'_>>,
) -> Result<(Vec<ProjectRow>, Option<i64>)> {
    let backend = crate::backend::Backend::of(conn);
    let mut rows = Sql::new(&format!(
        "SELECT {PROJECT_COLUMNS} FROM projects p WHERE 1 = 1"
    ));
    let mut total = Sql::new("SELECT COUNT(*) FROM (SELECT 1 FROM projects p WHERE 1 = 1");
    for q in [&mut rows, &mut total] {
        if let Some(org) = query.organization {
            q.push(" AND p.organization_id = ").int(org);
        }
        match &query.within {
            Within::Anywhere => {}
            Within::Namespace(id) => {
                q.push(" AND p.namespace_id = ").int(*id);
            }
            Within::Subtree(traversal) => {
                q.push(" AND p.traversal >= ")
                    .text(traversal.clone())
                    .push(" AND p.traversal < ")
                    .text(subtree_end(traversal));
            }
            Within::Ids(ids) => {
                q.push(" AND p.id IN ").id_set(backend, ids.iter().copied());
            }
        }
        if let Some(search) = &query.search {
            let pattern = crate::namespaces::like_pattern(search);
            q.push(" AND (lower(p.name) LIKE ")
                .text(pattern.clone())
                .push(" ESCAPE '\\' OR lower(p.path) LIKE ")
                .text(pattern)
                .push(" ESCAPE '\\')");
        }
        if let Some(visibility) = query.visibility {
            q.push(" AND p.visibility_level = ").int(visibility);
        }
        scope.push_projects(q, backend, "p");
    }
    total.push(crate::sql::COUNT_CAP);
    let (cmp, dir) = if query.descending {
        ("<", "DESC")
    } else {
        (">", "ASC")
    };
    if let Some(after) = query.after_id {
        rows.push(&format!(" AND p.id {cmp} ")).int(after);
    }
    let key = match query.order {
        ProjectOrder::Id => "p.id",
        ProjectOrder::Name => "p.name",
        ProjectOrder::Path => "p.path",
        ProjectOrder::CreatedAt => "p.created_at",
        ProjectOrder::UpdatedAt => "p.updated_at",
        ProjectOrder::LastActivityAt => "p.last_activity_at",
    };
    if query.order == ProjectOrder::Id {
        rows.push(&format!(" ORDER BY p.id {dir}"));
    } else {
        rows.push(&format!(" ORDER BY {key} {dir}, p.id {dir}"));
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

/// Every Project in a subtree of namespaces.
pub async fn in_subtree(conn: &mut AnyConnection, traversal: &str) -> Result<Vec<ProjectRow>> {
    let sql = format!(
        "SELECT {PROJECT_COLUMNS} FROM projects WHERE traversal >= $1 AND traversal < $2 ORDER BY id"
    );
    Ok(sqlx::query_as(&sql)
        .bind(traversal)
        .bind(subtree_end(traversal))
        .fetch_all(conn)
        .await?)
}

/// Hands the Projects a User created to another User (the Ghost User).
pub async fn reassign_creator(conn: &mut AnyConnection, from: UserId, to: UserId) -> Result<()> {
    sqlx::query("UPDATE projects SET creator_id = $2 WHERE creator_id = $1")
        .bind(from)
        .bind(to)
        .execute(conn)
        .await?;
    Ok(())
}
