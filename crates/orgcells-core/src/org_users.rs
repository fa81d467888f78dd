//! The rules of one change to an Organization User (SPEC sections 4 and 5), whoever asks it
//! (whether they may is [`crate::policy`]'s): the last active Owner can neither leave, be
//! demoted, be removed nor be banned, by anyone, admins included; no User leaves their home
//! Organization; a ban or an unban changes a state that is not already so.

use crate::access::OrganizationRole;

/// How a User came to be an Organization User, as the Users overview answers it (`source`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Joined {
    /// By becoming a Member of one of its Groups or Projects.
    Membership,
    /// Added to the Organization directly, by an Owner or an admin.
    Added,
    /// They created it.
    Creator,
    /// It is their home Organization: they were in it from their account's start.
    Home,
}

impl Joined {
    pub const ALL: [Joined; 4] = [
        Joined::Membership,
        Joined::Added,
        Joined::Creator,
        Joined::Home,
    ];

    /// The stored (and API) name.
    pub fn as_str(self) -> &'static str {
        match self {
            Joined::Membership => "membership",
            Joined::Added => "added",
            Joined::Creator => "creator",
            Joined::Home => "home",
        }
    }

    pub fn parse(name: &str) -> Option<Joined> {
        Joined::ALL.into_iter().find(|j| j.as_str() == name)
    }
}

/// A change to one Organization User.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// Make them an Owner, or a (`default`) User.
    SetRole(OrganizationRole),
    /// Remove them (their memberships inside go with them); themselves: leave.
    Remove,
    Ban,
    Unban,
}

/// What the rules need to know of the Organization User changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Subject {
    pub role: OrganizationRole,
    pub banned: bool,
    /// The Organization is their home Organization.
    pub home: bool,
    /// They are the one asking.
    pub is_caller: bool,
    /// The Organization's active (not banned) Owners, them included if they are one.
    pub active_owners: i64,
}

/// Why a change is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    LastOwner,
    HomeOrganization,
    BanSelf,
    AlreadyBanned,
    NotBanned,
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Refused::LastOwner => {
                "You cannot change the access of the last owner from the organization"
            }
            Refused::HomeOrganization => {
                "A user cannot leave or be removed from their home organization"
            }
            Refused::BanSelf => "You cannot ban yourself from the organization",
            Refused::AlreadyBanned => "The user is already banned from the organization",
            Refused::NotBanned => "The user is not banned from the organization",
        })
    }
}

impl std::error::Error for Refused {}

/// Whether `change` may be made to `subject`.
pub fn check(change: Change, subject: &Subject) -> Result<(), Refused> {
    let last_owner =
        subject.role == OrganizationRole::Owner && !subject.banned && subject.active_owners <= 1;
    match change {
        Change::SetRole(role) if role == subject.role => Ok(()),
        Change::SetRole(_) | Change::Remove | Change::Ban if last_owner => Err(Refused::LastOwner),
        Change::Remove if subject.home => Err(Refused::HomeOrganization),
        Change::Ban if subject.is_caller => Err(Refused::BanSelf),
        Change::Ban if subject.banned => Err(Refused::AlreadyBanned),
        Change::Unban if !subject.banned => Err(Refused::NotBanned),
        Change::SetRole(_) | Change::Remove | Change::Ban | Change::Unban => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joined_reads_back() {
        for joined in Joined::ALL {
            assert_eq!(Joined::parse(joined.as_str()), Some(joined));
        }
        assert_eq!(Joined::parse("invited"), None);
    }

    #[test]
    fn changes_by_the_subject() {
        use Change::*;
        use OrganizationRole::{Owner, User};
        use Refused::*;
        // (change, role, banned, home, is the caller, active Owners, outcome); one per case.
        type Case = (
            Change,
            OrganizationRole,
            bool,
            bool,
            bool,
            i64,
            Result<(), Refused>,
        );
        let cases: &[Case] = &[
            // The last active Owner: no demotion, removal, ban or leaving, whoever asks.
            (SetRole(User), Owner, false, false, false, 1, Err(LastOwner)),
            (SetRole(User), Owner, false, false, true, 1, Err(LastOwner)),
            (Remove, Owner, false, false, false, 1, Err(LastOwner)),
            (Remove, Owner, false, false, true, 1, Err(LastOwner)),
            (Ban, Owner, false, false, false, 1, Err(LastOwner)),
            (SetRole(Owner), Owner, false, false, true, 1, Ok(())),
            // With another active Owner, each goes through.
            (SetRole(User), Owner, false, false, false, 2, Ok(())),
            (SetRole(User), Owner, false, false, true, 2, Ok(())),
            (Remove, Owner, false, false, true, 2, Ok(())),
            (Ban, Owner, false, false, false, 2, Ok(())),
            // A banned Owner is not the last active one.
            (Remove, Owner, true, false, false, 1, Ok(())),
            (SetRole(User), Owner, true, false, false, 1, Ok(())),
            // Users.
            (SetRole(Owner), User, false, false, false, 1, Ok(())),
            (Remove, User, false, false, false, 1, Ok(())),
            (Remove, User, false, false, true, 1, Ok(())),
            (Remove, User, false, true, false, 1, Err(HomeOrganization)),
            (Remove, User, false, true, true, 1, Err(HomeOrganization)),
            (Remove, User, true, false, false, 1, Ok(())),
            (Ban, User, false, false, false, 1, Ok(())),
            (Ban, User, false, true, false, 1, Ok(())),
            (Ban, User, false, false, true, 2, Err(BanSelf)),
            (Ban, User, true, false, false, 1, Err(AlreadyBanned)),
            (Unban, User, true, false, false, 1, Ok(())),
            (Unban, Owner, true, false, false, 1, Ok(())),
            (Unban, User, false, false, false, 1, Err(NotBanned)),
        ];
        for (change, role, banned, home, is_caller, active_owners, expected) in cases {
            let subject = Subject {
                role: *role,
                banned: *banned,
                home: *home,
                is_caller: *is_caller,
                active_owners: *active_owners,
            };
            assert_eq!(
                check(*change, &subject),
                *expected,
                "{change:?} {subject:?}"
            );
        }
    }
}
