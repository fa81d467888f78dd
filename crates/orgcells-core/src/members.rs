//! Who the Members of a Group or Project are, all told (`GET .../members/all`, GitLab's
//! `GroupMembersFinder` and `MembersFinder` with inherited and shared members): one entry per
//! User, at the highest level any of their rows gives them there.
//!
//! - A Group's: the direct Members of the Group and of its ancestors, and the direct Members
//!   of each Group invited to one of them, capped by that link's level.
//! - A Project's: its direct Members, the Members of its Group as above, and the Members of
//!   each Group invited to the Project (found as that Group's own are), capped by the link.
//!
//! Only a Member who can read counts through a link: a minimal-access row gives nothing there.

use std::collections::HashMap;

use crate::access::AccessLevel;
use crate::grants::GroupLinkFact;
use crate::ids::{NamespaceId, ProjectId, UserId};

/// Where a direct membership row is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Group(NamespaceId),
    Project(ProjectId),
}

impl Source {
    /// A stored source: its type and id.
    pub fn new(kind: SourceType, id: i64) -> Source {
        match kind {
            SourceType::Group => Source::Group(NamespaceId(id)),
            SourceType::Project => Source::Project(ProjectId(id)),
        }
    }

    pub fn kind(self) -> SourceType {
        match self {
            Source::Group(_) => SourceType::Group,
            Source::Project(_) => SourceType::Project,
        }
    }

    /// The stored `source_id`.
    pub fn id(self) -> i64 {
        match self {
            Source::Group(id) => id.0,
            Source::Project(id) => id.0,
        }
    }
}

/// What a membership row belongs to, as stored in its `source_type`: a Group or a Project.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SourceType {
    Group,
    Project,
}

impl SourceType {
    /// The stored name: `group` or `project`.
    pub fn as_str(self) -> &'static str {
        match self {
            SourceType::Group => "group",
            SourceType::Project => "project",
        }
    }

    pub fn parse(name: &str) -> Option<SourceType> {
        match name {
            "group" => Some(SourceType::Group),
            "project" => Some(SourceType::Project),
            _ => None,
        }
    }
}

/// One direct membership row.
#[derive(Debug, Clone)]
pub struct MemberFact {
    pub user: UserId,
    pub source: Source,
    pub level: AccessLevel,
}

/// A Group invited to the Project whose Members are asked for.
#[derive(Debug, Clone)]
pub struct InvitedGroup {
    /// The invited Group's traversal ids, root first.
    pub traversal: Vec<NamespaceId>,
    pub max_access: AccessLevel,
}

/// Whose Members are asked for.
#[derive(Debug, Clone, Copy)]
pub enum Of<'a> {
    /// A Group, by its traversal ids (root first, itself last).
    Group(&'a [NamespaceId]),
    /// A Project, with its namespace's traversal ids and the Groups invited to it.
    Project {
        id: ProjectId,
        namespace_traversal: &'a [NamespaceId],
        invited: &'a [InvitedGroup],
    },
}

/// A User's place in the list: the row that gives their level, and that level (capped).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Effective {
    /// Index into the rows given to [`effective`].
    pub row: usize,
    pub level: AccessLevel,
}

