//! Loading what the policy decides with: a caller's standing (their role in each Organization
//! and their grants, remembered in the memo until the next write) and the facts of the Groups,
//! Projects and Organizations it is asked about.

use std::collections::HashMap;
use std::sync::Arc;

use orgcells_core::grants::{
    GrantFacts, Grants, GroupLinkFact, ProjectLinkFact, ProjectMembershipFact,
};
use orgcells_core::ids::{NamespaceId, OrganizationId, ProjectId};
use orgcells_core::policy::{GroupFacts, OrganizationFacts, ProjectFacts};
use orgcells_core::states::OrganizationUserState;
pub(crate) use orgcells_store::grants::Extent;
use orgcells_store::grants::GrantRows;
use orgcells_store::rows::{NamespaceRow, OrganizationRow, ProjectRow, parse_traversal};
use orgcells_store::{AnyConnection, grants, organizations};

use crate::caller::Caller;
use crate::memo::Memo;
use crate::standing::Standing;
use crate::{Result, clock};

/// A caller's standing, in one Organization or (`None`) all of them: remembered from an
/// earlier request when no write came since. Inside a write transaction it is read afresh,
/// and only `within` the tree the write is about when one is given: what the User holds
/// elsewhere cannot change the answer there (a subset of the grants only ever grants less, so a
/// tree too narrow would refuse, never leak). Outside one, `within` is not needed: the whole
/// standing is remembered.
pub(crate) async fn standing(
    conn: &mut AnyConnection,
    caller: &Caller,
    org: Option<OrganizationId>,
    within: Extent,
) -> Result<Arc<Standing>> {
    let Some(user) = &caller.user else {
        // The anonymous caller holds nothing; only the soft-deleted Organizations apply.
        let deleted = soft_deleted(conn, caller.memo.as_deref()).await?;
        return Ok(Arc::new(Standing::default().with_deleted(deleted)));
    };
    let Some(memo) = &caller.memo else {
        return Ok(Arc::new(load_standing(conn, caller, org, within).await?));
    };
    let generation = memo.generation.for_read(conn);
    let Some(generation) = generation else {
        return Ok(Arc::new(load_standing(conn, caller, org, within).await?));
    };
    let key = (user.id, org, clock::today());
    if let Some(standing) = memo.standings.get(generation, &key) {
        return Ok(standing);
    }
    let standing = Arc::new(load_standing(conn, caller, org, Extent::Everywhere).await?);
    memo.standings.insert(generation, key, standing.clone());
    Ok(standing)
}

/// The tree a namespace or Project lies in, by its traversal: what a write about it checks.
pub(crate) fn tree_of(traversal: &str) -> Extent {
    parse_traversal(traversal)
        .first()
        .map_or(Extent::Everywhere, |root| Extent::Tree(*root))
}

/// The Cell's soft-deleted Organizations (a handful, each kept for its retention only),
/// remembered until the next write: one read per write, not one per request.
async fn soft_deleted(
    conn: &mut AnyConnection,
    memo: Option<&Memo>,
) -> Result<Vec<OrganizationId>> {
    let remembered = memo.and_then(|memo| Some((memo, memo.generation.for_read(conn)?)));
    if let Some((memo, generation)) = remembered
        && let Some(deleted) = memo.soft_deleted.get(generation, &())
    {
        return Ok(deleted.as_ref().clone());
    }
    let deleted = organizations::soft_deleted(conn).await?;
    if let Some((memo, generation)) = remembered {
        memo.soft_deleted
            .insert(generation, (), Arc::new(deleted.clone()));
    }
    Ok(deleted)
}

