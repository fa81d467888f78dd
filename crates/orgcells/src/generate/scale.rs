//! How much data a run makes: the scales `--scale` names, and the rows each one means.

/// How much data.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Scale {
    Small,
    Medium,
    Large,
}

/// How many rows of each kind a scale makes.
#[derive(Clone, Copy)]
pub(super) struct Sizes {
    pub(super) users: usize,
    pub(super) groups: usize,
    pub(super) projects: usize,
    pub(super) memberships: usize,
    pub(super) gpt_subgroups: usize,
}

impl Scale {
    pub(super) fn sizes(self) -> Sizes {
        match self {
            Scale::Small => Sizes {
                users: 1_000,
                groups: 200,
                projects: 2_000,
                memberships: 10_000,
                gpt_subgroups: 50,
            },
            Scale::Medium => Sizes {
                users: 10_000,
                groups: 2_000,
                projects: 20_000,
                memberships: 100_000,
                gpt_subgroups: 250,
            },
            Scale::Large => Sizes {
                users: 100_000,
                groups: 20_000,
                projects: 200_000,
                memberships: 1_000_000,
                gpt_subgroups: 250,
            },
        }
    }
}
