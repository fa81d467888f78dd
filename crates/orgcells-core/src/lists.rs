//! What a list may show a caller, decided here and filtered by the database: which reach a
//! list request has (GitLab's `GroupsFinder` defaults), and, from the caller's grants, the
//! subtrees, Groups and Projects it reaches beyond what visibility shows.

use crate::access::AccessLevel;
use crate::grants::Grants;
use crate::ids::{NamespaceId, ProjectId};

/// How far a list reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// Everything the caller may see: public rows, internal rows of their Organizations, and
    /// what was granted to them (the limited view included).
    Visible,
    /// Only what was granted to them at this level or above (`owned`, `min_access_level`).
    Granted(AccessLevel),
    /// What they are a member of, and the Groups they see on their own (minimal access, the
    /// limited view): a signed-in non-admin's `GET /groups` without `all_available`.
    Memberships,
    /// What `Visible` shows, less the Groups seen only through the limited view: the Groups and
    /// Projects whose members the caller may read (the Users overview).
    MemberLists,
}

/// The parameters of a Group list that decide its reach.
#[derive(Debug, Clone, Copy, Default)]
pub struct GroupListQuery {
    pub owned: bool,
    pub min_access_level: Option<AccessLevel>,
    /// `all_available`, when given.
    pub all_available: Option<bool>,
    /// Subgroups or descendants of a Group: everything the caller sees there.
    pub inside_group: bool,
    /// An Organization's Groups overview.
    pub in_organization: bool,
}

/// A Group list's reach, as GitLab's `GroupsFinder`: `owned` and `min_access_level` keep what
/// was granted; otherwise an authenticated non-admin lists their memberships unless
/// `all_available` (which is the default inside a Group, in an Organization's overview, for
/// the anonymous and for admins).
pub fn group_list_reach(signed_in: bool, admin: bool, query: &GroupListQuery) -> Reach {
    if query.owned {
        return Reach::Granted(AccessLevel::Owner);
    }
    if let Some(level) = query.min_access_level {
        return Reach::Granted(level);
    }
    let all_available = query
        .all_available
        .unwrap_or(query.inside_group || !signed_in || admin || query.in_organization);
    if signed_in && !all_available {
        Reach::Memberships
    } else {
        Reach::Visible
    }
}

/// The parameters of a Project list that decide its reach.
#[derive(Debug, Clone, Copy, Default)]
pub struct ProjectListQuery {
    pub owned: bool,
    pub min_access_level: Option<AccessLevel>,
    /// `membership`: only Projects the caller is a member of.
    pub membership: bool,
}

/// A Project list's reach, as GitLab's `ProjectsFinder`: `owned`, then `min_access_level`,
/// then `membership` keep what was granted (a Guest or above); otherwise all the caller sees.
pub fn project_list_reach(query: &ProjectListQuery) -> Reach {
    if query.owned {
        Reach::Granted(AccessLevel::Owner)
    } else if let Some(level) = query.min_access_level {
        Reach::Granted(level)
    } else if query.membership {
        Reach::Granted(AccessLevel::Guest)
    } else {
        Reach::Visible
    }
}

/// The Namespaces API's reach (GitLab's `read_namespace`): an admin's all, anyone else's
/// Groups they are a member of.
pub fn namespace_list_reach(admin: bool) -> Reach {
    if admin {
        Reach::Visible
    } else {
        Reach::Granted(AccessLevel::Guest)
    }
}

/// What a list shows beyond visibility, from the caller's grants.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reached {
    /// Everything (an instance admin's `Visible`).
    pub everything: bool,
    /// Nothing by visibility: only what is listed here.
    pub granted_only: bool,
    /// Groups whose whole subtree is shown.
    pub subtrees: Vec<NamespaceId>,
    /// Groups shown on their own.
    pub groups: Vec<NamespaceId>,
    /// Projects shown on their own.
    pub projects: Vec<ProjectId>,
}

impl Reach {
    /// What this reach shows of a caller with `grants` (an admin with `admin`), in sorted
    /// order so that the same caller always gives the same statement.
    pub fn reached(self, grants: &Grants, admin: bool) -> Reached {
        let min_level = match self {
            Reach::Granted(level) => Some(level),
            Reach::Memberships => Some(AccessLevel::MinimalAccess),
            Reach::Visible | Reach::MemberLists => None,
        };
        if admin && min_level.is_none() {
            return Reached {
                everything: true,
                ..Reached::default()
            };
        }
        let wanted = min_level.unwrap_or(AccessLevel::Guest);
        let mut subtrees: Vec<NamespaceId> = grants
            .subtree_roots()
            .filter(|(_, level)| *level >= wanted)
            .map(|(id, _)| id)
            .collect();
        let mut groups: Vec<NamespaceId> = Vec::new();
        if matches!(
            self,
            Reach::Visible | Reach::Memberships | Reach::MemberLists
        ) {
            groups.extend(grants.minimal_groups());
        }
        if matches!(self, Reach::Visible | Reach::Memberships) {
            groups.extend(grants.limited_groups());
        }
        let mut projects: Vec<ProjectId> = grants
            .projects()
            .filter(|(_, level)| *level >= wanted)
            .map(|(id, _)| id)
            .collect();
        subtrees.sort_unstable();
        subtrees.dedup();
        groups.sort_unstable();
        groups.dedup();
        projects.sort_unstable();
        Reached {
            everything: false,
            granted_only: !matches!(self, Reach::Visible | Reach::MemberLists),
            subtrees,
            groups,
            projects,
        }
    }
}

