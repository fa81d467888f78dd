//! A caller's standing: their role in each Organization of this Cell and everything granted to
//! them, with the viewer the policy decides with and the scope lists filter by. Plain data: how
//! it is read (and remembered) is `access`'s.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use orgcells_core::access::OrganizationRole;
use orgcells_core::grants::Grants;
use orgcells_core::ids::{OrganizationId, UserId};
use orgcells_core::lists::Reach;
use orgcells_core::policy::Viewer;
use orgcells_store::scope::Scope;

/// A caller's standing across this Cell: their Organizations and everything granted to them.
#[derive(Debug, Clone, Default)]
pub(crate) struct Standing {
    pub admin: bool,
    pub user: Option<UserId>,
    /// Active Organization Users: role per Organization.
    pub roles: HashMap<OrganizationId, OrganizationRole>,
    /// The Organizations the caller is banned from, in id order.
    pub banned: Vec<OrganizationId>,
    /// The soft-deleted Organizations of the Cell, in id order: their content exists for
    /// admins alone.
    pub deleted: Vec<OrganizationId>,
    grants: Arc<Grants>,
    /// The scopes already asked of this standing, by reach: rendered once for all the lists
    /// asked while it is remembered.
    scopes: Arc<Scopes>,
}

/// The scopes of a standing, by reach (a handful at most).
type Scopes = Mutex<Vec<(Reach, Arc<Scope>)>>;

impl Standing {
    pub fn new(
        admin: bool,
        user: Option<UserId>,
        roles: HashMap<OrganizationId, OrganizationRole>,
        mut banned: Vec<OrganizationId>,
        grants: Arc<Grants>,
    ) -> Standing {
        banned.sort_unstable();
        Standing {
            admin,
            user,
            roles,
            banned,
            deleted: Vec::new(),
            grants,
            scopes: Arc::default(),
        }
    }

    /// The standing with the Cell's soft-deleted Organizations (in id order).
    pub fn with_deleted(mut self, deleted: Vec<OrganizationId>) -> Standing {
        self.deleted = deleted;
        self
    }

    /// The viewer as one Organization sees them.
    pub fn viewer(&self, org: OrganizationId) -> Viewer {
        let mut viewer = self.viewer_with(self.roles.get(&org).copied());
        viewer.banned = self.banned.binary_search(&org).is_ok();
        viewer.org_deleted = self.deleted.binary_search(&org).is_ok();
        viewer
    }

    /// The viewer with no Organization role: what a list across Organizations shows (the
    /// list's scope has left out the Organizations they are banned from).
    pub fn viewer_across(&self) -> Viewer {
        self.viewer_with(None)
    }

    fn viewer_with(&self, role: Option<OrganizationRole>) -> Viewer {
        Viewer {
            user: self.user,
            admin: self.admin,
            role,
            banned: false,
            org_deleted: false,
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
            hidden_orgs: self.banned.iter().chain(&self.deleted).copied().collect(),
        }
    }
}
