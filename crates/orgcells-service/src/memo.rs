//! What requests read again and again, remembered until the next write: a caller's standing (Organization roles and grants), the Cell's soft-deleted Organizations, and the namespaces whose names
//! make up the full names on a page. Exact by construction (see
//! `orgcells_store::cache`): nothing is returned once a commit has begun since it was read,
//! and reads inside a write transaction always go to the database.

use orgcells_core::ids::{NamespaceId, OrganizationId, UserId};
use std::sync::Arc;

use orgcells_store::cache::{Generation, GenerationCache};

use orgcells_store::rows::NamespaceRow;

use crate::standing::Standing;

/// How many callers and standings are remembered at most (each map is emptied when full).
pub(crate) const REMEMBERED: usize = 16_384;

/// How many namespaces are remembered at most: the Groups of a large Cell, a few hundred bytes
/// each.
const NAMESPACES_REMEMBERED: usize = 65_536;

#[derive(Debug)]
pub(crate) struct Memo {
    pub generation: Generation,
    /// By User, Organization (or all) and date (memberships expire with the day).
    pub standings: GenerationCache<(UserId, Option<OrganizationId>, String), Arc<Standing>>,
    /// By id: the ancestors (and namespaces) of the rows on a page.
    pub namespaces: GenerationCache<NamespaceId, Arc<NamespaceRow>>,
    /// The Cell's soft-deleted Organizations, which every standing carries.
    pub soft_deleted: GenerationCache<(), Arc<Vec<OrganizationId>>>,
}

impl Memo {
    pub fn new(generation: Generation) -> Arc<Memo> {
        Arc::new(Memo {
            generation,
            standings: GenerationCache::new(REMEMBERED),
            namespaces: GenerationCache::new(NAMESPACES_REMEMBERED),
            soft_deleted: GenerationCache::new(1),
        })
    }
}
