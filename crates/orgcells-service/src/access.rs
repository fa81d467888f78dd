//! Loading what the policy decides with: the caller's role in an Organization and their grants,
//! and the same grants as a database [`Scope`] for lists.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use orgcells_core::access::OrganizationRole;
use orgcells_core::grants::{
    GrantFacts, Grants, GroupLinkFact, ProjectLinkFact, ProjectMembershipFact,
};
use orgcells_core::ids::{NamespaceId, OrganizationId, ProjectId, UserId};
use orgcells_core::lists::Reach;
use orgcells_core::policy::{GroupFacts, OrganizationFacts, ProjectFacts, Viewer};
use orgcells_core::states::OrganizationUserState;
pub(crate) use orgcells_store::grants::Extent;
use orgcells_store::grants::GrantRows;
use orgcells_store::rows::{NamespaceRow, OrganizationRow, ProjectRow, parse_traversal};
use orgcells_store::scope::Scope;
use orgcells_store::{AnyConnection, grants, organizations};

use crate::{Caller, Result, clock};

/// A caller's standing across this Cell: their Organizations and everything granted to them.
#[derive(Debug, Clone, Default)]
pub(crate) struct Standing {
    pub admin: bool,
    pub user: Option<UserId>,
    /// Active Organization Users: role per Organization.
    pub roles: HashMap<OrganizationId, OrganizationRole>,
    grants: Arc<Grants>,
    /// The scopes already asked of this standing, by reach: rendered once for all the lists
    /// asked while it is remembered.
    scopes: Arc<Scopes>,
}

/// The scopes of a standing, by reach (a handful at most).
type Scopes = Mutex<Vec<(Reach, Arc<Scope>)>>;

impl Standing {
    /// The viewer as one Organization sees them.
    pub fn viewer(&self, org: OrganizationId) -> Viewer {
        self.viewer_with(self.roles.get(&org).copied())
    }

    /// The viewer with no Organization role: what a list across Organizations shows.
    pub fn viewer_across(&self) -> Viewer {
        self.viewer_with(None)
    }

    fn viewer_with(&self, role: Option<OrganizationRole>) -> Viewer {
        Viewer {
            user: self.user,
            admin: self.admin,
            role,
            grants: self.grants.clone(),
        }
    }

    /// What a list with this reach may show (`core::lists` decides; this only gives it the
    /// form the database filters by).
    pub fn scope(&self, reach: Reach) -> Arc<Scope> {
        let mut scopes = self.scopes.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, scope)) = scopes.iter().find(|(r, _)| *r == reach) {
            return scope.clone();
        }
        let scope = Arc::new(self.new_scope(reach));
        scopes.push((reach, scope.clone()));
        scope
    }

    fn new_scope(&self, reach: Reach) -> Scope {
        let reached = reach.reached(&self.grants, self.admin);
        if reached.everything {
            return Scope::everything();
        }
        let mut internal_orgs: Vec<OrganizationId> = self.roles.keys().copied().collect();
        internal_orgs.sort_unstable();
        Scope {
            all: false,
            granted_only: reached.granted_only,
            internal_orgs: internal_orgs.into_iter().collect(),
            subtrees: reached.subtrees.iter().map(|id| id.0).collect(),
            groups: reached.groups.iter().map(|id| id.0).collect(),
            projects: reached.projects.iter().map(|id| id.0).collect(),
        }
    }
}

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
    let (Some(user), Some(memo)) = (&caller.user, &caller.memo) else {
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

/// Reads a caller's standing from the database.
async fn load_standing(
    conn: &mut AnyConnection,
    caller: &Caller,
    org: Option<OrganizationId>,
    within: Extent,
) -> Result<Standing> {
    let Some(user) = &caller.user else {
        return Ok(Standing::default());
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
    Ok(Standing {
        admin: user.admin,
        user: Some(user.id),
        roles,
        grants,
        scopes: Arc::default(),
    })
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
