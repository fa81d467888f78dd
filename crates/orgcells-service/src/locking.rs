//! Taking the locks a rule needs before it reads what it checks (SPEC: the last Owner,
//! visibility ceilings, transfers). See `orgcells_store::locks` for the order every writer
//! follows: the Organization first (shared), then the namespaces along the chains, by id.

use orgcells_core::ids::{NamespaceId, OrganizationId};
use std::collections::BTreeSet;

use orgcells_store::locks::{self, OrgLock};
use orgcells_store::rows::{NamespaceRow, ProjectRow, parse_traversal};
use orgcells_store::{Tx, namespaces, projects};

use crate::lookup::ensure_org_writable;
use crate::{Result, ServiceError};

/// How many times the chains are read again when a concurrent move changed them between the
/// read that chose the locks and the lock itself.
const ATTEMPTS: usize = 4;

/// Locks the Organization (shared) and every namespace along the chains of `ids` (each
/// namespace and its ancestors), then returns the namespaces read again under those locks. The
/// Organization's state is read under its lock too: a write that waited for its deletion (or a
/// move's maintenance) to commit is refused then, not written after it.
pub(crate) async fn lock_chains(
    tx: &mut Tx,
    org: OrganizationId,
    ids: &[NamespaceId],
) -> Result<Vec<NamespaceRow>> {
    locks::organization(tx.conn(), org, OrgLock::Share).await?;
    ensure_org_writable(tx.conn(), org).await?;
    let mut locked: BTreeSet<NamespaceId> = BTreeSet::new();
    for _ in 0..ATTEMPTS {
        let rows = read(tx, ids).await?;
        let wanted = chains(&rows);
        if wanted.is_subset(&locked) {
            return Ok(rows);
        }
        locked.extend(wanted);
        let all: Vec<NamespaceId> = locked.iter().copied().collect();
        locks::namespaces(tx.conn(), &all).await?;
    }
    Err(ServiceError::Unavailable {
        message: "503 Service Unavailable: the groups moved while being changed; retry".into(),
        retry_after: 1,
    })
}

/// Locks a Project's namespace chain (see [`lock_chains`]) and the Project row, and returns
/// the Project read again under those locks.
pub(crate) async fn lock_project(tx: &mut Tx, row: &ProjectRow) -> Result<ProjectRow> {
    lock_chains(tx, row.organization_id, &[row.namespace_id]).await?;
    locks::project(tx.conn(), row.id).await?;
    projects::find(tx.conn(), row.id)
        .await?
        .ok_or(ServiceError::NotFound("Project"))
}

async fn read(tx: &mut Tx, ids: &[NamespaceId]) -> Result<Vec<NamespaceRow>> {
    let mut rows = Vec::with_capacity(ids.len());
    for id in ids {
        rows.push(
            namespaces::find(tx.conn(), *id)
                .await?
                .ok_or(ServiceError::NotFound("Group"))?,
        );
    }
    Ok(rows)
}

/// Every namespace along the rows' traversals (the rows themselves included).
fn chains(rows: &[NamespaceRow]) -> BTreeSet<NamespaceId> {
    rows.iter()
        .flat_map(|row| parse_traversal(&row.traversal))
        .collect()
}
