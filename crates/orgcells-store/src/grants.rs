//! The rows that decide a User's effective access: their memberships and the links that invite
//! Groups they belong to. Read fresh per request (a handful of indexed lookups), so access is
//! exact the moment a write commits; `orgcells_core::grants` turns them into levels.

use orgcells_core::access::AccessLevel;
use orgcells_core::ids::{NamespaceId, NamespaceKind, OrganizationId, ProjectId, UserId};
use sqlx::AnyConnection;

use crate::Result;
use crate::backend::Backend;
use crate::rows::Flag;
use crate::sql::Sql;

/// A direct Group membership (or a personal namespace the User owns, at Owner).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct GroupGrantRow {
    pub group_id: NamespaceId,
    pub organization_id: OrganizationId,
    /// A Group, or a personal namespace.
    #[sqlx(try_from = "String")]
    pub kind: NamespaceKind,
    pub traversal: String,
    #[sqlx(try_from = "i64")]
    pub access_level: AccessLevel,
    /// Whether a Project lies anywhere in the Group's subtree (GitLab's `has_projects`).
    #[sqlx(try_from = "Flag")]
    pub has_projects: bool,
}

/// A link inviting a Group the User reaches: `target` is the shared Group or Project.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LinkGrantRow {
    pub organization_id: OrganizationId,
    pub target_id: i64,
    /// The shared Group's traversal (for a project-group link: the Project's namespace).
    pub target_traversal: String,
    pub invited_traversal: String,
    #[sqlx(try_from = "i64")]
    pub group_access: AccessLevel,
    /// For a group-group link: whether a Project lies in the shared Group's subtree.
    #[sqlx(try_from = "Flag")]
    pub has_projects: bool,
}

/// A direct Project membership.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ProjectGrantRow {
    pub organization_id: OrganizationId,
    pub project_id: ProjectId,
    pub traversal: String,
    #[sqlx(try_from = "i64")]
    pub access_level: AccessLevel,
}

#[derive(Debug, Clone, Default)]
pub struct GrantRows {
    pub groups: Vec<GroupGrantRow>,
    pub group_links: Vec<LinkGrantRow>,
    pub projects: Vec<ProjectGrantRow>,
    pub project_links: Vec<LinkGrantRow>,
}

/// Which of a User's grants to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Extent {
    /// All of them (in the Organization asked for).
    Everywhere,
    /// Only those that decide access to the tree of this top-level namespace (by id): the
    /// memberships and links inside it, and those that let the User reach the Groups invited
    /// to its Projects. What a write checks, whatever the User holds elsewhere.
    Tree(NamespaceId),
}

