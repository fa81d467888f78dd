//! Reading stored values back into the rules' types: a level, visibility or kind the rules do
//! not know is an error, never taken for another one.

use std::fmt;

/// A stored number or name that means nothing to the rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownValue {
    /// What the value should have been (`visibility level`, `namespace kind`, ...).
    pub what: &'static str,
    pub value: String,
}

impl fmt::Display for UnknownValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown {} {:?}", self.what, self.value)
    }
}

impl std::error::Error for UnknownValue {}

/// `TryFrom<i64>` for a type stored as a number, through its `from_value`.
macro_rules! stored_as_number {
    ($($name:ty => $what:literal),* $(,)?) => {$(
        impl TryFrom<i64> for $name {
            type Error = UnknownValue;

            fn try_from(value: i64) -> Result<Self, UnknownValue> {
                <$name>::from_value(value).ok_or_else(|| UnknownValue {
                    what: $what,
                    value: value.to_string(),
                })
            }
        }
    )*};
}

stored_as_number!(
    crate::visibility::Visibility => "visibility level",
    crate::visibility::OrganizationVisibility => "organization visibility level",
    crate::access::AccessLevel => "access level",
    crate::access::OrganizationRole => "organization role",
    crate::creation::ProjectCreationLevel => "project creation level",
    crate::creation::SubgroupCreationLevel => "subgroup creation level",
);

/// `TryFrom<String>` for a type stored as a name, through its `parse`.
macro_rules! stored_as_name {
    ($($name:ty => $what:literal),* $(,)?) => {$(
        impl TryFrom<String> for $name {
            type Error = UnknownValue;

            fn try_from(value: String) -> Result<Self, UnknownValue> {
                <$name>::parse(&value).ok_or(UnknownValue { what: $what, value })
            }
        }
    )*};
}

stored_as_name!(
    crate::ids::NamespaceKind => "namespace kind",
    crate::members::SourceType => "membership source type",
    crate::states::UserState => "user state",
    crate::states::OrganizationState => "organization state",
    crate::states::OrganizationUserState => "organization user state",
    crate::org_users::Joined => "organization user source",
);

#[cfg(test)]
mod tests {
    use crate::access::{AccessLevel, OrganizationRole};
    use crate::creation::{ProjectCreationLevel, SubgroupCreationLevel};
    use crate::ids::NamespaceKind;
    use crate::members::SourceType;
    use crate::visibility::{OrganizationVisibility, Visibility};

    #[test]
    fn stored_values_decode_or_fail() {
        assert_eq!(Visibility::try_from(10), Ok(Visibility::Internal));
        assert_eq!(
            OrganizationVisibility::try_from(0),
            Ok(OrganizationVisibility::Internal)
        );
        assert_eq!(AccessLevel::try_from(30), Ok(AccessLevel::Developer));
        assert_eq!(OrganizationRole::try_from(50), Ok(OrganizationRole::Owner));
        assert_eq!(
            ProjectCreationLevel::try_from(60),
            Ok(ProjectCreationLevel::Administrator)
        );
        assert_eq!(
            SubgroupCreationLevel::try_from(40),
            Ok(SubgroupCreationLevel::Maintainer)
        );
        assert_eq!(
            NamespaceKind::try_from("user".to_owned()),
            Ok(NamespaceKind::User)
        );
        let unknown = Visibility::try_from(5).err().map(|e| e.to_string());
        assert_eq!(unknown.as_deref(), Some("unknown visibility level \"5\""));
        assert!(AccessLevel::try_from(25).is_err());
        assert!(OrganizationRole::try_from(30).is_err());
        assert!(SubgroupCreationLevel::try_from(30).is_err());
        assert!(NamespaceKind::try_from("project".to_owned()).is_err());
        assert_eq!(
            SourceType::try_from("project".to_owned()),
            Ok(SourceType::Project)
        );
        assert!(SourceType::try_from("namespace".to_owned()).is_err());
    }
}
