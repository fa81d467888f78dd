//! A User's effective access inside one Organization (SPEC section 2).
//!
//! The facts are the User's own rows: direct Group and Project memberships, the group-group links
//! that invite a Group they belong to, and the project-group links likewise. They are read fresh
//! for each request, so a change is exact the moment its write commits; from them a check is a few
//! hash lookups along the resource's ancestry (its traversal ids, root first).
//!
//! - A Group membership applies to the Group, all its descendants and all their Projects.
//! - A link caps what flows through it: `min(member level, link max level)`.
//! - A Group shared with Group B reaches B's direct Members only (not Members of B's ancestors,
//!   subgroups, or of Groups shared with B), as GitLab's `project_authorizations` computes it.
//! - A Project shared with Group G reaches everyone with access to G: direct and inherited
//!   Members, and Members of Groups shared with G (capped by both links).
//! - Several paths to one resource: the highest level wins.
//! - Minimal access applies to the Group itself only, never to its descendants.
//! - Whoever reads, as a member, a Project anywhere below a Group gets the limited view of that
//!   Group (GitLab's `has_projects`): they see it, not its members. That Project is reached
//!   through a membership of the Project, of a Group on the way down, or a link to either; a
//!   subgroup membership with no Project below gives no view of the Groups above.

use std::collections::{HashMap, HashSet};

use crate::access::AccessLevel;
use crate::ids::{NamespaceId, ProjectId};

/// A group-group link that invites a Group the User can reach.
#[derive(Debug, Clone)]
pub struct GroupLinkFact {
    /// The Group that was shared.
    pub shared_group: NamespaceId,
    /// The Group invited to it.
    pub invited_group: NamespaceId,
    pub max_access: AccessLevel,
}

/// A project-group link that invites a Group the User can reach.
#[derive(Debug, Clone)]
pub struct ProjectLinkFact {
    pub project: ProjectId,
    /// Traversal ids (root first) of the Group invited to the Project.
    pub invited_traversal: Vec<NamespaceId>,
    /// Traversal ids of the Project's own namespace: whoever the link reaches sees these Groups.
    pub namespace_traversal: Vec<NamespaceId>,
    pub max_access: AccessLevel,
}

/// The rows a User's grants are computed from.
#[derive(Debug, Clone, Default)]
pub struct GrantFacts {
    pub groups: Vec<(NamespaceId, AccessLevel)>,
    pub group_links: Vec<GroupLinkFact>,
    pub project_memberships: Vec<ProjectMembershipFact>,
    pub project_links: Vec<ProjectLinkFact>,
    /// Traversal ids of the Groups in `groups` or shared through `group_links` whose subtree
    /// holds a Project: the Groups above them get the limited view.
    pub groups_with_projects: Vec<Vec<NamespaceId>>,
}

/// A User's direct membership of a Project.
#[derive(Debug, Clone)]
pub struct ProjectMembershipFact {
    pub project: ProjectId,
    /// Traversal ids of the Project's namespace (its Group's ancestry, or the personal namespace).
    pub namespace_traversal: Vec<NamespaceId>,
    pub level: AccessLevel,
}

/// Everything one User has been granted in one Organization.
#[derive(Debug, Clone, Default)]
pub struct Grants {
    /// Direct Group memberships (and ownership of a personal namespace).
    direct: HashMap<NamespaceId, AccessLevel>,
    /// Groups shared with a Group the User is in, at the capped level.
    shared: HashMap<NamespaceId, AccessLevel>,
    /// Direct Project memberships and Projects shared with a Group the User is in.
    projects: HashMap<ProjectId, AccessLevel>,
    /// Groups above a Project the User reads as a member: the limited view, they see these
    /// Groups but not their members.
    limited: HashSet<NamespaceId>,
}

impl Grants {
    /// Everything granted, from the rows: group links are applied before project links, since
    /// a Project shared with a Group reaches the Members of Groups shared with that Group.
    pub fn from_facts(facts: &GrantFacts) -> Grants {
        let mut grants = Grants::new(facts.groups.iter().copied());
        for link in &facts.group_links {
            grants.add_group_link(link);
        }
        for membership in &facts.project_memberships {
            grants.add_project_membership(membership);
        }
        for link in &facts.project_links {
            grants.add_project_link(link);
        }
        for traversal in &facts.groups_with_projects {
            if let Some((_, above)) = traversal.split_last()
                && grants.group_access(traversal).reads()
            {
                grants.limited.extend(above.iter().copied());
            }
        }
        grants
    }

