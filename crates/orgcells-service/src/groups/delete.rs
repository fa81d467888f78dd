//! `DELETE /groups/:id`: the Group with its subgroups and Projects.

use orgcells_core::policy::GroupAction;

use crate::caller::Caller;
use crate::error::denied;
use crate::locking::lock_chains;
use crate::lookup::{ensure_org_writable, find_group};
use crate::routes::delete_group_tree;
use crate::{Ref, Result, Service};

impl Service {
    /// `DELETE /groups/:id` (Owner): the Group, its subgroups and Projects go at once.
    pub async fn delete_group(&self, caller: &Caller, group: &Ref) -> Result<()> {
        let mut tx = self.db.write().await?;
        let (row, viewer, view) = find_group(tx.conn(), caller, group).await?;
        viewer
            .group(&view.facts(&row), GroupAction::Delete)
            .map_err(denied("Group"))?;
        let row = lock_chains(&mut tx, row.organization_id, &[row.id])
            .await?
            .remove(0);
        ensure_org_writable(tx.conn(), row.organization_id).await?;
        delete_group_tree(&mut tx, &row).await?;
        self.commit(tx).await?;
        Ok(())
    }
}
