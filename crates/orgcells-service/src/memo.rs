//! What requests read again and again, remembered until the next write: the caller a token
//! stands for and their standing (Organization roles and grants). Exact by construction (see
//! `orgcells_store::cache`): nothing is returned once a commit has begun since it was read,
//! and reads inside a write transaction always go to the database.

use std::sync::Arc;

use orgcells_store::cache::{Generation, GenerationCache};

use crate::Caller;
use crate::access::Standing;

/// How many callers and standings are remembered at most (each map is emptied when full).
const REMEMBERED: usize = 16_384;

#[derive(Debug)]
pub(crate) struct Memo {
    pub generation: Generation,
    /// By token digest and date (a token expires with the day).
    pub callers: GenerationCache<(String, String), Caller>,
    /// By User, Organization (or all) and date (memberships expire with the day).
    pub standings: GenerationCache<(i64, Option<i64>, String), Arc<Standing>>,
}

impl Memo {
    pub fn new(generation: Generation) -> Arc<Memo> {
        Arc::new(Memo {
            generation,
            callers: GenerationCache::new(REMEMBERED),
            standings: GenerationCache::new(REMEMBERED),
        })
    }
}
