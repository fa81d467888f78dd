//! Typed identifiers. Every id is an `i64` drawn from the range of the Cell that created the row,
//! so an id alone tells which Cell it came from (GitLab's layout: `(cell - 1) * 2^41` up to
//! `cell * 2^41 - 1`).
//!
//! With the `sqlx` feature (the store's), each id reads from and binds to an `i64` column
//! directly, so rows decode into typed ids once, at the store boundary.

use std::fmt;

use serde::{Deserialize, Serialize};

macro_rules! id_type {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl From<i64> for $name {
            fn from(id: i64) -> $name {
                $name(id)
            }
        }

        impl From<$name> for i64 {
            fn from(id: $name) -> i64 {
                id.0
            }
        }

        #[cfg(feature = "sqlx")]
        impl sqlx::Type<sqlx::Any> for $name {
            fn type_info() -> sqlx::any::AnyTypeInfo {
                <i64 as sqlx::Type<sqlx::Any>>::type_info()
            }

            fn compatible(ty: &sqlx::any::AnyTypeInfo) -> bool {
                <i64 as sqlx::Type<sqlx::Any>>::compatible(ty)
            }
        }

        #[cfg(feature = "sqlx")]
        impl<'q> sqlx::Encode<'q, sqlx::Any> for $name {
            fn encode_by_ref(
                &self,
                buf: &mut <sqlx::Any as sqlx::Database>::ArgumentBuffer<'q>,
            ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
                <i64 as sqlx::Encode<'q, sqlx::Any>>::encode_by_ref(&self.0, buf)
            }
        }

        #[cfg(feature = "sqlx")]
        impl<'r> sqlx::Decode<'r, sqlx::Any> for $name {
            fn decode(value: sqlx::any::AnyValueRef<'r>) -> Result<$name, sqlx::error::BoxDynError> {
                Ok($name(<i64 as sqlx::Decode<'r, sqlx::Any>>::decode(value)?))
            }
        }
    )*};
}

id_type!(
    /// An Organization.
    OrganizationId,
    /// A cluster-wide User.
    UserId,
    /// A Namespace: a Group or a personal namespace.
    NamespaceId,
    /// A Project.
    ProjectId,
    /// A Group or Project membership row.
    MemberId,
    /// A personal access token.
    TokenId,
    /// A group-group or project-group link.
    LinkId,
);

impl UserId {
    /// The first admin, created at bootstrap.
    pub const ROOT: UserId = UserId(1);
    /// The Ghost User, who inherits what a deleted User authored.
    pub const GHOST: UserId = UserId(2);
}

impl OrganizationId {
    /// The Default Organization every instance has; it cannot be deleted.
    pub const DEFAULT: OrganizationId = OrganizationId(1);
}

/// What a namespace is: a Group, or a User's personal namespace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NamespaceKind {
    Group,
    User,
}

impl NamespaceKind {
    /// The stored (and API) name: `group` or `user`.
    pub fn as_str(self) -> &'static str {
        match self {
            NamespaceKind::Group => "group",
            NamespaceKind::User => "user",
        }
    }

    pub fn parse(name: &str) -> Option<NamespaceKind> {
        match name {
            "group" => Some(NamespaceKind::Group),
            "user" => Some(NamespaceKind::User),
            _ => None,
        }
    }
}

/// A Cell of the cluster. Cell ids are small integers, never reused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CellId(pub u16);

/// Ids below this are reserved for rows every Cell creates with fixed ids (the Default
/// Organization, the first admin, the Ghost User), as GitLab reserves Organization ids below 1000.
pub const FIRST_ALLOCATED_ID: i64 = 1000;

const RANGE_BITS: u32 = 41;

impl CellId {
    /// The inclusive range of primary keys this Cell allocates from.
    pub fn id_range(self) -> (i64, i64) {
        let cell = i64::from(self.0.max(1));
        let min = (cell - 1) << RANGE_BITS;
        let max = (cell << RANGE_BITS) - 1;
        (min.max(FIRST_ALLOCATED_ID), max)
    }

    /// The Cell an id was allocated by.
    pub fn of_id(id: i64) -> CellId {
        CellId(u16::try_from((id >> RANGE_BITS) + 1).unwrap_or(u16::MAX))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cell_ranges_follow_gitlab_layout() {
        assert_eq!(CellId(1).id_range(), (1000, (1 << 41) - 1));
        assert_eq!(CellId(2).id_range(), (1 << 41, (2 << 41) - 1));
        assert_eq!(CellId::of_id(5), CellId(1));
        assert_eq!(CellId::of_id(1 << 41), CellId(2));
        assert_eq!(CellId::of_id((3 << 41) - 1), CellId(3));
    }
}
