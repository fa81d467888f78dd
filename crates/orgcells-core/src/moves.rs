//! An Organization's move between Cells: its states and steps, by the names the API answers, and
//! which action each allows. The topology service keeps the move; the source Cell drives it.
//!
//! A move copies the Organization to its target (`copying`), hands its claims to the target in
//! one step (`switched`), then deletes the source's rows (`cleaning`). Until the switch the
//! source holds the Organization: a move that stopped there (failed) may be resumed or rolled
//! back. After it the target holds it: the move may only be resumed (to finish the cleaning).

/// Where a move stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MoveState {
    Running,
    Finished,
    Failed,
    RolledBack,
}

impl MoveState {
    pub const ALL: [MoveState; 4] = [
        MoveState::Running,
        MoveState::Finished,
        MoveState::Failed,
        MoveState::RolledBack,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            MoveState::Running => "running",
            MoveState::Finished => "finished",
            MoveState::Failed => "failed",
            MoveState::RolledBack => "rolled_back",
        }
    }

    pub fn parse(name: &str) -> Option<MoveState> {
        MoveState::ALL.into_iter().find(|s| s.as_str() == name)
    }
}

/// How far a move got.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MoveStep {
    /// The source holds the Organization, in maintenance, while its rows are copied.
    Copying,
    /// The target holds it; the source's rows are still there.
    Switched,
    /// The source's rows are being deleted.
    Cleaning,
}

impl MoveStep {
    pub const ALL: [MoveStep; 3] = [MoveStep::Copying, MoveStep::Switched, MoveStep::Cleaning];

    pub fn as_str(self) -> &'static str {
        match self {
            MoveStep::Copying => "copying",
            MoveStep::Switched => "switched",
            MoveStep::Cleaning => "cleaning",
        }
    }

    pub fn parse(name: &str) -> Option<MoveStep> {
        MoveStep::ALL.into_iter().find(|s| s.as_str() == name)
    }

    /// Whether the target holds the Organization.
    pub fn switched(self) -> bool {
        self >= MoveStep::Switched
    }
}

/// What may be done with an Organization's move.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MoveAction {
    /// Start a new move.
    Begin,
    /// Go on from where a failed move stopped.
    Resume,
    /// Give up a move before its switch: the source keeps the Organization.
    RollBack,
}

/// Why an action is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MoveRefused {
    Running,
    NothingToResume,
    Switched,
    NothingToRollBack,
}

impl std::fmt::Display for MoveRefused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            MoveRefused::Running => "a move of this Organization is already running",
            MoveRefused::NothingToResume => "this Organization has no move to go on with",
            MoveRefused::Switched => {
                "a move that has switched the Organization to its new Cell can only be resumed"
            }
            MoveRefused::NothingToRollBack => "this Organization has no move to roll back",
        })
    }
}

impl std::error::Error for MoveRefused {}

/// How long a running move may go without news before it counts as stopped (its driver died):
/// then it may be resumed, or rolled back before its switch.
pub const STALE_AFTER_MS: i64 = 10 * 60 * 1000;

/// Whether `action` is allowed given the Organization's latest move (`None`: it never moved)
/// and whether that move, if running, is stale (no news for [`STALE_AFTER_MS`]).
pub fn allows(
    latest: Option<(MoveState, MoveStep)>,
    stale: bool,
    action: MoveAction,
) -> Result<(), MoveRefused> {
    // A running move nobody has heard of for long stopped with its driver: as if it failed.
    let latest = match latest {
        Some((MoveState::Running, step)) if stale && action != MoveAction::Begin => {
            Some((MoveState::Failed, step))
        }
        other => other,
    };
    match (action, latest) {
        (_, Some((MoveState::Running, _))) => Err(MoveRefused::Running),
        (MoveAction::Begin, Some((MoveState::Failed, step))) if step.switched() => {
            Err(MoveRefused::Switched)
        }
        (MoveAction::Begin, _) => Ok(()),
        (MoveAction::Resume, Some((MoveState::Failed, _))) => Ok(()),
        (MoveAction::Resume, _) => Err(MoveRefused::NothingToResume),
        (MoveAction::RollBack, Some((MoveState::Failed, step))) if step.switched() => {
            Err(MoveRefused::Switched)
        }
        (MoveAction::RollBack, Some((MoveState::Failed, _))) => Ok(()),
        // Again: what the first left undone (its copy not yet dropped) is done.
        (MoveAction::RollBack, Some((MoveState::RolledBack, _))) => Ok(()),
        (MoveAction::RollBack, _) => Err(MoveRefused::NothingToRollBack),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_read_back() {
        for state in MoveState::ALL {
            assert_eq!(MoveState::parse(state.as_str()), Some(state));
        }
        for step in MoveStep::ALL {
            assert_eq!(MoveStep::parse(step.as_str()), Some(step));
        }
        assert_eq!(MoveState::parse("done"), None);
    }

    #[test]
    fn actions_by_the_latest_move() {
        use MoveAction::*;
        use MoveState::*;
        use MoveStep::*;
        // (latest move, action, allowed or why not); one line per case.
        type Case = (
            Option<(MoveState, MoveStep)>,
            MoveAction,
            Result<(), MoveRefused>,
        );
        let cases: &[Case] = &[
            (None, Begin, Ok(())),
            (None, Resume, Err(MoveRefused::NothingToResume)),
            (None, RollBack, Err(MoveRefused::NothingToRollBack)),
            (Some((Running, Copying)), Begin, Err(MoveRefused::Running)),
            (Some((Running, Copying)), Resume, Err(MoveRefused::Running)),
            (
                Some((Running, Switched)),
                RollBack,
                Err(MoveRefused::Running),
            ),
            (Some((Failed, Copying)), Resume, Ok(())),
            (Some((Failed, Copying)), RollBack, Ok(())),
            (Some((Failed, Copying)), Begin, Ok(())),
            (Some((Failed, Switched)), Resume, Ok(())),
            (
                Some((Failed, Switched)),
                RollBack,
                Err(MoveRefused::Switched),
            ),
            (Some((Failed, Cleaning)), Begin, Err(MoveRefused::Switched)),
            (Some((Finished, Cleaning)), Begin, Ok(())),
            (
                Some((Finished, Cleaning)),
                Resume,
                Err(MoveRefused::NothingToResume),
            ),
            (Some((RolledBack, Copying)), Begin, Ok(())),
            (Some((RolledBack, Copying)), RollBack, Ok(())),
            (
                Some((RolledBack, Copying)),
                Resume,
                Err(MoveRefused::NothingToResume),
            ),
            (
                Some((Finished, Cleaning)),
                RollBack,
                Err(MoveRefused::NothingToRollBack),
            ),
        ];
        for (latest, action, expected) in cases {
            assert_eq!(
                allows(*latest, false, *action),
                *expected,
                "{latest:?} {action:?}"
            );
        }
        // A running move gone stale: its driver died. (latest, action, allowed); one per case.
        let stale: &[Case] = &[
            (Some((Running, Copying)), Resume, Ok(())),
            (Some((Running, Copying)), RollBack, Ok(())),
            (Some((Running, Switched)), Resume, Ok(())),
            (
                Some((Running, Switched)),
                RollBack,
                Err(MoveRefused::Switched),
            ),
            (Some((Running, Copying)), Begin, Err(MoveRefused::Running)),
            (Some((Failed, Copying)), Resume, Ok(())),
        ];
        for (latest, action, expected) in stale {
            assert_eq!(
                allows(*latest, true, *action),
                *expected,
                "stale {latest:?} {action:?}"
            );
        }
    }
}
