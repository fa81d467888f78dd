//! What a viewer may see, in the form the database filters by, so lists are filtered, sorted and
//! paged by the database through its indexes. The service builds a [`Scope`] from the same grants
//! the policy decides with (`orgcells_core::policy`), so a list and a single read never disagree.

//!
//! A caller's grants reach the statement as a few bound values (JSON arrays), never one
//! condition per Group: the statement is the same size for a User with five memberships and
//! for one with five thousand.

use orgcells_core::visibility::Visibility;

use crate::backend::Backend;
use crate::sql::{IdSet, Sql};

#[derive(Debug, Clone, Default)]
pub struct Scope {
    /// Everything: an instance admin.
    pub all: bool,
    /// Only what the viewer was granted (memberships), not what visibility shows.
    pub granted_only: bool,
    /// Organizations whose internal Groups and Projects the viewer sees (they are its Users).
    pub internal_orgs: IdSet,
    /// The Groups whose whole subtree the viewer reads.
    pub subtrees: IdSet,
    /// Groups seen on their own: minimal access, or ancestors of a Project the viewer is in.
    pub groups: IdSet,
    /// Projects granted directly or through a project-group link.
    pub projects: IdSet,
    /// Organizations the viewer is banned from: none of their rows shows, public ones included.
    pub hidden_orgs: IdSet,
}

impl Scope {
    /// Everything, for an instance admin.
    pub fn everything() -> Scope {
        Scope {
            all: true,
            ..Scope::default()
        }
    }

    /// Only public rows, for an anonymous viewer.
    pub fn public() -> Scope {
        Scope::default()
    }

    fn push_visibility(&self, sql: &mut Sql, backend: Backend, alias: &str) {
        sql.push(&format!(
            "{alias}.visibility_level = {}",
            Visibility::Public.value()
        ));
        if !self.internal_orgs.is_empty() {
            sql.push(&format!(
                " OR ({alias}.visibility_level = {} AND {alias}.organization_id IN ",
                Visibility::Internal.value()
            ))
            .ids(backend, &self.internal_orgs)
            .push(")");
        }
    }

    fn push_subtrees(&self, sql: &mut Sql, backend: Backend, alias: &str) {
        if !self.subtrees.is_empty() {
            sql.push(" OR ")
                .in_subtrees(backend, &format!("{alias}.traversal"), &self.subtrees);
        }
    }

    /// ` AND (...)`: the Groups (namespace rows aliased `alias`) the viewer sees.
    pub(crate) fn push_groups(&self, sql: &mut Sql, backend: Backend, alias: &str) {
        self.push(sql, backend, alias, &self.groups);
    }

    /// ` AND (...)`: the Projects (rows aliased `alias`) the viewer sees.
    pub(crate) fn push_projects(&self, sql: &mut Sql, backend: Backend, alias: &str) {
        self.push(sql, backend, alias, &self.projects);
    }

    /// Rows seen by visibility, inside a granted subtree, or granted by id.
    fn push(&self, sql: &mut Sql, backend: Backend, alias: &str, ids: &IdSet) {
        if self.all && !self.granted_only {
            return;
        }
        sql.push(" AND (");
        if self.granted_only {
            sql.push("1 = 0");
        } else {
            self.push_visibility(sql, backend, alias);
        }
        self.push_subtrees(sql, backend, alias);
        if !ids.is_empty() {
            sql.push(&format!(" OR {alias}.id IN ")).ids(backend, ids);
        }
        sql.push(")");
        self.push_hidden(sql, backend, &format!("{alias}.organization_id"));
    }

    /// ` AND column NOT IN (...)`: leaves out the rows of the Organizations the viewer is
    /// banned from (`column` their `organization_id`).
    pub(crate) fn push_hidden(&self, sql: &mut Sql, backend: Backend, column: &str) {
        if !self.all && !self.hidden_orgs.is_empty() {
            sql.push(&format!(" AND {column} NOT IN "))
                .ids(backend, &self.hidden_orgs);
        }
    }
}