/// Every User's highest level on `of`, from all the direct rows and group links given (rows
/// and links that do not reach `of` are ignored). Ties go to the row met first: the source's
/// own, then its ancestors', then through links, each in the order given. Sorted by User.
pub fn effective(of: Of, rows: &[MemberFact], group_links: &[GroupLinkFact]) -> Vec<Effective> {
    let mut best: HashMap<UserId, Effective> = HashMap::new();
    match of {
        Of::Group(traversal) => {
            of_group(traversal, AccessLevel::Owner, rows, group_links, &mut best)
        }
        Of::Project {
            id,
            namespace_traversal,
            invited,
        } => {
            for (i, row) in rows.iter().enumerate() {
                if row.source == Source::Project(id) {
                    keep_highest(&mut best, row.user, i, row.level);
                }
            }
            of_group(
                namespace_traversal,
                AccessLevel::Owner,
                rows,
                group_links,
                &mut best,
            );
            for group in invited {
                let mut through = HashMap::new();
                of_group(
                    &group.traversal,
                    group.max_access,
                    rows,
                    group_links,
                    &mut through,
                );
                let mut through: Vec<(UserId, Effective)> = through.into_iter().collect();
                through.sort_by_key(|(user, _)| *user);
                for (user, found) in through {
                    if found.level.reads() {
                        keep_highest(&mut best, user, found.row, found.level);
                    }
                }
            }
        }
    }
    let mut out: Vec<(UserId, Effective)> = best.into_iter().collect();
    out.sort_by_key(|(user, _)| *user);
    out.into_iter().map(|(_, found)| found).collect()
}

/// A Group's Members (by its traversal), each capped at `cap`, into `best`.
fn of_group(
    traversal: &[NamespaceId],
    cap: AccessLevel,
    rows: &[MemberFact],
    group_links: &[GroupLinkFact],
    best: &mut HashMap<UserId, Effective>,
) {
    let in_chain = |source: Source| matches!(source, Source::Group(id) if traversal.contains(&id));
    for (i, row) in rows.iter().enumerate() {
        if in_chain(row.source) {
            keep_highest(best, row.user, i, row.level.min(cap));
        }
    }
    for link in group_links {
        if !traversal.contains(&link.shared_group) {
            continue;
        }
        let link_cap = link.max_access.min(cap);
        for (i, row) in rows.iter().enumerate() {
            if row.source == Source::Group(link.invited_group) && row.level.reads() {
                keep_highest(best, row.user, i, row.level.min(link_cap));
            }
        }
    }
}

fn keep_highest(
    best: &mut HashMap<UserId, Effective>,
    user: UserId,
    row: usize,
    level: AccessLevel,
) {
    match best.get(&user) {
        Some(found) if found.level >= level => {}
        _ => {
            best.insert(user, Effective { row, level });
        }
    }
}

/// A change to one membership row: added (`from` is `None`), changed, or removed (`to` is
/// `None`). GitLab's rules for it, apart from who may manage which level (`core::policy`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Change {
    pub from: Option<AccessLevel>,
    pub to: Option<AccessLevel>,
}

impl Change {
    /// The level the caller must be allowed to manage: the higher of the old and the new, so
    /// that only who may make an Owner may change or remove one.
    pub fn level_to_manage(self) -> AccessLevel {
        self.from.max(self.to).unwrap_or(AccessLevel::NoAccess)
    }

    /// Whether an Owner loses that role: then the last-Owner guard applies.
    pub fn takes_an_owner(self) -> bool {
        self.from == Some(AccessLevel::Owner) && self.to != Some(AccessLevel::Owner)
    }

    /// Whether the new level is below what the User inherits from above: GitLab refuses a
    /// subgroup or Project membership lower than an inherited one.
    pub fn below_inherited(self, inherited: AccessLevel) -> bool {
        self.to.is_some_and(|to| to < inherited)
    }

