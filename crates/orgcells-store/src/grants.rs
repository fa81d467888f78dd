//! The rows that decide a User's effective access: their memberships and the links that invite
//! Groups they belong to. Read fresh per request (a handful of indexed lookups), so access is
//! exact the moment a write commits; `orgcells_core::grants` turns them into levels.

use sqlx::AnyConnection;

use crate::Result;
use crate::sql::Sql;

/// A direct Group membership (or a personal namespace the User owns, at Owner).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct GroupGrantRow {
    pub group_id: i64,
    pub organization_id: i64,
    /// `group`, or `user` for a personal namespace.
    pub kind: String,
    pub traversal: String,
    pub access_level: i64,
}

/// A link inviting a Group the User reaches: `target` is the shared Group or Project.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LinkGrantRow {
    pub organization_id: i64,
    pub target_id: i64,
    /// The shared Group's traversal (for a project-group link: the Project's namespace).
    pub target_traversal: String,
    pub invited_traversal: String,
    pub group_access: i64,
}

/// A direct Project membership.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ProjectGrantRow {
    pub organization_id: i64,
    pub project_id: i64,
    pub traversal: String,
    pub access_level: i64,
}

#[derive(Debug, Clone, Default)]
pub struct GrantRows {
    pub groups: Vec<GroupGrantRow>,
    pub group_links: Vec<LinkGrantRow>,
    pub projects: Vec<ProjectGrantRow>,
    pub project_links: Vec<LinkGrantRow>,
}

/// Everything granted to `user`, in one Organization or (`None`) in all of this Cell's.
/// `today` (`YYYY-MM-DD`) excludes expired memberships and links.
pub async fn load(
    conn: &mut AnyConnection,
    user: i64,
    org: Option<i64>,
    today: &str,
) -> Result<GrantRows> {
    let org_filter = |sql: &mut Sql, alias: &str| {
        if let Some(org) = org {
            sql.push(&format!(" AND {alias}.organization_id = "))
                .int(org);
        }
    };
    let mut groups = Sql::new(
        "SELECT n.id AS group_id, n.organization_id, n.kind, n.traversal, m.access_level FROM members m \
         JOIN namespaces n ON n.id = m.source_id WHERE m.source_type = 'group' AND m.user_id = ",
    );
    groups
        .int(user)
        .push(" AND (m.expires_at IS NULL OR m.expires_at > ")
        .text(today)
        .push(")");
    org_filter(&mut groups, "m");
    groups.push(" UNION ALL SELECT n.id AS group_id, n.organization_id, n.kind, n.traversal, CAST(50 AS BIGINT) AS access_level FROM namespaces n WHERE n.kind = 'user' AND n.owner_id = ");
    groups.int(user);
    org_filter(&mut groups, "n");
    let groups: Vec<GroupGrantRow> = groups.query_as().fetch_all(&mut *conn).await?;
    // Links invite Groups, never personal namespaces: a User who is in no Group has no links.
    if groups.iter().all(|g| g.kind != "group") {
        let projects = load_projects(conn, user, org, today).await?;
        return Ok(GrantRows {
            projects,
            ..GrantRows::default()
        });
    }

    // Groups shared with a Group the User is a direct Member of (not inherited: GitLab's rule).
    let mut group_links = Sql::new(
        "SELECT l.organization_id, l.shared_group_id AS target_id, t.traversal AS target_traversal, \
         w.traversal AS invited_traversal, l.group_access FROM members m \
         JOIN group_group_links l ON l.shared_with_group_id = m.source_id \
         JOIN namespaces t ON t.id = l.shared_group_id JOIN namespaces w ON w.id = l.shared_with_group_id \
         WHERE m.source_type = 'group' AND m.access_level >= 10 AND m.user_id = ",
    );
    group_links
        .int(user)
        .push(" AND (m.expires_at IS NULL OR m.expires_at > ")
        .text(today)
        .push(") AND (l.expires_at IS NULL OR l.expires_at > ")
        .text(today)
        .push(")");
    org_filter(&mut group_links, "m");
    let group_links: Vec<LinkGrantRow> = group_links.query_as().fetch_all(&mut *conn).await?;

    // Projects shared with a Group the User reaches: below a Group they are in, or below a
    // Group shared with one.
    let roots = groups
        .iter()
        .filter(|g| g.kind == "group")
        .map(|g| g.traversal.as_str())
        .chain(group_links.iter().map(|l| l.target_traversal.as_str()));
    let mut project_links = Sql::new(
        "SELECT l.organization_id, l.project_id AS target_id, t.traversal AS target_traversal, \
         w.traversal AS invited_traversal, l.group_access FROM project_group_links l \
         CROSS JOIN namespaces w CROSS JOIN projects t WHERE w.id = l.group_id AND t.id = l.project_id \
         AND (l.expires_at IS NULL OR l.expires_at > ",
    );
    project_links.text(today).push(") AND (1 = 0");
    for root in roots {
        project_links
            .push(" OR (w.traversal >= ")
            .text(root)
            .push(" AND w.traversal < ")
            .text(crate::rows::subtree_end(root))
            .push(")");
    }
    project_links.push(")");
    org_filter(&mut project_links, "l");
    let project_links: Vec<LinkGrantRow> = project_links.query_as().fetch_all(&mut *conn).await?;
    let projects = load_projects(conn, user, org, today).await?;
    Ok(GrantRows {
        groups,
        group_links,
        projects,
        project_links,
    })
}

async fn load_projects(
    conn: &mut AnyConnection,
    user: i64,
    org: Option<i64>,
    today: &str,
) -> Result<Vec<ProjectGrantRow>> {
    let mut sql = Sql::new(
        "SELECT p.organization_id, p.id AS project_id, p.traversal, m.access_level FROM members m JOIN projects p ON p.id = m.source_id \
         WHERE m.source_type = 'project' AND m.user_id = ",
    );
    sql.int(user)
        .push(" AND (m.expires_at IS NULL OR m.expires_at > ")
        .text(today)
        .push(")");
    if let Some(org) = org {
        sql.push(" AND m.organization_id = ").int(org);
    }
    Ok(sql.query_as().fetch_all(conn).await?)
}
