//! A top-level Group moved into another Organization on the same Cell, its whole subtree with
//! it: what would block it (shares that would then cross Organizations), whose memberships it
//! carries, and the move itself, every row's sharding key changed in one transaction. Paths,
//! ids and claims stay as they are.

use orgcells_core::access::OrganizationRole;
use orgcells_core::ids::OrganizationId;
use orgcells_core::org_users::Joined;
use orgcells_core::visibility::Visibility;
use sqlx::AnyConnection;

use crate::Result;
use crate::rows::subtree_end;

/// The subtree's namespaces (`$1`, `$2`: its traversal range; `$3`: its Organization).
const NAMESPACES: &str =
    "SELECT id FROM namespaces WHERE organization_id = $3 AND traversal >= $1 AND traversal < $2";
/// The subtree's Projects.
const PROJECTS: &str =
    "SELECT id FROM projects WHERE organization_id = $3 AND traversal >= $1 AND traversal < $2";

/// The full paths of what is shared across the subtree's edge, either way: each share
/// between a Group or Project inside and a Group outside. At most `limit`.
pub async fn crossing_shares(
    conn: &mut AnyConnection,
    org: OrganizationId,
    traversal: &str,
    limit: i64,
) -> Result<Vec<String>> {
    let sql = format!(
        "SELECT n.full_path FROM group_group_links l JOIN namespaces n ON n.id = l.shared_with_group_id \
         WHERE l.shared_group_id IN ({NAMESPACES}) AND l.shared_with_group_id NOT IN ({NAMESPACES}) \
         UNION SELECT n.full_path FROM group_group_links l JOIN namespaces n ON n.id = l.shared_group_id \
         WHERE l.shared_with_group_id IN ({NAMESPACES}) AND l.shared_group_id NOT IN ({NAMESPACES}) \
         UNION SELECT n.full_path FROM project_group_links l JOIN namespaces n ON n.id = l.group_id \
         WHERE l.project_id IN ({PROJECTS}) AND l.group_id NOT IN ({NAMESPACES}) \
         UNION SELECT p.full_path FROM project_group_links l JOIN projects p ON p.id = l.project_id \
         WHERE l.group_id IN ({NAMESPACES}) AND l.project_id NOT IN ({PROJECTS}) \
         ORDER BY 1 LIMIT {limit}"
    );
    Ok(sqlx::query_scalar(&sql)
        .bind(traversal)
        .bind(subtree_end(traversal))
        .bind(org)
        .fetch_all(conn)
        .await?)
}

/// The Users with a membership of the subtree's Groups or Projects who are banned from
/// `target`: their usernames, at most `limit`.
pub async fn banned_members(
    conn: &mut AnyConnection,
    org: OrganizationId,
    traversal: &str,
    target: OrganizationId,
    limit: i64,
) -> Result<Vec<String>> {
    let sql = format!(
        "SELECT DISTINCT u.username FROM members m JOIN users u ON u.id = m.user_id \
         JOIN organization_users o ON o.user_id = m.user_id AND o.organization_id = $4 \
         WHERE m.organization_id = $3 AND o.state = 'banned' \
         AND ((m.source_type = 'group' AND m.source_id IN ({NAMESPACES})) \
           OR (m.source_type = 'project' AND m.source_id IN ({PROJECTS}))) \
         ORDER BY u.username LIMIT {limit}"
    );
    Ok(sqlx::query_scalar(&sql)
        .bind(traversal)
        .bind(subtree_end(traversal))
        .bind(org)
        .bind(target)
        .fetch_all(conn)
        .await?)
}

/// Makes every User with a membership in the subtree a User of `target` (joined by
/// membership), those who are not already, in one statement.
pub async fn add_members_as_users(
    conn: &mut AnyConnection,
    org: OrganizationId,
    traversal: &str,
    target: OrganizationId,
    now: i64,
) -> Result<()> {
    let sql = format!(
        "INSERT INTO organization_users (organization_id, user_id, access_level, state, enterprise, \
         source, created_at, updated_at) \
         SELECT DISTINCT $4, m.user_id, {}, 'active', 0, '{}', $5, $5 FROM members m \
         WHERE m.organization_id = $3 \
         AND ((m.source_type = 'group' AND m.source_id IN ({NAMESPACES})) \
           OR (m.source_type = 'project' AND m.source_id IN ({PROJECTS}))) \
         ON CONFLICT (organization_id, user_id) DO NOTHING",
        OrganizationRole::User.value(),
        Joined::Membership.as_str()
    );
    sqlx::query(&sql)
        .bind(traversal)
        .bind(subtree_end(traversal))
        .bind(org)
        .bind(target)
        .bind(now)
        .execute(conn)
        .await?;
    Ok(())
}

/// Moves the subtree from `org` into `target`: its namespaces, Projects, memberships, shares and
/// redirects take the new sharding key, and no Group or Project stays more visible than
/// `ceiling` (the target's visibility), as GitLab lowers them.
pub async fn move_subtree(
    conn: &mut AnyConnection,
    org: OrganizationId,
    traversal: &str,
    target: OrganizationId,
    ceiling: Visibility,
    now: i64,
) -> Result<()> {
    let ceiling = ceiling.value();
    // Children first, the namespaces they are found by last.
    let statements = [
        format!(
            "UPDATE members SET organization_id = $4 WHERE organization_id = $3 \
             AND ((source_type = 'group' AND source_id IN ({NAMESPACES})) \
               OR (source_type = 'project' AND source_id IN ({PROJECTS})))"
        ),
        format!(
            "UPDATE invitations SET organization_id = $4 WHERE organization_id = $3 \
             AND ((source_type = 'group' AND source_id IN ({NAMESPACES})) \
               OR (source_type = 'project' AND source_id IN ({PROJECTS})))"
        ),
        format!(
            "UPDATE access_requests SET organization_id = $4 WHERE organization_id = $3 \
             AND ((source_type = 'group' AND source_id IN ({NAMESPACES})) \
               OR (source_type = 'project' AND source_id IN ({PROJECTS})))"
        ),
        format!(
            "UPDATE group_group_links SET organization_id = $4 WHERE organization_id = $3 \
             AND shared_group_id IN ({NAMESPACES})"
        ),
        format!(
            "UPDATE project_group_links SET organization_id = $4 WHERE organization_id = $3 \
             AND project_id IN ({PROJECTS})"
        ),
        format!(
            "UPDATE redirect_routes SET organization_id = $4 WHERE organization_id = $3 \
             AND ((source_type = 'group' AND source_id IN ({NAMESPACES})) \
               OR (source_type = 'project' AND source_id IN ({PROJECTS})))"
        ),
        format!(
            "UPDATE projects SET organization_id = $4, updated_at = $5, visibility_level = \
             CASE WHEN visibility_level > {ceiling} THEN {ceiling} ELSE visibility_level END \
             WHERE id IN ({PROJECTS})"
        ),
        format!(
            "UPDATE namespaces SET organization_id = $4, updated_at = $5, visibility_level = \
             CASE WHEN visibility_level > {ceiling} THEN {ceiling} ELSE visibility_level END \
             WHERE id IN ({NAMESPACES})"
        ),
    ];
    for statement in statements {
        let query = sqlx::query(&statement)
            .bind(traversal)
            .bind(subtree_end(traversal))
            .bind(org)
            .bind(target);
        // Only the statements that name it take the time.
        let query = if statement.contains("$5") {
            query.bind(now)
        } else {
            query
        };
        query.execute(&mut *conn).await?;
    }
    Ok(())
}
