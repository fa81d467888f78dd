//! An Organization's old paths: a rename leaves the old path leading to it (a row of
//! `organization_redirects` for this Cell's reads, and a claim in the redirect bucket so that a
//! cluster's router sends the old path to this Cell), until a path claim takes it again: then
//! the redirect goes, on this Cell at once and on the Cell holding it, if another, just after.

use orgcells_core::ids::OrganizationId;
use orgcells_store::claims::{self, Bucket, Owner};
use orgcells_store::{Tx, organizations};
use orgcells_topology::proto::ClassifyType;

use crate::owners::organization_owner;
use crate::{Result, Service, ServiceError};

/// How long another Cell may take to drop a redirect.
const PEER_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

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
    /// `old` left by `org`'s rename: it leads to `org` from now on, on this Cell and through
    /// the cluster's router. A redirect of `old` another Cell holds is older than `org`'s
    /// hold on the path, so that Cell drops it first; one that cannot be dropped now stays
    /// (claiming `old` too would refuse the rename at the topology), and `old` leads there.
    pub(crate) async fn leave_redirect(
        &self,
        tx: &mut Tx,
        org: OrganizationId,
        old: &str,
        now: i64,
    ) -> Result<()> {
        let id = tx.next_id().await?;
        organizations::add_redirect(tx.conn(), id, org, old, now).await?;
        if let Err(error) = self.drop_redirect_elsewhere(old).await {
            tracing::warn!(%error, path = old, "an older redirect of a renamed Organization's path stays");
            return Ok(());
        }
        let cell = i64::from(self.db.cell().0);
        let owner = organization_owner(org);
        claims::claim(tx, Bucket::OrganizationRedirect, old, owner, cell, now).await?;
        Ok(())
    }

    /// `path` claimed by an Organization here (committed): the redirect of it another Cell
    /// may hold goes too, so that it leads nowhere else once the path is free again. A failure
    /// is logged; the path claim shadows that redirect meanwhile.
    pub(crate) async fn path_taken_elsewhere(&self, path: &str) {
        if let Err(error) = self.drop_redirect_elsewhere(path).await {
            tracing::warn!(%error, path, "dropping another Cell's redirect of a path taken here");
        }
    }

    /// `DELETE /-/cells/organization_redirects/:path` on the Cell holding a redirect of a path
    /// another Cell's Organization took: the redirect's row and claim go.
    pub async fn drop_redirect(&self, path: &str) -> Result<()> {
        let mut tx = self.db.write().await?;
        path_taken(&mut tx, path).await?;
        self.commit(tx).await
    }

    /// Asks the Cell holding a redirect of `path`, if another does, to drop it.
    async fn drop_redirect_elsewhere(&self, path: &str) -> Result<()> {
        let Some(directory) = &self.directory else {
            return Ok(());
        };
        let classified = directory
            .classify(ClassifyType::OrganizationRedirect, &path.to_lowercase())
            .await
            .map_err(|e| ServiceError::Unavailable {
                message: format!("503 Service Unavailable: the topology service: {e}"),
                retry_after: 1,
            })?;
        if !classified.found || classified.cell.id == self.db.cell().0 {
            return Ok(());
        }
        let url = format!("/organization_redirects/{}", path.to_lowercase());
        self.call_peer(
            &classified.cell,
            reqwest::Method::DELETE,
            &url,
            None,
            PEER_TIMEOUT,
        )
        .await?;
        Ok(())
    }
}
