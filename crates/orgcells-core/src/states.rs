//! The states a User, an Organization and an Organization User can be in (SPEC section 1), by
//! the names GitLab stores and answers. Which state may do what is decided in
//! [`crate::policy`] and [`crate::scopes`]; this module only names them.

/// A cluster-wide User's state (GitLab's `users.state`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UserState {
    Active,
    /// Blocked by an admin (or an internal User such as the Ghost): no sign-in, no token works.
    Blocked,
    /// Banned from the instance: blocked, and their content hidden.
    Banned,
    /// Deactivated: signs in again to become active; no token works meanwhile.
    Deactivated,
}

impl UserState {
    pub const ALL: [UserState; 4] = [
        UserState::Active,
        UserState::Blocked,
        UserState::Banned,
        UserState::Deactivated,
    ];

    /// The stored (and API) name.
    pub fn as_str(self) -> &'static str {
        match self {
            UserState::Active => "active",
            UserState::Blocked => "blocked",
            UserState::Banned => "banned",
            UserState::Deactivated => "deactivated",
        }
    }

    pub fn parse(name: &str) -> Option<UserState> {
        UserState::ALL.into_iter().find(|s| s.as_str() == name)
    }

    /// Whether the User may act at all: sign in, use a token, be counted as active.
    pub fn is_active(self) -> bool {
        self == UserState::Active
    }
}

/// An Organization's state (SPEC section 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OrganizationState {
    Active,
    /// Being moved between Cells: reads go on, writes answer 503.
    Maintenance,
    /// Deleted, restorable for a while: its content is reachable by admins only.
    SoftDeleted,
}

impl OrganizationState {
    pub const ALL: [OrganizationState; 3] = [
        OrganizationState::Active,
        OrganizationState::Maintenance,
        OrganizationState::SoftDeleted,
    ];

    /// The stored (and API) name.
    pub fn as_str(self) -> &'static str {
        match self {
            OrganizationState::Active => "active",
            OrganizationState::Maintenance => "maintenance",
            OrganizationState::SoftDeleted => "soft_deleted",
        }
    }

    pub fn parse(name: &str) -> Option<OrganizationState> {
        OrganizationState::ALL
            .into_iter()
            .find(|s| s.as_str() == name)
    }
}

/// A User's state inside one Organization: banned there, the row stays with no permissions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OrganizationUserState {
    Active,
    Banned,
}

impl OrganizationUserState {
    pub const ALL: [OrganizationUserState; 2] =
        [OrganizationUserState::Active, OrganizationUserState::Banned];

    /// The stored (and API) name.
    pub fn as_str(self) -> &'static str {
        match self {
            OrganizationUserState::Active => "active",
            OrganizationUserState::Banned => "banned",
        }
    }

    pub fn parse(name: &str) -> Option<OrganizationUserState> {
        OrganizationUserState::ALL
            .into_iter()
            .find(|s| s.as_str() == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_state_reads_back_by_its_name() {
        for state in UserState::ALL {
            assert_eq!(UserState::parse(state.as_str()), Some(state));
        }
        for state in OrganizationState::ALL {
            assert_eq!(OrganizationState::parse(state.as_str()), Some(state));
        }
        for state in OrganizationUserState::ALL {
            assert_eq!(OrganizationUserState::parse(state.as_str()), Some(state));
        }
        assert_eq!(UserState::parse("Active"), None);
        assert_eq!(OrganizationState::parse("deleted"), None);
        assert_eq!(OrganizationUserState::parse("blocked"), None);
        assert!(UserState::Active.is_active());
        assert!(!UserState::Deactivated.is_active());
    }
}