/// Everything granted to `user`, in one Organization or (`None`) in all of this Cell's, and
/// `within` one tree or everywhere. `today` (`YYYY-MM-DD`) excludes expired memberships and
/// links.
pub async fn load(
    conn: &mut AnyConnection,
    user: UserId,
    org: Option<OrganizationId>,
    within: Extent,
    today: &str,
) -> Result<GrantRows> {
    let backend = Backend::of(conn);
    let outside = match within {
        Extent::Everywhere => Outside::default(),
        Extent::Tree(root) => reaching_in(conn, backend, root, today).await?,
    };
    let org_filter = |sql: &mut Sql, alias: &str| {
        if let Some(org) = org {
            sql.push(&format!(" AND {alias}.organization_id = "))
                .int(org);
        }
    };
    // ` AND ...`: the row's namespace (traversal `column`) is in the tree, or its id (`or_id`)
    // is one of `ids` outside it.
    let tree_filter = |sql: &mut Sql, column: &str, or_id: Option<(&str, &[i64])>| {
        let Extent::Tree(root) = within else {
            return;
        };
        let root = root.to_string();
        sql.push(&format!(" AND ({column} >= "))
            .text(root.clone())
            .push(&format!(" AND {column} < "))
            .text(crate::rows::subtree_end(&root));
        if let Some((id, ids)) = or_id
            && !ids.is_empty()
        {
            sql.push(&format!(" OR {id} IN "))
                .id_set(backend, ids.iter().copied());
        }
        sql.push(")");
    };
    let mut groups = Sql::new(&format!(
        "SELECT n.id AS group_id, n.organization_id, n.kind, n.traversal, m.access_level, {} AS has_projects \
         FROM members m JOIN namespaces n ON n.id = m.source_id WHERE m.source_type = 'group' AND m.user_id = ",
        has_projects("n")
    ));
    groups
        .int(user)
        .push(" AND (m.expires_at IS NULL OR m.expires_at > ")
        .text(today)
        .push(")");
    org_filter(&mut groups, "m");
    tree_filter(&mut groups, "n.traversal", Some(("n.id", &outside.groups)));
    // The owner of a personal namespace holds it as its Owner.
    groups.push(&format!(" UNION ALL SELECT n.id AS group_id, n.organization_id, n.kind, n.traversal, CAST({} AS BIGINT) AS access_level, \
         CAST(0 AS BIGINT) AS has_projects FROM namespaces n WHERE n.kind = 'user' AND n.owner_id = ", AccessLevel::Owner.value()));
    groups.int(user);
    org_filter(&mut groups, "n");
    tree_filter(&mut groups, "n.traversal", None);
    let groups: Vec<GroupGrantRow> = groups.query_as().fetch_all(&mut *conn).await?;
    // Links invite Groups, never personal namespaces: a User who is in no Group has no links.
    if groups.iter().all(|g| g.kind != NamespaceKind::Group) {
        let projects = load_projects(conn, user, org, within, today).await?;
        return Ok(GrantRows {
            projects,
            ..GrantRows::default()
        });
    }

    // Groups shared with a Group the User is a direct Member of (not inherited: GitLab's rule).
    let mut group_links = Sql::new(&format!(
        "SELECT l.organization_id, l.shared_group_id AS target_id, t.traversal AS target_traversal, \
         w.traversal AS invited_traversal, l.group_access, {} AS has_projects FROM members m \
         JOIN group_group_links l ON l.shared_with_group_id = m.source_id \
         JOIN namespaces t ON t.id = l.shared_group_id JOIN namespaces w ON w.id = l.shared_with_group_id \
         WHERE m.source_type = 'group' AND m.access_level >= {} AND m.user_id = ",
        has_projects("t"),
        AccessLevel::Guest.value()
    ));
    group_links
        .int(user)
        .push(" AND (m.expires_at IS NULL OR m.expires_at > ")
        .text(today)
        .push(") AND (l.expires_at IS NULL OR l.expires_at > ")
        .text(today)
        .push(")");
    org_filter(&mut group_links, "m");
    tree_filter(
        &mut group_links,
        "t.traversal",
        Some(("t.id", &outside.chains)),
    );
    let group_links: Vec<LinkGrantRow> = group_links.query_as().fetch_all(&mut *conn).await?;

    // Projects shared with a Group the User reaches: below a Group they are in, or below a
    // Group shared with one. The subtrees go in as one value and drive the join through the
    // traversal index, so the statement does not grow with the User's memberships.
    let roots = outermost(
        groups
            .iter()
            .filter(|g| g.kind == NamespaceKind::Group)
            .map(|g| g.traversal.as_str())
            .chain(group_links.iter().map(|l| l.target_traversal.as_str())),
    );
    let mut project_links = Sql::new(
        "SELECT l.organization_id, l.project_id AS target_id, t.traversal AS target_traversal, \
         w.traversal AS invited_traversal, l.group_access, CAST(0 AS BIGINT) AS has_projects FROM ",
    );
    project_links.subtree_table(backend, roots).push(
        " r JOIN namespaces w ON w.traversal >= r.value AND w.traversal < r.value || '0' \
         JOIN project_group_links l ON l.group_id = w.id JOIN projects t ON t.id = l.project_id \
         WHERE (l.expires_at IS NULL OR l.expires_at > ",
    );
    project_links.text(today).push(")");
    org_filter(&mut project_links, "l");
    tree_filter(&mut project_links, "t.traversal", None);
    let project_links: Vec<LinkGrantRow> = project_links.query_as().fetch_all(&mut *conn).await?;
    let projects = load_projects(conn, user, org, within, today).await?;
    Ok(GrantRows {
        groups,
        group_links,
        projects,
        project_links,
    })
}

/// `CAST(CASE WHEN EXISTS ...)`: 1 when a Project lies in the subtree of the namespace
/// aliased `alias` (one probe of the Projects' traversal index). A top-level Group has no
/// Group above it to give the limited view of, so it is not probed.
fn has_projects(alias: &str) -> String {
    format!(
        "CAST(CASE WHEN {alias}.parent_id IS NOT NULL AND EXISTS (SELECT 1 FROM projects hp \
         WHERE hp.traversal >= {alias}.traversal AND hp.traversal < {alias}.traversal || '0') \
         THEN 1 ELSE 0 END AS BIGINT)"
    )
}

