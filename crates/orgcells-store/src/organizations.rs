//! Organizations and their Users (`organization_users`).

use orgcells_core::access::OrganizationRole;
use orgcells_core::ids::{OrganizationId, UserId};
use orgcells_core::org_users::Joined;
use orgcells_core::states::OrganizationUserState;
use orgcells_core::visibility::OrganizationVisibility;
use sqlx::AnyConnection;

use crate::Result;
use crate::Totals;
use crate::rows::{ORGANIZATION_COLUMNS, OrganizationRow, OrganizationUserRow};
use crate::sql::Sql;

pub async fn insert(conn: &mut AnyConnection, org: &OrganizationRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO organizations (id, name, path, description, avatar_url, visibility_level, state, \
         group_creation_owners_only, created_at, updated_at, deleted_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(org.id)
    .bind(&org.name)
    .bind(&org.path)
    .bind(&org.description)
    .bind(&org.avatar_url)
    .bind(org.visibility_level.value())
    .bind(org.state.as_str())
    .bind(i64::from(org.group_creation_owners_only))
    .bind(org.created_at)
    .bind(org.updated_at)
    .bind(org.deleted_at)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn find(conn: &mut AnyConnection, id: OrganizationId) -> Result<Option<OrganizationRow>> {
    let sql = format!("SELECT {ORGANIZATION_COLUMNS} FROM organizations WHERE id = $1");
    Ok(sqlx::query_as(&sql).bind(id).fetch_optional(conn).await?)
}

/// The Organization an old path of it leads to (it was renamed since).
pub async fn find_by_redirect(
    conn: &mut AnyConnection,
    path: &str,
) -> Result<Option<OrganizationRow>> {
    let sql = format!(
        "SELECT {ORGANIZATION_COLUMNS} FROM organizations WHERE id = \
         (SELECT organization_id FROM organization_redirects WHERE lower(path) = $1)"
    );
    Ok(sqlx::query_as(&sql)
        .bind(path.to_lowercase())
        .fetch_optional(conn)
        .await?)
}

/// Keeps `path` leading to `org` (its old path, after a rename).
pub async fn add_redirect(
    conn: &mut AnyConnection,
    id: i64,
    org: OrganizationId,
    path: &str,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO organization_redirects (id, organization_id, path, created_at) \
         VALUES ($1, $2, $3, $4)",
    )
    .bind(id)
    .bind(org)
    .bind(path)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// An Organization's uploaded avatar: its content type and its bytes in base64.
pub async fn avatar(
    conn: &mut AnyConnection,
    org: OrganizationId,
) -> Result<Option<(String, String)>> {
    Ok(sqlx::query_as(
        "SELECT content_type, data FROM organization_avatars WHERE organization_id = $1",
    )
    .bind(org)
    .fetch_optional(conn)
    .await?)
}

/// Sets (`Some`: content type and base64 bytes) or removes an Organization's avatar.
pub async fn set_avatar(
    conn: &mut AnyConnection,
    org: OrganizationId,
    avatar: Option<(&str, &str)>,
    now: i64,
) -> Result<()> {
    sqlx::query("DELETE FROM organization_avatars WHERE organization_id = $1")
        .bind(org)
        .execute(&mut *conn)
        .await?;
    if let Some((content_type, data)) = avatar {
        sqlx::query(
            "INSERT INTO organization_avatars (organization_id, content_type, data, updated_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(org)
        .bind(content_type)
        .bind(data)
        .bind(now)
        .execute(conn)
        .await?;
    }
    Ok(())
}

/// Drops the redirect at `path`, whichever Organization it led to: the path is claimed again.
pub async fn remove_redirect(conn: &mut AnyConnection, path: &str) -> Result<()> {
    sqlx::query("DELETE FROM organization_redirects WHERE lower(path) = $1")
        .bind(path.to_lowercase())
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn find_by_path(conn: &mut AnyConnection, path: &str) -> Result<Option<OrganizationRow>> {
    let sql = format!("SELECT {ORGANIZATION_COLUMNS} FROM organizations WHERE lower(path) = $1");
    Ok(sqlx::query_as(&sql)
        .bind(path.to_lowercase())
        .fetch_optional(conn)
        .await?)
}

pub async fn update(conn: &mut AnyConnection, org: &OrganizationRow) -> Result<()> {
    sqlx::query(
        "UPDATE organizations SET name = $2, path = $3, description = $4, avatar_url = $5, visibility_level = $6, \
         state = $7, group_creation_owners_only = $8, updated_at = $9, deleted_at = $10 WHERE id = $1",
    )
    .bind(org.id)
    .bind(&org.name)
    .bind(&org.path)
    .bind(&org.description)
    .bind(&org.avatar_url)
    .bind(org.visibility_level.value())
    .bind(org.state.as_str())
    .bind(i64::from(org.group_creation_owners_only))
    .bind(org.updated_at)
    .bind(org.deleted_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// The Organizations of this Cell in maintenance (a move under way, here or to here): their ids.
pub async fn in_maintenance(conn: &mut AnyConnection) -> Result<Vec<OrganizationId>> {
    Ok(
        sqlx::query_scalar("SELECT id FROM organizations WHERE state = 'maintenance' ORDER BY id")
            .fetch_all(conn)
            .await?,
    )
}

/// The soft-deleted Organizations of this Cell: their ids, in order (few: each is deleted for
/// good once its retention has passed).
pub async fn soft_deleted(conn: &mut AnyConnection) -> Result<Vec<OrganizationId>> {
    Ok(
        sqlx::query_scalar("SELECT id FROM organizations WHERE state = 'soft_deleted' ORDER BY id")
            .fetch_all(conn)
            .await?,
    )
}

/// Soft-deleted Organizations whose retention ended before `before`, at most `limit`.
pub async fn due_for_deletion(
    conn: &mut AnyConnection,
    before: i64,
    limit: i64,
) -> Result<Vec<OrganizationRow>> {
    let sql = format!(
        "SELECT {ORGANIZATION_COLUMNS} FROM organizations \
         WHERE state = 'soft_deleted' AND deleted_at < $1 ORDER BY deleted_at, id LIMIT {limit}"
    );
    Ok(sqlx::query_as(&sql).bind(before).fetch_all(conn).await?)
}

/// Deletes an Organization that holds no Groups or Projects, with its Organization Users.
pub async fn delete(conn: &mut AnyConnection, id: OrganizationId) -> Result<()> {
    for table in [
        "access_requests",
        "invitations",
        "organization_invitations",
        "organization_users",
        "organization_redirects",
        "organization_avatars",
    ] {
        sqlx::query(&format!("DELETE FROM {table} WHERE organization_id = $1"))
            .bind(id)
            .execute(&mut *conn)
            .await?;
    }
    sqlx::query("DELETE FROM organizations WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Organizations a viewer may see, by id: all (`all`), or the public ones and those listed,
/// less those hidden from them (banned from, or soft-deleted).
pub struct OrganizationFilter {
    pub all: bool,
    pub member_of: Vec<OrganizationId>,
    pub hidden: Vec<OrganizationId>,
    pub search: Option<String>,
}

pub async fn list(
    conn: &mut AnyConnection,
    filter: &OrganizationFilter,
    limit: i64,
    offset: i64,
    totals: Totals<'_>,
) -> Result<(Vec<OrganizationRow>, i64)> {
    let backend = crate::backend::Backend::of(conn);
    let mut sql = Sql::new(&format!(
        "SELECT {ORGANIZATION_COLUMNS} FROM organizations WHERE 1 = 1"
    ));
    let mut count = Sql::new("SELECT COUNT(*) FROM organizations WHERE 1 = 1");
    for q in [&mut sql, &mut count] {
        if !filter.all {
            q.push(&format!(
                " AND (visibility_level = {} OR id IN ",
                OrganizationVisibility::Public.value()
            ))
            .id_set(backend, filter.member_of.iter().copied())
            .push(")");
            if !filter.hidden.is_empty() {
                q.push(" AND id NOT IN ")
                    .id_set(backend, filter.hidden.iter().copied());
            }
        }
        if let Some(search) = &filter.search {
            let pattern = crate::namespaces::like_pattern(search);
            q.push(" AND (lower(name) LIKE ")
                .text(pattern.clone())
                .push(" ESCAPE '\\' OR lower(path) LIKE ")
                .text(pattern)
                .push(" ESCAPE '\\')");
        }
    }
    sql.push(" ORDER BY id LIMIT ")
        .int(limit)
        .push(" OFFSET ")
        .int(offset);
    let rows = sql.query_as().fetch_all(&mut *conn).await?;
    let total = totals.of(conn, &count).await?;
    Ok((rows, total))
}

/// How many Organizations this Cell holds.
pub async fn count_all(conn: &mut AnyConnection) -> Result<i64> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM organizations")
        .fetch_one(conn)
        .await?)
}

pub async fn count_groups(conn: &mut AnyConnection, id: OrganizationId) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM namespaces WHERE organization_id = $1 AND kind = 'group'",
    )
    .bind(id)
    .fetch_one(conn)
    .await?)
}

const ORG_USER_COLUMNS: &str =
    "organization_id, user_id, access_level, state, enterprise, source, created_at";

/// Adds a User to an Organization; an existing row is left as it is. Returns whether it was added.
pub async fn add_user(
    conn: &mut AnyConnection,
    org: OrganizationId,
    user: UserId,
    role: OrganizationRole,
    joined: Joined,
    now: i64,
) -> Result<bool> {
    let added = sqlx::query(
        "INSERT INTO organization_users (organization_id, user_id, access_level, state, enterprise, source, created_at, updated_at) \
         VALUES ($1, $2, $3, 'active', 0, $4, $5, $5) ON CONFLICT (organization_id, user_id) DO NOTHING",
    )
    .bind(org)
    .bind(user)
    .bind(role.value())
    .bind(joined.as_str())
    .bind(now)
    .execute(conn)
    .await?
    .rows_affected();
    Ok(added == 1)
}

/// Makes an Organization User an Owner or a User.
pub async fn set_user_role(
    conn: &mut AnyConnection,
    org: OrganizationId,
    user: UserId,
    role: OrganizationRole,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "UPDATE organization_users SET access_level = $1, updated_at = $2 \
         WHERE organization_id = $3 AND user_id = $4",
    )
    .bind(role.value())
    .bind(now)
    .bind(org)
    .bind(user)
    .execute(conn)
    .await?;
    Ok(())
}

/// Bans an Organization User, or lifts the ban.
pub async fn set_user_state(
    conn: &mut AnyConnection,
    org: OrganizationId,
    user: UserId,
    state: OrganizationUserState,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "UPDATE organization_users SET state = $1, updated_at = $2 \
         WHERE organization_id = $3 AND user_id = $4",
    )
    .bind(state.as_str())
    .bind(now)
    .bind(org)
    .bind(user)
    .execute(conn)
    .await?;
    Ok(())
}

/// Removes a User from an Organization: every membership of theirs in its Groups and
/// Projects, then the Organization User row. The memberships removed.
pub async fn remove_user(
    conn: &mut AnyConnection,
    org: OrganizationId,
    user: UserId,
) -> Result<u64> {
    let memberships =
        sqlx::query("DELETE FROM members WHERE organization_id = $1 AND user_id = $2")
            .bind(org)
            .bind(user)
            .execute(&mut *conn)
            .await?
            .rows_affected();
    sqlx::query("DELETE FROM access_requests WHERE organization_id = $1 AND user_id = $2")
        .bind(org)
        .bind(user)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM organization_users WHERE organization_id = $1 AND user_id = $2")
        .bind(org)
        .bind(user)
        .execute(conn)
        .await?;
    Ok(memberships)
}

/// Deletes every Organization User row of a User (their deletion).
pub async fn remove_user_everywhere(conn: &mut AnyConnection, user: UserId) -> Result<()> {
    for table in ["access_requests", "organization_users"] {
        sqlx::query(&format!("DELETE FROM {table} WHERE user_id = $1"))
            .bind(user)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// The full paths of the top-level Groups of an Organization whose only direct Owner is
/// `user`, at most `limit`: what would be left with no Owner if they went.
pub async fn sole_owned_groups(
    conn: &mut AnyConnection,
    org: OrganizationId,
    user: UserId,
    limit: i64,
) -> Result<Vec<String>> {
    Ok(sqlx::query_scalar(
        "SELECT n.full_path FROM members m JOIN namespaces n ON n.id = m.source_id \
         WHERE m.organization_id = $1 AND m.user_id = $2 AND m.source_type = 'group' \
         AND m.access_level = 50 AND n.parent_id IS NULL \
         AND NOT EXISTS (SELECT 1 FROM members o WHERE o.source_type = 'group' \
           AND o.source_id = m.source_id AND o.access_level = 50 AND o.user_id <> m.user_id) \
         ORDER BY n.full_path LIMIT $3",
    )
    .bind(org)
    .bind(user)
    .bind(limit)
    .fetch_all(conn)
    .await?)
}

pub async fn find_user(
    conn: &mut AnyConnection,
    org: OrganizationId,
    user: UserId,
) -> Result<Option<OrganizationUserRow>> {
    let sql = format!(
        "SELECT {ORG_USER_COLUMNS} FROM organization_users \
         WHERE organization_id = $1 AND user_id = $2"
    );
    Ok(sqlx::query_as(&sql)
        .bind(org)
        .bind(user)
        .fetch_optional(conn)
        .await?)
}

/// Every Organization a User belongs to.
pub async fn memberships_of(
    conn: &mut AnyConnection,
    user: UserId,
) -> Result<Vec<OrganizationUserRow>> {
    let sql = format!(
        "SELECT {ORG_USER_COLUMNS} FROM organization_users \
         WHERE user_id = $1 ORDER BY organization_id"
    );
    Ok(sqlx::query_as(&sql).bind(user).fetch_all(conn).await?)
}

/// The Organization Users of an Organization, optionally only the active Members of what
/// `only` allows.
pub async fn list_users(
    conn: &mut AnyConnection,
    org: OrganizationId,
    only: Option<&crate::scope::Scope>,
    limit: i64,
    offset: i64,
    totals: Totals<'_>,
) -> Result<(Vec<OrganizationUserRow>, i64)> {
    let backend = crate::backend::Backend::of(conn);
    let mut sql = Sql::new(&format!(
        "SELECT {ORG_USER_COLUMNS} FROM organization_users WHERE organization_id = "
    ));
    let mut count =
        Sql::new("SELECT COUNT(*) FROM (SELECT 1 FROM organization_users WHERE organization_id = ");
    for q in [&mut sql, &mut count] {
        q.int(org);
        if let Some(scope) = only {
            // Banned Users are for those who manage the Organization to see.
            q.push(" AND state = 'active'");
            crate::members::push_members_in_scope(
                q,
                backend,
                org,
                scope,
                "organization_users.user_id",
            );
        }
    }
    count.push(crate::sql::COUNT_CAP);
    sql.push(" ORDER BY user_id LIMIT ")
        .int(limit)
        .push(" OFFSET ")
        .int(offset);
    let rows = sql.query_as().fetch_all(&mut *conn).await?;
    let total = totals.of(conn, &count).await?;
    Ok((rows, total))
}

/// What in an Organization is more visible than `level`: its top-level Groups and the Projects
/// of its personal namespaces (each by full path, `kind` `group` or `project`), at most `limit`.
pub async fn more_visible_than(
    conn: &mut AnyConnection,
    org: OrganizationId,
    level: i64,
    limit: i64,
) -> Result<Vec<(String, String)>> {
    Ok(sqlx::query_as(
        "SELECT kind, full_path FROM ( \
           SELECT 'group' AS kind, n.full_path, n.id FROM namespaces n \
           WHERE n.organization_id = $1 AND n.kind = 'group' AND n.parent_id IS NULL AND n.visibility_level > $2 \
           UNION ALL \
           SELECT 'project' AS kind, p.full_path, p.id FROM projects p JOIN namespaces n ON n.id = p.namespace_id \
           WHERE p.organization_id = $1 AND n.kind = 'user' AND p.visibility_level > $2 \
         ) found ORDER BY id LIMIT $3",
    )
    .bind(org)
    .bind(level)
    .bind(limit)
    .fetch_all(conn)
    .await?)
}

/// Lowers the personal namespaces of an Organization to at most `level` (they follow their
/// Organization; nothing in them is more visible, see [`more_visible_than`]).
pub async fn cap_personal_namespaces(
    conn: &mut AnyConnection,
    org: OrganizationId,
    level: i64,
) -> Result<()> {
    sqlx::query(
        "UPDATE namespaces SET visibility_level = $2 \
         WHERE organization_id = $1 AND kind = 'user' AND visibility_level > $2",
    )
    .bind(org)
    .bind(level)
    .execute(conn)
    .await?;
    Ok(())
}
