//! An admin's actions on a User's instance-wide state (`POST /users/:id/<action>`), as GitLab's
//! User state machine and its API take them: which state each action leads to, when it changes
//! nothing, and how it is refused. Who may act (admins only) is the caller's business; this
//! module decides only what the action does to the state.

use crate::states::UserState;

/// An action on a User's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserAction {
    Block,
    Unblock,
    Ban,
    Unban,
    Deactivate,
    Activate,
}

impl UserAction {
    pub const ALL: [UserAction; 6] = [
        UserAction::Block,
        UserAction::Unblock,
        UserAction::Ban,
        UserAction::Unban,
        UserAction::Deactivate,
        UserAction::Activate,
    ];

    /// The name in the path (`/users/:id/block`).
    pub fn as_str(self) -> &'static str {
        match self {
            UserAction::Block => "block",
            UserAction::Unblock => "unblock",
            UserAction::Ban => "ban",
            UserAction::Unban => "unban",
            UserAction::Deactivate => "deactivate",
            UserAction::Activate => "activate",
        }
    }
}

/// What an action does, and the body GitLab answers it with (always `201 Created`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The User takes this state; the answer is `true`.
    To(UserState),
    /// Nothing changes; the answer is `null` (blocking a blocked User, deactivating a
    /// deactivated one).
    AlreadyDone,
    /// Nothing changes and the answer is `false` (unblocking a User who is not blocked) or
    /// `true` (activating an active User), as GitLab answers.
    Unchanged(bool),
}

/// Why an action is refused: 403 either way, with GitLab's words. `Forbidden` messages are
/// prefixed `403 Forbidden - ` (Grape's `forbidden!`), `Refused` ones are the whole message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    Forbidden(&'static str),
    Refused(String),
}

/// Whether a User counts as blocked: GitLab's `blocked?` is true for banned Users too.
fn blocked(state: UserState) -> bool {
    matches!(state, UserState::Blocked | UserState::Banned)
}