    /// Grants from direct Group memberships only.
    pub fn new(direct_groups: impl IntoIterator<Item = (NamespaceId, AccessLevel)>) -> Grants {
        let mut grants = Grants::default();
        for (group, level) in direct_groups {
            raise(&mut grants.direct, group, level);
        }
        grants
    }

    fn add_group_link(&mut self, link: &GroupLinkFact) {
        let reached = self
            .direct
            .get(&link.invited_group)
            .copied()
            .unwrap_or(AccessLevel::NoAccess);
        if reached.reads() {
            raise(
                &mut self.shared,
                link.shared_group,
                reached.min(link.max_access),
            );
        }
    }

    fn add_project_link(&mut self, link: &ProjectLinkFact) {
        let reached = self.group_access(&link.invited_traversal);
        if reached.reads() {
            raise(
                &mut self.projects,
                link.project,
                reached.min(link.max_access),
            );
            self.limited
                .extend(link.namespace_traversal.iter().copied());
        }
    }

    fn add_project_membership(&mut self, membership: &ProjectMembershipFact) {
        raise(&mut self.projects, membership.project, membership.level);
        self.limited
            .extend(membership.namespace_traversal.iter().copied());
    }

    /// The User's level on a Group (or namespace), given its traversal ids, root first.
    pub fn group_access(&self, traversal: &[NamespaceId]) -> AccessLevel {
        inherited(&self.direct, traversal).max(inherited(&self.shared, traversal))
    }

    /// The User's level on a Project, given the traversal ids of its namespace.
    pub fn project_access(
        &self,
        project: ProjectId,
        namespace_traversal: &[NamespaceId],
    ) -> AccessLevel {
        let through_namespace = self.group_access(namespace_traversal);
        // Minimal access to the Project's own namespace gives nothing inside it.
        let through_namespace = if through_namespace == AccessLevel::MinimalAccess {
            AccessLevel::NoAccess
        } else {
            through_namespace
        };
        let own = self
            .projects
            .get(&project)
            .copied()
            .unwrap_or(AccessLevel::NoAccess);
        through_namespace.max(own)
    }

    /// The level granted on a Project itself (direct membership or a project-group link).
    pub fn project_grant(&self, project: ProjectId) -> Option<AccessLevel> {
        self.projects.get(&project).copied()
    }

    /// Whether the User reads, as a member, a Project somewhere below this Group: the limited
    /// view of it.
    pub fn has_limited_view(&self, group: NamespaceId) -> bool {
        self.limited.contains(&group)
    }

    /// The Groups whose whole subtree the User can read, with the level granted at each.
    pub fn subtree_roots(&self) -> impl Iterator<Item = (NamespaceId, AccessLevel)> + '_ {
        self.direct
            .iter()
            .chain(self.shared.iter())
            .filter(|(_, level)| level.reads())
            .map(|(id, level)| (*id, *level))
    }

    /// Groups the User holds minimal access to: they see each, not its subtree.
    pub fn minimal_groups(&self) -> impl Iterator<Item = NamespaceId> + '_ {
        self.direct
            .iter()
            .filter(|(_, level)| **level == AccessLevel::MinimalAccess)
            .map(|(id, _)| *id)
    }

    /// Groups the User sees only through the limited view.
    pub fn limited_groups(&self) -> impl Iterator<Item = NamespaceId> + '_ {
        self.limited.iter().copied()
    }

    /// Projects granted directly or through a project-group link.
    pub fn projects(&self) -> impl Iterator<Item = (ProjectId, AccessLevel)> + '_ {
        self.projects.iter().map(|(id, level)| (*id, *level))
    }

    pub fn is_empty(&self) -> bool {
        self.direct.is_empty() && self.shared.is_empty() && self.projects.is_empty()
    }
}

fn raise<K: std::hash::Hash + Eq>(map: &mut HashMap<K, AccessLevel>, key: K, level: AccessLevel) {
    let entry = map.entry(key).or_insert(level);
    if level > *entry {
        *entry = level;
    }
}

