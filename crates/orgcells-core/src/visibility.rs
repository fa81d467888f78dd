//! Visibility levels (GitLab: private 0, internal 10, public 20) and the rule that nothing is more
//! visible than what contains it.

/// The visibility of a Group, Project or Organization.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Visibility {
    Private = 0,
    Internal = 10,
    Public = 20,
}

impl Visibility {
    pub fn from_value(value: i64) -> Option<Visibility> {
        match value {
            0 => Some(Visibility::Private),
            10 => Some(Visibility::Internal),
            20 => Some(Visibility::Public),
            _ => None,
        }
    }

    /// A Group or Project visibility as the API names it.
    pub fn parse(name: &str) -> Option<Visibility> {
        match name {
            "private" => Some(Visibility::Private),
            "internal" => Some(Visibility::Internal),
            "public" => Some(Visibility::Public),
            _ => None,
        }
    }

    pub fn value(self) -> i64 {
        self as i64
    }

    pub fn name(self) -> &'static str {
        match self {
            Visibility::Private => "private",
            Visibility::Internal => "internal",
            Visibility::Public => "public",
        }
    }
}

/// The visibility of an Organization: public (everyone sees it) or internal (only its Users).
/// It is stored on the same scale as Groups, so "not more visible than its Organization" is one
/// comparison: an internal Organization holds nothing public.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OrganizationVisibility {
    Internal,
    Public,
}

impl OrganizationVisibility {
    /// `internal`, or `private` as GitLab's code calls it, or `public`.
    pub fn parse(name: &str) -> Option<OrganizationVisibility> {
        match name {
            "internal" | "private" => Some(OrganizationVisibility::Internal),
            "public" => Some(OrganizationVisibility::Public),
            _ => None,
        }
    }

    pub fn from_value(value: i64) -> Option<OrganizationVisibility> {
        match value {
            0 | 10 => Some(OrganizationVisibility::Internal),
            20 => Some(OrganizationVisibility::Public),
            _ => None,
        }
    }

    /// The most visible a Group or Project of this Organization may be.
    pub fn ceiling(self) -> Visibility {
        match self {
            OrganizationVisibility::Internal => Visibility::Internal,
            OrganizationVisibility::Public => Visibility::Public,
        }
    }

    pub fn value(self) -> i64 {
        self.ceiling().value()
    }

    pub fn name(self) -> &'static str {
        match self {
            OrganizationVisibility::Internal => "internal",
            OrganizationVisibility::Public => "public",
        }
    }
}

/// Why a visibility may not be set, in GitLab's words; `None` when it may.
///
/// `ceiling` is the visibility of what contains the resource (its parent Group or namespace, or
/// its Organization for a top-level Group); `most_visible_child` the most visible Group or Project
/// inside it, if any.
pub fn visibility_conflict(
    wanted: Visibility,
    ceiling: Visibility,
    most_visible_child: Option<Visibility>,
    container: &str,
) -> Option<String> {
    if wanted > ceiling {
        return Some(format!(
            "{} is not allowed since the {container} has a {} visibility.",
            wanted.name(),
            ceiling.name()
        ));
    }
    match most_visible_child {
        Some(child) if child > wanted => Some(format!(
            "{} is not allowed since there are sub-groups or projects with higher visibility.",
            wanted.name()
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::Visibility::{Internal, Private, Public};
    use super::*;

    #[test]
    fn names_and_values() {
        for (name, level, value) in [
            ("private", Private, 0),
            ("internal", Internal, 10),
            ("public", Public, 20),
        ] {
            assert_eq!(Visibility::parse(name), Some(level));
            assert_eq!(Visibility::from_value(value), Some(level));
            assert_eq!(level.name(), name);
        }
        assert_eq!(Visibility::parse("secret"), None);
        assert_eq!(
            OrganizationVisibility::parse("private"),
            Some(OrganizationVisibility::Internal)
        );
        assert_eq!(
            OrganizationVisibility::parse("internal"),
            Some(OrganizationVisibility::Internal)
        );
        assert_eq!(OrganizationVisibility::Internal.ceiling(), Internal);
    }

    #[test]
    fn nothing_is_more_visible_than_its_container() {
        // (wanted, container, most visible child, allowed)
        let cases = [
            (Public, Public, None, true),
            (Internal, Public, None, true),
            (Private, Public, None, true),
            (Public, Internal, None, false),
            (Internal, Internal, None, true),
            (Public, Private, None, false),
            (Internal, Private, None, false),
            (Private, Private, None, true),
            (Private, Public, Some(Internal), false),
            (Internal, Public, Some(Internal), true),
            (Internal, Public, Some(Public), false),
            (Public, Public, Some(Private), true),
        ];
        for (wanted, ceiling, child, allowed) in cases {
            let conflict = visibility_conflict(wanted, ceiling, child, "parent group");
            assert_eq!(
                conflict.is_none(),
                allowed,
                "{wanted:?} under {ceiling:?} with child {child:?}: {conflict:?}"
            );
        }
    }
}