/// What `action` does to a User in `state`; `is_caller` when the admin acts on themselves,
/// `recently_active` when the User used the API in the past 90 days.
pub fn apply(
    action: UserAction,
    state: UserState,
    is_caller: bool,
    recently_active: bool,
) -> Result<Outcome, Refusal> {
    use UserAction::*;
    use UserState::*;
    match action {
        Block if is_caller => Err(Refusal::Forbidden(
            "The API initiating user cannot be blocked by the API",
        )),
        Block if blocked(state) => Ok(Outcome::AlreadyDone),
        Block => Ok(Outcome::To(Blocked)),
        Unblock if state == Deactivated => Err(Refusal::Forbidden(
            "Deactivated users cannot be unblocked by the API",
        )),
        Unblock if blocked(state) => Ok(Outcome::To(Active)),
        Unblock => Ok(Outcome::Unchanged(false)),
        Ban if state == Active && !is_caller => Ok(Outcome::To(Banned)),
        Ban if state == Active => Err(Refusal::Forbidden(
            "The API initiating user cannot be banned by the API",
        )),
        Unban if state == Banned => Ok(Outcome::To(Active)),
        Ban | Unban => Err(Refusal::Refused(format!(
            "You cannot {} {} users.",
            action.as_str(),
            state.as_str()
        ))),
        Deactivate if state == Deactivated => Ok(Outcome::AlreadyDone),
        Deactivate if blocked(state) => Err(Refusal::Refused(
            "Error occurred. A blocked user cannot be deactivated".into(),
        )),
        // GitLab's rule: not a User active in the past 90 days (the admin asking is, today).
        Deactivate if is_caller || recently_active => Err(Refusal::Refused(
            "The user you are trying to deactivate has been active in the past 90 days and \
             cannot be deactivated"
                .into(),
        )),
        Deactivate => Ok(Outcome::To(Deactivated)),
        Activate if blocked(state) => Err(Refusal::Refused(
            "Error occurred. A blocked user must be unblocked to be activated".into(),
        )),
        Activate if state == Active => Ok(Outcome::Unchanged(true)),
        Activate => Ok(Outcome::To(Active)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use UserAction::*;
    use UserState::*;

    const SELF: bool = true;
    const OTHER: bool = false;

    #[test]
    fn every_action_on_every_state() {
        let to = |s| Ok(Outcome::To(s));
        let done = Ok(Outcome::AlreadyDone);
        let forbidden = |m| Err(Refusal::Forbidden(m));
        let refused = |m: &str| Err(Refusal::Refused(m.to_owned()));
        let cases: &[(UserAction, UserState, bool, Result<Outcome, Refusal>)] = &[
            (Block, Active, OTHER, to(Blocked)),
            (Block, Deactivated, OTHER, to(Blocked)),
            (Block, Blocked, OTHER, done.clone()),
            (Block, Banned, OTHER, done.clone()),
            (
                Block,
                Active,
                SELF,
                forbidden("The API initiating user cannot be blocked by the API"),
            ),
            (Unblock, Blocked, OTHER, to(Active)),
            (Unblock, Banned, OTHER, to(Active)),
            (Unblock, Active, OTHER, Ok(Outcome::Unchanged(false))),
            (
                Unblock,
                Deactivated,
                OTHER,
                forbidden("Deactivated users cannot be unblocked by the API"),
            ),
            (Ban, Active, OTHER, to(Banned)),
            (
                Ban,
                Active,
                SELF,
                forbidden("The API initiating user cannot be banned by the API"),
            ),
            (
                Ban,
                Blocked,
                OTHER,
                refused("You cannot ban blocked users."),
            ),
            (Ban, Banned, OTHER, refused("You cannot ban banned users.")),
            (
                Ban,
                Deactivated,
                OTHER,
                refused("You cannot ban deactivated users."),
            ),
            (Unban, Banned, OTHER, to(Active)),
            (
                Unban,
                Active,
                OTHER,
                refused("You cannot unban active users."),
            ),
            (
                Unban,
                Blocked,
                OTHER,
                refused("You cannot unban blocked users."),
            ),
            (Deactivate, Active, OTHER, to(Deactivated)),
            (Deactivate, Deactivated, OTHER, done.clone()),
            (
                Deactivate,
                Blocked,
                OTHER,
                refused("Error occurred. A blocked user cannot be deactivated"),
            ),
            (
                Deactivate,
                Banned,
                OTHER,
                refused("Error occurred. A blocked user cannot be deactivated"),
            ),
            (
                Deactivate,
                Active,
                SELF,
                refused(
                    "The user you are trying to deactivate has been active in the past 90 days and cannot be deactivated",
                ),
            ),
            (Activate, Deactivated, OTHER, to(Active)),
            (Activate, Active, OTHER, Ok(Outcome::Unchanged(true))),
            (
                Activate,
                Blocked,
                OTHER,
                refused("Error occurred. A blocked user must be unblocked to be activated"),
            ),
            (
                Activate,
                Banned,
                OTHER,
                refused("Error occurred. A blocked user must be unblocked to be activated"),
            ),
        ];
        for (action, state, is_caller, expected) in cases {
            assert_eq!(
                &apply(*action, *state, *is_caller, false),
                expected,
                "{} on a {} User (self: {is_caller})",
                action.as_str(),
                state.as_str()
            );
        }
        // A User active in the past 90 days: only their deactivation is refused.
        let recent: &[(UserAction, UserState, Result<Outcome, Refusal>)] = &[
            (
                Deactivate,
                Active,
                refused(
                    "The user you are trying to deactivate has been active in the past 90 days and cannot be deactivated",
                ),
            ),
            (Deactivate, Deactivated, done.clone()),
            (
                Deactivate,
                Blocked,
                refused("Error occurred. A blocked user cannot be deactivated"),
            ),
            (Block, Active, to(Blocked)),
            (Ban, Active, to(Banned)),
            (Activate, Deactivated, to(Active)),
        ];
        for (action, state, expected) in recent {
            assert_eq!(
                &apply(*action, *state, OTHER, true),
                expected,
                "{} on a recently active {} User",
                action.as_str(),
                state.as_str()
            );
        }
    }

    #[test]
    fn names_are_the_paths() {
        let names: Vec<&str> = UserAction::ALL.iter().map(|a| a.as_str()).collect();
        assert_eq!(
            names,
            ["block", "unblock", "ban", "unban", "deactivate", "activate"]
        );
    }
}
