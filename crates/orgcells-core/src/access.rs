//! GitLab's access levels (`lib/gitlab/access.rb`), ordered so checks read
//! `level >= AccessLevel::Maintainer`.

use std::fmt;

/// An access level on a Group, Project or Organization.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AccessLevel {
    NoAccess = 0,
    MinimalAccess = 5,
    Guest = 10,
    Planner = 15,
    Reporter = 20,
    Developer = 30,
    Maintainer = 40,
    Owner = 50,
}

impl AccessLevel {
    /// Every level a membership may hold (no access is the absence of a membership).
    pub const MEMBER_LEVELS: [AccessLevel; 7] = [
        AccessLevel::MinimalAccess,
        AccessLevel::Guest,
        AccessLevel::Planner,
        AccessLevel::Reporter,
        AccessLevel::Developer,
        AccessLevel::Maintainer,
        AccessLevel::Owner,
    ];

    /// The level of a stored or submitted number; `None` for numbers GitLab does not know.
    pub fn from_value(value: i64) -> Option<AccessLevel> {
        Some(match value {
            0 => AccessLevel::NoAccess,
            5 => AccessLevel::MinimalAccess,
            10 => AccessLevel::Guest,
            15 => AccessLevel::Planner,
            20 => AccessLevel::Reporter,
            30 => AccessLevel::Developer,
            40 => AccessLevel::Maintainer,
            50 => AccessLevel::Owner,
            _ => return None,
        })
    }

    /// A level a Member or a link may be given: a known level above no access.
    pub fn for_member(value: i64) -> Option<AccessLevel> {
        AccessLevel::from_value(value).filter(|level| *level > AccessLevel::NoAccess)
    }

    /// A level a group link may give: a known level from Guest up (a link gives no minimal
    /// access).
    pub fn for_link(value: i64) -> Option<AccessLevel> {
        AccessLevel::from_value(value).filter(|level| level.reads())
    }

    pub fn value(self) -> i64 {
        self as i64
    }

    /// Whether this level gives any access to the resource's content. Minimal access only
    /// lets a User see that a top-level Group exists.
    pub fn reads(self) -> bool {
        self >= AccessLevel::Guest
    }
}

impl fmt::Display for AccessLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            AccessLevel::NoAccess => "No access",
            AccessLevel::MinimalAccess => "Minimal Access",
            AccessLevel::Guest => "Guest",
            AccessLevel::Planner => "Planner",
            AccessLevel::Reporter => "Reporter",
            AccessLevel::Developer => "Developer",
            AccessLevel::Maintainer => "Maintainer",
            AccessLevel::Owner => "Owner",
        };
        f.write_str(name)
    }
}

/// An Organization User's role. GitLab stores it as an access level: `default` is 10, `owner` 50.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum OrganizationRole {
    User,
    Owner,
}

impl OrganizationRole {
    pub fn value(self) -> i64 {
        match self {
            OrganizationRole::User => 10,
            OrganizationRole::Owner => 50,
        }
    }

    pub fn from_value(value: i64) -> Option<OrganizationRole> {
        match value {
            10 => Some(OrganizationRole::User),
            50 => Some(OrganizationRole::Owner),
            _ => None,
        }
    }

    /// GitLab's names for the role: `default` and `owner` (we also accept `user`).
    pub fn parse(name: &str) -> Option<OrganizationRole> {
        match name {
            "default" | "user" => Some(OrganizationRole::User),
            "owner" => Some(OrganizationRole::Owner),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            OrganizationRole::User => "default",
            OrganizationRole::Owner => "owner",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_are_gitlabs_numbers_in_order() {
        let cases = [
            (0, Some(AccessLevel::NoAccess)),
            (5, Some(AccessLevel::MinimalAccess)),
            (10, Some(AccessLevel::Guest)),
            (15, Some(AccessLevel::Planner)),
            (20, Some(AccessLevel::Reporter)),
            (30, Some(AccessLevel::Developer)),
            (40, Some(AccessLevel::Maintainer)),
            (50, Some(AccessLevel::Owner)),
            (60, None),
            (25, None),
            (-10, None),
        ];
        for (value, expect) in cases {
            assert_eq!(AccessLevel::from_value(value), expect, "value {value}");
            if let Some(level) = expect {
                assert_eq!(level.value(), value);
            }
        }
        assert!(AccessLevel::Owner > AccessLevel::Maintainer);
        assert!(
            AccessLevel::Planner > AccessLevel::Guest
                && AccessLevel::Planner < AccessLevel::Reporter
        );
        assert_eq!(AccessLevel::for_member(0), None);
        assert_eq!(AccessLevel::for_member(5), Some(AccessLevel::MinimalAccess));
        assert_eq!(AccessLevel::for_link(5), None);
        assert_eq!(AccessLevel::for_link(10), Some(AccessLevel::Guest));
        assert_eq!(AccessLevel::for_link(50), Some(AccessLevel::Owner));
    }
}