/// The traversals that lie in no other one of the set: a subtree inside another adds nothing.
pub fn outermost<'a>(traversals: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut sorted: Vec<&str> = traversals.collect();
    sorted.sort_unstable();
    sorted.dedup();
    let mut kept: Vec<String> = Vec::new();
    for traversal in sorted {
        // Sorted, everything inside a subtree follows its root before anything else
        // (`'/'` sorts before the digits).
        let inside = kept.last().is_some_and(|root| {
            traversal
                .strip_prefix(root.as_str())
                .is_some_and(|rest| rest.starts_with('/'))
        });
        if !inside {
            kept.push(traversal.to_owned());
        }
    }
    kept
}

/// The Groups outside a tree whose rows can decide access inside it.
#[derive(Debug, Default)]
struct Outside {
    /// Those on the way to (and) each Group invited to one of the tree's Projects: a membership
    /// there, or a link inviting a Group to one of them, reaches the invited Group.
    chains: Vec<i64>,
    /// Those and the Groups invited to one of them or to a Group of the tree: a direct
    /// membership there is what such a link passes on.
    groups: Vec<i64>,
}

/// The Groups outside the tree of the top-level namespace `root` that can decide access in it
/// (live links only).
async fn reaching_in(
    conn: &mut AnyConnection,
    backend: Backend,
    root: NamespaceId,
    today: &str,
) -> Result<Outside> {
    let root = root.to_string();
    let in_tree = |sql: &mut Sql, column: &str| {
        sql.push(&format!("{column} >= "))
            .text(root.clone())
            .push(&format!(" AND {column} < "))
            .text(crate::rows::subtree_end(&root));
    };
    let mut invited = Sql::new(
        "SELECT DISTINCT w.traversal FROM projects t JOIN project_group_links l ON l.project_id = t.id \
         JOIN namespaces w ON w.id = l.group_id WHERE ",
    );
    in_tree(&mut invited, "t.traversal");
    invited
        .push(" AND (l.expires_at IS NULL OR l.expires_at > ")
        .text(today)
        .push(")");
    let traversals: Vec<String> = invited.query_scalar().fetch_all(&mut *conn).await?;
    let mut chains: Vec<i64> = traversals
        .iter()
        .flat_map(|t| crate::rows::parse_traversal(t))
        .map(|id| id.0)
        .collect();
    chains.sort_unstable();
    chains.dedup();
    let mut linked = Sql::new(
        "SELECT DISTINCT l.shared_with_group_id FROM group_group_links l \
         JOIN namespaces s ON s.id = l.shared_group_id WHERE (",
    );
    in_tree(&mut linked, "s.traversal");
    linked
        .push(" OR s.id IN ")
        .id_set(backend, chains.iter().copied())
        .push(") AND (l.expires_at IS NULL OR l.expires_at > ")
        .text(today)
        .push(")");
    let linked: Vec<i64> = linked.query_scalar().fetch_all(&mut *conn).await?;
    let mut groups: Vec<i64> = chains.iter().copied().chain(linked).collect();
    groups.sort_unstable();
    groups.dedup();
    Ok(Outside { chains, groups })
}

async fn load_projects(
    conn: &mut AnyConnection,
    user: UserId,
    org: Option<OrganizationId>,
    within: Extent,
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
    if let Extent::Tree(root) = within {
        let root = root.to_string();
        sql.push(" AND p.traversal >= ")
            .text(root.clone())
            .push(" AND p.traversal < ")
            .text(crate::rows::subtree_end(&root));
    }
    Ok(sql.query_as().fetch_all(conn).await?)
}

#[cfg(test)]
mod tests {
    use super::outermost;

    #[test]
    fn outermost_drops_nested_subtrees() {
        // (traversals, outermost)
        let cases: &[(&[&str], &[&str])] = &[
            (&[], &[]),
            (&["1"], &["1"]),
            (&["1/2", "1"], &["1"]),
            (&["1", "1/2", "1/2/3", "10"], &["1", "10"]),
            // 10 is not inside 1: a prefix counts only when whole ids match.
            (&["1", "10", "10/11"], &["1", "10"]),
            (&["1/2", "1/20", "1/2/5"], &["1/2", "1/20"]),
            (&["2/5", "2/6", "2/5"], &["2/5", "2/6"]),
        ];
        for (input, expect) in cases {
            assert_eq!(outermost(input.iter().copied()), *expect, "{input:?}");
        }
    }
}
