//! Who may create Projects and subgroups in a Group: GitLab's `project_creation_level` and
//! `subgroup_creation_level` settings, with every value GitLab has.

use crate::access::AccessLevel;

/// `project_creation_level`: who may create Projects in a Group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProjectCreationLevel {
    /// Nobody, admins included.
    NoOne,
    Owner,
    Maintainer,
    /// Developers and everyone above (GitLab's default).
    Developer,
    /// Instance admins only.
    Administrator,
}

impl ProjectCreationLevel {
    pub const ALL: [ProjectCreationLevel; 5] = [
        ProjectCreationLevel::NoOne,
        ProjectCreationLevel::Owner,
        ProjectCreationLevel::Maintainer,
        ProjectCreationLevel::Developer,
        ProjectCreationLevel::Administrator,
    ];

    /// The API's name for the setting.
    pub fn name(self) -> &'static str {
        match self {
            ProjectCreationLevel::NoOne => "noone",
            ProjectCreationLevel::Owner => "owner",
            ProjectCreationLevel::Maintainer => "maintainer",
            ProjectCreationLevel::Developer => "developer",
            ProjectCreationLevel::Administrator => "administrator",
        }
    }

    pub fn parse(name: &str) -> Option<ProjectCreationLevel> {
        Self::ALL.into_iter().find(|level| level.name() == name)
    }

    /// The stored number: the lowest access level that may create, with 0 for nobody and 60
    /// (GitLab's `ADMIN`) for admins only.
    pub fn value(self) -> i64 {
        match self {
            ProjectCreationLevel::NoOne => 0,
            ProjectCreationLevel::Owner => AccessLevel::Owner.value(),
            ProjectCreationLevel::Maintainer => AccessLevel::Maintainer.value(),
            ProjectCreationLevel::Developer => AccessLevel::Developer.value(),
            ProjectCreationLevel::Administrator => 60,
        }
    }

    pub fn from_value(value: i64) -> Option<ProjectCreationLevel> {
        Self::ALL.into_iter().find(|level| level.value() == value)
    }

    /// Whether a caller with `level` on the Group (and `admin` or not) may create a Project.
    pub fn allows(self, level: AccessLevel, admin: bool) -> bool {
        match self {
            ProjectCreationLevel::NoOne => false,
            ProjectCreationLevel::Administrator => admin,
            ProjectCreationLevel::Owner => admin || level >= AccessLevel::Owner,
            ProjectCreationLevel::Maintainer => admin || level >= AccessLevel::Maintainer,
            ProjectCreationLevel::Developer => admin || level >= AccessLevel::Developer,
        }
    }
}

/// `subgroup_creation_level`: who may create subgroups in a Group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SubgroupCreationLevel {
    Owner,
    /// Maintainers and Owners (GitLab's default).
    Maintainer,
}

impl SubgroupCreationLevel {
    pub const ALL: [SubgroupCreationLevel; 2] = [
        SubgroupCreationLevel::Owner,
        SubgroupCreationLevel::Maintainer,
    ];

    pub fn name(self) -> &'static str {
        match self {
            SubgroupCreationLevel::Owner => "owner",
            SubgroupCreationLevel::Maintainer => "maintainer",
        }
    }

    pub fn parse(name: &str) -> Option<SubgroupCreationLevel> {
        Self::ALL.into_iter().find(|level| level.name() == name)
    }

    /// The stored number: the lowest access level that may create.
    pub fn value(self) -> i64 {
        self.lowest().value()
    }

    pub fn from_value(value: i64) -> Option<SubgroupCreationLevel> {
        Self::ALL.into_iter().find(|level| level.value() == value)
    }

    fn lowest(self) -> AccessLevel {
        match self {
            SubgroupCreationLevel::Owner => AccessLevel::Owner,
            SubgroupCreationLevel::Maintainer => AccessLevel::Maintainer,
        }
    }

    /// Whether a caller with `level` on the Group may create a subgroup (an admin counts as
    /// Owner).
    pub fn allows(self, level: AccessLevel, admin: bool) -> bool {
        admin || level >= self.lowest()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use AccessLevel::*;
    use ProjectCreationLevel as P;

    #[test]
    fn project_creation_as_gitlab() {
        // GitLab's group_policy_spec table: (setting, caller's level, admin, may create).
        let cases = [
            (P::NoOne, Developer, false, false),
            (P::NoOne, Maintainer, false, false),
            (P::NoOne, Owner, false, false),
            (P::NoOne, NoAccess, true, false),
            (P::Owner, Maintainer, false, false),
            (P::Owner, Owner, false, true),
            (P::Owner, NoAccess, true, true),
            (P::Maintainer, Developer, false, false),
            (P::Maintainer, Maintainer, false, true),
            (P::Maintainer, Owner, false, true),
            (P::Maintainer, NoAccess, true, true),
            (P::Developer, Reporter, false, false),
            (P::Developer, Planner, false, false),
            (P::Developer, Developer, false, true),
            (P::Developer, Owner, false, true),
            (P::Developer, NoAccess, true, true),
            (P::Administrator, Maintainer, false, false),
            (P::Administrator, Owner, false, false),
            (P::Administrator, NoAccess, true, true),
        ];
        for (setting, level, admin, expect) in cases {
            assert_eq!(
                setting.allows(level, admin),
                expect,
                "{setting:?} {level:?} admin {admin}"
            );
        }
    }

    #[test]
    fn subgroup_creation_as_gitlab() {
        use SubgroupCreationLevel as S;
        let cases = [
            (S::Owner, Maintainer, false, false),
            (S::Owner, Owner, false, true),
            (S::Owner, NoAccess, true, true),
            (S::Maintainer, Developer, false, false),
            (S::Maintainer, Maintainer, false, true),
        ];
        for (setting, level, admin, expect) in cases {
            assert_eq!(
                setting.allows(level, admin),
                expect,
                "{setting:?} {level:?}"
            );
        }
    }

    #[test]
    fn names_and_numbers_round_trip() {
        for level in ProjectCreationLevel::ALL {
            assert_eq!(ProjectCreationLevel::parse(level.name()), Some(level));
            assert_eq!(ProjectCreationLevel::from_value(level.value()), Some(level));
        }
        for level in SubgroupCreationLevel::ALL {
            assert_eq!(SubgroupCreationLevel::parse(level.name()), Some(level));
            assert_eq!(
                SubgroupCreationLevel::from_value(level.value()),
                Some(level)
            );
        }
        assert_eq!(ProjectCreationLevel::parse("nobody"), None);
        assert_eq!(SubgroupCreationLevel::parse("developer"), None);
    }
}