/// The highest level granted on any Group along a traversal; minimal access only counts on the
/// last Group (the resource itself).
fn inherited(grants: &HashMap<NamespaceId, AccessLevel>, traversal: &[NamespaceId]) -> AccessLevel {
    let last = traversal.len().saturating_sub(1);
    let mut best = AccessLevel::NoAccess;
    for (depth, id) in traversal.iter().enumerate() {
        if let Some(level) = grants.get(id) {
            if *level == AccessLevel::MinimalAccess && depth != last {
                continue;
            }
            best = best.max(*level);
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use AccessLevel::*;

    /// Direct Group memberships of a case: (group id, level).
    type Direct = &'static [(i64, AccessLevel)];

    fn ns(ids: &[i64]) -> Vec<NamespaceId> {
        ids.iter().map(|id| NamespaceId(*id)).collect()
    }

    /// The shape used below: 1 (top) > 2 (sub) > 3 (subsub); 10 is another top-level Group with
    /// a subgroup 11. Projects: 100 in 3, 101 in 1, 110 in 11.
    fn grants(direct: &[(i64, AccessLevel)]) -> Grants {
        Grants::new(direct.iter().map(|(id, level)| (NamespaceId(*id), *level)))
    }

    #[test]
    fn inheritance_and_highest_level() {
        // (direct memberships, group traversal, expected level)
        let cases: &[(Direct, &[i64], AccessLevel)] = &[
            (&[(1, Developer)], &[1], Developer),
            (&[(1, Developer)], &[1, 2], Developer),
            (&[(1, Developer)], &[1, 2, 3], Developer),
            (&[(2, Developer)], &[1], NoAccess),
            (&[(2, Developer)], &[1, 2, 3], Developer),
            (&[(1, Reporter), (2, Maintainer)], &[1, 2, 3], Maintainer),
            (&[(1, Maintainer), (2, Reporter)], &[1, 2], Maintainer),
            (&[(1, Owner)], &[10], NoAccess),
            (&[(1, MinimalAccess)], &[1], MinimalAccess),
            (&[(1, MinimalAccess)], &[1, 2], NoAccess),
            (&[(1, MinimalAccess), (2, Guest)], &[1, 2, 3], Guest),
        ];
        for (direct, traversal, expect) in cases {
            assert_eq!(
                grants(direct).group_access(&ns(traversal)),
                *expect,
                "{direct:?} on {traversal:?}"
            );
        }
    }

    fn group_link(shared: i64, invited: i64, max: AccessLevel) -> GroupLinkFact {
        GroupLinkFact {
            shared_group: NamespaceId(shared),
            invited_group: NamespaceId(invited),
            max_access: max,
        }
    }

    #[test]
    fn group_links_cap_and_reach_direct_members_only() {
        // Group 10 (and its subtree, 11) is shared with group 2 (a subgroup of 1) at `max`.
        // (direct memberships, link max, target traversal, expected)
        let cases: &[(Direct, AccessLevel, &[i64], AccessLevel)] = &[
            (&[(2, Owner)], Developer, &[10], Developer),
            (&[(2, Owner)], Developer, &[10, 11], Developer),
            (&[(2, Reporter)], Developer, &[10], Reporter),
            // Members of the invited group's parent do not get in through the link.
            (&[(1, Owner)], Developer, &[10], NoAccess),
            (&[(2, MinimalAccess)], Developer, &[10], NoAccess),
            (
                &[(10, Maintainer), (2, Owner)],
                Guest,
                &[10, 11],
                Maintainer,
            ),
            (&[(20, Owner)], Owner, &[10], NoAccess),
        ];
        for (direct, max, target, expect) in cases {
            let facts = GrantFacts {
                groups: direct
                    .iter()
                    .map(|(id, level)| (NamespaceId(*id), *level))
                    .collect(),
                group_links: vec![group_link(10, 2, *max)],
                ..GrantFacts::default()
            };
            assert_eq!(
                Grants::from_facts(&facts).group_access(&ns(target)),
                *expect,
                "{direct:?} max {max:?} on {target:?}"
            );
        }

        // Not transitive: 10 is shared with 1, and 20 is shared with 10; a member of 1 gets 10, not 20.
        let facts = GrantFacts {
            groups: vec![(NamespaceId(1), Owner)],
            group_links: vec![group_link(10, 1, Owner), group_link(20, 10, Owner)],
            ..GrantFacts::default()
        };
        let g = Grants::from_facts(&facts);
        assert_eq!(g.group_access(&ns(&[10])), Owner);
        assert_eq!(g.group_access(&ns(&[20])), NoAccess);
    }

    #[test]
    fn project_access() {
        let project = ProjectId(100);
        // The Project lives in 1/2/3 and is shared with group 11 (a subgroup of 10) at `link`.
        // Group 11 is itself shared with group 20 at Maintainer.
        // (direct group memberships, project membership, project link max, expected)
        let cases: &[(
            Direct,
            Option<AccessLevel>,
            Option<AccessLevel>,
            AccessLevel,
        )] = &[
            (&[], None, None, NoAccess),
            (&[(1, Reporter)], None, None, Reporter),
            (&[(3, Developer)], None, None, Developer),
            (&[], Some(Maintainer), None, Maintainer),
            (&[(1, Developer)], Some(Guest), None, Developer),
            (&[(1, Guest)], Some(Maintainer), None, Maintainer),
            (&[(1, MinimalAccess)], None, None, NoAccess),
            (&[(11, Owner)], None, None, NoAccess),
            (&[(11, Owner)], None, Some(Developer), Developer),
            (&[(11, Reporter)], None, Some(Developer), Reporter),
            // Inherited members of the invited group are reached.
            (&[(10, Owner)], None, Some(Developer), Developer),
            // So are members of a group shared with the invited group, capped by both links.
            (&[(20, Owner)], None, Some(Owner), Maintainer),
            (&[(20, Owner)], None, Some(Reporter), Reporter),
            (&[(1, Owner)], None, Some(Developer), Owner),
        ];
        for (direct, member, link, expect) in cases {
            let facts = GrantFacts {
                groups: direct
                    .iter()
                    .map(|(id, level)| (NamespaceId(*id), *level))
                    .collect(),
                group_links: vec![group_link(11, 20, Maintainer)],
                project_memberships: member
                    .iter()
                    .map(|level| ProjectMembershipFact {
                        project,
                        namespace_traversal: ns(&[1, 2, 3]),
                        level: *level,
                    })
                    .collect(),
                project_links: link
                    .iter()
                    .map(|max| ProjectLinkFact {
                        project,
                        invited_traversal: ns(&[10, 11]),
                        namespace_traversal: ns(&[1, 2, 3]),
                        max_access: *max,
                    })
                    .collect(),
                groups_with_projects: Vec::new(),
            };
            let got = Grants::from_facts(&facts).project_access(project, &ns(&[1, 2, 3]));
            assert_eq!(got, *expect, "{direct:?} member {member:?} link {link:?}");
        }
    }

    #[test]
    fn project_members_see_ancestors() {
        let mut g = grants(&[]);
        g.add_project_membership(&ProjectMembershipFact {
            project: ProjectId(100),
            namespace_traversal: ns(&[1, 2, 3]),
            level: Guest,
        });
        assert!(g.has_limited_view(NamespaceId(1)));
        assert!(g.has_limited_view(NamespaceId(3)));
        assert!(!g.has_limited_view(NamespaceId(10)));
        assert_eq!(g.group_access(&ns(&[1, 2])), NoAccess);
    }

    #[test]
    fn limited_view_through_groups_with_projects() {
        // 1 > 2 > 3; 10 > 11. (direct memberships, link 11 shared with 2 at Developer?,
        // traversals holding Projects, Group asked about, has the limited view)
        type Case = (Direct, bool, &'static [&'static [i64]], i64, bool);
        let cases: &[Case] = &[
            // A Developer of 1/2, which holds a Project, sees 1.
            (&[(2, Developer)], false, &[&[1, 2]], 1, true),
            // The Group held is read in full, not through the limited view.
            (&[(2, Developer)], false, &[&[1, 2]], 2, false),
            // No Project below 2: no view of 1.
            (&[(2, Developer)], false, &[], 1, false),
            // Minimal access reads nothing below.
            (&[(2, MinimalAccess)], false, &[&[1, 2]], 1, false),
            // A membership of 1/2/3 holding a Project: both 1 and 2.
            (&[(3, Guest)], false, &[&[1, 2, 3]], 1, true),
            (&[(3, Guest)], false, &[&[1, 2, 3]], 2, true),
            // 10/11, shared with 2, holds a Project: a Member of 2 sees 10.
            (&[(2, Developer)], true, &[&[10, 11]], 10, true),
            // Without the link, 10/11's Project says nothing about the Member of 2.
            (&[(2, Developer)], false, &[&[10, 11]], 10, false),
        ];
        for (direct, linked, populated, asked, expect) in cases {
            let facts = GrantFacts {
                groups: direct
                    .iter()
                    .map(|(id, level)| (NamespaceId(*id), *level))
                    .collect(),
                group_links: if *linked {
                    vec![group_link(11, 2, Developer)]
                } else {
                    Vec::new()
                },
                groups_with_projects: populated.iter().map(|t| ns(t)).collect(),
                ..GrantFacts::default()
            };
            assert_eq!(
                Grants::from_facts(&facts).has_limited_view(NamespaceId(*asked)),
                *expect,
                "{direct:?} linked {linked} populated {populated:?} asks {asked}"
            );
        }
    }
}