/// The column a User list is ordered by (then by id), as GitLab's users API offers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum UserOrder {
    #[default]
    Id,
    Name,
    Username,
    CreatedAt,
    UpdatedAt,
}

impl UserOrder {
    /// GitLab's `order_by` name.
    pub fn parse(name: &str) -> Option<UserOrder> {
        Some(match name {
            "id" => UserOrder::Id,
            "name" => UserOrder::Name,
            "username" => UserOrder::Username,
            "created_at" => UserOrder::CreatedAt,
            "updated_at" => UserOrder::UpdatedAt,
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grants::{GrantFacts, ProjectMembershipFact};
    use AccessLevel::*;

    #[test]
    fn group_list_reach_as_gitlab() {
        let q = GroupListQuery::default;
        // (signed in, admin, query, reach)
        #[rustfmt::skip]
        let cases = [
            (true, false, q(), Reach::Memberships),
            (false, false, q(), Reach::Visible),
            (true, true, q(), Reach::Visible),
            (true, false, GroupListQuery { all_available: Some(true), ..q() }, Reach::Visible),
            (true, true, GroupListQuery { all_available: Some(false), ..q() }, Reach::Memberships),
            (true, false, GroupListQuery { inside_group: true, ..q() }, Reach::Visible),
            (true, false, GroupListQuery { in_organization: true, ..q() }, Reach::Visible),
            (true, false, GroupListQuery { owned: true, all_available: Some(true), ..q() }, Reach::Granted(Owner)),
            (true, false, GroupListQuery { min_access_level: Some(Developer), ..q() }, Reach::Granted(Developer)),
            (true, true, GroupListQuery { owned: true, ..q() }, Reach::Granted(Owner)),
        ];
        for (signed_in, admin, query, expect) in cases {
            assert_eq!(
                group_list_reach(signed_in, admin, &query),
                expect,
                "signed in {signed_in} admin {admin} {query:?}"
            );
        }
    }

    #[test]
    fn project_and_namespace_list_reach() {
        let q = ProjectListQuery::default;
        // (query, reach)
        #[rustfmt::skip]
        let cases = [
            (q(), Reach::Visible),
            (ProjectListQuery { membership: true, ..q() }, Reach::Granted(Guest)),
            (ProjectListQuery { owned: true, membership: true, ..q() }, Reach::Granted(Owner)),
            (ProjectListQuery { min_access_level: Some(Reporter), membership: true, ..q() }, Reach::Granted(Reporter)),
        ];
        for (query, expect) in cases {
            assert_eq!(project_list_reach(&query), expect, "{query:?}");
        }
        assert_eq!(namespace_list_reach(true), Reach::Visible);
        assert_eq!(namespace_list_reach(false), Reach::Granted(Guest));
    }

    fn ns(ids: &[i64]) -> Vec<NamespaceId> {
        ids.iter().map(|id| NamespaceId(*id)).collect()
    }

    #[test]
    fn what_each_reach_shows() {
        // Developer of 1 and 2, minimal access to 5, Guest of Project 100 in 7/8 (the limited
        // view of 7 and 8), Maintainer of Project 101 in 1.
        let facts = GrantFacts {
            groups: vec![
                (NamespaceId(1), Developer),
                (NamespaceId(2), Developer),
                (NamespaceId(5), MinimalAccess),
            ],
            project_memberships: vec![
                ProjectMembershipFact {
                    project: ProjectId(100),
                    namespace_traversal: ns(&[7, 8]),
                    level: Guest,
                },
                ProjectMembershipFact {
                    project: ProjectId(101),
                    namespace_traversal: ns(&[1]),
                    level: Maintainer,
                },
            ],
            ..GrantFacts::default()
        };
        let grants = Grants::from_facts(&facts);
        let p = |ids: &[i64]| ids.iter().map(|id| ProjectId(*id)).collect::<Vec<_>>();
        // (reach, admin, granted only, subtrees, groups, projects). Group 1 comes on its own
        // too, through Project 101's limited view: its subtree holds it anyway.
        #[rustfmt::skip]
        let cases = [
            (
                Reach::Visible,
                false,
                false,
                ns(&[1, 2]),
                ns(&[1, 5, 7, 8]),
                p(&[100, 101]),
            ),
            (
                Reach::MemberLists,
                false,
                false,
                ns(&[1, 2]),
                ns(&[5]),
                p(&[100, 101]),
            ),
            (
                Reach::Memberships,
                false,
                true,
                ns(&[1, 2]),
                ns(&[1, 5, 7, 8]),
                p(&[100, 101]),
            ),
            (
                Reach::Granted(Maintainer),
                false,
                true,
                ns(&[]),
                ns(&[]),
                p(&[101]),
            ),
            (
                Reach::Granted(Developer),
                false,
                true,
                ns(&[1, 2]),
                ns(&[]),
                p(&[101]),
            ),
            (
                Reach::Granted(Developer),
                true,
                true,
                ns(&[1, 2]),
                ns(&[]),
                p(&[101]),
            ),
        ];
        for (reach, admin, granted_only, subtrees, groups, projects) in cases {
            let got = reach.reached(&grants, admin);
            assert_eq!(
                got,
                Reached {
                    everything: false,
                    granted_only,
                    subtrees,
                    groups,
                    projects,
                },
                "{reach:?} admin {admin}"
            );
        }
        // An admin's Visible and MemberLists are everything.
        for reach in [Reach::Visible, Reach::MemberLists] {
            assert!(reach.reached(&grants, true).everything, "{reach:?}");
        }
    }
}
