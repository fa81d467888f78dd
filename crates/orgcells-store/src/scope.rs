//! What a viewer may see, in the form the database filters by, so lists are filtered, sorted and
//! paged by the database through its indexes. The service builds a [`Scope`] from the same grants
//! the policy decides with (`orgcells_core::policy`), so a list and a single read never disagree.

use crate::rows::subtree_end;
use crate::sql::Sql;

#[derive(Debug, Clone, Default)]
pub struct Scope {
    /// Everything: an instance admin.
    pub all: bool,
    /// Only what the viewer was granted (memberships), not what visibility shows.
    pub granted_only: bool,
    /// Organizations whose internal Groups and Projects the viewer sees (they are its Users).
    pub internal_orgs: Vec<i64>,
    /// Traversals of the Groups whose whole subtree the viewer reads.
    pub subtrees: Vec<String>,
    /// Groups seen on their own: minimal access, or ancestors of a Project the viewer is in.
    pub groups: Vec<i64>,
    /// Projects granted directly or through a project-group link.
    pub projects: Vec<i64>,
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

    fn push_visibility(&self, sql: &mut Sql, alias: &str) {
        sql.push(&format!("{alias}.visibility_level = 20"));
        if !self.internal_orgs.is_empty() {
            sql.push(&format!(
                " OR ({alias}.visibility_level = 10 AND {alias}.organization_id IN "
            ))
            .int_list(self.internal_orgs.iter().copied())
            .push(")");
        }
    }

    fn push_subtrees(&self, sql: &mut Sql, alias: &str) {
        for traversal in &self.subtrees {
            sql.push(&format!(" OR ({alias}.traversal >= "))
                .text(traversal.clone())
                .push(&format!(" AND {alias}.traversal < "))
                .text(subtree_end(traversal))
                .push(")");
        }
    }

    /// ` AND (...)`: the Groups (namespace rows aliased `alias`) the viewer sees.
    pub(crate) fn push_groups(&self, sql: &mut Sql, alias: &str) {
        if self.all && !self.granted_only {
            return;
        }
        sql.push(" AND (");
        if self.granted_only {
            sql.push("1 = 0");
        } else {
            self.push_visibility(sql, alias);
        }
        self.push_subtrees(sql, alias);
        if !self.groups.is_empty() {
            sql.push(&format!(" OR {alias}.id IN "))
                .int_list(self.groups.iter().copied());
        }
        sql.push(")");
    }

    /// ` AND (...)`: the Projects (rows aliased `alias`) the viewer sees.
    pub(crate) fn push_projects(&self, sql: &mut Sql, alias: &str) {
        if self.all && !self.granted_only {
            return;
        }
        sql.push(" AND (");
        if self.granted_only {
            sql.push("1 = 0");
        } else {
            self.push_visibility(sql, alias);
        }
        self.push_subtrees(sql, alias);
        if !self.projects.is_empty() {
            sql.push(&format!(" OR {alias}.id IN "))
                .int_list(self.projects.iter().copied());
        }
        sql.push(")");
    }
}