/// Reads a caller's standing from the database.
async fn load_standing(
    conn: &mut AnyConnection,
    caller: &Caller,
    org: Option<OrganizationId>,
    within: Extent,
) -> Result<Standing> {
    // The soft-deleted Organizations: their content exists for admins alone, whoever asks.
    let deleted = soft_deleted(conn, caller.memo.as_deref()).await?;
    let Some(user) = &caller.user else {
        return Ok(Standing::default().with_deleted(deleted));
    };
    let mut roles = HashMap::new();
    let mut banned = Vec::new();
    for row in organizations::memberships_of(conn, user.id).await? {
        if org.is_some_and(|org| org != row.organization_id) {
            continue;
        }
        if row.state == OrganizationUserState::Active {
            roles.insert(row.organization_id, row.access_level);
        } else {
            banned.push(row.organization_id);
        }
    }
    let mut rows = grants::load(conn, user.id, org, within, &clock::today()).await?;
    // A banned Organization User keeps nothing there.
    if !banned.is_empty() {
        rows.groups.retain(|r| !banned.contains(&r.organization_id));
        rows.group_links
            .retain(|r| !banned.contains(&r.organization_id));
        rows.projects
            .retain(|r| !banned.contains(&r.organization_id));
        rows.project_links
            .retain(|r| !banned.contains(&r.organization_id));
    }
    let grants = Arc::new(Grants::from_facts(&facts(&rows)));
    Ok(Standing::new(user.admin, Some(user.id), roles, banned, grants).with_deleted(deleted))
}

fn facts(rows: &GrantRows) -> GrantFacts {
    GrantFacts {
        groups: rows
            .groups
            .iter()
            .map(|r| (r.group_id, r.access_level))
            .collect(),
        group_links: rows
            .group_links
            .iter()
            .map(|r| GroupLinkFact {
                shared_group: NamespaceId(r.target_id),
                invited_group: parse_traversal(&r.invited_traversal)
                    .last()
                    .copied()
                    .unwrap_or(NamespaceId(0)),
                max_access: r.group_access,
            })
            .collect(),
        project_memberships: rows
            .projects
            .iter()
            .map(|r| ProjectMembershipFact {
                project: r.project_id,
                namespace_traversal: parse_traversal(&r.traversal),
                level: r.access_level,
            })
            .collect(),
        project_links: rows
            .project_links
            .iter()
            .map(|r| ProjectLinkFact {
                project: ProjectId(r.target_id),
                invited_traversal: parse_traversal(&r.invited_traversal),
                namespace_traversal: parse_traversal(&r.target_traversal),
                max_access: r.group_access,
            })
            .collect(),
        groups_with_projects: rows
            .groups
            .iter()
            .filter(|r| r.has_projects)
            .map(|r| parse_traversal(&r.traversal))
            .chain(
                rows.group_links
                    .iter()
                    .filter(|r| r.has_projects)
                    .map(|r| parse_traversal(&r.target_traversal)),
            )
            .collect(),
    }
}

/// The facts of a Group row, for the policy.
pub(crate) struct GroupView {
    pub traversal: Vec<NamespaceId>,
}

impl GroupView {
    pub fn of(row: &NamespaceRow) -> GroupView {
        GroupView {
            traversal: parse_traversal(&row.traversal),
        }
    }

    pub fn facts<'a>(&'a self, row: &NamespaceRow) -> GroupFacts<'a> {
        GroupFacts {
            id: row.id,
            traversal: &self.traversal,
            visibility: row.visibility_level,
            project_creation_level: row.project_creation_level,
            subgroup_creation_level: row.subgroup_creation_level,
        }
    }
}

pub(crate) fn project_facts<'a>(
    row: &ProjectRow,
    traversal: &'a [NamespaceId],
) -> ProjectFacts<'a> {
    ProjectFacts {
        id: row.id,
        namespace_traversal: traversal,
        visibility: row.visibility_level,
    }
}

pub(crate) fn organization_facts(row: &OrganizationRow) -> OrganizationFacts {
    OrganizationFacts {
        visibility: row.visibility_level,
        is_default: row.id == OrganizationId::DEFAULT,
        group_creation_owners_only: row.group_creation_owners_only,
    }
}