    /// Whether the new level may be held where it is: minimal access only on a top-level Group.
    pub fn fits(self, on_top_level_group: bool) -> bool {
        self.to != Some(AccessLevel::MinimalAccess) || on_top_level_group
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use AccessLevel::*;

    const TOP: NamespaceId = NamespaceId(1);
    const SUB: NamespaceId = NamespaceId(2);
    const OTHER: NamespaceId = NamespaceId(3);
    const INVITED: NamespaceId = NamespaceId(4);
    const INVITED_PARENT: NamespaceId = NamespaceId(5);
    const PROJECT: ProjectId = ProjectId(9);

    fn row(user: i64, source: Source, level: AccessLevel) -> MemberFact {
        MemberFact {
            user: UserId(user),
            source,
            level,
        }
    }

    fn link(shared: NamespaceId, invited: NamespaceId, max: AccessLevel) -> GroupLinkFact {
        GroupLinkFact {
            shared_group: shared,
            invited_group: invited,
            max_access: max,
        }
    }

    /// (direct rows, group links, the answer as (user, level) pairs).
    type Case = (Vec<MemberFact>, Vec<GroupLinkFact>, Vec<(i64, AccessLevel)>);

    /// (user, level) pairs of the answer.
    fn levels(of: Of, rows: &[MemberFact], links: &[GroupLinkFact]) -> Vec<(i64, AccessLevel)> {
        effective(of, rows, links)
            .into_iter()
            .map(|found| (rows[found.row].user.0, found.level))
            .collect()
    }

    #[test]
    fn a_groups_members_all_told() {
        use Source::Group as G;
        let chain = [TOP, SUB];
        // (rows, group links, expected (user, level)), one line per case.
        let cases: Vec<Case> = vec![
            // Its own Members.
            (
                vec![row(1, G(SUB), Developer)],
                vec![],
                vec![(1, Developer)],
            ),
            // An ancestor's Members are inherited.
            (vec![row(1, G(TOP), Owner)], vec![], vec![(1, Owner)]),
            // The highest of the rows wins, wherever it is.
            (
                vec![row(1, G(TOP), Reporter), row(1, G(SUB), Maintainer)],
                vec![],
                vec![(1, Maintainer)],
            ),
            (
                vec![row(1, G(TOP), Owner), row(1, G(SUB), Guest)],
                vec![],
                vec![(1, Owner)],
            ),
            // A Group outside the chain gives nothing.
            (vec![row(1, G(OTHER), Owner)], vec![], vec![]),
            // An invited Group's Members, capped by the link.
            (
                vec![row(2, G(INVITED), Owner)],
                vec![link(SUB, INVITED, Developer)],
                vec![(2, Developer)],
            ),
            (
                vec![row(2, G(INVITED), Reporter)],
                vec![link(TOP, INVITED, Maintainer)],
                vec![(2, Reporter)],
            ),
            // A link to a Group outside the chain gives nothing.
            (
                vec![row(2, G(INVITED), Owner)],
                vec![link(OTHER, INVITED, Owner)],
                vec![],
            ),
            // Minimal access counts directly but not through a link.
            (
                vec![row(3, G(TOP), MinimalAccess)],
                vec![],
                vec![(3, MinimalAccess)],
            ),
            (
                vec![row(3, G(INVITED), MinimalAccess)],
                vec![link(SUB, INVITED, Owner)],
                vec![],
            ),
            // Through a link only the invited Group's direct Members, not its ancestors'.
            (
                vec![row(4, G(INVITED_PARENT), Owner)],
                vec![link(SUB, INVITED, Owner)],
                vec![],
            ),
            // A direct row above a link's cap still wins.
            (
                vec![row(5, G(SUB), Maintainer), row(5, G(INVITED), Owner)],
                vec![link(SUB, INVITED, Guest)],
                vec![(5, Maintainer)],
            ),
            // Sorted by User.
            (
                vec![row(7, G(SUB), Guest), row(6, G(TOP), Guest)],
                vec![],
                vec![(6, Guest), (7, Guest)],
            ),
        ];
        for (i, (rows, links, expected)) in cases.iter().enumerate() {
            assert_eq!(
                &levels(Of::Group(&chain), rows, links),
                expected,
                "case {i}"
            );
        }
    }

    #[test]
    fn a_projects_members_all_told() {
        use Source::{Group as G, Project as P};
        let invited = [InvitedGroup {
            traversal: vec![INVITED_PARENT, INVITED],
            max_access: Developer,
        }];
        let of = Of::Project {
            id: PROJECT,
            namespace_traversal: &[TOP, SUB],
            invited: &invited,
        };
        let cases: Vec<Case> = vec![
            // Its own Members.
            (
                vec![row(1, P(PROJECT), Reporter)],
                vec![],
                vec![(1, Reporter)],
            ),
            // Another Project's give nothing.
            (vec![row(1, P(ProjectId(8)), Owner)], vec![], vec![]),
            // Its Group's and the Group's ancestors'.
            (vec![row(1, G(TOP), Owner)], vec![], vec![(1, Owner)]),
            // Groups invited to its Group, capped.
            (
                vec![row(2, G(OTHER), Owner)],
                vec![link(TOP, OTHER, Reporter)],
                vec![(2, Reporter)],
            ),
            // A Group invited to the Project brings its Members and its ancestors', capped.
            (
                vec![row(3, G(INVITED), Owner)],
                vec![],
                vec![(3, Developer)],
            ),
            (
                vec![row(3, G(INVITED_PARENT), Maintainer)],
                vec![],
                vec![(3, Developer)],
            ),
            (vec![row(3, G(INVITED), Guest)], vec![], vec![(3, Guest)]),
            // ... but not its minimal-access Members.
            (
                vec![row(3, G(INVITED_PARENT), MinimalAccess)],
                vec![],
                vec![],
            ),
            // ... and the Groups invited to the invited Group, under both caps.
            (
                vec![row(4, G(OTHER), Owner)],
                vec![link(INVITED, OTHER, Maintainer)],
                vec![(4, Developer)],
            ),
            (
                vec![row(4, G(OTHER), Owner)],
                vec![link(INVITED_PARENT, OTHER, Reporter)],
                vec![(4, Reporter)],
            ),
            // The highest of all wins.
            (
                vec![row(5, G(INVITED), Owner), row(5, P(PROJECT), Guest)],
                vec![],
                vec![(5, Developer)],
            ),
            (
                vec![row(5, G(INVITED), Owner), row(5, G(SUB), Maintainer)],
                vec![],
                vec![(5, Maintainer)],
            ),
        ];
        for (i, (rows, links, expected)) in cases.iter().enumerate() {
            assert_eq!(&levels(of, rows, links), expected, "case {i}");
        }
    }

    #[test]
    fn a_tie_goes_to_the_row_met_first() {
        use Source::{Group as G, Project as P};
        let rows = [row(1, G(TOP), Developer), row(1, P(PROJECT), Developer)];
        let of = Of::Project {
            id: PROJECT,
            namespace_traversal: &[TOP],
            invited: &[],
        };
        assert_eq!(
            effective(of, &rows, &[]),
            vec![Effective {
                row: 1,
                level: Developer
            }]
        );
    }

    #[test]
    fn changes_as_gitlab() {
        let change = |from, to| Change { from, to };
        // (from, to, level to manage, takes an Owner, below an inherited Developer, fits
        // below the top level)
        let cases = [
            (None, Some(Guest), Guest, false, true, true),
            (None, Some(Owner), Owner, false, false, true),
            (None, Some(MinimalAccess), MinimalAccess, false, true, false),
            (
                Some(Developer),
                Some(Maintainer),
                Maintainer,
                false,
                false,
                true,
            ),
            (Some(Owner), Some(Developer), Owner, true, false, true),
            (Some(Owner), Some(Owner), Owner, false, false, true),
            (
                Some(Maintainer),
                Some(Reporter),
                Maintainer,
                false,
                true,
                true,
            ),
            (Some(Owner), None, Owner, true, false, true),
            (Some(Reporter), None, Reporter, false, false, true),
        ];
        for (from, to, manage, takes, below, fits) in cases {
            let c = change(from, to);
            assert_eq!(c.level_to_manage(), manage, "{c:?}");
            assert_eq!(c.takes_an_owner(), takes, "{c:?}");
            assert_eq!(c.below_inherited(Developer), below, "{c:?}");
            assert_eq!(c.fits(false), fits, "{c:?}");
            assert!(c.fits(true), "{c:?}");
        }
    }
}
