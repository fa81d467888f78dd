//! An Organization's old paths: a rename leaves the old path leading to it (a row of
//! `organization_redirects` for this Cell's reads, and a claim in the redirect bucket so that a
//! cluster's router sends the old path to this Cell), until a path claim takes it again.

use orgcells_core::ids::OrganizationId;
use orgcells_store::claims::{self, Bucket, Owner};
use orgcells_store::{Tx, organizations};
use orgcells_topology::proto::ClassifyType;

use crate::organizations::organization_owner;
use crate::{Result, Service, ServiceError};

/// `path` taken by an Organization (made, or renamed to it): the redirect it was goes, its row
/// and, when this Cell holds it, its claim (one another Cell holds stays, behind the path claim
/// the router asks first).
pub(crate) async fn path_taken(tx: &mut Tx, path: &str) -> Result<()> {
    organizations::remove_redirect(tx.conn(), path).await?;
    if let Some((kind, id)) = claims::holder(tx.conn(), Bucket::OrganizationRedirect, path).await? {
        let owner = Owner { kind: &kind, id };
        claims::release(tx, Bucket::OrganizationRedirect, path, owner).await?;
    }
    Ok(())
}

impl Service {
    /// `old` left by `org`'s rename: it leads to `org` from now on, on this Cell and, unless
    /// another Cell's Organization left it earlier (its redirect then stays), through the
    /// cluster's router.
    pub(crate) async fn leave_redirect(
        &self,
        tx: &mut Tx,
        org: OrganizationId,
        old: &str,
        now: i64,
    ) -> Result<()> {
        let id = tx.next_id().await?;
        organizations::add_redirect(tx.conn(), id, org, old, now).await?;
        if self.redirect_held_elsewhere(old).await? {
            return Ok(());
        }
        let cell = i64::from(self.db.cell().0);
        let owner = organization_owner(org);
        claims::claim(tx, Bucket::OrganizationRedirect, old, owner, cell, now).await?;
        Ok(())
    }

    /// Whether another Cell holds a redirect of `path`: claiming it too would refuse the whole
    /// rename at the topology.
    async fn redirect_held_elsewhere(&self, path: &str) -> Result<bool> {
        let Some(directory) = &self.directory else {
            return Ok(false);
        };
        let classified = directory
            .classify(ClassifyType::OrganizationRedirect, &path.to_lowercase())
            .await
            .map_err(|e| ServiceError::Unavailable {
                message: format!("503 Service Unavailable: the topology service: {e}"),
                retry_after: 1,
            })?;
        Ok(classified.found && classified.cell.id != self.db.cell().0)
    }
}
